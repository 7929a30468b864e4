import { auditLog, boards, ideaContributors, ideaFollowers, ideas, tags } from '@cocreate/db';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../../testing/harness.js';

type Fixture = Awaited<ReturnType<typeof communityFixture>>;
interface Idea {
  id: string;
  title: string;
  tags: string[];
  version: number;
  up: number;
  down: number;
  voteCount: number;
  myVote: number;
  following: boolean;
  status: string;
}

describe.each(testDbKinds())('ideas on %s', (kind) => {
  let t: TestApp;
  let f: Fixture;
  beforeAll(async () => {
    t = await startTestApp(kind);
    f = await communityFixture(t, { downvotes: true });
  });
  afterAll(() => t.close());

  const get = async (id: string, as?: TestUser | null) => {
    const res = await t.api('GET', `/api/ideas/${id}`, { as: as ?? null });
    expect(res.statusCode).toBe(200);
    return res.json() as Idea;
  };
  const list = async (fx: Fixture, query: string, as?: TestUser | null) => {
    const res = await t.api('GET', `/api/boards/${fx.boardId}/ideas?limit=100&${query}`, { as: as ?? null });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { items: Idea[]; nextCursor: string | null };
    expect(body.nextCursor).toBeNull();
    return body.items;
  };
  const titles = (items: Idea[]) => items.map((i) => i.title).sort();
  const communityTags = async (communityId: string) =>
    (await t.app.db.select({ id: tags.id, name: tags.name }).from(tags).where(eq(tags.communityId, communityId))).sort((a, b) =>
      a.name.localeCompare(b.name),
    );

  it('creates an idea: the author becomes its author-contributor and follower, tags are normalised', async () => {
    const author = await f.member();
    const [before] = await t.app.db.select().from(boards).where(eq(boards.id, f.boardId));
    const res = await t.api('POST', `/api/boards/${f.boardId}/ideas`, {
      as: author,
      body: { title: '  Dark mode  ', body: 'Please add it', tags: ['UX', 'ux', ' Mobile ', 'mobile'] },
    });
    expect(res.statusCode).toBe(201);
    const idea = res.json();
    expect(idea).toEqual({
      id: expect.any(String),
      boardId: f.boardId,
      communityId: before?.communityId,
      title: 'Dark mode',
      bodyText: 'Please add it',
      status: 'open',
      up: 0,
      down: 0,
      voteCount: 0,
      weightedScore: 0,
      commentCount: 0,
      version: 1,
      hidden: false,
      locked: false,
      mergedInto: null,
      tags: ['mobile', 'ux'],
      author: { id: author.id, handle: author.handle, displayName: author.handle },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      docName: `idea:${idea.id}`,
      myVote: 0,
      following: true,
    });
    expect(new Date(idea.createdAt).toISOString()).toBe(idea.createdAt);
    const contributors = await t.app.db.select().from(ideaContributors).where(eq(ideaContributors.ideaId, idea.id));
    expect(contributors.map((c) => [c.userId, c.role])).toEqual([[author.id, 'author']]);
    const followers = await t.app.db.select().from(ideaFollowers).where(eq(ideaFollowers.ideaId, idea.id));
    expect(followers.map((r) => r.userId)).toEqual([author.id]);
    const [after] = await t.app.db.select().from(boards).where(eq(boards.id, f.boardId));
    expect(after?.ideaCount).toBe((before?.ideaCount ?? -1) + 1);

    // Tags are created on first use only, per community, lower-cased.
    const first = await communityTags(idea.communityId);
    expect(first.map((x) => x.name)).toEqual(['mobile', 'ux']);
    const second = await t.api('POST', `/api/boards/${f.boardId}/ideas`, { as: author, body: { title: 'Other', tags: ['UX', 'Design'] } });
    expect(second.statusCode).toBe(201);
    expect(second.json().tags).toEqual(['design', 'ux']);
    const all = await communityTags(idea.communityId);
    expect(all.map((x) => x.name)).toEqual(['design', 'mobile', 'ux']);
    expect(all.find((x) => x.name === 'ux')?.id).toBe(first.find((x) => x.name === 'ux')?.id);
  });

  it('refuses to create on an archived board, and for guests, outsiders and banned members', async () => {
    const g = await communityFixture(t);
    const member = await g.member();
    const outsider = await t.user();
    const banned = await g.member();
    expect((await t.api('POST', `/api/communities/${g.slug}/members/${banned.id}/ban`, { as: g.owner, body: {} })).statusCode).toBe(204);
    const post = (as: TestUser | null) => t.api('POST', `/api/boards/${g.boardId}/ideas`, { as, body: { title: 'Nope' } });
    const expectRefused = async (as: TestUser | null, status: number, code: string) => {
      const res = await post(as);
      expect([res.statusCode, res.json().code]).toEqual([status, code]);
    };
    await expectRefused(null, 401, 'UNAUTHENTICATED');
    await expectRefused(outsider, 403, 'FORBIDDEN');
    await expectRefused(banned, 403, 'FORBIDDEN');
    expect((await t.api('PATCH', `/api/boards/${g.boardId}`, { as: g.owner, body: { archived: true } })).statusCode).toBe(200);
    await expectRefused(member, 403, 'FORBIDDEN');
    await expectRefused(g.owner, 403, 'FORBIDDEN');
    expect(await t.app.db.select().from(ideas).where(eq(ideas.boardId, g.boardId))).toHaveLength(0);
    const [board] = await t.app.db.select().from(boards).where(eq(boards.id, g.boardId));
    expect(board?.ideaCount).toBe(0);
    expect(
      (await t.api('POST', `/api/boards/00000000-0000-4000-8000-000000000000/ideas`, { as: member, body: { title: 'x' } })).statusCode,
    ).toBe(404);
  });

  it('shows counts, version, status, docName and the caller’s own vote and follow', async () => {
    const [a, b, c] = [await f.member(), await f.member(), await f.member()];
    const idea = await f.idea(a, 'Counted');
    expect((await t.api('PUT', `/api/ideas/${idea.id}/vote`, { as: b, body: {} })).statusCode).toBe(200);
    expect((await t.api('PUT', `/api/ideas/${idea.id}/vote`, { as: c, body: { value: -1 } })).statusCode).toBe(200);
    const asB = await get(idea.id, b);
    expect(asB).toMatchObject({
      id: idea.id,
      status: 'open',
      up: 1,
      down: 1,
      voteCount: 0,
      version: 3,
      docName: `idea:${idea.id}`,
      myVote: 1,
      following: false,
    });
    expect(await get(idea.id, c)).toMatchObject({ myVote: -1, following: false, version: 3 });
    expect(await get(idea.id, a)).toMatchObject({ myVote: 0, following: true });
    expect(await get(idea.id, null)).toMatchObject({ myVote: 0, following: false, up: 1, down: 1 });
    const missing = await t.api('GET', '/api/ideas/00000000-0000-4000-8000-000000000000', { as: a });
    expect([missing.statusCode, missing.json()]).toEqual([404, { code: 'NOT_FOUND', message: 'idea not found' }]);
  });

  it('lets the author and team roles and above edit title and tags, bumping the version; nobody else', async () => {
    const author = await f.member();
    const [other, moderator, team, admin] = [
      await f.member(),
      await f.member('moderator'),
      await f.member('team'),
      await f.member('admin'),
    ];
    const outsider = await t.user();
    const idea = await f.idea(author, 'Before', { tags: ['one'] });
    const patch = (as: TestUser | null, body: unknown) => t.api('PATCH', `/api/ideas/${idea.id}`, { as, body });

    const r1 = await patch(author, { title: ' After ' });
    expect(r1.statusCode).toBe(200);
    expect(r1.json()).toMatchObject({ title: 'After', tags: ['one'], version: 2 });
    const r2 = await patch(team, { tags: ['Two', 'two', 'THREE'] });
    expect(r2.statusCode).toBe(200);
    expect(r2.json()).toMatchObject({ title: 'After', tags: ['three', 'two'], version: 3 });
    const r3 = await patch(admin, { title: 'By admin', tags: [] });
    expect(r3.json()).toMatchObject({ title: 'By admin', tags: [], version: 4 });
    const r4 = await patch(f.owner, { title: 'By owner' });
    expect(r4.json()).toMatchObject({ title: 'By owner', version: 5 });
    // Staff edits of someone else's idea are audited; the author's own are not.
    const audits = await t.app.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, idea.id), eq(auditLog.action, 'idea.edit')));
    expect(audits.map((x) => x.actorId).sort()).toEqual([team.id, admin.id, f.owner.id].sort());

    for (const [who, status, code] of [
      [other, 403, 'FORBIDDEN'],
      [moderator, 403, 'FORBIDDEN'],
      [outsider, 403, 'FORBIDDEN'],
      [null, 401, 'UNAUTHENTICATED'],
    ] as const) {
      const res = await patch(who, { title: 'Hijacked', tags: ['evil'] });
      expect([res.statusCode, res.json().code]).toEqual([status, code]);
    }
    expect(await get(idea.id)).toMatchObject({ title: 'By owner', tags: [], version: 5 });
  });

  it('locks out the author but not the team from editing a locked idea', async () => {
    const author = await f.member();
    const [moderator, team] = [await f.member('moderator'), await f.member('team')];
    const idea = await f.idea(author, 'Lockable');
    expect((await t.api('POST', `/api/ideas/${idea.id}/lock`, { as: moderator, body: { locked: true } })).statusCode).toBe(200);
    const refused = await t.api('PATCH', `/api/ideas/${idea.id}`, { as: author, body: { title: 'Sneaky' } });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'FORBIDDEN']);
    const ok = await t.api('PATCH', `/api/ideas/${idea.id}`, { as: team, body: { title: 'Fixed' } });
    expect(ok.statusCode).toBe(200);
    expect(await get(idea.id)).toMatchObject({ title: 'Fixed', version: 3 });
  });

  it('follows and unfollows, idempotently; members only', async () => {
    const [author, fan] = [await f.member(), await f.member()];
    const outsider = await t.user();
    const idea = await f.idea(author, 'Followable');
    const followers = async () =>
      (await t.app.db.select().from(ideaFollowers).where(eq(ideaFollowers.ideaId, idea.id))).map((r) => r.userId).sort();
    for (let i = 0; i < 2; i++) {
      const res = await t.api('PUT', `/api/ideas/${idea.id}/follow`, { as: fan, body: {} });
      expect([res.statusCode, res.json()]).toEqual([200, { following: true }]);
    }
    expect(await followers()).toEqual([author.id, fan.id].sort());
    expect((await get(idea.id, fan)).following).toBe(true);
    for (let i = 0; i < 2; i++) {
      const res = await t.api('DELETE', `/api/ideas/${idea.id}/follow`, { as: fan });
      expect([res.statusCode, res.json()]).toEqual([200, { following: false }]);
    }
    expect(await followers()).toEqual([author.id]);
    expect((await get(idea.id, fan)).following).toBe(false);
    const out = await t.api('PUT', `/api/ideas/${idea.id}/follow`, { as: outsider, body: {} });
    expect([out.statusCode, out.json().code]).toEqual([403, 'FORBIDDEN']);
    const guest = await t.api('PUT', `/api/ideas/${idea.id}/follow`, { body: {} });
    expect([guest.statusCode, guest.json().code]).toEqual([401, 'UNAUTHENTICATED']);
    const extra = await t.api('PUT', `/api/ideas/${idea.id}/follow`, { as: fan, body: { loud: true } });
    expect([extra.statusCode, extra.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await followers()).toEqual([author.id]);
  });

  it('filters the list by status, tag, author (id or handle) and websearch text', async () => {
    const g = await communityFixture(t);
    const [ann, bob] = [await g.member(), await g.member()];
    const dark = await g.idea(ann, 'Dark mode for the editor', { tags: ['UI'] });
    await g.idea(ann, 'Dark theme colours', { tags: ['ui', 'themes'] });
    const shortcuts = await g.idea(bob, 'Editor shortcuts', { body: 'vim bindings and a zebra' });
    await g.idea(bob, 'Mode toggle');
    await t.app.db.update(ideas).set({ status: 'planned' }).where(eq(ideas.id, shortcuts.id));

    expect(titles(await list(g, ''))).toEqual(['Dark mode for the editor', 'Dark theme colours', 'Editor shortcuts', 'Mode toggle']);
    expect(titles(await list(g, 'status=planned'))).toEqual(['Editor shortcuts']);
    expect(titles(await list(g, 'status=shipped'))).toEqual([]);
    expect(titles(await list(g, 'tag=UI'))).toEqual(['Dark mode for the editor', 'Dark theme colours']);
    expect(titles(await list(g, 'tag=themes'))).toEqual(['Dark theme colours']);
    expect(titles(await list(g, 'tag=nothing'))).toEqual([]);
    expect(titles(await list(g, `author=${bob.id}`))).toEqual(['Editor shortcuts', 'Mode toggle']);
    expect(titles(await list(g, `author=${ann.handle.toUpperCase()}`))).toEqual(['Dark mode for the editor', 'Dark theme colours']);
    expect(titles(await list(g, 'author=nobody_at_all'))).toEqual([]);
    const q = (s: string) => list(g, `q=${encodeURIComponent(s)}`);
    expect(titles(await q('dark'))).toEqual(['Dark mode for the editor', 'Dark theme colours']);
    expect(titles(await q('dark -theme'))).toEqual(['Dark mode for the editor']);
    expect(titles(await q('"mode for"'))).toEqual(['Dark mode for the editor']);
    expect(titles(await q('"for mode"'))).toEqual([]);
    expect(titles(await q('theme or toggle'))).toEqual(['Dark theme colours', 'Mode toggle']);
    expect(titles(await q('ZEBRA'))).toEqual(['Editor shortcuts']); // the body text is searched too
    expect(titles(await q('&|!:*()<->'))).toEqual([]); // operators alone are not an error
    expect(titles(await list(g, `q=dark&tag=themes&author=${ann.id}`))).toEqual(['Dark theme colours']);
    expect((await list(g, `status=planned&author=${ann.id}`)).map((i) => i.id)).toEqual([]);
    expect((await list(g, 'tag=ui')).map((i) => i.id)).toContain(dark.id);
  });

  it('lists hidden ideas only to their author and staff, and merged ones only when asked', async () => {
    const g = await communityFixture(t);
    const [author, other, moderator] = [await g.member(), await g.member(), await g.member('moderator')];
    await g.idea(author, 'Visible');
    const hidden = await g.idea(author, 'Hidden');
    const merged = await g.idea(other, 'Merged');
    expect((await t.api('POST', `/api/ideas/${hidden.id}/hide`, { as: moderator, body: { hidden: true } })).statusCode).toBe(200);
    await t.app.db.update(ideas).set({ status: 'merged' }).where(eq(ideas.id, merged.id));

    expect(titles(await list(g, '', other))).toEqual(['Visible']);
    expect(titles(await list(g, '', null))).toEqual(['Visible']);
    expect(titles(await list(g, '', author))).toEqual(['Hidden', 'Visible']);
    expect(titles(await list(g, '', moderator))).toEqual(['Hidden', 'Visible']);
    expect(titles(await list(g, '', g.owner))).toEqual(['Hidden', 'Visible']);
    expect(titles(await list(g, 'status=merged', other))).toEqual(['Merged']);
    expect(titles(await list(g, 'status=open', other))).toEqual(['Visible']);
    // The idea itself answers 404 to those who may not see it.
    for (const who of [other, null]) {
      const res = await t.api('GET', `/api/ideas/${hidden.id}`, { as: who });
      expect([res.statusCode, res.json().code]).toEqual([404, 'NOT_FOUND']);
    }
    expect((await get(hidden.id, author)).title).toBe('Hidden');
    expect((await get(hidden.id, moderator)).title).toBe('Hidden');
  });

  it('hides a private community’s ideas from outsiders as not found', async () => {
    const p = await communityFixture(t, { visibility: 'private', joinPolicy: 'invite' });
    const member = await p.member();
    const idea = await p.idea(member, 'Secret');
    const outsider = await t.user();
    for (const who of [outsider, null]) {
      const one = await t.api('GET', `/api/ideas/${idea.id}`, { as: who });
      expect([one.statusCode, one.json().code]).toEqual([404, 'NOT_FOUND']);
      const all = await t.api('GET', `/api/boards/${p.boardId}/ideas`, { as: who });
      expect([all.statusCode, all.json().code]).toEqual([404, 'NOT_FOUND']);
    }
    expect(titles(await list(p, '', member))).toEqual(['Secret']);
  });
});
