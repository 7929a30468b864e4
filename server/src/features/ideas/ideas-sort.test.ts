import { ideas, memberships } from '@cocreate/db';
import type { BoardRanking } from '@cocreate/protocol';
import { type RankInput, type RankingFormula, rankIdeas, score } from '@cocreate/ranking';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../../testing/harness.js';

/**
 * The SQL of every sort (sort-sql.ts) must order exactly as `rankIdeas` of @cocreate/ranking does on
 * the same rows at the same `now`, ties included, and keyset pagination must return each idea once.
 */

const SORTS: RankingFormula[] = ['top', 'new', 'trending', 'hot', 'wilson', 'weighted'];
const HOUR = 3_600_000;
const WEIGHTS = [1, 1, 2, 0.5, 3, 1.25];
/** Votes of the six voters per pattern (1, -1, or 0 for none). */
const PATTERNS = [
  [1, 1, 1, 0, 0, 0],
  [1, -1, 0, 0, 0, 0],
  [-1, -1, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0],
  [1, 1, 0, -1, 1, 0],
  [1, 0, 0, 0, 0, 0],
  [0, 0, 1, 1, 0, -1],
];

interface View extends RankInput {
  title: string;
  createdAtIso: string;
}
interface Page {
  items: { id: string; title: string; up: number; down: number; weightedScore: number; createdAt: string }[];
  nextCursor: string | null;
}

const decodeCursor = (c: string) => JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as { now: number; s: number; id: string };

describe.each(testDbKinds())('idea sorts and pagination on %s', (kind) => {
  let t: TestApp;
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  let viewer: TestUser;
  const ranking: BoardRanking = { formula: 'trending', gravity: 1.3, decayHours: 6 };
  const created: string[] = [];

  beforeAll(async () => {
    t = await startTestApp(kind);
    fx = await communityFixture(t, { downvotes: true });
    const patched = await t.api('PATCH', `/api/boards/${fx.boardId}`, { as: fx.owner, body: { ranking } });
    expect(patched.statusCode).toBe(200);
    const author = await fx.member();
    viewer = await fx.member();
    const voters = await Promise.all(WEIGHTS.map(() => fx.member()));
    for (const [i, v] of voters.entries()) {
      await t.app.db
        .update(memberships)
        .set({ voteWeight: WEIGHTS[i] as number })
        .where(eq(memberships.userId, v.id));
    }
    const base = Date.now() - 3 * 24 * HOUR;
    for (let i = 0; i < 25; i++) {
      const idea = await fx.idea(author, `Idea ${String(i).padStart(2, '0')}`);
      created.push(idea.id);
      // 0..20: patterns and time slots out of step; 21..23 copy 0..2 exactly (full ties on every sort).
      const copy = i >= 21 && i <= 23 ? i - 21 : i;
      const pattern = PATTERNS[copy % PATTERNS.length] as number[];
      await Promise.all(
        pattern.map(async (value, v) => {
          if (value === 0) return;
          const res = await t.api('PUT', `/api/ideas/${idea.id}/vote`, { as: voters[v], body: { value } });
          expect(res.statusCode).toBe(200);
        }),
      );
      // Several ideas share a millisecond exactly; one is "from the future" (clock skew).
      const at = i === 24 ? Date.now() + HOUR : base + (copy % 6) * 7 * HOUR;
      await t.app.db
        .update(ideas)
        .set({ createdAt: new Date(at) })
        .where(eq(ideas.id, idea.id));
    }
    // Two ideas created within the same millisecond, the smaller id a few hundred microseconds later:
    // the API shows milliseconds, so clients (and rankIdeas) see a tie broken by id.
    const [lo, hi] = [created[19], created[20]].sort() as [string, string];
    const ms = new Date(base + 5 * HOUR + 123).toISOString();
    await t.app.db
      .update(ideas)
      .set({ createdAt: sql`${ms}::timestamptz + interval '700 microseconds'` })
      .where(eq(ideas.id, lo));
    await t.app.db
      .update(ideas)
      .set({ createdAt: sql`${ms}::timestamptz + interval '200 microseconds'` })
      .where(eq(ideas.id, hi));
  });
  afterAll(() => t.close());

  /** Every page of one listing, with the `now` its cursors carry. */
  async function walk(query: string, limit = 4) {
    const pages: Page[] = [];
    const nows = new Set<number>();
    let cursor: string | null = null;
    do {
      const url: string = `/api/boards/${fx.boardId}/ideas?limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await t.api('GET', url, { as: viewer });
      expect(res.statusCode).toBe(200);
      const page = res.json() as Page;
      pages.push(page);
      cursor = page.nextCursor;
      if (cursor) nows.add(decodeCursor(cursor).now);
      expect(pages.length).toBeLessThanOrEqual(30);
    } while (cursor);
    expect(nows.size).toBeLessThanOrEqual(1);
    const views: View[] = pages.flatMap((p) =>
      p.items.map((i) => ({
        id: i.id,
        title: i.title,
        up: i.up,
        down: i.down,
        weightedScore: i.weightedScore,
        createdAt: Date.parse(i.createdAt),
        createdAtIso: i.createdAt,
      })),
    );
    return { pages, views, now: [...nows][0] ?? Number.NaN };
  }

  it.each(SORTS)('sort=%s pages through every idea exactly once, in the order of rankIdeas', async (sort) => {
    const { pages, views, now } = await walk(`&sort=${sort}`);
    expect(pages).toHaveLength(7); // 25 ideas, 4 per page
    expect(pages.slice(0, -1).every((p) => p.items.length === 4)).toBe(true);
    expect(pages.at(-1)?.items).toHaveLength(1);
    const ids = views.map((v) => v.id);
    expect(new Set(ids).size).toBe(25);
    expect([...ids].sort()).toEqual([...created].sort());

    const expected = rankIdeas(views, sort, now, ranking).map((v) => v.id);
    expect(ids).toEqual(expected);

    // The data set exercises ties under this sort (so the id tie-break is really compared).
    const scores = views.map((v) => score(sort, v, now, ranking));
    expect(new Set(scores).size).toBeLessThan(scores.length);
  });

  it('uses the board’s own formula and parameters when no sort is given', async () => {
    const byDefault = await walk('');
    const explicit = await walk('&sort=trending');
    expect(byDefault.views.map((v) => v.id)).toEqual(explicit.views.map((v) => v.id));
    expect(byDefault.views.map((v) => v.id)).toEqual(rankIdeas(byDefault.views, 'trending', byDefault.now, ranking).map((v) => v.id));
    // The gravity matters: with the default one the order differs on this data set.
    expect(rankIdeas(byDefault.views, 'trending', byDefault.now, {}).map((v) => v.id)).not.toEqual(byDefault.views.map((v) => v.id));
  });

  it('breaks a same-millisecond tie of created_at by id, as clients that see milliseconds do', async () => {
    const [lo, hi] = [created[19], created[20]].sort() as [string, string];
    for (const sort of ['new', 'hot'] as const) {
      const { views } = await walk(`&sort=${sort}`, 25);
      const a = views.find((v) => v.id === lo) as View;
      const b = views.find((v) => v.id === hi) as View;
      expect(a.createdAtIso).toBe(b.createdAtIso);
      expect(views.findIndex((v) => v.id === hi)).toBe(views.findIndex((v) => v.id === lo) - 1);
    }
  });

  it('pages the same way at every page size, and each page is a slice of one order', async () => {
    for (const sort of SORTS) {
      const big = await walk(`&sort=${sort}`, 100);
      expect(big.pages).toHaveLength(1);
      for (const limit of [1, 7]) {
        const small = await walk(`&sort=${sort}`, limit);
        // trending depends on `now`; compare each walk with rankIdeas at its own instant.
        expect(small.views.map((v) => v.id)).toEqual(rankIdeas(small.views, sort, small.now, ranking).map((v) => v.id));
        if (sort !== 'trending') expect(small.views.map((v) => v.id)).toEqual(big.views.map((v) => v.id));
      }
    }
  });

  it('keeps each idea once across pages under filters, and filters never leak other boards', async () => {
    const other = await communityFixture(t);
    await other.idea(await other.member(), 'Idea 99 elsewhere');
    const { views } = await walk('&sort=top&q=idea', 3);
    expect(views).toHaveLength(25);
    expect(new Set(views.map((v) => v.id)).size).toBe(25);
    await t.app.db
      .update(ideas)
      .set({ status: 'planned' })
      .where(and(eq(ideas.boardId, fx.boardId), eq(ideas.title, 'Idea 03')));
    const planned = await walk('&sort=wilson&status=planned', 3);
    expect(planned.views.map((v) => v.title)).toEqual(['Idea 03']);
    const open = await walk('&sort=wilson&status=open', 3);
    expect(open.views).toHaveLength(24);
    await t.app.db
      .update(ideas)
      .set({ status: 'open' })
      .where(and(eq(ideas.boardId, fx.boardId), eq(ideas.title, 'Idea 03')));
  });
});
