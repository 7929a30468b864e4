import { auditLog, boards, comments, ideaFollowers, ideas, ideaTags, tags, votes } from '@cocreate/db';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from './testing/harness.js';

/**
 * Every route of ideas, votes and comments against missing, wrong-typed, oversize and hostile
 * bodies and the wrong roles: the exact status and code, and nothing changed afterwards.
 */

type Who = 'author' | 'member' | 'moderator' | 'team' | 'outsider' | 'banned' | 'guest';
type Case = [who: Who, body: unknown, status: number, code: string];

const x = (n: number) => 'x'.repeat(n);
const V = 'VALIDATION_FAILED';

describe.each(testDbKinds())('hostile input and wrong roles on %s', (kind) => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof communityFixture>>;
  let users: Record<Exclude<Who, 'guest'>, TestUser>;
  let ideaId: string;
  let commentId: string;
  beforeAll(async () => {
    t = await startTestApp(kind);
    f = await communityFixture(t); // no downvotes
    users = {
      author: await f.member(),
      member: await f.member(),
      moderator: await f.member('moderator'),
      team: await f.member('team'),
      outsider: await t.user(),
      banned: await f.member(),
    };
    ideaId = (await f.idea(users.author, 'Target', { tags: ['keep'] })).id;
    expect((await t.api('PUT', `/api/ideas/${ideaId}/vote`, { as: users.banned, body: {} })).statusCode).toBe(200);
    const c = await t.api('POST', `/api/ideas/${ideaId}/comments`, { as: users.author, body: { body: 'Original words' } });
    commentId = c.json().id;
    expect((await t.api('POST', `/api/communities/${f.slug}/members/${users.banned.id}/ban`, { as: f.owner, body: {} })).statusCode).toBe(
      204,
    );
  });
  afterAll(() => t.close());

  const state = async () => ({
    ideas: await t.app.db.select().from(ideas),
    boards: await t.app.db.select().from(boards),
    tags: await t.app.db.select().from(tags),
    ideaTags: await t.app.db.select().from(ideaTags),
    votes: await t.app.db.select().from(votes),
    comments: await t.app.db.select().from(comments),
    followers: await t.app.db.select().from(ideaFollowers),
    audit: (await t.app.db.select({ n: count() }).from(auditLog))[0]?.n,
  });

  async function check(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: () => string, cases: Case[]) {
    const before = await state();
    for (const [who, body, status, code] of cases) {
      const as = who === 'guest' ? null : users[who];
      const res = await t.api(method, url(), { as, ...(body !== undefined ? { body } : {}) });
      const label = `${method} ${who} ${JSON.stringify(body)?.slice(0, 80)}`;
      expect([res.statusCode, res.json().code], label).toEqual([status, code]);
      expect(await state(), label).toEqual(before);
    }
  }

  it('POST /boards/:boardId/ideas', async () => {
    await check('POST', () => `/api/boards/${f.boardId}/ideas`, [
      ['member', {}, 400, V],
      ['member', { title: '' }, 400, V],
      ['member', { title: '   ' }, 400, V],
      ['member', { title: x(161) }, 400, V],
      ['member', { title: x(200) }, 400, V],
      ['member', { title: 123 }, 400, V],
      ['member', { title: null }, 400, V],
      ['member', { title: ['a'] }, 400, V],
      ['member', { title: { $ne: null } }, 400, V],
      ['member', { title: 'ok', body: x(20_001) }, 400, V],
      ['member', { title: 'ok', body: 5 }, 400, V],
      ['member', { title: 'ok', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 400, V],
      ['member', { title: 'ok', tags: 'ux' }, 400, V],
      ['member', { title: 'ok', tags: [x(33)] }, 400, V],
      ['member', { title: 'ok', tags: ['<script>'] }, 400, V],
      ['member', { title: 'ok', tags: [''] }, 400, V],
      ['member', { title: 'ok', tags: [null] }, 400, V],
      ['member', { title: 'ok', status: 'shipped' }, 400, V],
      ['member', { title: 'ok', authorId: '00000000-0000-4000-8000-000000000000' }, 400, V],
      ['member', { title: 'ok', up: 1000, version: 99 }, 400, V],
      ['guest', { title: 'ok' }, 401, 'UNAUTHENTICATED'],
      ['outsider', { title: 'ok' }, 403, 'FORBIDDEN'],
      ['banned', { title: 'ok' }, 403, 'FORBIDDEN'],
    ]);
  });

  it('accepts a POST /boards/:boardId/ideas right at the limits', async () => {
    const res = await t.api('POST', `/api/boards/${f.boardId}/ideas`, {
      as: users.member,
      body: { title: x(160), body: x(20_000), tags: Array.from({ length: 10 }, (_, i) => `${x(30)}${i}`) },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ title: x(160), bodyText: x(20_000) });
    expect(res.json().tags).toHaveLength(10);
  });

  it('PATCH /ideas/:ideaId', async () => {
    await check('PATCH', () => `/api/ideas/${ideaId}`, [
      ['author', { title: x(200) }, 400, V],
      ['author', { title: '' }, 400, V],
      ['author', { title: null }, 400, V],
      ['author', { title: 7 }, 400, V],
      ['author', { tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 400, V],
      ['author', { tags: [1] }, 400, V],
      ['author', { tags: { 0: 'a' } }, 400, V],
      ['author', { status: 'shipped' }, 400, V],
      ['author', { version: 99 }, 400, V],
      ['author', { hidden: false, locked: false }, 400, V],
      ['author', { bodyText: 'sneaky' }, 400, V],
      ['author', { title: 'ok', up: 5 }, 400, V],
      ['member', { title: 'hijack' }, 403, 'FORBIDDEN'],
      ['moderator', { title: 'hijack' }, 403, 'FORBIDDEN'],
      ['outsider', { title: 'hijack' }, 403, 'FORBIDDEN'],
      ['banned', { title: 'hijack' }, 403, 'FORBIDDEN'],
      ['guest', { title: 'hijack' }, 401, 'UNAUTHENTICATED'],
    ]);
  });

  it('PUT and DELETE /ideas/:ideaId/vote', async () => {
    await check('PUT', () => `/api/ideas/${ideaId}/vote`, [
      ['member', { value: 0 }, 400, V],
      ['member', { value: 2 }, 400, V],
      ['member', { value: '1' }, 400, V],
      ['member', { value: null }, 400, V],
      ['member', { value: true }, 400, V],
      ['member', { value: 1.5 }, 400, V],
      ['member', { value: 1, userId: '00000000-0000-4000-8000-000000000000' }, 400, V],
      ['member', { value: 1, weight: 1000 }, 400, V],
      ['member', [1], 400, V],
      ['member', { value: -1 }, 403, 'FORBIDDEN'], // this board takes no downvotes
      ['guest', {}, 401, 'UNAUTHENTICATED'],
      ['outsider', {}, 403, 'FORBIDDEN'],
      ['banned', {}, 403, 'FORBIDDEN'],
    ]);
    await check('DELETE', () => `/api/ideas/${ideaId}/vote`, [
      ['guest', undefined, 401, 'UNAUTHENTICATED'],
      ['outsider', undefined, 403, 'FORBIDDEN'],
      ['banned', undefined, 403, 'FORBIDDEN'],
    ]);
  });

  it('PUT and DELETE /ideas/:ideaId/follow', async () => {
    await check('PUT', () => `/api/ideas/${ideaId}/follow`, [
      ['member', { notify: true }, 400, V],
      ['member', [], 400, V],
      ['guest', {}, 401, 'UNAUTHENTICATED'],
      ['outsider', {}, 403, 'FORBIDDEN'],
      ['banned', {}, 403, 'FORBIDDEN'],
    ]);
    await check('DELETE', () => `/api/ideas/${ideaId}/follow`, [['guest', undefined, 401, 'UNAUTHENTICATED']]);
  });

  it('POST /ideas/:ideaId/comments', async () => {
    await check('POST', () => `/api/ideas/${ideaId}/comments`, [
      ['member', {}, 400, V],
      ['member', { body: '' }, 400, V],
      ['member', { body: ' \n\t ' }, 400, V],
      ['member', { body: x(10_001) }, 400, V],
      ['member', { body: 5 }, 400, V],
      ['member', { body: ['a'] }, 400, V],
      ['member', { body: 'x', parentId: 'nope' }, 400, V],
      ['member', { body: 'x', parentId: null }, 400, V],
      ['member', { body: 'x', parentId: '00000000-0000-4000-8000-000000000000' }, 400, V],
      ['member', { body: 'x', official: 'yes' }, 400, V],
      ['member', { body: 'x', hidden: true }, 400, V],
      ['member', { body: 'x', authorId: '00000000-0000-4000-8000-000000000000' }, 400, V],
      ['member', { body: 'x', official: true }, 403, 'FORBIDDEN'],
      ['moderator', { body: 'x', official: true }, 403, 'FORBIDDEN'],
      ['guest', { body: 'x' }, 401, 'UNAUTHENTICATED'],
      ['outsider', { body: 'x' }, 403, 'FORBIDDEN'],
      ['banned', { body: 'x' }, 403, 'FORBIDDEN'],
    ]);
  });

  it('PATCH and DELETE /comments/:commentId', async () => {
    await check('PATCH', () => `/api/comments/${commentId}`, [
      ['author', {}, 400, V],
      ['author', { body: '' }, 400, V],
      ['author', { body: x(10_001) }, 400, V],
      ['author', { body: null }, 400, V],
      ['author', { body: 'x', official: true }, 400, V],
      ['author', { body: 'x', parentId: null }, 400, V],
      ['member', { body: 'vandalised' }, 403, 'FORBIDDEN'],
      ['moderator', { body: 'vandalised' }, 403, 'FORBIDDEN'],
      ['team', { body: 'vandalised' }, 403, 'FORBIDDEN'],
      ['outsider', { body: 'vandalised' }, 403, 'FORBIDDEN'],
      ['guest', { body: 'vandalised' }, 401, 'UNAUTHENTICATED'],
    ]);
    await check('DELETE', () => `/api/comments/${commentId}`, [
      ['member', undefined, 403, 'FORBIDDEN'],
      ['team', undefined, 403, 'FORBIDDEN'],
      ['outsider', undefined, 403, 'FORBIDDEN'],
      ['banned', undefined, 403, 'FORBIDDEN'],
      ['guest', undefined, 401, 'UNAUTHENTICATED'],
    ]);
  });

  it('answers deeply nested and key-flooded bodies with a small VALIDATION_FAILED, changing nothing', async () => {
    const before = await state();
    const depth = 30_000;
    const deep = [
      `{"title":${'['.repeat(depth)}${']'.repeat(depth)}}`,
      `{"title":"ok","tags":${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}}`,
      `{"title":"ok","tags":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
    ];
    const flood = JSON.stringify({ title: 'ok', ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])) });
    for (const raw of [...deep, flood]) {
      const res = await t.api('POST', `/api/boards/${f.boardId}/ideas`, {
        as: users.member,
        body: raw,
        headers: { 'content-type': 'application/json' },
      });
      expect([res.statusCode, res.json().code]).toEqual([400, V]);
      expect(res.body.length).toBeLessThan(20_000);
    }
    expect(await state()).toEqual(before);
    expect((await t.api('GET', `/api/ideas/${ideaId}`)).statusCode).toBe(200);
  });

  it('answers NOT_FOUND for ids that do not exist, changing nothing', async () => {
    const none = '00000000-0000-4000-8000-000000000000';
    const before = await state();
    for (const [method, url, body] of [
      ['GET', `/api/ideas/${none}`, undefined],
      ['PATCH', `/api/ideas/${none}`, { title: 'x' }],
      ['PUT', `/api/ideas/${none}/vote`, {}],
      ['DELETE', `/api/ideas/${none}/vote`, undefined],
      ['PUT', `/api/ideas/${none}/follow`, {}],
      ['GET', `/api/ideas/${none}/comments`, undefined],
      ['POST', `/api/ideas/${none}/comments`, { body: 'x' }],
      ['GET', `/api/boards/${none}/ideas`, undefined],
      ['POST', `/api/boards/${none}/ideas`, { title: 'x' }],
      ['PATCH', `/api/comments/${none}`, { body: 'x' }],
      ['DELETE', `/api/comments/${none}`, undefined],
    ] as const) {
      const res = await t.api(method, url, { as: users.member, ...(body ? { body } : {}) });
      expect([res.statusCode, res.json().code], `${method} ${url}`).toEqual([404, 'NOT_FOUND']);
    }
    expect(await state()).toEqual(before);
  });
});
