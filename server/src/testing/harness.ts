import { createTestDatabase, type TestDbKind } from '@cocreate/db/testing';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApp } from '../app.js';
import { type Config, loadConfig } from '../config.js';

/**
 * Test harness: a real app on a real, isolated database (PGlite in memory, or a fresh database on
 * the PostgreSQL server), driven through `inject`. Rate limits are raised unless a test sets them.
 */

export type { TestDbKind };
export { testDbKinds } from '@cocreate/db/testing';

export function testConfig(overrides: Partial<Config> = {}): Config {
  const base = loadConfig({ LOG_LEVEL: 'silent', SEED_DEMO: 'false', CLIENT_DIST: '/nonexistent-client-dist' });
  return {
    ...base,
    ...overrides,
    rateLimits: {
      windowMs: 60_000,
      apiPerIp: 1_000_000,
      authPerIp: 1_000_000,
      authPerAccount: 1_000_000,
      writesPerUser: 1_000_000,
      ...overrides.rateLimits,
    },
    // The outbox worker polls; tests that exercise the pipeline turn it on (or drain it by hand).
    pipeline: { ...base.pipeline, worker: false, ...overrides.pipeline },
  };
}

export interface TestUser {
  id: string;
  handle: string;
  email: string;
  token: string;
}

export interface TestApp {
  app: FastifyInstance;
  kind: TestDbKind;
  /** A request as an API client: bearer token when `as` is given, JSON body. */
  api(method: InjectOptions['method'], url: string, opts?: { as?: TestUser | null; body?: unknown; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** Signs up a fresh user (bearer mode). */
  user(handle?: string): Promise<TestUser>;
  close(): Promise<void>;
}

let counter = 0;

export async function startTestApp(
  kind: TestDbKind,
  opts: { config?: Partial<Config>; redis?: Redis | null } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(kind);
  const app = await buildApp(testConfig(opts.config), { database, redis: opts.redis ?? null });
  await app.ready();
  return wrapTestApp(app, kind, () => database.close());
}

/** The TestApp helpers around an app built elsewhere (e.g. one node of a test cluster). */
export function wrapTestApp(app: FastifyInstance, kind: TestDbKind, closeDatabase: () => Promise<void>): TestApp {
  const api: TestApp['api'] = (method, url, o = {}) =>
    app.inject({
      method,
      url,
      headers: { ...(o.as ? { authorization: `Bearer ${o.as.token}` } : {}), ...o.headers },
      ...(o.body !== undefined ? { payload: o.body as InjectOptions['payload'] } : {}),
    });
  const user: TestApp['user'] = async (handle) => {
    const h = handle ?? `user${process.pid}_${++counter}`;
    const email = `${h}@test.example`;
    const res = await api('POST', '/api/auth/signup', { body: { email, password: 'correct horse battery', handle: h, tokenMode: 'bearer' } });
    if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
    const body = res.json() as { user: { id: string; handle: string }; token: string };
    return { id: body.user.id, handle: body.user.handle, email, token: body.token };
  };
  return {
    app,
    kind,
    api,
    user,
    close: async () => {
      await app.close();
      await closeDatabase();
    },
  };
}

/** A community with a board, owned by a fresh user, plus helpers to add members with roles. */
export async function communityFixture(t: TestApp, opts: { visibility?: 'public' | 'private'; joinPolicy?: 'open' | 'request' | 'invite'; downvotes?: boolean } = {}) {
  const owner = await t.user();
  const slug = `c-${process.pid}-${++counter}`;
  const c = await t.api('POST', '/api/communities', { as: owner, body: { slug, name: 'Test community', visibility: opts.visibility ?? 'public', joinPolicy: opts.joinPolicy ?? 'open' } });
  if (c.statusCode !== 201) throw new Error(`community failed: ${c.body}`);
  const b = await t.api('POST', `/api/communities/${slug}/boards`, { as: owner, body: { name: 'Ideas board', downvotesEnabled: opts.downvotes ?? false } });
  if (b.statusCode !== 201) throw new Error(`board failed: ${b.body}`);
  const board = b.json() as { id: string };
  /** A new user who is an active member with the given role. */
  const member = async (role: 'member' | 'moderator' | 'team' | 'admin' | 'owner' = 'member') => {
    const u = await t.user();
    const invite = await t.api('POST', `/api/communities/${slug}/invites`, { as: owner, body: {} });
    const code = (invite.json() as { code: string }).code;
    const j = await t.api('POST', `/api/communities/${slug}/join`, { as: u, body: { inviteCode: code } });
    if (j.statusCode !== 200) throw new Error(`join failed: ${j.body}`);
    if (role !== 'member') {
      const r = await t.api('PATCH', `/api/communities/${slug}/members/${u.id}`, { as: owner, body: { role } });
      if (r.statusCode !== 200) throw new Error(`role failed: ${r.body}`);
    }
    return u;
  };
  const idea = async (author: TestUser, title = 'An idea', body?: Record<string, unknown>) => {
    const r = await t.api('POST', `/api/boards/${board.id}/ideas`, { as: author, body: { title, ...body } });
    if (r.statusCode !== 201) throw new Error(`idea failed: ${r.body}`);
    return r.json() as { id: string; version: number };
  };
  return { owner, slug, boardId: board.id, member, idea };
}
