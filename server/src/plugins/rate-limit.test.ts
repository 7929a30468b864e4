import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/harness.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('rate limits shared by two nodes through the real Redis', () => {
  const redis: Redis[] = [];
  const apps: TestApp[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all(redis.map((r) => r.quit()));
  });

  it('counts sign-in attempts for one account across nodes, and writes per user', async () => {
    const prefix = `cctest:${randomBytes(4).toString('hex')}:`;
    const limits = { windowMs: 60_000, apiPerIp: 1000, authPerIp: 1000, authPerAccount: 4, writesPerUser: 5 };
    for (let i = 0; i < 2; i++) {
      const r = new Redis(REDIS_URL);
      redis.push(r);
      apps.push(await startTestApp('pglite', { redis: r, config: { redisPrefix: prefix, rateLimits: limits } }));
    }
    const [a, b] = apps as [TestApp, TestApp];
    const login = (t: TestApp) => t.api('POST', '/api/auth/login', { body: { email: 'shared@example.org', password: 'wrong password!' } });
    const codes = [await login(a), await login(b), await login(a), await login(b), await login(a), await login(b)].map((r) => r.statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 429, 429]);

    // Writes per user: node b's database does not know node a's users, so count on one node but
    // check the counter lives in Redis (the key carries the prefix).
    const u = await a.user();
    const patch = () => a.api('PATCH', '/api/me', { as: u, body: { displayName: 'x' } });
    const writes: number[] = [];
    for (let i = 0; i < 7; i++) writes.push((await patch()).statusCode);
    expect(writes).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const keys = await redis[0]!.keys(`${prefix}rl:*`);
    expect(keys.length).toBeGreaterThan(0);
  });
});
