import { schema } from '@cocreate/db';
import { ERROR_CODES, isErrorCode } from '@cocreate/protocol';
import { count, getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testDbKinds } from './testing/harness.js';

/** API-wide behaviour: limits, parsing, error bodies, routing, OpenAPI. */

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Every error body is exactly {code, message} or {code, message, details}, with the status of its code. */
function expectErrorBody(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  const body = res.json() as Record<string, unknown>;
  const keys = Object.keys(body).sort();
  expect([
    ['code', 'message'],
    ['code', 'details', 'message'],
  ]).toContainEqual(keys);
  expect(body.code).toBe(code);
  expect(isErrorCode(body.code) && ERROR_CODES[body.code].http).toBe(status);
  expect(typeof body.message).toBe('string');
  expect((body.message as string).length).toBeGreaterThan(0);
  return body as { code: string; message: string; details?: { path: string; message: string }[] };
}

const tables = (Object.values(schema) as unknown[]).filter((x) => is(x, PgTable)) as PgTable[];

describe.each(testDbKinds())('API-wide behaviour on %s', (kind) => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof communityFixture>>;
  let member: TestUser;
  let idea: { id: string };
  beforeAll(async () => {
    t = await startTestApp(kind);
    f = await communityFixture(t, { downvotes: true });
    member = await f.member();
    idea = await f.idea(member, 'Existing idea');
  });
  afterAll(() => t.close());

  const rowCounts = async () => {
    const out: Record<string, number> = {};
    for (const table of tables) {
      const [row] = await t.app.db.select({ n: count() }).from(table);
      out[getTableName(table)] = row?.n ?? -1;
    }
    expect(Object.keys(out)).toHaveLength(tables.length);
    expect(out).toHaveProperty('ideas');
    return out;
  };

  it('refuses a body over the configured limit with PAYLOAD_TOO_LARGE and changes nothing', async () => {
    const small = await startTestApp(kind, { config: { bodyLimit: 2048 } });
    try {
      const g = await communityFixture(small);
      const author = await g.member();
      const fits = await small.api('POST', `/api/boards/${g.boardId}/ideas`, {
        as: author,
        body: { title: 'fits', body: 'x'.repeat(1800) },
      });
      expect(fits.statusCode).toBe(201);
      const tooBig = await small.api('POST', `/api/boards/${g.boardId}/ideas`, {
        as: author,
        body: { title: 'too big', body: 'x'.repeat(3000) },
      });
      expectErrorBody(tooBig, 413, 'PAYLOAD_TOO_LARGE');
      const comment = await small.api('POST', `/api/ideas/${fits.json().id}/comments`, { as: author, body: { body: 'y'.repeat(5000) } });
      expectErrorBody(comment, 413, 'PAYLOAD_TOO_LARGE');
      const list = await small.api('GET', `/api/boards/${g.boardId}/ideas`, { as: author });
      expect(list.json().items.map((i: { title: string }) => i.title)).toEqual(['fits']);
      expect((await small.api('GET', `/api/ideas/${fits.json().id}`)).json().commentCount).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('answers malformed JSON with VALIDATION_FAILED', async () => {
    const before = await rowCounts();
    for (const raw of ['{"title":', '{title: "x"}', "{'title':'x'}", '[1,]', '{"title":"x"} trailing', 'nul', '"\\x"']) {
      const res = await t.api('POST', `/api/boards/${f.boardId}/ideas`, { as: member, body: raw, headers: JSON_HEADERS });
      expectErrorBody(res, 400, 'VALIDATION_FAILED');
    }
    for (const raw of ['null', '[]', '"a string"', '42', 'true']) {
      const res = await t.api('POST', `/api/boards/${f.boardId}/ideas`, { as: member, body: raw, headers: JSON_HEADERS });
      expectErrorBody(res, 400, 'VALIDATION_FAILED');
      const vote = await t.api('PUT', `/api/ideas/${idea.id}/vote`, { as: member, body: raw, headers: JSON_HEADERS });
      expectErrorBody(vote, 400, 'VALIDATION_FAILED');
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses prototype pollution attempts and leaves Object.prototype alone', async () => {
    const before = await rowCounts();
    const attempts = [
      '{"__proto__":{"polluted":1}}',
      '{"constructor":{"prototype":{"polluted":1}}}',
      '{"title":"x","tags":[{"__proto__":{"polluted":1}}]}',
      '{"\\u005f_proto__":{"polluted":1}}',
      '{"title":"x","__proto__":{"polluted":1}}',
    ];
    const targets = [
      ['POST', `/api/boards/${f.boardId}/ideas`],
      ['PATCH', `/api/ideas/${idea.id}`],
      ['PUT', `/api/ideas/${idea.id}/vote`],
      ['POST', `/api/ideas/${idea.id}/comments`],
    ] as const;
    for (const raw of attempts) {
      for (const [method, url] of targets) {
        const res = await t.api(method, url, { as: member, body: raw, headers: JSON_HEADERS });
        expectErrorBody(res, 400, 'VALIDATION_FAILED');
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(await rowCounts()).toEqual(before);
    expect((await t.api('GET', `/api/ideas/${idea.id}`)).json()).toMatchObject({ title: 'Existing idea', up: 0, version: 1 });
  });

  it('names unknown and invalid fields in details, one path each', async () => {
    const res = await t.api('POST', `/api/boards/${f.boardId}/ideas`, { as: member, body: { title: 'x', colour: 'red', size: 3 } });
    const body = expectErrorBody(res, 400, 'VALIDATION_FAILED');
    expect(body.details?.map((d) => d.path).sort()).toEqual(['body.colour', 'body.size']);
    const vote = expectErrorBody(
      await t.api('PUT', `/api/ideas/${idea.id}/vote`, { as: member, body: { value: 1, weight: 100 } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(vote.details?.map((d) => d.path)).toEqual(['body.weight']);
    const typed = expectErrorBody(
      await t.api('POST', `/api/boards/${f.boardId}/ideas`, { as: member, body: { title: 5, tags: ['ok', 'not/ok'] } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(typed.details?.map((d) => d.path).sort()).toEqual(['body.tags.1', 'body.title']);
    const whole = expectErrorBody(
      await t.api('PUT', `/api/ideas/${idea.id}/vote`, { as: member, body: '[]', headers: JSON_HEADERS }),
      400,
      'VALIDATION_FAILED',
    );
    expect(whole.details?.map((d) => d.path)).toEqual(['body']);
    const query = expectErrorBody(await t.api('GET', `/api/boards/${f.boardId}/ideas?limit=0&colour=red`), 400, 'VALIDATION_FAILED');
    expect(query.details?.map((d) => d.path).sort()).toEqual(['querystring.colour', 'querystring.limit']);
    const params = expectErrorBody(await t.api('GET', '/api/ideas/not-a-uuid'), 400, 'VALIDATION_FAILED');
    expect(params.details).toEqual([{ path: 'params.ideaId', message: 'must be an id' }]);
  });

  it('refuses NUL characters in bodies and queries as VALIDATION_FAILED, not a server error', async () => {
    const before = await rowCounts();
    const title = expectErrorBody(
      await t.api('POST', `/api/boards/${f.boardId}/ideas`, { as: member, body: { title: 'a\u0000b' } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(title.details).toEqual([{ path: 'body.title', message: expect.any(String) }]);
    expectErrorBody(
      await t.api('POST', `/api/boards/${f.boardId}/ideas`, { as: member, body: { title: 'ok', body: 'x\u0000' } }),
      400,
      'VALIDATION_FAILED',
    );
    expectErrorBody(
      await t.api('POST', `/api/ideas/${idea.id}/comments`, { as: member, body: { body: '\u0000' } }),
      400,
      'VALIDATION_FAILED',
    );
    expectErrorBody(await t.api('PATCH', `/api/ideas/${idea.id}`, { as: member, body: { title: '\u0000' } }), 400, 'VALIDATION_FAILED');
    for (const q of ['q', 'author', 'tag']) {
      expectErrorBody(await t.api('GET', `/api/boards/${f.boardId}/ideas?${q}=a%00b`), 400, 'VALIDATION_FAILED');
    }
    // An escaped backslash followed by "u0000" is ordinary text.
    const fine = await t.api('POST', `/api/ideas/${idea.id}/comments`, {
      as: member,
      body: '{"body":"\\\\u0000 is how JSON spells NUL"}',
      headers: JSON_HEADERS,
    });
    expect(fine.statusCode).toBe(201);
    expect(fine.json().body).toBe('\\u0000 is how JSON spells NUL');
    expect(await rowCounts()).toEqual({ ...before, comments: (before.comments ?? 0) + 1 });
  });

  it('maps a wrong content type to VALIDATION_FAILED and accepts JSON with a charset', async () => {
    const before = await rowCounts();
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await t.api('POST', `/api/boards/${f.boardId}/ideas`, {
        as: member,
        body: '{"title":"x"}',
        headers: { 'content-type': type },
      });
      expectErrorBody(res, 400, 'VALIDATION_FAILED');
    }
    expect(await rowCounts()).toEqual(before);
    const ok = await t.api('POST', `/api/boards/${f.boardId}/ideas`, {
      as: member,
      body: '{"title":"charset"}',
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(ok.statusCode).toBe(201);
  });

  it('answers unknown /api routes and methods with NOT_FOUND', async () => {
    for (const [method, url] of [
      ['GET', '/api/nope'],
      ['GET', '/api'],
      ['POST', `/api/ideas/${idea.id}`],
      ['PATCH', `/api/ideas/${idea.id}/vote`],
      ['GET', `/api/ideas/${idea.id}/vote`],
      ['DELETE', `/api/boards/${f.boardId}/ideas`],
    ] as const) {
      const res = await t.api(method, url, { as: member, ...(method === 'GET' ? {} : { body: {} }) });
      expect(expectErrorBody(res, 404, 'NOT_FOUND')).not.toHaveProperty('details');
    }
  });

  it('keeps every error body to {code, message, details?} across statuses, including rate limits', async () => {
    const limited = await startTestApp(kind, {
      config: { rateLimits: { windowMs: 60_000, apiPerIp: 1000, authPerIp: 1000, authPerAccount: 1000, writesPerUser: 2 } },
    });
    try {
      const u = await limited.user();
      expectErrorBody(await limited.api('GET', '/api/me'), 401, 'UNAUTHENTICATED');
      expectErrorBody(await limited.api('GET', '/api/me', { headers: { authorization: 'Bearer x.y' } }), 401, 'UNAUTHENTICATED');
      expectErrorBody(await limited.api('GET', '/api/ideas/00000000-0000-4000-8000-000000000000', { as: u }), 404, 'NOT_FOUND');
      await limited.api('PATCH', '/api/me', { as: u, body: { displayName: 'one' } });
      await limited.api('PATCH', '/api/me', { as: u, body: { displayName: 'two' } });
      expectErrorBody(await limited.api('PATCH', '/api/me', { as: u, body: { displayName: 'three' } }), 429, 'RATE_LIMITED');
    } finally {
      await limited.close();
    }
    expectErrorBody(await t.api('PATCH', `/api/ideas/${idea.id}`, { as: await f.member(), body: { title: 'x' } }), 403, 'FORBIDDEN');
    expectErrorBody(
      await t.api('PUT', `/api/ideas/${idea.id}/vote`, { as: member, body: { value: 1 }, headers: { origin: 'https://evil.example' } }),
      403,
      'FORBIDDEN',
    );
  });

  it('never creates or changes rows on GET', async () => {
    const other = await f.member();
    await t.api('PUT', `/api/ideas/${idea.id}/vote`, { as: other, body: {} });
    const comment = await t.api('POST', `/api/ideas/${idea.id}/comments`, { as: other, body: { body: 'hi' } });
    expect(comment.statusCode).toBe(201);
    const snapshot = async () => ({
      counts: await rowCounts(),
      ideas: await t.app.db.select().from(schema.ideas),
      votes: await t.app.db.select().from(schema.votes),
      comments: await t.app.db.select().from(schema.comments),
      followers: await t.app.db.select().from(schema.ideaFollowers),
      tags: await t.app.db.select().from(schema.tags),
      boards: await t.app.db.select().from(schema.boards),
    });
    const before = await snapshot();
    const stranger = await t.user();
    const afterSignup = await snapshot();
    const gets = [
      `/api/boards/${f.boardId}/ideas`,
      ...['top', 'new', 'trending', 'hot', 'wilson', 'weighted'].map((s) => `/api/boards/${f.boardId}/ideas?sort=${s}&limit=1`),
      `/api/boards/${f.boardId}/ideas?q=idea&tag=none&author=${member.handle}&status=open`,
      `/api/boards/${f.boardId}`,
      `/api/ideas/${idea.id}`,
      `/api/ideas/${idea.id}/comments`,
      `/api/communities`,
      `/api/communities/${f.slug}`,
      `/api/communities/${f.slug}/boards`,
      `/api/communities/${f.slug}/members`,
      '/api/me',
      '/api/notifications',
      '/docs/json',
      '/healthz',
    ];
    for (const who of [null, stranger, member, f.owner]) {
      for (const url of gets) {
        const res = await t.api('GET', url, { as: who });
        expect([401, 200]).toContain(res.statusCode);
        const head = await t.api('HEAD', url, { as: who });
        expect(head.statusCode).toBe(res.statusCode);
      }
    }
    const after = await snapshot();
    expect(after).toEqual(afterSignup);
    expect({ ...after.counts, users: before.counts.users, sessions: before.counts.sessions }).toEqual(before.counts);
  });

  it('refuses invalid cursors and ids with VALIDATION_FAILED', async () => {
    const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
    const bad = [
      'not-a-cursor',
      b64('{}'),
      b64('not json'),
      b64({ now: Date.now(), s: 'high', id: idea.id }),
      b64({ now: -1, s: 1, id: idea.id }),
      b64({ now: 1, s: 1, id: 'nope' }),
      b64({ us: 1, id: idea.id }),
      'x'.repeat(600),
    ];
    for (const cursor of bad) {
      expectErrorBody(await t.api('GET', `/api/boards/${f.boardId}/ideas?cursor=${encodeURIComponent(cursor)}`), 400, 'VALIDATION_FAILED');
    }
    for (const cursor of [
      ...bad.slice(0, 3),
      b64({ now: 1, s: 1, id: idea.id }),
      b64({ us: -5, id: idea.id }),
      b64({ us: 2 ** 60, id: idea.id }),
      b64({ us: 1.5, id: idea.id }),
    ]) {
      expectErrorBody(await t.api('GET', `/api/ideas/${idea.id}/comments?cursor=${encodeURIComponent(cursor)}`), 400, 'VALIDATION_FAILED');
    }
    const ids = ['nope', '123', `${idea.id}x`, "' OR 1=1 --", '00000000-0000-0000-0000-00000000000g'];
    for (const id of ids) {
      const e = encodeURIComponent(id);
      for (const [method, url, body] of [
        ['GET', `/api/ideas/${e}`, undefined],
        ['PATCH', `/api/ideas/${e}`, { title: 'x' }],
        ['PUT', `/api/ideas/${e}/vote`, {}],
        ['DELETE', `/api/ideas/${e}/vote`, undefined],
        ['PUT', `/api/ideas/${e}/follow`, {}],
        ['DELETE', `/api/ideas/${e}/follow`, undefined],
        ['GET', `/api/ideas/${e}/comments`, undefined],
        ['POST', `/api/ideas/${e}/comments`, { body: 'x' }],
        ['GET', `/api/boards/${e}/ideas`, undefined],
        ['POST', `/api/boards/${e}/ideas`, { title: 'x' }],
        ['PATCH', `/api/comments/${e}`, { body: 'x' }],
        ['DELETE', `/api/comments/${e}`, undefined],
      ] as const) {
        const res = await t.api(method, url, { as: member, ...(body ? { body } : {}) });
        const err = expectErrorBody(res, 400, 'VALIDATION_FAILED');
        expect(err.details?.[0]?.path).toMatch(/^params\.(ideaId|boardId|commentId)$/);
      }
    }
  });
});
