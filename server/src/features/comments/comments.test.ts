import { comments, ideas } from '@cocreate/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from '../../testing/harness.js';

type Fixture = Awaited<ReturnType<typeof communityFixture>>;
interface Comment {
  id: string;
  ideaId: string;
  parentId: string | null;
  body: string;
  official: boolean;
  hidden: boolean;
  deleted: boolean;
  author: { id: string; handle: string; displayName: string } | null;
  createdAt: string;
  editedAt: string | null;
}

describe.each(testDbKinds())('comments on %s', (kind) => {
  let t: TestApp;
  let f: Fixture;
  beforeAll(async () => {
    t = await startTestApp(kind);
    f = await communityFixture(t);
  });
  afterAll(() => t.close());

  const post = (ideaId: string, as: TestUser | null, body: unknown) => t.api('POST', `/api/ideas/${ideaId}/comments`, { as, body });
  const create = async (ideaId: string, as: TestUser, body: Record<string, unknown>) => {
    const res = await post(ideaId, as, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as Comment;
  };
  const listAll = async (ideaId: string, as: TestUser | null, limit = 100) => {
    const items: Comment[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await t.api('GET', `/api/ideas/${ideaId}/comments?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { as });
      expect(res.statusCode).toBe(200);
      const page = res.json() as { items: Comment[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(limit);
      items.push(...page.items);
      cursor = page.nextCursor;
      expect(++pages).toBeLessThan(50);
    } while (cursor);
    return items;
  };
  const counts = async (ideaId: string) => {
    const [row] = await t.app.db.select().from(ideas).where(eq(ideas.id, ideaId));
    return { commentCount: row?.commentCount, version: row?.version };
  };

  it('creates comments, threads replies one level deep and keeps comment_count exact', async () => {
    const [author, a, b] = [await f.member(), await f.member(), await f.member()];
    const idea = await f.idea(author);
    const root = await create(idea.id, a, { body: '  First!  ' });
    expect(root).toEqual({
      id: expect.any(String),
      ideaId: idea.id,
      parentId: null,
      body: 'First!',
      official: false,
      hidden: false,
      deleted: false,
      author: { id: a.id, handle: a.handle, displayName: a.handle },
      createdAt: expect.any(String),
      editedAt: null,
    });
    const reply = await create(idea.id, b, { body: 'A reply', parentId: root.id });
    expect(reply.parentId).toBe(root.id);
    const replyToReply = await create(idea.id, a, { body: 'A reply to the reply', parentId: reply.id });
    expect(replyToReply.parentId).toBe(root.id);
    const [stored] = await t.app.db.select().from(comments).where(eq(comments.id, replyToReply.id));
    expect(stored?.parentId).toBe(root.id);
    expect(await counts(idea.id)).toEqual({ commentCount: 3, version: 4 });
    expect((await t.api('GET', `/api/ideas/${idea.id}`)).json().commentCount).toBe(3);
  });

  it('refuses a parent from another idea or an unknown one, as a validation error', async () => {
    const author = await f.member();
    const [one, two] = [await f.idea(author), await f.idea(author)];
    const elsewhere = await create(two.id, author, { body: 'on idea two' });
    for (const parentId of [elsewhere.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await post(one.id, author, { body: 'misplaced', parentId });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        code: 'VALIDATION_FAILED',
        message: expect.any(String),
        details: [{ path: 'body.parentId', message: expect.any(String) }],
      });
    }
    expect(await counts(one.id)).toEqual({ commentCount: 0, version: 1 });
    expect(await t.app.db.select().from(comments).where(eq(comments.ideaId, one.id))).toHaveLength(0);
  });

  it('lets only team roles answer officially', async () => {
    const author = await f.member();
    const idea = await f.idea(author);
    for (const role of ['member', 'moderator'] as const) {
      const who = await f.member(role);
      const res = await post(idea.id, who, { body: 'Official!', official: true });
      expect([res.statusCode, res.json().code]).toEqual([403, 'FORBIDDEN']);
    }
    expect(await counts(idea.id)).toEqual({ commentCount: 0, version: 1 });
    for (const role of ['team', 'admin', 'owner'] as const) {
      const who = role === 'owner' ? f.owner : await f.member(role);
      expect((await create(idea.id, who, { body: `From the ${role}`, official: true })).official).toBe(true);
    }
    expect((await create(idea.id, author, { body: 'not official', official: false })).official).toBe(false);
    expect((await counts(idea.id)).commentCount).toBe(4);
  });

  it('refuses guests, outsiders, banned members, and members on a locked or merged idea', async () => {
    const [author, banned, moderator] = [await f.member(), await f.member(), await f.member('moderator')];
    const outsider = await t.user();
    const idea = await f.idea(author);
    expect((await t.api('POST', `/api/communities/${f.slug}/members/${banned.id}/ban`, { as: f.owner, body: {} })).statusCode).toBe(204);
    const expectRefused = async (ideaId: string, who: TestUser | null, status: number, code: string) => {
      const res = await post(ideaId, who, { body: 'hello' });
      expect([res.statusCode, res.json().code]).toEqual([status, code]);
    };
    await expectRefused(idea.id, null, 401, 'UNAUTHENTICATED');
    await expectRefused(idea.id, outsider, 403, 'FORBIDDEN');
    await expectRefused(idea.id, banned, 403, 'FORBIDDEN');
    expect((await t.api('POST', `/api/ideas/${idea.id}/lock`, { as: moderator, body: { locked: true } })).statusCode).toBe(200);
    await expectRefused(idea.id, author, 403, 'FORBIDDEN');
    await create(idea.id, moderator, { body: 'Locked for a reason' });
    const merged = await f.idea(author);
    await t.app.db.update(ideas).set({ status: 'merged' }).where(eq(ideas.id, merged.id));
    await expectRefused(merged.id, author, 403, 'FORBIDDEN');
    expect(await counts(merged.id)).toEqual({ commentCount: 0, version: 1 });
    expect((await counts(idea.id)).commentCount).toBe(1);
  });

  it('edits and deletes one’s own comments only; a soft delete keeps the thread', async () => {
    const [author, a, b, admin, moderator, team] = [
      await f.member(),
      await f.member(),
      await f.member(),
      await f.member('admin'),
      await f.member('moderator'),
      await f.member('team'),
    ];
    const idea = await f.idea(author);
    const root = await create(idea.id, a, { body: 'Original' });
    const reply = await create(idea.id, b, { body: 'Reply' });
    const threaded = await create(idea.id, b, { body: 'Threaded', parentId: root.id });
    const edit = (id: string, as: TestUser | null, body: unknown) => t.api('PATCH', `/api/comments/${id}`, { as, body });

    const edited = await edit(root.id, a, { body: ' Edited ' });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ id: root.id, body: 'Edited', editedAt: expect.any(String), author: { id: a.id } });
    // Nobody edits someone else's words, not even staff or the owner.
    for (const [who, status, code] of [
      [b, 403, 'FORBIDDEN'],
      [admin, 403, 'FORBIDDEN'],
      [moderator, 403, 'FORBIDDEN'],
      [f.owner, 403, 'FORBIDDEN'],
      [null, 401, 'UNAUTHENTICATED'],
    ] as const) {
      const res = await edit(root.id, who, { body: 'Vandalised' });
      expect([res.statusCode, res.json().code]).toEqual([status, code]);
    }
    // Deleting someone else's comment is moderation: members and team may not.
    for (const [who, status, code] of [
      [b, 403, 'FORBIDDEN'],
      [team, 403, 'FORBIDDEN'],
      [null, 401, 'UNAUTHENTICATED'],
    ] as const) {
      const gone = await t.api('DELETE', `/api/comments/${root.id}`, { as: who });
      expect([gone.statusCode, gone.json().code]).toEqual([status, code]);
    }
    const [still] = await t.app.db.select().from(comments).where(eq(comments.id, root.id));
    expect([still?.body, still?.deletedAt]).toEqual(['Edited', null]);
    expect(await counts(idea.id)).toEqual({ commentCount: 3, version: 4 });

    expect((await t.api('DELETE', `/api/comments/${root.id}`, { as: a })).statusCode).toBe(204);
    expect(await counts(idea.id)).toEqual({ commentCount: 2, version: 5 });
    const again = await t.api('DELETE', `/api/comments/${root.id}`, { as: a });
    expect(again.statusCode).toBe(403);
    const reedit = await edit(root.id, a, { body: 'Back from the dead' });
    expect([reedit.statusCode, reedit.json().code]).toEqual([403, 'FORBIDDEN']);
    // A moderator (and so an admin) may delete what they may hide; deleting twice counts once.
    expect((await t.api('DELETE', `/api/comments/${reply.id}`, { as: moderator })).statusCode).toBe(204);
    expect((await t.api('DELETE', `/api/comments/${reply.id}`, { as: admin })).statusCode).toBe(204);
    expect(await counts(idea.id)).toEqual({ commentCount: 1, version: 6 });

    const listed = await listAll(idea.id, b);
    expect(listed.map((c) => [c.id, c.parentId, c.body, c.deleted, c.author?.id ?? null])).toEqual([
      [root.id, null, '', true, null],
      [reply.id, null, '', true, null],
      [threaded.id, root.id, 'Threaded', false, b.id],
    ]);
    const [row] = await t.app.db.select().from(comments).where(eq(comments.id, root.id));
    expect(row?.body).toBe('');
  });

  it('lists oldest first and pages through every comment exactly once', async () => {
    const [author, a, b] = [await f.member(), await f.member(), await f.member()];
    const idea = await f.idea(author);
    const made: Comment[] = [];
    for (let i = 0; i < 11; i++) {
      const parentId = i % 3 === 2 ? made[i - 1]?.id : undefined;
      made.push(await create(idea.id, i % 2 ? a : b, { body: `comment ${i}`, ...(parentId ? { parentId } : {}) }));
    }
    // Two comments in the same millisecond (microseconds apart), and two at exactly the same instant.
    const at = '2030-01-01T00:00:00.000Z';
    await t.app.db
      .update(comments)
      .set({ createdAt: new Date('2030-01-01T00:00:00.500Z') })
      .where(eq(comments.id, made[9]?.id ?? ''));
    await t.app.db
      .update(comments)
      .set({ createdAt: new Date('2030-01-01T00:00:00.500Z') })
      .where(eq(comments.id, made[10]?.id ?? ''));
    await t.app.db
      .update(comments)
      .set({ createdAt: sql`${at}::timestamptz + interval '300 microseconds'` })
      .where(eq(comments.id, made[7]?.id ?? ''));
    await t.app.db
      .update(comments)
      .set({ createdAt: sql`${at}::timestamptz + interval '600 microseconds'` })
      .where(eq(comments.id, made[8]?.id ?? ''));
    const all = await listAll(idea.id, a);
    const expectedOrder = made
      .slice(0, 9)
      .map((c) => c.id)
      .concat([made[9]?.id, made[10]?.id].sort() as string[]);
    expect(all.map((c) => c.id)).toEqual(expectedOrder);
    for (const limit of [1, 2, 3, 4]) {
      const paged = await listAll(idea.id, a, limit);
      expect(paged.map((c) => c.id)).toEqual(expectedOrder);
    }
    expect(all.filter((c) => c.parentId).map((c) => c.parentId)).toEqual([made[1]?.id, made[4]?.id, made[7]?.id]);
  });

  it('hides hidden comments from everyone but their author and staff', async () => {
    const [author, writer, other, moderator] = [await f.member(), await f.member(), await f.member(), await f.member('moderator')];
    const idea = await f.idea(author);
    const visible = await create(idea.id, other, { body: 'fine' });
    const bad = await create(idea.id, writer, { body: 'rude' });
    const hide = await t.api('POST', `/api/comments/${bad.id}/hide`, { as: moderator, body: { hidden: true } });
    expect(hide.statusCode).toBe(200);
    const ids = async (who: TestUser | null) => (await listAll(idea.id, who)).map((c) => c.id);
    expect(await ids(other)).toEqual([visible.id]);
    expect(await ids(null)).toEqual([visible.id]);
    expect(await ids(writer)).toEqual([visible.id, bad.id]);
    expect(await ids(moderator)).toEqual([visible.id, bad.id]);
    expect(await ids(f.owner)).toEqual([visible.id, bad.id]);
    expect((await listAll(idea.id, writer))[1]).toMatchObject({ hidden: true, body: 'rude' });
    // Others cannot act on it, nor reply under it.
    const edit = await t.api('PATCH', `/api/comments/${bad.id}`, { as: other, body: { body: 'x' } });
    expect([edit.statusCode, edit.json().code]).toEqual([404, 'NOT_FOUND']);
    const replyUnder = await post(idea.id, other, { body: 'me too', parentId: bad.id });
    expect([replyUnder.statusCode, replyUnder.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await counts(idea.id)).commentCount).toBe(2);
    // Comments of a hidden idea are not found for others.
    expect((await t.api('POST', `/api/ideas/${idea.id}/hide`, { as: moderator, body: { hidden: true } })).statusCode).toBe(200);
    const res = await t.api('GET', `/api/ideas/${idea.id}/comments`, { as: other });
    expect([res.statusCode, res.json().code]).toEqual([404, 'NOT_FOUND']);
    expect((await post(idea.id, other, { body: 'hello?' })).statusCode).toBe(404);
  });
});
