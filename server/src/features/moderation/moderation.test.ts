import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../../testing/harness.js';
import { auditActions, E, outcome, snapshot } from '../communities/test-support.js';

describe.each(testDbKinds())('moderation: hide, lock and the audit log on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  async function cast() {
    const f = await communityFixture(t);
    const [admin, team, moderator, author, other] = [
      await f.member('admin'),
      await f.member('team'),
      await f.member('moderator'),
      await f.member(),
      await f.member(),
    ];
    const outsider = await t.user();
    const idea = await f.idea(author, 'Subject of moderation');
    return { f, admin, team, moderator, author, other, outsider, idea };
  }

  it('lets moderators, admins and the owner hide an idea, and nobody else', async () => {
    const c = await cast();
    const url = `/api/ideas/${c.idea.id}/hide`;
    const before = await snapshot(t);
    for (const as of [c.team, c.author, c.other, c.outsider]) {
      expect(outcome(await t.api('POST', url, { as, body: { hidden: true } }))).toEqual(E.FORBIDDEN);
    }
    expect(outcome(await t.api('POST', url, { body: { hidden: true } }))).toEqual(E.UNAUTHENTICATED);
    expect(await snapshot(t)).toEqual(before);
    for (const as of [c.moderator, c.admin, c.f.owner]) {
      const res = await t.api('POST', url, { as, body: { hidden: true, reason: 'off topic' } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: c.idea.id, hidden: true, locked: false });
    }
  });

  it('shows a hidden idea only to staff and its author', async () => {
    const c = await cast();
    const hide = await t.api('POST', `/api/ideas/${c.idea.id}/hide`, { as: c.moderator, body: { hidden: true } });
    expect(hide.json()).toEqual({ id: c.idea.id, hidden: true, locked: false, version: c.idea.version + 1 });
    const listed = async (as: TestUser | null) =>
      ((await t.api('GET', `/api/boards/${c.f.boardId}/ideas`, { as })).json().items as { id: string }[]).some((i) => i.id === c.idea.id);
    for (const as of [c.moderator, c.team, c.admin, c.f.owner, c.author]) {
      const res = await t.api('GET', `/api/ideas/${c.idea.id}`, { as });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: c.idea.id, hidden: true });
      expect(await listed(as)).toBe(true);
    }
    const missing = await t.api('GET', '/api/ideas/00000000-0000-4000-8000-000000000000', { as: c.other });
    for (const as of [c.other, c.outsider, null]) {
      const res = await t.api('GET', `/api/ideas/${c.idea.id}`, { as });
      expect(outcome(res)).toEqual(E.NOT_FOUND);
      expect(res.json()).toEqual(missing.json());
      expect(await listed(as)).toBe(false);
    }
    const before = await snapshot(t);
    expect(outcome(await t.api('PUT', `/api/ideas/${c.idea.id}/vote`, { as: c.other, body: {} }))).toEqual(E.NOT_FOUND);
    expect(outcome(await t.api('POST', `/api/ideas/${c.idea.id}/comments`, { as: c.other, body: { body: 'x' } }))).toEqual(E.NOT_FOUND);
    expect(outcome(await t.api('POST', `/api/ideas/${c.idea.id}/lock`, { as: c.other, body: { locked: true } }))).toEqual(E.NOT_FOUND);
    expect(await snapshot(t)).toEqual(before);
    // Unhiding brings it back for everyone.
    expect((await t.api('POST', `/api/ideas/${c.idea.id}/hide`, { as: c.admin, body: { hidden: false } })).json().hidden).toBe(false);
    expect((await t.api('GET', `/api/ideas/${c.idea.id}`, { as: c.other })).statusCode).toBe(200);
    expect(await listed(null)).toBe(true);
  });

  it('lets moderators and the product team lock an idea, and nobody else', async () => {
    const c = await cast();
    const url = `/api/ideas/${c.idea.id}/lock`;
    const before = await snapshot(t);
    for (const as of [c.author, c.other, c.outsider])
      expect(outcome(await t.api('POST', url, { as, body: { locked: true } }))).toEqual(E.FORBIDDEN);
    expect(outcome(await t.api('POST', url, { body: { locked: true } }))).toEqual(E.UNAUTHENTICATED);
    expect(await snapshot(t)).toEqual(before);
    for (const as of [c.moderator, c.team, c.admin, c.f.owner]) {
      expect((await t.api('POST', url, { as, body: { locked: true } })).json()).toMatchObject({
        id: c.idea.id,
        locked: true,
        hidden: false,
      });
    }
  });

  it('makes a locked idea refuse votes, comments and edits from members but not from the team', async () => {
    const c = await cast();
    await t.api('POST', `/api/ideas/${c.idea.id}/lock`, { as: c.moderator, body: { locked: true } });
    const before = await snapshot(t);
    for (const as of [c.author, c.other]) {
      expect(outcome(await t.api('PUT', `/api/ideas/${c.idea.id}/vote`, { as, body: {} }))).toEqual(E.FORBIDDEN);
      expect(outcome(await t.api('POST', `/api/ideas/${c.idea.id}/comments`, { as, body: { body: 'hello' } }))).toEqual(E.FORBIDDEN);
    }
    expect(outcome(await t.api('PATCH', `/api/ideas/${c.idea.id}`, { as: c.author, body: { title: 'Changed' } }))).toEqual(E.FORBIDDEN);
    expect(await snapshot(t)).toEqual(before);
    const got = await t.api('GET', `/api/ideas/${c.idea.id}`, { as: c.other });
    expect(got.json()).toMatchObject({ locked: true, title: 'Subject of moderation', up: 0, commentCount: 0 });

    expect((await t.api('PUT', `/api/ideas/${c.idea.id}/vote`, { as: c.team, body: {} })).json()).toMatchObject({ up: 1, myVote: 1 });
    expect((await t.api('POST', `/api/ideas/${c.idea.id}/comments`, { as: c.team, body: { body: 'Official note' } })).statusCode).toBe(201);
    expect((await t.api('PATCH', `/api/ideas/${c.idea.id}`, { as: c.team, body: { title: 'Triaged' } })).json()).toMatchObject({
      title: 'Triaged',
    });
    // Unlocked, members may act again.
    await t.api('POST', `/api/ideas/${c.idea.id}/lock`, { as: c.team, body: { locked: false } });
    expect((await t.api('PUT', `/api/ideas/${c.idea.id}/vote`, { as: c.other, body: {} })).json()).toMatchObject({ up: 2 });
  });

  it('hides a comment from members but not from staff or its author', async () => {
    const c = await cast();
    const comment = (await t.api('POST', `/api/ideas/${c.idea.id}/comments`, { as: c.other, body: { body: 'rude words' } })).json() as {
      id: string;
    };
    const url = `/api/comments/${comment.id}/hide`;
    const before = await snapshot(t);
    for (const as of [c.team, c.author, c.other, c.outsider])
      expect(outcome(await t.api('POST', url, { as, body: { hidden: true } }))).toEqual(E.FORBIDDEN);
    expect(outcome(await t.api('POST', url, { body: { hidden: true } }))).toEqual(E.UNAUTHENTICATED);
    expect(
      outcome(await t.api('POST', '/api/comments/00000000-0000-4000-8000-000000000000/hide', { as: c.moderator, body: { hidden: true } })),
    ).toEqual(E.NOT_FOUND);
    expect(await snapshot(t)).toEqual(before);

    expect((await t.api('POST', url, { as: c.moderator, body: { hidden: true, reason: 'rude' } })).json()).toEqual({
      id: comment.id,
      hidden: true,
    });
    const visible = async (as: TestUser | null) =>
      ((await t.api('GET', `/api/ideas/${c.idea.id}/comments`, { as })).json().items as { id: string; hidden: boolean }[]).filter(
        (x) => x.id === comment.id,
      );
    // c.other wrote the comment; c.author wrote the idea, which gives no right to see hidden comments.
    for (const as of [c.moderator, c.team, c.admin, c.other])
      expect(await visible(as)).toEqual([expect.objectContaining({ hidden: true })]);
    for (const as of [c.author, c.outsider, null]) expect(await visible(as)).toEqual([]);
    expect((await t.api('POST', url, { as: c.admin, body: { hidden: false } })).json()).toEqual({ id: comment.id, hidden: false });
    expect(await visible(c.author)).toEqual([expect.objectContaining({ hidden: false })]);
  });

  it('records every moderation action in the audit log, readable by moderators, admins and the owner only', async () => {
    const c = await cast();
    const comment = (await t.api('POST', `/api/ideas/${c.idea.id}/comments`, { as: c.other, body: { body: 'c' } })).json() as {
      id: string;
    };
    const start = (await auditActions(t, c.f.slug, c.f.owner)).length;
    const communityId = (await t.api('GET', `/api/communities/${c.f.slug}`)).json().id as string;
    const steps: [TestUser, string, string, unknown][] = [
      [c.moderator, 'POST', `/api/ideas/${c.idea.id}/hide`, { hidden: true, reason: 'why' }],
      [c.moderator, 'POST', `/api/ideas/${c.idea.id}/lock`, { locked: true }],
      [c.moderator, 'POST', `/api/comments/${comment.id}/hide`, { hidden: true }],
      [c.moderator, 'POST', `/api/communities/${c.f.slug}/members/${c.other.id}/ban`, { reason: 'spam' }],
      [c.admin, 'DELETE', `/api/communities/${c.f.slug}/members/${c.other.id}/ban`, undefined],
      [c.admin, 'PATCH', `/api/communities/${c.f.slug}/members/${c.author.id}`, { role: 'moderator' }],
      [c.admin, 'PATCH', `/api/communities/${c.f.slug}`, { description: 'moderated' }],
    ];
    for (const [as, method, url, body] of steps) {
      const res = await t.api(method as 'POST', url, { as, ...(body === undefined ? {} : { body }) });
      expect(res.statusCode, url).toBeLessThan(300);
    }
    const res = await t.api('GET', `/api/communities/${c.f.slug}/audit?limit=7`, { as: c.moderator });
    expect(res.statusCode).toBe(200);
    const items = (
      res.json().items as { actor: { id: string } | null; action: string; targetId: string; details: Record<string, unknown> }[]
    ).reverse();
    expect(items.map((i) => [i.actor?.id, i.action, i.targetId])).toEqual([
      [c.moderator.id, 'idea.hide', c.idea.id],
      [c.moderator.id, 'idea.lock', c.idea.id],
      [c.moderator.id, 'comment.hide', comment.id],
      [c.moderator.id, 'member.ban', c.other.id],
      [c.admin.id, 'member.unban', c.other.id],
      [c.admin.id, 'member.role', c.author.id],
      [c.admin.id, 'community.update', communityId],
    ]);
    expect(items[0]?.details).toEqual({ hidden: true, reason: 'why' });
    expect(items[3]?.details).toEqual({ reason: 'spam' });
    expect(items[5]?.details).toEqual({ from: 'member', to: 'moderator' });
    expect(await auditActions(t, c.f.slug, c.f.owner)).toHaveLength(start + steps.length);

    // Paging the log: newest first, no repeats.
    const firstPage = (await t.api('GET', `/api/communities/${c.f.slug}/audit?limit=3`, { as: c.admin })).json();
    const second = (
      await t.api('GET', `/api/communities/${c.f.slug}/audit?limit=3&cursor=${firstPage.nextCursor}`, { as: c.admin })
    ).json();
    const ids = [...firstPage.items, ...second.items].map((i: { id: number }) => i.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(6);

    for (const as of [c.team, c.other, c.outsider])
      expect(outcome(await t.api('GET', `/api/communities/${c.f.slug}/audit`, { as }))).toEqual(E.FORBIDDEN);
    expect(outcome(await t.api('GET', `/api/communities/${c.f.slug}/audit`))).toEqual(E.UNAUTHENTICATED);
    expect(outcome(await t.api('GET', `/api/communities/${c.f.slug}/audit?cursor=bogus`, { as: c.admin }))).toEqual(E.VALIDATION_FAILED);
  });

  it('gives staff of one community no power in another', async () => {
    const a = await cast();
    const b = await cast();
    const priv = await communityFixture(t, { visibility: 'private' });
    const privIdea = await priv.idea(priv.owner);
    const before = await snapshot(t);
    for (const as of [a.moderator, a.admin, a.f.owner]) {
      expect(outcome(await t.api('POST', `/api/ideas/${b.idea.id}/hide`, { as, body: { hidden: true } }))).toEqual(E.FORBIDDEN);
      expect(outcome(await t.api('POST', `/api/ideas/${b.idea.id}/lock`, { as, body: { locked: true } }))).toEqual(E.FORBIDDEN);
      expect(outcome(await t.api('POST', `/api/communities/${b.f.slug}/members/${b.other.id}/ban`, { as, body: {} }))).toEqual(E.FORBIDDEN);
      expect(outcome(await t.api('GET', `/api/communities/${b.f.slug}/audit`, { as }))).toEqual(E.FORBIDDEN);
      expect(outcome(await t.api('POST', `/api/ideas/${privIdea.id}/hide`, { as, body: { hidden: true } }))).toEqual(E.NOT_FOUND);
    }
    // A's admin naming B's member through A's slug: not a member here.
    expect(
      outcome(await t.api('PATCH', `/api/communities/${a.f.slug}/members/${b.other.id}`, { as: a.admin, body: { role: 'team' } })),
    ).toEqual(E.NOT_FOUND);
    expect(await snapshot(t)).toEqual(before);
  });
});
