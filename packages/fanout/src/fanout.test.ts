import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFanOut } from './memory.js';
import { RedisFanOut } from './redis.js';
import { OwnRedis } from './testing/redis-server.js';
import type { FanOut } from './types.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const until = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('MemoryFanOut', () => {
  it('delivers to every handler of the room and isolates a throwing one', async () => {
    const f = new MemoryFanOut();
    const got: string[] = [];
    f.subscribe('r', () => {
      throw new Error('bad subscriber');
    });
    const off = f.subscribe('r', (m) => got.push(m));
    f.subscribe('other', (m) => got.push(`other:${m}`));
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onError);
    f.publish('r', 'a');
    off();
    f.publish('r', 'b');
    await new Promise((r) => setTimeout(r, 5));
    process.off('uncaughtException', onError);
    expect(got).toEqual(['a']);
  });
});

describe('RedisFanOut across nodes (real Redis)', () => {
  const nodes: FanOut[] = [];
  const prefix = `cctest:${randomBytes(4).toString('hex')}:`;
  const node = async (id: string, url = REDIS_URL) => {
    const f = await RedisFanOut.connect({ url, nodeId: id, prefix });
    nodes.push(f);
    return f;
  };
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.close()));
  });

  it('carries a message from one node to the others, once each, and never back to its sender', async () => {
    const [a, b, c] = await Promise.all([node('a'), node('b'), node('c')]);
    const got = { a: [] as string[], b: [] as string[], c: [] as string[] };
    a!.subscribe('board:1', (m) => got.a.push(m));
    b!.subscribe('board:1', (m) => got.b.push(m));
    c!.subscribe('board:1', (m) => got.c.push(m));
    const redis = new Redis(REDIS_URL);
    await until(async () => Number(((await redis.call('PUBSUB', 'SHARDNUMSUB', `${prefix}r:board:1`)) as [string, number])[1]) === 3);
    a!.publish('board:1', 'hello');
    await until(() => got.b.length === 1 && got.c.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual({ a: ['hello'], b: ['hello'], c: ['hello'] });
    await redis.quit();
  });

  it('subscribes with the first local handler and unsubscribes with the last', async () => {
    const a = (await node('sub-a')) as RedisFanOut;
    const redis = new Redis(REDIS_URL);
    const channel = `${prefix}r:idea:9`;
    const count = async () => Number(((await redis.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1]);
    const off1 = a.subscribe('idea:9', () => undefined);
    const off2 = a.subscribe('idea:9', () => undefined);
    await until(async () => (await count()) === 1);
    off1();
    await new Promise((r) => setTimeout(r, 50));
    expect(await count()).toBe(1);
    off2();
    await until(async () => (await count()) === 0);
    expect(a.subscribedRooms()).not.toContain('idea:9');
    await redis.quit();
  });

  it('after Redis restarts, resubscribes and tells listeners to resync', async () => {
    const own = await OwnRedis.start();
    try {
      const a = await node('fault-a', own.url);
      const b = await node('fault-b', own.url);
      let resyncs = 0;
      b.onResync(() => resyncs++);
      const got: string[] = [];
      b.subscribe('board:x', (m) => got.push(m));
      await new Promise((r) => setTimeout(r, 100));
      a.publish('board:x', 'before');
      await until(() => got.length === 1);
      await own.kill();
      a.publish('board:x', 'lost while down');
      await own.up();
      await until(() => resyncs === 1, 15_000);
      // ioredis resubscribed by itself: traffic flows again.
      await until(async () => {
        a.publish('board:x', 'after');
        await new Promise((r) => setTimeout(r, 50));
        return got.includes('after');
      }, 15_000);
      expect(got[0]).toBe('before');
      expect(got).not.toContain('lost while down');
      expect(b.stats().received).toBeGreaterThanOrEqual(2);
    } finally {
      await own.kill();
    }
  }, 40_000);

  it('fails to connect with a clear error when Redis does not answer', async () => {
    const own = await OwnRedis.start();
    const url = own.url;
    await own.kill();
    await expect(RedisFanOut.connect({ url, nodeId: 'x', redisOptions: { retryStrategy: () => 200 }, connectTimeoutMs: 1500 })).rejects.toThrow(/did not answer/);
  }, 20_000);
});
