import { ideas, votes } from '@cocreate/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../../testing/harness.js';
import { pgArray, VoteBatcher } from './batcher.js';
import type { VoteOutcome } from './service.js';

/** Group commit: many votes per transaction, each acknowledged with its own counts and version. */
describe.each(testDbKinds())('the vote batcher on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  it('writes concurrent votes in batches, exactly, with one version per change in arrival order', async () => {
    const fx = await communityFixture(t, { downvotes: true });
    const ideaA = await fx.idea(fx.owner, 'A');
    const ideaB = await fx.idea(fx.owner, 'B');
    const users: TestUser[] = [];
    for (let i = 0; i < 12; i++) users.push(await fx.member());
    const outsider = await t.user();
    const batcher = new VoteBatcher(t.app.db, { enabled: true });
    const requests = users.flatMap((u, i) => [
      { ideaId: ideaA.id, userId: u.id, value: 1 as const },
      { ideaId: ideaB.id, userId: u.id, value: (i % 2 ? -1 : 1) as 1 | -1 },
      { ideaId: ideaA.id, userId: u.id, value: (i % 3 ? 1 : 0) as 1 | 0 },
      { ideaId: ideaA.id, userId: u.id, value: (i % 3 ? 1 : 0) as 1 | 0 },
    ]);
    const settled = await Promise.allSettled([
      ...requests.map((r) => batcher.submit(r)),
      batcher.submit({ ideaId: ideaA.id, userId: outsider.id, value: 1 }),
    ]);
    expect(batcher.stats.largest).toBeGreaterThan(1);
    // Written by cocreate_apply_votes itself, not by the vote-by-vote fallback.
    expect(batcher.stats.fallbacks).toBe(0);
    // The outsider alone is refused; everyone else is acknowledged.
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
    expect((settled.at(-1) as PromiseRejectedResult).reason).toMatchObject({ code: 'FORBIDDEN' });

    for (const idea of [ideaA, ideaB]) {
      const [row] = await t.app.db.select().from(ideas).where(eq(ideas.id, idea.id));
      const rows = await t.app.db.select().from(votes).where(eq(votes.ideaId, idea.id));
      expect(row?.up).toBe(rows.filter((v) => v.value === 1).length);
      expect(row?.down).toBe(rows.filter((v) => v.value === -1).length);
      const acks = settled
        .flatMap((s) => (s.status === 'fulfilled' ? [s.value as VoteOutcome] : []))
        .filter((o) => o.ideaId === idea.id && o.changed);
      // Every effective change got its own version, without gaps, ending at the row's version.
      const versions = acks.map((a) => a.version).sort((x, y) => x - y);
      expect(versions).toEqual(versions.map((_, i) => idea.version + 1 + i));
      expect(versions.at(-1)).toBe(row?.version);
      // The ack with the last version carries the final counts.
      const last = acks.find((a) => a.version === row?.version);
      expect({ up: last?.up, down: last?.down }).toEqual({ up: row?.up, down: row?.down });
    }
    await batcher.close();
  });

  it('keeps one user’s votes on one idea in arrival order when batches are written at once', async () => {
    const fx = await communityFixture(t);
    const idea = await fx.idea(fx.owner, 'Flip-flop');
    const me = await fx.member();
    const others: TestUser[] = [];
    for (let i = 0; i < 5; i++) others.push(await fx.member());
    // The real database, except that the first batch's write waits a moment before it is sent, so
    // the batches taken meanwhile would overtake it if they held any of my later votes.
    let delayed = false;
    const db = new Proxy(t.app.db, {
      get(target, prop, receiver) {
        if (prop !== 'execute') return Reflect.get(target, prop, receiver);
        return async (...args: Parameters<typeof target.execute>) => {
          if (!delayed) {
            delayed = true;
            await new Promise((r) => setTimeout(r, 300));
          }
          return target.execute(...args);
        };
      },
    });
    const batcher = new VoteBatcher(db, { enabled: true, concurrency: 2 });
    const values: (1 | 0)[] = [1, 0, 1, 0, 1, 0, 1];
    const mine: Promise<VoteOutcome>[] = [];
    const theirs: Promise<VoteOutcome>[] = [];
    for (const [i, value] of values.entries()) {
      mine.push(batcher.submit({ ideaId: idea.id, userId: me.id, value }));
      for (const o of others) theirs.push(batcher.submit({ ideaId: idea.id, userId: o.id, value: i % 2 ? 0 : 1 }));
      // Let the first batch start, so later ones are taken while it is being written.
      if (i === 0) await new Promise((r) => setImmediate(r));
    }
    const acks = await Promise.all(mine);
    await Promise.all(theirs);
    expect(batcher.stats.batches).toBeGreaterThan(1);
    expect(acks.map((a) => a.myVote)).toEqual(values);
    const versions = acks.map((a) => a.version);
    expect(versions.every((v, i) => i === 0 || v > (versions[i - 1] ?? 0))).toBe(true);
    const [row] = await t.app.db.select().from(ideas).where(eq(ideas.id, idea.id));
    const rows = await t.app.db.select().from(votes).where(eq(votes.ideaId, idea.id));
    expect(rows.find((v) => v.userId === me.id)?.value).toBe(1);
    expect(row?.up).toBe(rows.filter((v) => v.value === 1).length);
    await batcher.close();
  });

  it.each([true, false])('counts one vote per user and idea however the ids are cased (group commit %s)', async (enabled) => {
    const fx = await communityFixture(t);
    const idea = await fx.idea(fx.owner, 'Shouting ids');
    const voter = await fx.member();
    const batcher = new VoteBatcher(t.app.db, { enabled });
    const spellings = [idea.id, idea.id.toUpperCase(), idea.id, idea.id.toUpperCase()];
    const acks = await Promise.all(
      spellings.map((ideaId, i) => batcher.submit({ ideaId, userId: i % 2 ? voter.id.toUpperCase() : voter.id, value: 1 })),
    );
    expect(acks.every((a) => a.ideaId === idea.id)).toBe(true);
    expect(acks.filter((a) => a.changed)).toHaveLength(1);
    const [row] = await t.app.db.select().from(ideas).where(eq(ideas.id, idea.id));
    expect(row?.up).toBe(1);
    await batcher.close();
  });

  it.runIf(kind === 'postgres')('falls back vote by vote when an idea closes between the decision and the write', async () => {
    const fx = await communityFixture(t);
    const open = await fx.idea(fx.owner, 'Stays open');
    const closing = await fx.idea(fx.owner, 'Declined meanwhile');
    const users: TestUser[] = [];
    for (let i = 0; i < 6; i++) users.push(await fx.member());
    const batcher = new VoteBatcher(t.app.db, { enabled: true });
    // Another writer holds the idea while the batch is decided, then declines it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const writer = t.app.db.transaction(async (tx) => {
      await tx.select({ id: ideas.id }).from(ideas).where(eq(ideas.id, closing.id)).for('no key update');
      locked();
      await held;
      await tx.update(ideas).set({ status: 'declined' }).where(eq(ideas.id, closing.id));
    });
    await isLocked;
    const settled = Promise.allSettled(users.flatMap((u) => [open, closing].map((idea) => batcher.submit({ ideaId: idea.id, userId: u.id, value: 1 }))));
    await new Promise((r) => setTimeout(r, 200));
    release();
    await writer;
    const results = await settled;
    expect(batcher.stats.fallbacks).toBeGreaterThan(0);
    const forClosing = results.filter((_, i) => i % 2 === 1);
    const forOpen = results.filter((_, i) => i % 2 === 0);
    expect(forOpen.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(forClosing.every((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'FORBIDDEN')).toBe(true);
    const [closed] = await t.app.db.select().from(ideas).where(eq(ideas.id, closing.id));
    const [stillOpen] = await t.app.db.select().from(ideas).where(eq(ideas.id, open.id));
    expect(closed).toMatchObject({ up: 0, status: 'declined' });
    expect(await t.app.db.select().from(votes).where(eq(votes.ideaId, closing.id))).toEqual([]);
    expect(stillOpen!.up).toBe(users.length);
    await batcher.close();
  });
});

describe('pgArray', () => {
  it('quotes strings so commas, braces, quotes and backslashes stay inside their element', () => {
    expect(pgArray(['a', 'b,c', '{d}', 'e"f', 'g\\h'])).toBe('{"a","b,c","{d}","e\\"f","g\\\\h"}');
    expect(pgArray([1, -1, 0.5])).toBe('{1,-1,0.5}');
    expect(pgArray([true, false])).toBe('{true,false}');
    expect(pgArray([])).toBe('{}');
  });
});
