import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../../testing/harness.js';

describe.each(testDbKinds())('profile on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  const all = async (path: string, as: TestUser) => {
    const items: { id?: string; idea?: { id: string }; value?: number }[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.api('GET', `${path}?limit=1${cursor ? `&cursor=${cursor}` : ''}`, { as });
      expect(res.statusCode, res.body).toBe(200);
      items.push(...res.json().items);
      cursor = res.json().nextCursor;
    } while (cursor);
    return items;
  };

  it("lists the member's own ideas and votes, newest first, page by page, only where they may still read", async () => {
    const open = await communityFixture(t);
    const closed = await communityFixture(t, { visibility: 'private', joinPolicy: 'invite' });
    const me = await open.member();
    const first = await open.idea(me, 'My first idea');
    const second = await open.idea(me, 'My second idea');
    const theirs = await open.idea(await open.member(), 'Their idea');
    expect((await t.api('PUT', `/api/ideas/${theirs.id}/vote`, { as: me, body: { value: 1 } })).statusCode).toBe(200);

    // An idea and a vote in a private community, which the member then leaves.
    const invite = (await t.api('POST', `/api/communities/${closed.slug}/invites`, { as: closed.owner, body: {} })).json().code as string;
    expect((await t.api('POST', `/api/communities/${closed.slug}/join`, { as: me, body: { inviteCode: invite } })).statusCode).toBe(200);
    const secret = await closed.idea(me, 'Private idea');
    expect((await t.api('PUT', `/api/ideas/${secret.id}/vote`, { as: me, body: { value: 1 } })).statusCode).toBe(200);
    expect((await all('/api/me/ideas', me)).map((i) => i.id)).toEqual([secret.id, second.id, first.id]);
    expect((await t.api('POST', `/api/communities/${closed.slug}/leave`, { as: me, body: {} })).statusCode).toBe(204);

    expect((await all('/api/me/ideas', me)).map((i) => i.id)).toEqual([second.id, first.id]);
    const votes = await all('/api/me/votes', me);
    expect(votes.map((v) => [v.idea!.id, v.value])).toEqual([[theirs.id, 1]]);
    expect((await t.api('GET', '/api/me/ideas')).statusCode).toBe(401);
    expect((await t.api('GET', '/api/me/votes?limit=1000', { as: me })).statusCode).toBe(400);
  });
});
