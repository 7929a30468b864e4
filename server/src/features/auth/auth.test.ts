import { sessions, users } from '@cocreate/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, testDbKinds } from '../../testing/harness.js';

const ORIGIN = 'http://localhost:3000';
const creds = (h: string) => ({ email: `${h}@example.org`, password: 'a long enough password', handle: h });
const cookieOf = (res: { headers: Record<string, unknown> }) => {
  const set = res.headers['set-cookie'];
  const line = (Array.isArray(set) ? set : [set]).find((c) => String(c).startsWith('cocreate_session=')) as string | undefined;
  return line;
};
const cookieHeader = (line: string) => line.split(';')[0] as string;

describe.each(testDbKinds())('accounts and sessions on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  it('signs up with an HttpOnly SameSite=Lax cookie and stores only hashes', async () => {
    const res = await t.api('POST', '/api/auth/signup', { body: creds('alice'), headers: { origin: ORIGIN } });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toMatchObject({ handle: 'alice', email: 'alice@example.org', displayName: 'alice' });
    expect(res.json().token).toBeUndefined();
    const line = cookieOf(res) as string;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).not.toMatch(/Secure/);
    const token = cookieHeader(line).split('=')[1] as string;
    const [row] = await t.app.db.select().from(sessions).where(eq(sessions.id, token.split('.')[0] as string));
    expect(row).toBeDefined();
    expect(Buffer.from(row?.secretHash ?? []).toString()).not.toContain(token.split('.')[1]);
    const [user] = await t.app.db.select().from(users).where(eq(users.handle, 'alice'));
    expect(user?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const me = await t.api('GET', '/api/me', { headers: { cookie: cookieHeader(line) } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user.handle).toBe('alice');
  });

  it('marks the cookie Secure behind HTTPS (trusted proxy)', async () => {
    const s = await startTestApp(kind, { config: { trustProxy: true } });
    try {
      const res = await s.api('POST', '/api/auth/signup', { body: creds('secure1'), headers: { 'x-forwarded-proto': 'https' } });
      expect(res.statusCode).toBe(201);
      expect(cookieOf(res)).toMatch(/Secure/);
    } finally {
      await s.close();
    }
  });

  it('gives bearer tokens only when asked, and they work as Authorization', async () => {
    const res = await t.api('POST', '/api/auth/signup', { body: { ...creds('bob'), tokenMode: 'bearer' } });
    expect(res.statusCode).toBe(201);
    expect(cookieOf(res)).toBeUndefined();
    const { token } = res.json();
    expect(token).toMatch(/^[a-z2-7]{24}\.[a-z2-7]{39}$/);
    const me = await t.api('GET', '/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.json().user.handle).toBe('bob');
    const forged = `${token.slice(0, 25)}${token[25] === 'a' ? 'b' : 'a'}${token.slice(26)}`;
    expect((await t.api('GET', '/api/me', { headers: { authorization: `Bearer ${forged}` } })).statusCode).toBe(401);
    expect((await t.api('GET', '/api/me', { headers: { authorization: 'Bearer nonsense' } })).json().code).toBe('UNAUTHENTICATED');
  });

  it('refuses duplicate emails and handles with CONFLICT, case-insensitively', async () => {
    await t.api('POST', '/api/auth/signup', { body: creds('carol') });
    const again = await t.api('POST', '/api/auth/signup', { body: { ...creds('carol2'), email: 'CAROL@example.org' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('CONFLICT');
    const handle = await t.api('POST', '/api/auth/signup', { body: { ...creds('Carol'), email: 'other@example.org' } });
    expect(handle.statusCode).toBe(409);
  });

  it('keeps one account when the same email signs up concurrently', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => t.api('POST', '/api/auth/signup', { body: { ...creds(`race${i}`), email: 'race@example.org' } })),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(7);
    const rows = await t.app.db.select().from(users).where(eq(users.email, 'race@example.org'));
    expect(rows).toHaveLength(1);
  });

  it('logs in, refuses a wrong password the same way as an unknown email', async () => {
    await t.api('POST', '/api/auth/signup', { body: creds('dave') });
    const ok = await t.api('POST', '/api/auth/login', { body: { email: 'dave@example.org', password: 'a long enough password', tokenMode: 'bearer' } });
    expect(ok.statusCode).toBe(200);
    const wrong = await t.api('POST', '/api/auth/login', { body: { email: 'dave@example.org', password: 'nope nope nope' } });
    const unknown = await t.api('POST', '/api/auth/login', { body: { email: 'nobody@example.org', password: 'nope nope nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('logs out one session, or all of them', async () => {
    await t.api('POST', '/api/auth/signup', { body: creds('erin') });
    const login = () => t.api('POST', '/api/auth/login', { body: { email: 'erin@example.org', password: 'a long enough password', tokenMode: 'bearer' } });
    const a = (await login()).json().token;
    const b = (await login()).json().token;
    const c = (await login()).json().token;
    const auth = (tok: string) => ({ authorization: `Bearer ${tok}` });
    expect((await t.api('POST', '/api/auth/logout', { headers: auth(a) })).statusCode).toBe(204);
    expect((await t.api('GET', '/api/me', { headers: auth(a) })).statusCode).toBe(401);
    expect((await t.api('GET', '/api/me', { headers: auth(b) })).statusCode).toBe(200);
    expect((await t.api('POST', '/api/auth/logout-all', { headers: auth(b) })).statusCode).toBe(204);
    expect((await t.api('GET', '/api/me', { headers: auth(b) })).statusCode).toBe(401);
    expect((await t.api('GET', '/api/me', { headers: auth(c) })).statusCode).toBe(401);
  });

  it('changes the password, ending the other sessions but not this one', async () => {
    await t.api('POST', '/api/auth/signup', { body: creds('frank') });
    const login = (password: string) => t.api('POST', '/api/auth/login', { body: { email: 'frank@example.org', password, tokenMode: 'bearer' } });
    const keep = (await login('a long enough password')).json().token;
    const other = (await login('a long enough password')).json().token;
    const wrong = await t.api('POST', '/api/me/password', { headers: { authorization: `Bearer ${keep}` }, body: { currentPassword: 'bad', newPassword: 'another long password' } });
    expect(wrong.statusCode).toBe(403);
    const res = await t.api('POST', '/api/me/password', { headers: { authorization: `Bearer ${keep}` }, body: { currentPassword: 'a long enough password', newPassword: 'another long password' } });
    expect(res.statusCode).toBe(204);
    expect((await t.api('GET', '/api/me', { headers: { authorization: `Bearer ${keep}` } })).statusCode).toBe(200);
    expect((await t.api('GET', '/api/me', { headers: { authorization: `Bearer ${other}` } })).statusCode).toBe(401);
    expect((await login('a long enough password')).statusCode).toBe(401);
    expect((await login('another long password')).statusCode).toBe(200);
  });

  it('slides the expiry of a session used in the second half of its life, and drops expired ones', async () => {
    const u = await t.user();
    const id = u.token.split('.')[0] as string;
    const ttl = t.app.config.sessionTtlMs;
    const soon = new Date(Date.now() + ttl / 4);
    await t.app.db.update(sessions).set({ expiresAt: soon }).where(eq(sessions.id, id));
    expect((await t.api('GET', '/api/me', { as: u })).statusCode).toBe(200);
    const [row] = await t.app.db.select().from(sessions).where(eq(sessions.id, id));
    expect(row?.expiresAt.getTime()).toBeGreaterThan(Date.now() + ttl * 0.9);
    await t.app.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, id));
    expect((await t.api('GET', '/api/me', { as: u })).statusCode).toBe(401);
    expect(await t.app.db.select().from(sessions).where(eq(sessions.id, id))).toHaveLength(0);
  });

  it('applies the Origin rule to cookie-authenticated changes', async () => {
    const res = await t.api('POST', '/api/auth/signup', { body: creds('gina'), headers: { origin: ORIGIN } });
    const cookie = cookieHeader(cookieOf(res) as string);
    const patch = (headers: Record<string, string>) => t.api('PATCH', '/api/me', { headers: { cookie, ...headers }, body: { displayName: 'G' } });
    expect((await patch({})).statusCode).toBe(403); // no Origin, no Sec-Fetch-Site
    expect((await patch({ origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await patch({ origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' })).statusCode).toBe(403);
    expect((await patch({ 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await patch({ origin: ORIGIN })).statusCode).toBe(200);
    expect((await patch({ 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
    // Reads are never state changes and need no Origin.
    expect((await t.api('GET', '/api/me', { headers: { cookie } })).statusCode).toBe(200);
    // A bearer client without Origin passes; with a foreign Origin it does not.
    const u = await t.user();
    expect((await t.api('PATCH', '/api/me', { as: u, body: { displayName: 'B' } })).statusCode).toBe(200);
    expect((await t.api('PATCH', '/api/me', { as: u, body: { displayName: 'B' }, headers: { origin: 'https://evil.example' } })).statusCode).toBe(403);
  });
});

describe.each(testDbKinds())('credential rate limits on %s', (kind) => {
  it('limits sign-in attempts per account and per IP', async () => {
    const t = await startTestApp(kind, { config: { rateLimits: { windowMs: 60_000, apiPerIp: 1000, authPerIp: 6, authPerAccount: 3, writesPerUser: 1000 } } });
    try {
      const attempt = (email: string, ip: string) =>
        t.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: ip, payload: { email, password: 'wrong password!' } });
      // Per account: the fourth try on one email is refused even from fresh IPs.
      for (let i = 0; i < 3; i++) expect((await attempt('victim@example.org', `10.0.0.${i + 1}`)).statusCode).toBe(401);
      const blocked = await attempt('victim@example.org', '10.0.0.9');
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json().code).toBe('RATE_LIMITED');
      // Per IP: one address spraying many accounts is stopped too.
      const codes: number[] = [];
      for (let i = 0; i < 8; i++) codes.push((await attempt(`spray${i}@example.org`, '10.0.1.1')).statusCode);
      expect(codes.slice(0, 6).every((c) => c === 401)).toBe(true);
      expect(codes.slice(6)).toEqual([429, 429]);
    } finally {
      await t.close();
    }
  });
});
