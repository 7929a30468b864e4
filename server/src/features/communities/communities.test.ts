import { auditLog, communities, memberships } from '@cocreate/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../../testing/harness.js';
import { auditActions, counts, createCommunity, E, membershipRow, outcome, snapshot, uniqueSlug } from './test-support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(testDbKinds())('communities: create, list, get, update on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  it('creates a community whose creator becomes its only owner', async () => {
    const alice = await t.user();
    const slug = uniqueSlug('create');
    const res = await t.api('POST', '/api/communities', {
      as: alice,
      body: { slug, name: '  Makers  ', description: 'We make', visibility: 'private', joinPolicy: 'request' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.stringMatching(UUID),
      slug,
      name: 'Makers',
      description: 'We make',
      visibility: 'private',
      joinPolicy: 'request',
      memberCount: 1,
      createdAt: expect.any(String),
      membership: { role: 'owner', status: 'active' },
    });
    const members = (await t.api('GET', `/api/communities/${slug}/members`, { as: alice })).json();
    expect(members.items.map((m: { user: { id: string }; role: string }) => [m.user.id, m.role])).toEqual([[alice.id, 'owner']]);
    expect(await auditActions(t, slug, alice)).toEqual(['community.create']);
  });

  it('defaults to public and open', async () => {
    const bob = await t.user();
    const slug = uniqueSlug('defaults');
    const res = await t.api('POST', '/api/communities', { as: bob, body: { slug, name: 'Defaults' } });
    expect(res.json()).toMatchObject({ visibility: 'public', joinPolicy: 'open', description: '', memberCount: 1 });
  });

  it('refuses a taken slug with CONFLICT and changes nothing', async () => {
    const [a, b] = [await t.user(), await t.user()];
    const { slug } = await createCommunity(t, a, { name: 'First' });
    const before = await snapshot(t);
    const res = await t.api('POST', '/api/communities', { as: b, body: { slug, name: 'Second' } });
    expect(outcome(res)).toEqual(E.CONFLICT);
    expect(res.json().details).toEqual([{ path: 'body.slug', message: 'already taken' }]);
    expect(await snapshot(t)).toEqual(before);
    expect((await t.api('GET', `/api/communities/${slug}`, { as: b })).json()).toMatchObject({ name: 'First', membership: null });
  });

  it('keeps one community when the same slug is created concurrently', async () => {
    const users = await Promise.all([t.user(), t.user(), t.user(), t.user()]);
    const slug = uniqueSlug('race');
    const results = await Promise.all(users.map((u) => t.api('POST', '/api/communities', { as: u, body: { slug, name: 'Race' } })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409]);
    const rows = await t.app.db.select().from(communities).where(eq(communities.slug, slug));
    expect(rows).toHaveLength(1);
    const ms = await t.app.db
      .select()
      .from(memberships)
      .where(eq(memberships.communityId, rows[0]?.id ?? ''));
    expect(ms).toHaveLength(1);
  });

  it('requires a session to create', async () => {
    const slug = uniqueSlug('anon');
    const before = await snapshot(t);
    expect(outcome(await t.api('POST', '/api/communities', { body: { slug, name: 'Anon' } }))).toEqual(E.UNAUTHENTICATED);
    expect(await snapshot(t)).toEqual(before);
  });

  it('lists public communities, and private ones only to their active members', async () => {
    const [owner, outsider, bannedOne] = [await t.user(), await t.user(), await t.user()];
    const pub = await createCommunity(t, owner, { visibility: 'public' });
    const priv = await createCommunity(t, owner, { visibility: 'private' });
    // bannedOne joins the private community by invite, then is banned.
    const code = (await t.api('POST', `/api/communities/${priv.slug}/invites`, { as: owner, body: {} })).json().code;
    expect((await t.api('POST', `/api/communities/${priv.slug}/join`, { as: bannedOne, body: { inviteCode: code } })).statusCode).toBe(200);
    expect((await t.api('POST', `/api/communities/${priv.slug}/members/${bannedOne.id}/ban`, { as: owner, body: {} })).statusCode).toBe(
      204,
    );

    const slugsFor = async (as: TestUser | null) => {
      const res = await t.api('GET', '/api/communities?limit=100', { as });
      expect(res.statusCode).toBe(200);
      return new Map((res.json().items as { slug: string; membership: unknown }[]).map((c) => [c.slug, c.membership]));
    };
    const mine = await slugsFor(owner);
    expect(mine.get(pub.slug)).toEqual({ role: 'owner', status: 'active' });
    expect(mine.get(priv.slug)).toEqual({ role: 'owner', status: 'active' });
    for (const who of [null, outsider, bannedOne]) {
      const seen = await slugsFor(who);
      expect(seen.has(pub.slug)).toBe(true);
      expect(seen.get(pub.slug)).toBeNull();
      expect(seen.has(priv.slug)).toBe(false);
    }
  });

  it('answers 404 for a private community to outsiders, exactly as for one that does not exist', async () => {
    const [owner, outsider] = [await t.user(), await t.user()];
    const priv = await createCommunity(t, owner, { visibility: 'private' });
    const missing = await t.api('GET', `/api/communities/${uniqueSlug('nope')}`, { as: outsider });
    expect(outcome(missing)).toEqual(E.NOT_FOUND);
    for (const as of [null, outsider]) {
      const res = await t.api('GET', `/api/communities/${priv.slug}`, { as });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual(missing.json());
    }
    expect((await t.api('GET', `/api/communities/${priv.slug}`, { as: owner })).json().membership).toEqual({
      role: 'owner',
      status: 'active',
    });
    const pub = await createCommunity(t, owner);
    expect((await t.api('GET', `/api/communities/${pub.slug}`)).json()).toMatchObject({ slug: pub.slug, membership: null, memberCount: 1 });
  });

  it('lets admins and the owner update a community, and nobody else', async () => {
    const f = await communityFixture(t);
    const [admin, team, moderator, member, outsider] = [
      await f.member('admin'),
      await f.member('team'),
      await f.member('moderator'),
      await f.member('member'),
      await t.user(),
    ];
    const url = `/api/communities/${f.slug}`;
    const before = await snapshot(t);
    for (const as of [team, moderator, member, outsider]) {
      expect(outcome(await t.api('PATCH', url, { as, body: { name: 'Hijacked' } }))).toEqual(E.FORBIDDEN);
    }
    expect(outcome(await t.api('PATCH', url, { body: { name: 'Hijacked' } }))).toEqual(E.UNAUTHENTICATED);
    expect(await snapshot(t)).toEqual(before);

    const res = await t.api('PATCH', url, { as: admin, body: { name: 'Renamed', description: 'New words', joinPolicy: 'request' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      slug: f.slug,
      name: 'Renamed',
      description: 'New words',
      joinPolicy: 'request',
      visibility: 'public',
      memberCount: 5,
      membership: { role: 'admin', status: 'active' },
    });
    expect((await t.api('GET', url)).json()).toMatchObject({ name: 'Renamed', description: 'New words', joinPolicy: 'request' });
    const owned = await t.api('PATCH', url, { as: f.owner, body: { visibility: 'private' } });
    expect(owned.json()).toMatchObject({ name: 'Renamed', visibility: 'private' });
    // Now private: an outsider gets 404, not 403.
    expect(outcome(await t.api('PATCH', url, { as: outsider, body: { name: 'x' } }))).toEqual(E.NOT_FOUND);
    expect(outcome(await t.api('PATCH', `/api/communities/${uniqueSlug('nope')}`, { as: admin, body: { name: 'x' } }))).toEqual(
      E.NOT_FOUND,
    );
    const updates = (await auditActions(t, f.slug, f.owner)).filter((a) => a === 'community.update');
    expect(updates).toHaveLength(2);
  });
});

describe.each(testDbKinds())('communities: cursor pagination on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  it('walks every visible community once, newest first, even within one millisecond', async () => {
    const [a, b] = [await t.user(), await t.user()];
    const made: { slug: string; id: string }[] = [];
    for (let i = 0; i < 7; i++) made.push(await createCommunity(t, i % 2 ? a : b, { visibility: i === 3 ? 'private' : 'public' }));
    // Several communities created within the same millisecond (microseconds apart), as under load.
    const base = '2030-01-01T00:00:00.123';
    for (const [i, c] of made.slice(0, 5).entries()) {
      await t.app.db.execute(
        sql`update communities set created_at = ${`${base}${String(100 + i * 100).padStart(3, '0')}Z`}::timestamptz where id = ${c.id}`,
      );
    }
    const walk = async (as: TestUser | null, limit: number) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 50; pages++) {
        const url: string = `/api/communities?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await t.api('GET', url, { as });
        expect(res.statusCode).toBe(200);
        const body = res.json() as { items: { slug: string }[]; nextCursor: string | null };
        expect(body.items.length).toBeLessThanOrEqual(limit);
        seen.push(...body.items.map((c) => c.slug));
        cursor = body.nextCursor;
        if (!cursor) return seen;
      }
      throw new Error('pagination did not end');
    };
    const order = (await t.app.db.execute(
      sql`select slug, visibility, created_by from communities order by created_at desc, id desc`,
    )) as unknown as
      | { slug: string; visibility: string; created_by: string }[]
      | { rows: { slug: string; visibility: string; created_by: string }[] };
    const rows = Array.isArray(order) ? order : order.rows;
    const publicOnly = rows.filter((r) => r.visibility === 'public').map((r) => r.slug);
    const forA = rows.filter((r) => r.visibility === 'public' || r.created_by === a.id).map((r) => r.slug);
    expect(publicOnly).toHaveLength(6);
    for (const limit of [1, 2, 3, 100]) {
      expect(await walk(null, limit)).toEqual(publicOnly);
      expect(await walk(a, limit)).toEqual(forA);
    }
    expect(forA).toContain(made[3]?.slug);
  });

  it('refuses a forged cursor and out-of-range limits with VALIDATION_FAILED', async () => {
    for (const q of [
      'cursor=not-a-cursor',
      `cursor=${Buffer.from('{"t":"x","id":"y"}').toString('base64url')}`,
      'limit=0',
      'limit=101',
      'limit=abc',
      'sort=top',
    ]) {
      expect(outcome(await t.api('GET', `/api/communities?${q}`)), q).toEqual(E.VALIDATION_FAILED);
    }
  });
});

describe.each(testDbKinds())('communities: member_count on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  it('stays exact through concurrent joins, leaves, bans and unbans', async () => {
    const owner = await t.user();
    const { slug } = await createCommunity(t, owner);
    const users = await Promise.all(Array.from({ length: 10 }, () => t.user()));
    const joins = await Promise.all(users.map((u) => t.api('POST', `/api/communities/${slug}/join`, { as: u, body: {} })));
    expect(joins.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(await counts(t, slug)).toEqual({ memberCount: 11, active: 11, banned: 0 });
    // Joining twice, leaving twice: no double counting.
    const again = await Promise.all(users.slice(0, 3).map((u) => t.api('POST', `/api/communities/${slug}/join`, { as: u, body: {} })));
    expect(again.map((r) => r.json().status)).toEqual(['joined', 'joined', 'joined']);
    const [u0, u1, u2, u3] = users as [TestUser, TestUser, TestUser, TestUser];
    const leaves = await Promise.all([u0, u0, u1].map((u) => t.api('POST', `/api/communities/${slug}/leave`, { as: u, body: {} })));
    expect(leaves.map((r) => r.statusCode)).toEqual([204, 204, 204]);
    expect(await counts(t, slug)).toEqual({ memberCount: 9, active: 9, banned: 0 });
    // Two moderators banning the same member at once, and a ban racing a leave.
    const bans = await Promise.all([
      t.api('POST', `/api/communities/${slug}/members/${u2.id}/ban`, { as: owner, body: {} }),
      t.api('POST', `/api/communities/${slug}/members/${u2.id}/ban`, { as: owner, body: {} }),
      t.api('POST', `/api/communities/${slug}/members/${u3.id}/ban`, { as: owner, body: {} }),
      t.api('POST', `/api/communities/${slug}/leave`, { as: u3, body: {} }),
    ]);
    expect(bans.map((r) => r.statusCode).slice(0, 3)).toEqual([204, 204, 204]);
    const c = await counts(t, slug);
    expect(c.memberCount).toBe(c.active);
    expect(c.active).toBe(7);
    const unbans = await Promise.all([u2, u2].map((u) => t.api('DELETE', `/api/communities/${slug}/members/${u.id}/ban`, { as: owner })));
    expect(unbans.map((r) => r.statusCode)).toEqual([204, 204]);
    const after = await counts(t, slug);
    expect(after.memberCount).toBe(after.active);
    // Whether u3's leave or ban came first, u3 ends banned (a ban outlives leaving; a ban after leaving is pre-emptive).
    expect(await membershipRow(t, slug, u3)).toEqual({ role: 'member', status: 'banned' });
    expect(after.banned).toBe(1);
  });

  it('writes one audit row per join and leave', async () => {
    const owner = await t.user();
    const { slug, id } = await createCommunity(t, owner);
    const u = await t.user();
    await t.api('POST', `/api/communities/${slug}/join`, { as: u, body: {} });
    await t.api('POST', `/api/communities/${slug}/join`, { as: u, body: {} });
    await t.api('POST', `/api/communities/${slug}/leave`, { as: u, body: {} });
    await t.api('POST', `/api/communities/${slug}/leave`, { as: u, body: {} });
    const rows = await t.app.db.select().from(auditLog).where(eq(auditLog.communityId, id));
    expect(rows.map((r) => [r.action, r.actorId])).toEqual([
      ['community.create', owner.id],
      ['member.join', u.id],
      ['member.leave', u.id],
    ]);
  });
});
