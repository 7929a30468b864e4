import { invites, joinRequests } from '@cocreate/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../../testing/harness.js';
import { auditActions, counts, createCommunity, E, invite, membershipRow, outcome, snapshot, uniqueSlug } from './test-support.js';

describe.each(testDbKinds())('joining and leaving on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  const join = (slug: string, as: TestUser | null, body: Record<string, unknown> = {}) =>
    t.api('POST', `/api/communities/${slug}/join`, { as, body });

  it('joins an open community at once, and joining again changes nothing', async () => {
    const owner = await t.user();
    const { slug } = await createCommunity(t, owner, { joinPolicy: 'open' });
    const u = await t.user();
    const res = await join(slug, u);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'joined',
      community: { slug, memberCount: 2, membership: { role: 'member', status: 'active' } },
    });
    const again = await join(slug, u);
    expect(again.json()).toMatchObject({ status: 'joined', community: { memberCount: 2 } });
    expect(await counts(t, slug)).toEqual({ memberCount: 2, active: 2, banned: 0 });
    expect(outcome(await join(slug, null))).toEqual(E.UNAUTHENTICATED);
    expect(outcome(await join(uniqueSlug('nope'), u))).toEqual(E.NOT_FOUND);
  });

  it('turns a join into a pending request that an admin approves or rejects', async () => {
    const f = await communityFixture(t, { joinPolicy: 'request' });
    const [admin, moderator, alice, bob] = [await f.member('admin'), await f.member('moderator'), await t.user(), await t.user()];
    const res = await join(f.slug, alice, { message: 'let me in' });
    expect(res.json()).toMatchObject({ status: 'pending', community: { memberCount: 3, membership: null } });
    expect((await join(f.slug, alice, { message: 'again' })).json().status).toBe('pending');
    await join(f.slug, bob);
    expect(await membershipRow(t, f.slug, alice)).toBeNull();

    const list = await t.api('GET', `/api/communities/${f.slug}/join-requests`, { as: admin });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; user: { id: string }; message: string }[];
    expect(items.map((i) => [i.user.id, i.message])).toEqual([
      [alice.id, 'let me in'],
      [bob.id, ''],
    ]);
    const [aliceReq, bobReq] = items as [(typeof items)[0], (typeof items)[0]];
    for (const as of [moderator, alice]) {
      expect(outcome(await t.api('GET', `/api/communities/${f.slug}/join-requests`, { as }))).toEqual(E.FORBIDDEN);
      expect(outcome(await t.api('POST', `/api/communities/${f.slug}/join-requests/${aliceReq.id}/approve`, { as, body: {} }))).toEqual(
        E.FORBIDDEN,
      );
    }
    expect(outcome(await t.api('GET', `/api/communities/${f.slug}/join-requests`))).toEqual(E.UNAUTHENTICATED);
    expect(await membershipRow(t, f.slug, alice)).toBeNull();

    const approve = await t.api('POST', `/api/communities/${f.slug}/join-requests/${aliceReq.id}/approve`, { as: admin, body: {} });
    expect(approve.json()).toEqual({ id: aliceReq.id, status: 'approved' });
    expect(await membershipRow(t, f.slug, alice)).toEqual({ role: 'member', status: 'active' });
    expect(await counts(t, f.slug)).toEqual({ memberCount: 4, active: 4, banned: 0 });
    // A decided request cannot be decided again.
    expect(outcome(await t.api('POST', `/api/communities/${f.slug}/join-requests/${aliceReq.id}/reject`, { as: admin, body: {} }))).toEqual(
      E.NOT_FOUND,
    );

    const reject = await t.api('POST', `/api/communities/${f.slug}/join-requests/${bobReq.id}/reject`, { as: f.owner, body: {} });
    expect(reject.json()).toEqual({ id: bobReq.id, status: 'rejected' });
    expect(await membershipRow(t, f.slug, bob)).toBeNull();
    expect((await t.api('GET', `/api/communities/${f.slug}/join-requests`, { as: admin })).json().items).toEqual([]);
    // A rejected user may ask again.
    expect((await join(f.slug, bob)).json().status).toBe('pending');
    expect(await counts(t, f.slug)).toEqual({ memberCount: 4, active: 4, banned: 0 });
    expect(await auditActions(t, f.slug, f.owner)).toEqual(expect.arrayContaining(['join_request.approved', 'join_request.rejected']));
  });

  it('refuses to approve a request from a user banned in the meantime, and keeps the request', async () => {
    const f = await communityFixture(t, { joinPolicy: 'request' });
    const u = await t.user();
    await join(f.slug, u);
    const [req] = (await t.api('GET', `/api/communities/${f.slug}/join-requests`, { as: f.owner })).json().items as { id: string }[];
    expect((await t.api('POST', `/api/communities/${f.slug}/members/${u.id}/ban`, { as: f.owner, body: {} })).statusCode).toBe(204);
    expect(outcome(await t.api('POST', `/api/communities/${f.slug}/join-requests/${req?.id}/approve`, { as: f.owner, body: {} }))).toEqual(
      E.CONFLICT,
    );
    expect(await membershipRow(t, f.slug, u)).toEqual({ role: 'member', status: 'banned' });
    expect(await counts(t, f.slug)).toEqual({ memberCount: 1, active: 1, banned: 1 });
    const [row] = await t.app.db
      .select()
      .from(joinRequests)
      .where(eq(joinRequests.id, req?.id ?? ''));
    expect(row?.status).toBe('pending');
  });

  it('joins an invite-only community only with a valid, unused, unexpired code of that community', async () => {
    const f = await communityFixture(t, { joinPolicy: 'invite' });
    const other = await communityFixture(t, { joinPolicy: 'invite' });
    const [a, b, c, d, e] = [await t.user(), await t.user(), await t.user(), await t.user(), await t.user()];
    const otherCode = await invite(t, other.slug, other.owner);
    const before = await snapshot(t);
    expect(outcome(await join(f.slug, a))).toEqual(E.FORBIDDEN);
    expect(outcome(await join(f.slug, a, { inviteCode: 'not-a-real-code' }))).toEqual(E.FORBIDDEN);
    expect(outcome(await join(f.slug, a, { inviteCode: otherCode }))).toEqual(E.FORBIDDEN);
    expect(await snapshot(t)).toEqual(before);

    const created = await t.api('POST', `/api/communities/${f.slug}/invites`, { as: f.owner, body: {} });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ code: expect.stringMatching(/^[a-z2-7]{32}$/), role: 'member', maxUses: 1 });
    const code = created.json().code as string;
    const [stored] = await t.app.db.select().from(invites).where(eq(invites.id, created.json().id));
    expect(stored?.codeHash).not.toContain(code);
    expect(Date.parse(created.json().expiresAt) - Date.now()).toBeGreaterThan(6.9 * 24 * 3_600_000);

    expect((await join(f.slug, a, { inviteCode: code })).json()).toMatchObject({ status: 'joined', community: { memberCount: 2 } });
    // Single use by default; a member re-using it does not burn anything either.
    expect(outcome(await join(f.slug, b, { inviteCode: code }))).toEqual(E.FORBIDDEN);
    expect((await join(f.slug, a, { inviteCode: code })).json().status).toBe('joined');

    const twice = await invite(t, f.slug, f.owner, { maxUses: 2, role: 'moderator' });
    expect((await join(f.slug, b, { inviteCode: twice })).json().community.membership).toEqual({ role: 'moderator', status: 'active' });
    expect((await join(f.slug, c, { inviteCode: twice })).statusCode).toBe(200);
    expect(outcome(await join(f.slug, d, { inviteCode: twice }))).toEqual(E.FORBIDDEN);

    const expiring = await invite(t, f.slug, f.owner, { expiresInHours: 1, maxUses: 5 });
    await t.app.db
      .update(invites)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invites.communityId, (await t.api('GET', `/api/communities/${f.slug}`)).json().id));
    expect(outcome(await join(f.slug, d, { inviteCode: expiring }))).toEqual(E.FORBIDDEN);
    expect(await counts(t, f.slug)).toEqual({ memberCount: 4, active: 4, banned: 0 });
    expect(await membershipRow(t, f.slug, d)).toBeNull();
    expect(await membershipRow(t, f.slug, e)).toBeNull();
  });

  it('lets only admins and the owner create invites, and admins only below their own role', async () => {
    const f = await communityFixture(t, { joinPolicy: 'invite' });
    const [admin, team, moderator, member, outsider] = [
      await f.member('admin'),
      await f.member('team'),
      await f.member('moderator'),
      await f.member(),
      await t.user(),
    ];
    const url = `/api/communities/${f.slug}/invites`;
    const before = await snapshot(t);
    for (const as of [team, moderator, member, outsider]) expect(outcome(await t.api('POST', url, { as, body: {} }))).toEqual(E.FORBIDDEN);
    expect(outcome(await t.api('POST', url, { body: {} }))).toEqual(E.UNAUTHENTICATED);
    // Invites can never carry admin or owner.
    for (const role of ['admin', 'owner'])
      expect(outcome(await t.api('POST', url, { as: f.owner, body: { role } }))).toEqual(E.VALIDATION_FAILED);
    expect(await snapshot(t)).toEqual(before);
    expect((await t.api('POST', url, { as: admin, body: { role: 'team', maxUses: 3, expiresInHours: 2 } })).json()).toMatchObject({
      role: 'team',
      maxUses: 3,
    });
  });

  it('redeems a single-use code once when many race for it', async () => {
    const f = await communityFixture(t, { joinPolicy: 'invite' });
    const code = await invite(t, f.slug, f.owner);
    const users = await Promise.all(Array.from({ length: 6 }, () => t.user()));
    const results = await Promise.all(users.map((u) => join(f.slug, u, { inviteCode: code })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 403, 403, 403, 403, 403]);
    expect(await counts(t, f.slug)).toEqual({ memberCount: 2, active: 2, banned: 0 });
  });

  it('answers 404 for a private community to outsiders, never revealing it in an error', async () => {
    const f = await communityFixture(t, { visibility: 'private', joinPolicy: 'open' });
    const [outsider, preBanned] = [await t.user(), await t.user()];
    expect((await t.api('POST', `/api/communities/${f.slug}/members/${preBanned.id}/ban`, { as: f.owner, body: {} })).statusCode).toBe(204);
    const missing = await join(uniqueSlug('nope'), outsider);
    expect(outcome(missing)).toEqual(E.NOT_FOUND);
    const code = await invite(t, f.slug, f.owner);
    const before = await snapshot(t);
    const attempts = [
      await join(f.slug, outsider),
      await join(f.slug, outsider, { inviteCode: 'not-a-real-code' }),
      await join(f.slug, outsider, { message: 'hello' }),
      await join(f.slug, preBanned),
      await join(f.slug, preBanned, { inviteCode: code }),
      await t.api('POST', `/api/communities/${f.slug}/leave`, { as: outsider, body: {} }),
      await t.api('POST', `/api/communities/${f.slug}/leave`, { as: preBanned, body: {} }),
      await t.api('GET', `/api/communities/${f.slug}/members`, { as: outsider }),
      await t.api('GET', `/api/communities/${f.slug}/members`, { as: preBanned }),
      await t.api('POST', `/api/communities/${f.slug}/invites`, { as: outsider, body: {} }),
    ];
    for (const res of attempts) expect(res.json()).toEqual(missing.json());
    expect(await snapshot(t)).toEqual(before);
    // With a valid invite (the banned user did not burn it), an outsider gets in.
    const ok = await join(f.slug, outsider, { inviteCode: code });
    expect(ok.json()).toMatchObject({ status: 'joined', community: { slug: f.slug, memberCount: 2 } });
  });

  it('lets members leave, but not the last owner, and not a banned member', async () => {
    const f = await communityFixture(t);
    const [m, banned, coOwner] = [await f.member(), await f.member(), await f.member('admin')];
    expect((await t.api('POST', `/api/communities/${f.slug}/members/${banned.id}/ban`, { as: f.owner, body: {} })).statusCode).toBe(204);
    expect(await counts(t, f.slug)).toEqual({ memberCount: 3, active: 3, banned: 1 });

    expect((await t.api('POST', `/api/communities/${f.slug}/leave`, { as: m, body: {} })).statusCode).toBe(204);
    expect(await membershipRow(t, f.slug, m)).toBeNull();
    expect((await t.api('POST', `/api/communities/${f.slug}/leave`, { as: m, body: {} })).statusCode).toBe(204);
    expect(await counts(t, f.slug)).toEqual({ memberCount: 2, active: 2, banned: 1 });

    let before = await snapshot(t);
    expect(outcome(await t.api('POST', `/api/communities/${f.slug}/leave`, { as: banned, body: {} }))).toEqual(E.FORBIDDEN);
    expect(outcome(await join(f.slug, banned))).toEqual(E.FORBIDDEN);
    expect(outcome(await t.api('POST', `/api/communities/${f.slug}/leave`, { as: f.owner, body: {} }))).toEqual(E.CONFLICT);
    expect(outcome(await t.api('POST', `/api/communities/${f.slug}/leave`, { body: {} }))).toEqual(E.UNAUTHENTICATED);
    expect(await snapshot(t)).toEqual(before);
    expect(await membershipRow(t, f.slug, banned)).toEqual({ role: 'member', status: 'banned' });

    // With a second owner, the first may go.
    expect(
      (await t.api('PATCH', `/api/communities/${f.slug}/members/${coOwner.id}`, { as: f.owner, body: { role: 'owner' } })).statusCode,
    ).toBe(200);
    expect((await t.api('POST', `/api/communities/${f.slug}/leave`, { as: f.owner, body: {} })).statusCode).toBe(204);
    before = await snapshot(t);
    expect(outcome(await t.api('POST', `/api/communities/${f.slug}/leave`, { as: coOwner, body: {} }))).toEqual(E.CONFLICT);
    expect(await snapshot(t)).toEqual(before);
    expect(await counts(t, f.slug)).toEqual({ memberCount: 1, active: 1, banned: 1 });
  });

  it('keeps one owner when two owners leave at once', async () => {
    const f = await communityFixture(t);
    const co = await f.member('admin');
    await t.api('PATCH', `/api/communities/${f.slug}/members/${co.id}`, { as: f.owner, body: { role: 'owner' } });
    const results = await Promise.all([f.owner, co].map((as) => t.api('POST', `/api/communities/${f.slug}/leave`, { as, body: {} })));
    expect(results.map((r) => r.statusCode).sort()).toEqual([204, 409]);
    expect(await counts(t, f.slug)).toEqual({ memberCount: 1, active: 1, banned: 0 });
  });

  it('pages through pending join requests oldest first, without repeats, even within one millisecond', async () => {
    const f = await communityFixture(t, { joinPolicy: 'request' });
    const askers = [await t.user(), await t.user(), await t.user(), await t.user()];
    for (const u of askers) await join(f.slug, u);
    for (const [i, u] of askers.entries()) {
      await t.app.db
        .update(joinRequests)
        .set({ createdAt: sql`${`2030-01-01T00:00:00.700${100 + i * 100}Z`}::timestamptz` })
        .where(eq(joinRequests.userId, u.id));
    }
    for (const limit of [1, 3]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/communities/${f.slug}/join-requests?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
        const body = (await t.api('GET', url, { as: f.owner })).json() as { items: { user: { id: string } }[]; nextCursor: string | null };
        seen.push(...body.items.map((r) => r.user.id));
        cursor = body.nextCursor;
      } while (cursor && seen.length < 20);
      expect(seen).toEqual(askers.map((u) => u.id));
    }
  });
});
