import { communities, memberships } from '@cocreate/db';
import type { Role } from '@cocreate/protocol';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../../testing/harness.js';
import { counts, E, membershipRow, outcome, snapshot } from './test-support.js';

type Actor = Role | 'outsider' | 'guest';
type Expect = 'ok' | keyof typeof E;

describe.each(testDbKinds())('members, roles and bans on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  /** A community with one member of each role, plus a fresh member of `targetRole` to act on. */
  async function setup(targetRole: Role | 'self' | 'banned' | 'nonmember' | 'nobody', actor: Actor) {
    const f = await communityFixture(t);
    const actorUser: TestUser | null =
      actor === 'guest' ? null : actor === 'outsider' ? await t.user() : actor === 'owner' ? f.owner : await f.member(actor);
    let target: { id: string } & Partial<TestUser>;
    if (targetRole === 'self') target = actorUser ?? f.owner;
    else if (targetRole === 'owner') target = f.owner;
    else if (targetRole === 'nobody') target = { id: '00000000-0000-4000-8000-000000000000' };
    else if (targetRole === 'nonmember') target = await t.user();
    else if (targetRole === 'banned') {
      target = await f.member();
      await t.api('POST', `/api/communities/${f.slug}/members/${target.id}/ban`, { as: f.owner, body: {} });
    } else target = await f.member(targetRole);
    return { f, actorUser, target };
  }

  const ROLE_ROWS: [Actor, Role | 'self' | 'banned' | 'nobody', Role, Expect][] = [
    ['owner', 'member', 'admin', 'ok'],
    ['owner', 'admin', 'member', 'ok'],
    ['owner', 'member', 'owner', 'ok'],
    ['owner', 'self', 'admin', 'FORBIDDEN'],
    ['admin', 'member', 'team', 'ok'],
    ['admin', 'member', 'moderator', 'ok'],
    ['admin', 'team', 'member', 'ok'],
    ['admin', 'member', 'admin', 'FORBIDDEN'],
    ['admin', 'member', 'owner', 'FORBIDDEN'],
    ['admin', 'admin', 'member', 'FORBIDDEN'],
    ['admin', 'owner', 'member', 'FORBIDDEN'],
    ['admin', 'self', 'member', 'FORBIDDEN'],
    ['team', 'member', 'moderator', 'FORBIDDEN'],
    ['moderator', 'member', 'moderator', 'FORBIDDEN'],
    ['moderator', 'member', 'member', 'FORBIDDEN'],
    ['moderator', 'nobody', 'member', 'FORBIDDEN'],
    ['member', 'member', 'moderator', 'FORBIDDEN'],
    ['outsider', 'member', 'moderator', 'FORBIDDEN'],
    ['guest', 'member', 'moderator', 'UNAUTHENTICATED'],
    ['admin', 'nobody', 'team', 'NOT_FOUND'],
    ['admin', 'banned', 'team', 'CONFLICT'],
  ];

  it.each(ROLE_ROWS)('role change: %s sets a %s to %s → %s', async (actor, targetRole, role, expected) => {
    const { f, actorUser, target } = await setup(targetRole, actor);
    const before = await snapshot(t);
    const res = await t.api('PATCH', `/api/communities/${f.slug}/members/${target.id}`, { as: actorUser, body: { role } });
    if (expected === 'ok') {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ role, status: 'active', joinedAt: expect.any(String) });
      expect(await membershipRow(t, f.slug, target as TestUser)).toEqual({ role, status: 'active' });
    } else {
      expect(outcome(res)).toEqual(E[expected]);
      expect(await snapshot(t)).toEqual(before);
    }
  });

  const BAN_ROWS: [Actor, Role | 'self' | 'nonmember' | 'nobody', Expect][] = [
    ['moderator', 'member', 'ok'],
    ['moderator', 'moderator', 'FORBIDDEN'],
    ['moderator', 'team', 'FORBIDDEN'],
    ['moderator', 'admin', 'FORBIDDEN'],
    ['moderator', 'owner', 'FORBIDDEN'],
    ['moderator', 'self', 'FORBIDDEN'],
    ['admin', 'moderator', 'ok'],
    ['admin', 'team', 'ok'],
    ['admin', 'admin', 'FORBIDDEN'],
    ['admin', 'owner', 'FORBIDDEN'],
    ['owner', 'admin', 'ok'],
    ['owner', 'self', 'FORBIDDEN'],
    ['team', 'member', 'FORBIDDEN'],
    ['member', 'member', 'FORBIDDEN'],
    ['outsider', 'member', 'FORBIDDEN'],
    ['guest', 'member', 'UNAUTHENTICATED'],
    ['moderator', 'nobody', 'NOT_FOUND'],
    ['moderator', 'nonmember', 'ok'],
  ];

  it.each(BAN_ROWS)('ban: %s bans a %s → %s', async (actor, targetRole, expected) => {
    const { f, actorUser, target } = await setup(targetRole, actor);
    const before = await snapshot(t);
    const countsBefore = await counts(t, f.slug);
    const res = await t.api('POST', `/api/communities/${f.slug}/members/${target.id}/ban`, { as: actorUser, body: { reason: 'spam' } });
    if (expected === 'ok') {
      expect(res.statusCode).toBe(204);
      const [c] = await t.app.db.select({ id: communities.id }).from(communities).where(eq(communities.slug, f.slug));
      const [row] = await t.app.db
        .select()
        .from(memberships)
        .where(and(eq(memberships.communityId, c?.id ?? ''), eq(memberships.userId, target.id)));
      expect(row).toMatchObject({ role: 'member', status: 'banned', bannedReason: 'spam' });
      const wasMember = targetRole !== 'nonmember';
      expect(await counts(t, f.slug)).toEqual({
        memberCount: countsBefore.memberCount - (wasMember ? 1 : 0),
        active: countsBefore.active - (wasMember ? 1 : 0),
        banned: 1,
      });
    } else {
      expect(outcome(res)).toEqual(E[expected]);
      expect(await snapshot(t)).toEqual(before);
    }
  });

  it('shuts a banned member out of voting, commenting and proposing, but not out of reading', async () => {
    const f = await communityFixture(t);
    const [mod, u] = [await f.member('moderator'), await f.member()];
    const idea = await f.idea(f.owner, 'Before the ban');
    const mine = await f.idea(u, 'Mine');
    expect((await t.api('POST', `/api/communities/${f.slug}/members/${u.id}/ban`, { as: mod, body: {} })).statusCode).toBe(204);
    const before = await snapshot(t);
    expect(outcome(await t.api('PUT', `/api/ideas/${idea.id}/vote`, { as: u, body: {} }))).toEqual(E.FORBIDDEN);
    expect(outcome(await t.api('POST', `/api/ideas/${idea.id}/comments`, { as: u, body: { body: 'hi' } }))).toEqual(E.FORBIDDEN);
    expect(outcome(await t.api('POST', `/api/boards/${f.boardId}/ideas`, { as: u, body: { title: 'New' } }))).toEqual(E.FORBIDDEN);
    expect(outcome(await t.api('PATCH', `/api/ideas/${mine.id}`, { as: u, body: { title: 'Edited' } }))).toEqual(E.FORBIDDEN);
    expect(outcome(await t.api('POST', `/api/communities/${f.slug}/join`, { as: u, body: {} }))).toEqual(E.FORBIDDEN);
    expect(await snapshot(t)).toEqual(before);
    expect((await t.api('GET', `/api/ideas/${idea.id}`, { as: u })).statusCode).toBe(200);
    expect((await t.api('GET', `/api/communities/${f.slug}`, { as: u })).json().membership).toEqual({ role: 'member', status: 'banned' });
  });

  it('shows banned members to staff only in the member list', async () => {
    const f = await communityFixture(t);
    const [mod, team, member, banned] = [await f.member('moderator'), await f.member('team'), await f.member(), await f.member()];
    await t.api('POST', `/api/communities/${f.slug}/members/${banned.id}/ban`, { as: mod, body: {} });
    const list = async (as: TestUser | null) => {
      const res = await t.api('GET', `/api/communities/${f.slug}/members`, { as });
      expect(res.statusCode).toBe(200);
      return (res.json().items as { user: { id: string }; role: string; status: string }[]).map(
        (m) => `${m.user.id}:${m.role}:${m.status}`,
      );
    };
    const active = [`${f.owner.id}:owner:active`, `${mod.id}:moderator:active`, `${team.id}:team:active`, `${member.id}:member:active`];
    for (const as of [f.owner, mod, team]) expect(await list(as)).toEqual([...active, `${banned.id}:member:banned`]);
    for (const as of [member, banned, null, await t.user()]) expect(await list(as)).toEqual(active);
  });

  it('pages through members in join order without repeats, even within one millisecond', async () => {
    const f = await communityFixture(t);
    const users = [f.owner];
    for (let i = 0; i < 6; i++) users.push(await f.member());
    const [c] = await t.app.db.select({ id: communities.id }).from(communities).where(eq(communities.slug, f.slug));
    for (const [i, u] of users.entries()) {
      const at = `2030-01-01T00:00:00.500${100 + i * 100}Z`; // one millisecond, microseconds apart
      await t.app.db.execute(
        sql`update memberships set joined_at = ${at}::timestamptz where community_id = ${c?.id} and user_id = ${u.id}`,
      );
    }
    for (const limit of [1, 2, 4]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/communities/${f.slug}/members?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const body = (await t.api('GET', url, { as: f.owner })).json() as { items: { user: { id: string } }[]; nextCursor: string | null };
        seen.push(...body.items.map((m) => m.user.id));
        cursor = body.nextCursor;
      } while (cursor && seen.length < 50);
      expect(seen).toEqual(users.map((u) => u.id));
    }
  });

  it('lifts a ban: the user is an outsider again and may rejoin; only moderators+ may lift it', async () => {
    const f = await communityFixture(t);
    const [mod, team, u] = [await f.member('moderator'), await f.member('team'), await f.member()];
    const idea = await f.idea(f.owner);
    await t.api('POST', `/api/communities/${f.slug}/members/${u.id}/ban`, { as: mod, body: {} });
    const before = await snapshot(t);
    for (const as of [team, u])
      expect(outcome(await t.api('DELETE', `/api/communities/${f.slug}/members/${u.id}/ban`, { as }))).toEqual(E.FORBIDDEN);
    expect(outcome(await t.api('DELETE', `/api/communities/${f.slug}/members/${u.id}/ban`))).toEqual(E.UNAUTHENTICATED);
    expect(await snapshot(t)).toEqual(before);

    expect((await t.api('DELETE', `/api/communities/${f.slug}/members/${u.id}/ban`, { as: mod })).statusCode).toBe(204);
    expect(await membershipRow(t, f.slug, u)).toBeNull();
    expect(await counts(t, f.slug)).toEqual({ memberCount: 3, active: 3, banned: 0 });
    // Lifting again, or lifting a ban nobody has, changes nothing.
    const again = await snapshot(t);
    expect((await t.api('DELETE', `/api/communities/${f.slug}/members/${u.id}/ban`, { as: mod })).statusCode).toBe(204);
    expect((await t.api('DELETE', `/api/communities/${f.slug}/members/${team.id}/ban`, { as: mod })).statusCode).toBe(204);
    expect(await snapshot(t)).toEqual(again);
    expect(await membershipRow(t, f.slug, team)).toEqual({ role: 'team', status: 'active' });

    expect((await t.api('POST', `/api/communities/${f.slug}/join`, { as: u, body: {} })).json()).toMatchObject({
      status: 'joined',
      community: { memberCount: 4 },
    });
    expect((await t.api('PUT', `/api/ideas/${idea.id}/vote`, { as: u, body: {} })).json()).toMatchObject({ up: 1, myVote: 1 });
  });

  it('does not let a pre-emptive ban and an unban make someone a member of a private community', async () => {
    const f = await communityFixture(t, { visibility: 'private' });
    const [mod, stranger] = [await f.member('moderator'), await t.user()];
    expect((await t.api('POST', `/api/communities/${f.slug}/members/${stranger.id}/ban`, { as: mod, body: {} })).statusCode).toBe(204);
    expect((await t.api('DELETE', `/api/communities/${f.slug}/members/${stranger.id}/ban`, { as: mod })).statusCode).toBe(204);
    expect(outcome(await t.api('GET', `/api/communities/${f.slug}`, { as: stranger }))).toEqual(E.NOT_FOUND);
    expect(await counts(t, f.slug)).toEqual({ memberCount: 2, active: 2, banned: 0 });
  });
});
