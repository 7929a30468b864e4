import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryFanOut, MemoryPresence } from './memory.js';
import { RedisFanOut } from './redis.js';
import { RedisPresence } from './redis-presence.js';
import type { PresenceDiff } from './types.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const until = async (check: () => boolean | Promise<boolean>, ms = 8000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('MemoryPresence', () => {
  it('lists entries and publishes joined/updated/left diffs', async () => {
    const p = new MemoryPresence(new MemoryFanOut('n1'));
    const diffs: PresenceDiff[] = [];
    p.subscribe('board:1', (d) => diffs.push(d));
    await p.join('board:1', 's1', { userId: 'u1', name: 'Ann', status: 'viewing' });
    await p.update('board:1', 's1', 'typing');
    await p.update('board:1', 's1', 'typing');
    expect(await p.list('board:1')).toEqual([{ key: 'n1:s1', userId: 'u1', name: 'Ann', status: 'typing' }]);
    await p.leave('board:1', 's1');
    expect(diffs.map((d) => [d.joined.length, d.updated.length, d.left])).toEqual([
      [1, 0, []],
      [0, 1, []],
      [0, 0, ['n1:s1']],
    ]);
    expect(await p.list('board:1')).toEqual([]);
  });
});

describe('RedisPresence across nodes (real Redis)', () => {
  const prefix = `cctest:${randomBytes(4).toString('hex')}:`;
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  });
  const node = async (id: string, ttlMs = 600) => {
    const fanout = await RedisFanOut.connect({ url: REDIS_URL, nodeId: id, prefix });
    const redis = new Redis(REDIS_URL);
    const presence = new RedisPresence({ redis, fanout, prefix, ttlMs });
    await presence.start();
    closers.push(() => fanout.close(), () => redis.quit());
    closers.push(() => presence.close());
    return { fanout, redis, presence };
  };

  it('shows who is in a room on every node, and diffs reach every node', async () => {
    const a = await node('pa');
    const b = await node('pb');
    const seenByB: PresenceDiff[] = [];
    b.presence.subscribe('idea:1', (d) => seenByB.push(d));
    await new Promise((r) => setTimeout(r, 100));
    await a.presence.join('idea:1', 'sock1', { userId: 'u1', name: 'Ann', status: 'viewing' });
    await b.presence.join('idea:1', 'sock2', { userId: 'u2', name: 'Bo', status: 'viewing' });
    await a.presence.update('idea:1', 'sock1', 'typing');
    const list = await b.presence.list('idea:1');
    expect(list.map((e) => [e.key, e.status]).sort()).toEqual([
      ['pa:sock1', 'typing'],
      ['pb:sock2', 'viewing'],
    ]);
    await until(() => seenByB.some((d) => d.updated[0]?.status === 'typing'));
    expect(seenByB.find((d) => d.joined[0]?.key === 'pa:sock1')).toBeDefined();
  });

  it("removes a killed node's members everywhere within the TTL, through the reaper", async () => {
    const live = await node('live');
    const doomed = await node('doomed');
    const diffs: PresenceDiff[] = [];
    live.presence.subscribe('board:9', (d) => diffs.push(d));
    await new Promise((r) => setTimeout(r, 100));
    await doomed.presence.join('board:9', 'x1', { userId: 'u9', name: 'Gone', status: 'viewing' });
    await doomed.presence.join('board:9', 'x2', { userId: 'u9', name: 'Gone', status: 'idle' });
    expect((await live.presence.list('board:9')).length).toBe(2);
    // A crash: no goodbye, the heartbeat just stops.
    (doomed.presence as unknown as { closed: boolean }).closed = true;
    doomed.fanout.close();
    await until(() => diffs.some((d) => d.left.length === 2), 8000);
    expect(diffs.find((d) => d.left.length === 2)?.left.sort()).toEqual(['doomed:x1', 'doomed:x2']);
    expect(await live.presence.list('board:9')).toEqual([]);
    expect(await live.redis.sismember(`${prefix}presence:nodes`, 'doomed')).toBe(0);
  });

  it('a graceful close removes its entries at once', async () => {
    const a = await node('graceful-a');
    const b = await node('graceful-b');
    await b.presence.join('board:7', 's', { userId: 'u', name: 'N', status: 'viewing' });
    await b.presence.close();
    expect(await a.presence.list('board:7')).toEqual([]);
  });
});
