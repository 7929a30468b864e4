import { ideas, memberships, votes } from '@cocreate/db';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../../testing/harness.js';

type Fixture = Awaited<ReturnType<typeof communityFixture>>;
interface VoteResult {
  ideaId: string;
  up: number;
  down: number;
  voteCount: number;
  version: number;
  myVote: number;
}

describe.each(testDbKinds())('votes on %s', (kind) => {
  let t: TestApp;
  let upOnly: Fixture;
  let updown: Fixture;
  beforeAll(async () => {
    t = await startTestApp(kind);
    upOnly = await communityFixture(t);
    updown = await communityFixture(t, { downvotes: true });
  });
  afterAll(() => t.close());

  const put = (id: string, as: TestUser | null, body?: unknown, headers?: Record<string, string>) =>
    t.api('PUT', `/api/ideas/${id}/vote`, { as, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
  const del = (id: string, as: TestUser | null) => t.api('DELETE', `/api/ideas/${id}/vote`, { as });
  const ok = async (p: ReturnType<typeof put>) => {
    const res = await p;
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as VoteResult;
  };
  const refused = async (p: ReturnType<typeof put>, status: number, code: string) => {
    const res = await p;
    expect([res.statusCode, res.json().code]).toEqual([status, code]);
  };
  const ideaRow = async (id: string) => {
    const [row] = await t.app.db.select().from(ideas).where(eq(ideas.id, id));
    if (!row) throw new Error('no idea');
    return { up: row.up, down: row.down, voteCount: row.voteCount, weightedScore: row.weightedScore, version: row.version };
  };
  const voteRows = async (id: string) =>
    (await t.app.db.select().from(votes).where(eq(votes.ideaId, id))).map((v) => ({ userId: v.userId, value: v.value, weight: v.weight }));
  const setWeight = (userId: string, voteWeight: number) =>
    t.app.db.update(memberships).set({ voteWeight }).where(eq(memberships.userId, userId));

  it('casts +1 for no body, an empty JSON body and {}; repeats change nothing', async () => {
    const [author, a, b] = [await upOnly.member(), await upOnly.member(), await upOnly.member()];
    const idea = await upOnly.idea(author);
    const first = await ok(put(idea.id, a));
    expect(first).toEqual({ ideaId: idea.id, up: 1, down: 0, voteCount: 1, version: idea.version + 1, myVote: 1 });
    expect(await ok(put(idea.id, a, {}))).toEqual(first);
    expect(await ok(put(idea.id, a, '', { 'content-type': 'application/json' }))).toEqual(first);
    expect(await ok(put(idea.id, a, { value: 1 }))).toEqual(first);
    const second = await ok(put(idea.id, b, {}));
    expect(second).toEqual({ ideaId: idea.id, up: 2, down: 0, voteCount: 2, version: idea.version + 2, myVote: 1 });
    expect(await ideaRow(idea.id)).toEqual({ up: 2, down: 0, voteCount: 2, weightedScore: 2, version: idea.version + 2 });
    expect((await voteRows(idea.id)).sort((x, y) => x.userId.localeCompare(y.userId))).toEqual(
      [a, b].map((u) => ({ userId: u.id, value: 1, weight: 1 })).sort((x, y) => x.userId.localeCompare(y.userId)),
    );
    const view = (await t.api('GET', `/api/ideas/${idea.id}`, { as: a })).json();
    expect(view).toMatchObject({ up: 2, down: 0, voteCount: 2, version: idea.version + 2, myVote: 1 });
  });

  it('takes a downvote only where the board enables downvotes', async () => {
    const [author, a] = [await upOnly.member(), await upOnly.member()];
    const idea = await upOnly.idea(author);
    await refused(put(idea.id, a, { value: -1 }), 403, 'FORBIDDEN');
    expect(await ideaRow(idea.id)).toEqual({ up: 0, down: 0, voteCount: 0, weightedScore: 0, version: 1 });
    expect(await voteRows(idea.id)).toEqual([]);
    await ok(put(idea.id, a));
    await refused(put(idea.id, a, { value: -1 }), 403, 'FORBIDDEN');
    expect(await ideaRow(idea.id)).toEqual({ up: 1, down: 0, voteCount: 1, weightedScore: 1, version: 2 });
    expect(await voteRows(idea.id)).toEqual([{ userId: a.id, value: 1, weight: 1 }]);
  });

  it('changes and withdraws a vote, one version per effective change', async () => {
    const [author, a, b] = [await updown.member(), await updown.member(), await updown.member()];
    const idea = await updown.idea(author);
    expect(await ok(put(idea.id, a, { value: -1 }))).toEqual({ ideaId: idea.id, up: 0, down: 1, voteCount: -1, version: 2, myVote: -1 });
    expect(await ok(put(idea.id, a, { value: -1 }))).toMatchObject({ down: 1, version: 2 });
    expect(await ok(put(idea.id, b, {}))).toEqual({ ideaId: idea.id, up: 1, down: 1, voteCount: 0, version: 3, myVote: 1 });
    expect(await ok(put(idea.id, a, {}))).toEqual({ ideaId: idea.id, up: 2, down: 0, voteCount: 2, version: 4, myVote: 1 });
    expect(await ok(put(idea.id, b, { value: -1 }))).toEqual({ ideaId: idea.id, up: 1, down: 1, voteCount: 0, version: 5, myVote: -1 });
    expect(await ok(del(idea.id, b))).toEqual({ ideaId: idea.id, up: 1, down: 0, voteCount: 1, version: 6, myVote: 0 });
    expect(await ok(del(idea.id, b))).toEqual({ ideaId: idea.id, up: 1, down: 0, voteCount: 1, version: 6, myVote: 0 });
    expect(await ok(del(idea.id, author))).toMatchObject({ version: 6, myVote: 0 });
    expect(await ideaRow(idea.id)).toEqual({ up: 1, down: 0, voteCount: 1, weightedScore: 1, version: 6 });
    expect(await voteRows(idea.id)).toEqual([{ userId: a.id, value: 1, weight: 1 }]);
  });

  it('keeps weightedScore exact with member weights, even when a weight changes between votes', async () => {
    const [author, a, b] = [await updown.member(), await updown.member(), await updown.member()];
    const idea = await updown.idea(author);
    await setWeight(a.id, 2.5);
    await ok(put(idea.id, a, {}));
    expect((await ideaRow(idea.id)).weightedScore).toBe(2.5);
    await ok(put(idea.id, b, { value: -1 }));
    expect((await ideaRow(idea.id)).weightedScore).toBe(1.5);
    await setWeight(a.id, 4);
    await ok(put(idea.id, a, { value: -1 })); // removes the 2.5 it added, adds -4
    expect(await ideaRow(idea.id)).toEqual({ up: 0, down: 2, voteCount: -2, weightedScore: -5, version: 4 });
    expect((await voteRows(idea.id)).find((v) => v.userId === a.id)).toEqual({ userId: a.id, value: -1, weight: 4 });
    await ok(del(idea.id, a));
    expect(await ideaRow(idea.id)).toEqual({ up: 0, down: 1, voteCount: -1, weightedScore: -1, version: 5 });
    expect((await t.api('GET', `/api/ideas/${idea.id}`)).json().weightedScore).toBe(-1);
  });

  it('refuses guests, outsiders and banned members, and answers not found for hidden ideas', async () => {
    const [author, voter, other, moderator] = [
      await updown.member(),
      await updown.member(),
      await updown.member(),
      await updown.member('moderator'),
    ];
    const outsider = await t.user();
    const idea = await updown.idea(author);
    await ok(put(idea.id, voter));
    const before = await ideaRow(idea.id);
    await refused(put(idea.id, null), 401, 'UNAUTHENTICATED');
    await refused(del(idea.id, null), 401, 'UNAUTHENTICATED');
    await refused(put(idea.id, outsider), 403, 'FORBIDDEN');
    await refused(del(idea.id, outsider), 403, 'FORBIDDEN');
    expect(
      (await t.api('POST', `/api/communities/${updown.slug}/members/${voter.id}/ban`, { as: updown.owner, body: {} })).statusCode,
    ).toBe(204);
    // A banned member can neither vote again nor change or take back the vote cast before the ban.
    await refused(put(idea.id, voter, { value: -1 }), 403, 'FORBIDDEN');
    await refused(del(idea.id, voter), 403, 'FORBIDDEN');
    expect(await ideaRow(idea.id)).toEqual(before);
    expect(await voteRows(idea.id)).toEqual([{ userId: voter.id, value: 1, weight: 1 }]);

    expect((await t.api('POST', `/api/ideas/${idea.id}/hide`, { as: moderator, body: { hidden: true } })).statusCode).toBe(200);
    const hiddenBefore = await ideaRow(idea.id);
    await refused(put(idea.id, other), 404, 'NOT_FOUND');
    await refused(del(idea.id, other), 404, 'NOT_FOUND');
    expect(await ideaRow(idea.id)).toEqual(hiddenBefore);
    await refused(put('00000000-0000-4000-8000-000000000000', other), 404, 'NOT_FOUND');

    const priv = await communityFixture(t, { visibility: 'private', joinPolicy: 'invite' });
    const secret = await priv.idea(await priv.member());
    await refused(put(secret.id, outsider), 404, 'NOT_FOUND');
    await refused(del(secret.id, outsider), 404, 'NOT_FOUND');
  });

  it('takes no votes on shipped or declined ideas but lets earlier votes be withdrawn; refuses merged and locked', async () => {
    const [author, a, b, moderator] = [
      await updown.member(),
      await updown.member(),
      await updown.member(),
      await updown.member('moderator'),
    ];
    for (const status of ['shipped', 'declined'] as const) {
      const idea = await updown.idea(author);
      await ok(put(idea.id, a));
      await t.app.db.update(ideas).set({ status }).where(eq(ideas.id, idea.id));
      await refused(put(idea.id, b), 403, 'FORBIDDEN');
      await refused(put(idea.id, a, { value: -1 }), 403, 'FORBIDDEN');
      expect(await ideaRow(idea.id)).toEqual({ up: 1, down: 0, voteCount: 1, weightedScore: 1, version: 2 });
      expect(await ok(del(idea.id, a))).toEqual({ ideaId: idea.id, up: 0, down: 0, voteCount: 0, version: 3, myVote: 0 });
    }
    const merged = await updown.idea(author);
    await ok(put(merged.id, a));
    await t.app.db.update(ideas).set({ status: 'merged' }).where(eq(ideas.id, merged.id));
    await refused(put(merged.id, b), 403, 'FORBIDDEN');
    await refused(del(merged.id, a), 403, 'FORBIDDEN');
    expect(await ideaRow(merged.id)).toMatchObject({ up: 1, version: 2 });

    const locked = await updown.idea(author);
    await ok(put(locked.id, a));
    expect((await t.api('POST', `/api/ideas/${locked.id}/lock`, { as: moderator, body: { locked: true } })).statusCode).toBe(200);
    await refused(put(locked.id, b), 403, 'FORBIDDEN');
    await refused(del(locked.id, a), 403, 'FORBIDDEN');
    expect(await ideaRow(locked.id)).toMatchObject({ up: 1, version: 3 });
    expect(await ok(put(locked.id, moderator))).toMatchObject({ up: 2, version: 4 }); // staff may still act
  });

  it('counts 40 distinct voters voting at once exactly', async () => {
    const author = await updown.member();
    const idea = await updown.idea(author);
    const users = await Promise.all(Array.from({ length: 40 }, () => updown.member()));
    const cast = await Promise.all(users.map((u) => ok(put(idea.id, u, {}))));
    expect(await ideaRow(idea.id)).toEqual({ up: 40, down: 0, voteCount: 40, weightedScore: 40, version: idea.version + 40 });
    // Every vote got its own version and saw its own count.
    expect(cast.map((r) => r.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => idea.version + 1 + i));
    expect(cast.map((r) => r.up).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await voteRows(idea.id)).toHaveLength(40);

    const gone = await Promise.all(users.map((u, i) => ok(i % 2 ? del(idea.id, u) : put(idea.id, u, { value: -1 }))));
    expect(gone.every((r) => r.myVote === (gone.indexOf(r) % 2 ? 0 : -1))).toBe(true);
    expect(await ideaRow(idea.id)).toEqual({ up: 0, down: 20, voteCount: -20, weightedScore: -20, version: idea.version + 80 });
    expect(await voteRows(idea.id)).toHaveLength(20);
  });

  it('keeps one user’s 20 concurrent casts and withdrawals consistent with the final vote row', async () => {
    const author = await updown.member();
    const user = await updown.member();
    await setWeight(user.id, 1.5);
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 3; round++) {
      const idea = await updown.idea(author);
      const ops = Array.from({ length: 20 }, () => [1, -1, 0][Math.floor(rand() * 3)] as 1 | -1 | 0);
      const results = await Promise.all(ops.map((v) => ok(v === 0 ? del(idea.id, user) : put(idea.id, user, { value: v }))));
      const rows = await voteRows(idea.id);
      expect(rows.length).toBeLessThanOrEqual(1);
      const value = rows[0]?.value ?? 0;
      const row = await ideaRow(idea.id);
      expect(row).toEqual({
        up: value === 1 ? 1 : 0,
        down: value === -1 ? 1 : 0,
        voteCount: value,
        weightedScore: value * 1.5,
        version: row.version,
      });
      // Each effective change made one new version, returned to the request that made it.
      const versions = new Set(results.map((r) => r.version));
      versions.add(idea.version);
      expect([...versions].sort((x, y) => x - y)).toEqual(
        Array.from({ length: row.version - idea.version + 1 }, (_, i) => idea.version + i),
      );
      const last = results.find((r) => r.version === row.version);
      expect(last?.myVote ?? 0).toBe(value);
      for (const r of results) expect(r.voteCount).toBe(r.up - r.down);
    }
  });

  it('keeps counters equal to the votes table when many users change their votes concurrently', async () => {
    const author = await updown.member();
    const idea = await updown.idea(author);
    const users = await Promise.all(Array.from({ length: 8 }, () => updown.member()));
    await Promise.all(users.map((u, i) => setWeight(u.id, 1 + i / 4)));
    const ops = users.flatMap((u, i) => Array.from({ length: 8 }, (_, j) => ({ u, v: [1, -1, 0][(i + j * 5) % 3] as 1 | -1 | 0 })));
    await Promise.all(ops.map(({ u, v }) => ok(v === 0 ? del(idea.id, u) : put(idea.id, u, { value: v }))));
    const rows = await t.app.db.select().from(votes).where(eq(votes.ideaId, idea.id));
    const row = await ideaRow(idea.id);
    expect(row.up).toBe(rows.filter((r) => r.value === 1).length);
    expect(row.down).toBe(rows.filter((r) => r.value === -1).length);
    expect(row.voteCount).toBe(row.up - row.down);
    expect(row.weightedScore).toBeCloseTo(
      rows.reduce((s, r) => s + r.value * r.weight, 0),
      9,
    );
    const [one] = await t.app.db
      .select()
      .from(votes)
      .where(and(eq(votes.ideaId, idea.id), eq(votes.userId, users[0]?.id ?? '')));
    const mine = (await t.api('GET', `/api/ideas/${idea.id}`, { as: users[0] })).json();
    expect(mine.myVote).toBe(one?.value ?? 0);
  });
});
