import * as schema from '@cocreate/db';
import { sessions } from '@cocreate/db';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../config.js';
import { communityFixture, startTestApp, type TestApp, type TestUser } from '../testing/harness.js';

/**
 * Cases 12, 13 and 14 over HTTP: CSRF on cookie sessions, what is stored and sent of a session,
 * and prototype pollution through JSON bodies, each over many routes, each changing nothing.
 */

const ORIGIN = 'http://localhost:3000';
const EVIL = 'https://evil.example';
const PASSWORD = 'correct horse battery';

const setCookieLine = (res: { headers: Record<string, unknown> }) => {
  const set = res.headers['set-cookie'];
  return (Array.isArray(set) ? set : [set]).map(String).find((c) => c.startsWith('cocreate_session='));
};

describe('HTTP: CSRF, sessions at rest and on the wire, prototype pollution', () => {
  let t: TestApp;
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  let member: TestUser;
  let cookie: string;
  let ideaId: string;

  /** Every row count and the rows a state change would touch. */
  const state = async () => {
    const tables = { users: schema.users, communities: schema.communities, boards: schema.boards, ideas: schema.ideas, votes: schema.votes, comments: schema.comments, memberships: schema.memberships, invites: schema.invites };
    const out: Record<string, unknown> = {};
    for (const [name, table] of Object.entries(tables)) out[name] = (await t.app.db.select({ n: count() }).from(table))[0]?.n;
    out.ideaRows = await t.app.db.select().from(schema.ideas);
    out.userRows = await t.app.db.select().from(schema.users);
    return out;
  };

  beforeAll(async () => {
    t = await startTestApp('pglite');
    fx = await communityFixture(t);
    member = await fx.member();
    ideaId = (await fx.idea(member, 'Existing idea')).id;
    const login = await t.api('POST', '/api/auth/login', { body: { email: member.email, password: PASSWORD }, headers: { origin: ORIGIN } });
    expect(login.statusCode).toBe(200);
    cookie = (setCookieLine(login) as string).split(';')[0] as string;
  }, 60_000);
  afterAll(() => t.close());

  describe('case 12: cookie-authenticated changes from another site', () => {
    const changes = () =>
      [
        ['PUT', `/api/ideas/${ideaId}/vote`, {}],
        ['POST', `/api/ideas/${ideaId}/comments`, { body: 'csrf' }],
        ['POST', `/api/boards/${fx.boardId}/ideas`, { title: 'csrf idea' }],
        ['PATCH', `/api/ideas/${ideaId}`, { title: 'csrf title' }],
        ['PATCH', '/api/me', { displayName: 'csrf' }],
        ['POST', '/api/communities', { slug: `csrf-${process.pid}`, name: 'csrf' }],
        ['POST', `/api/communities/${fx.slug}/invites`, {}],
        ['POST', '/api/auth/logout-all', {}],
      ] as const;
    const foreign: Record<string, string>[] = [
      { origin: EVIL },
      { origin: EVIL, 'sec-fetch-site': 'same-origin' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      {},
    ];

    it('refuses each with FORBIDDEN and changes nothing, whatever the headers claim', async () => {
      const before = await state();
      for (const [method, url, body] of changes()) {
        for (const headers of foreign) {
          const res = await t.api(method, url, { body, headers: { cookie, ...headers } });
          expect(res.statusCode, `${method} ${url} ${JSON.stringify(headers)}`).toBe(403);
          expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
        }
      }
      expect(await state()).toEqual(before);
      // The session is still alive (logout-all did not run), and the same change from the app's origin works.
      expect((await t.api('GET', '/api/me', { headers: { cookie } })).statusCode).toBe(200);
      expect((await t.api('PUT', `/api/ideas/${ideaId}/vote`, { body: {}, headers: { cookie, origin: ORIGIN } })).statusCode).toBe(200);
    });

    it('changes nothing on GET, even cross-site with a cookie, and has no GET that changes state', async () => {
      const before = await state();
      const gets = [`/api/ideas/${ideaId}`, `/api/boards/${fx.boardId}/ideas`, `/api/communities/${fx.slug}`, '/api/me', '/api/notifications'];
      for (const url of gets) {
        const res = await t.api('GET', url, { headers: { cookie, origin: EVIL, 'sec-fetch-site': 'cross-site' } });
        expect(res.statusCode).toBe(200);
      }
      // Paths that change state under other methods do not answer GET with a change.
      for (const url of [`/api/ideas/${ideaId}/vote`, '/api/auth/logout', '/api/auth/logout-all', `/api/communities/${fx.slug}/join`]) {
        const res = await t.api('GET', url, { headers: { cookie } });
        expect(res.statusCode).toBe(404);
      }
      expect(await state()).toEqual(before);
      expect((await t.api('GET', '/api/me', { headers: { cookie } })).statusCode).toBe(200);
    });
  });

  describe('case 13: sessions', () => {
    it('stores neither the token nor its secret: no column of the row holds them', async () => {
      const [id, secret] = (cookie.split('=')[1] ?? '').split('.') as [string, string];
      const [row] = await t.app.db.select().from(sessions).where(eq(sessions.id, id));
      expect(row).toBeDefined();
      const dump = JSON.stringify(row, (_k, v) => (v instanceof Uint8Array || Buffer.isBuffer(v) ? Buffer.from(v).toString('latin1') + Buffer.from(v).toString('hex') : v));
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(Buffer.from(secret).toString('hex'));
      expect(row?.secretHash.length).toBe(32);
      // Every stored session is a hash: no row's bytes spell a base32 secret.
      const all = await t.app.db.select().from(sessions);
      for (const s of all) expect(Buffer.from(s.secretHash).toString('latin1')).not.toMatch(/^[a-z2-7]{39}$/);
    });

    it('refuses a token whose id is real and whose secret is one character off', async () => {
      const [id, secret] = member.token.split('.') as [string, string];
      const last = secret.at(-1) === 'a' ? 'b' : 'a';
      for (const forged of [`${id}.${secret.slice(0, -1)}${last}`, `${id}.${'a'.repeat(39)}`, `${id}.${secret}`.toUpperCase()]) {
        expect((await t.api('GET', '/api/me', { headers: { authorization: `Bearer ${forged}` } })).statusCode).toBe(401);
      }
      expect((await t.api('GET', '/api/me', { as: member })).statusCode).toBe(200);
    });

    const flags = async (config: Parameters<typeof startTestApp>[1], headers: Record<string, string>) => {
      const s = await startTestApp('pglite', config);
      try {
        const u = await s.user();
        const res = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: PASSWORD }, headers: { origin: ORIGIN, ...headers } });
        expect(res.statusCode).toBe(200);
        const line = setCookieLine(res) as string;
        expect(line).toMatch(/; HttpOnly/);
        expect(line).toMatch(/; SameSite=Lax/);
        expect(line).toMatch(/; Path=\//);
        return /; Secure/.test(line);
      } finally {
        await s.close();
      }
    };
    it.each<{ name: string; config: Partial<Config>; headers: Record<string, string>; secure: boolean }>([
      { name: 'COOKIE_SECURE=true, plain HTTP', config: { cookieSecure: true as const }, headers: {}, secure: true },
      { name: 'COOKIE_SECURE=false, HTTPS behind a trusted proxy', config: { cookieSecure: false as const, trustProxy: true }, headers: { 'x-forwarded-proto': 'https' }, secure: false },
      { name: 'auto, HTTPS behind a trusted proxy', config: { trustProxy: ['127.0.0.1'] }, headers: { 'x-forwarded-proto': 'https' }, secure: true },
      { name: 'auto, plain HTTP', config: {}, headers: {}, secure: false },
      { name: 'auto, x-forwarded-proto without TRUST_PROXY (not believed)', config: {}, headers: { 'x-forwarded-proto': 'https' }, secure: false },
    ])('cookie flags, $name: HttpOnly, SameSite=Lax, Secure $secure', async ({ config, headers, secure }) => {
      expect(await flags({ config }, headers)).toBe(secure);
    });
  });

  describe('case 14: prototype pollution through JSON bodies', () => {
    const attempts = [
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":"yes"}}',
      '{"a":{"b":{"__proto__":{"polluted":"yes"}}}}',
      '[{"__proto__":{"polluted":"yes"}}]',
    ];
    const routes = () =>
      [
        ['POST', '/api/auth/signup', null],
        ['POST', '/api/auth/login', null],
        ['PATCH', '/api/me', member],
        ['POST', '/api/communities', member],
        ['PATCH', `/api/communities/${fx.slug}`, fx.owner],
        ['POST', `/api/communities/${fx.slug}/join`, member],
        ['POST', `/api/communities/${fx.slug}/invites`, fx.owner],
        ['POST', `/api/communities/${fx.slug}/boards`, fx.owner],
        ['PATCH', `/api/boards/${fx.boardId}`, fx.owner],
        ['POST', `/api/boards/${fx.boardId}/ideas`, member],
        ['PUT', `/api/ideas/${ideaId}/vote`, member],
        ['POST', `/api/ideas/${ideaId}/lock`, fx.owner],
      ] as const;

    it('refuses every attempt on every route with VALIDATION_FAILED, and Object.prototype stays clean', async () => {
      const before = await state();
      for (const raw of attempts) {
        for (const [method, url, as] of routes()) {
          const res = await t.api(method, url, { as, body: raw, headers: { 'content-type': 'application/json' } });
          expect(res.statusCode, `${method} ${url} ${raw}`).toBe(400);
          expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
        }
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
      expect(await state()).toEqual(before);
    });
  });
});
