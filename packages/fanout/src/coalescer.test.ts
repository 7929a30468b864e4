import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyRankChanges, type RankChange, TickCoalescer } from './coalescer.js';
import { MemoryFanOut } from './memory.js';
import { RedisFanOut } from './redis.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('TickCoalescer', () => {
  it('flushes at most once per board per tick, with the highest version of each idea', () => {
    const flushes: [string, RankChange[]][] = [];
    const c = new TickCoalescer({ fanout: new MemoryFanOut('n'), tickMs: 60_000, flush: (b, ch) => flushes.push([b, ch]) });
    c.watch('b1');
    c.markLocal('b1', { ideaId: 'i1', up: 1, down: 0, version: 2 });
    c.markLocal('b1', { ideaId: 'i1', up: 3, down: 0, version: 4 });
    c.markLocal('b1', { ideaId: 'i1', up: 2, down: 0, version: 3 });
    c.markLocal('b1', { ideaId: 'i2', up: 1, down: 1, version: 7 });
    c.markLocal('b2', { ideaId: 'i3', up: 1, down: 0, version: 2 });
    c.tick();
    c.tick();
    expect(flushes).toEqual([
      [
        'b1',
        [
          { ideaId: 'i1', up: 3, down: 0, version: 4 },
          { ideaId: 'i2', up: 1, down: 1, version: 7 },
        ],
      ],
    ]);
    c.close();
  });

  it('merges other nodes’ batches into the same flush (real Redis, two nodes)', async () => {
    const prefix = `cctest:${randomBytes(4).toString('hex')}:`;
    const fa = await RedisFanOut.connect({ url: REDIS_URL, nodeId: 'A', prefix });
    const fb = await RedisFanOut.connect({ url: REDIS_URL, nodeId: 'B', prefix });
    const atB: RankChange[][] = [];
    const ca = new TickCoalescer({ fanout: fa, tickMs: 60_000, flush: () => undefined });
    const cb = new TickCoalescer({ fanout: fb, tickMs: 60_000, flush: (_b, ch) => atB.push(ch) });
    try {
      cb.watch('board');
      await new Promise((r) => setTimeout(r, 100));
      for (let v = 2; v <= 50; v++) ca.markLocal('board', { ideaId: 'hot', up: v - 1, down: 0, version: v });
      cb.markLocal('board', { ideaId: 'other', up: 5, down: 0, version: 9 });
      ca.tick();
      await new Promise((r) => setTimeout(r, 100));
      cb.tick();
      expect(atB).toHaveLength(1);
      expect(atB[0]).toEqual(
        expect.arrayContaining([
          { ideaId: 'hot', up: 49, down: 0, version: 50 },
          { ideaId: 'other', up: 5, down: 0, version: 9 },
        ]),
      );
      expect(fa.stats().published).toBe(1);
    } finally {
      ca.close();
      cb.close();
      await fa.close();
      await fb.close();
    }
  });
});

describe('applyRankChanges', () => {
  it('ignores stale versions whatever the order of arrival', () => {
    const view = new Map([['i', { ideaId: 'i', up: 5, down: 0, version: 5, title: 'kept' }]]);
    expect(applyRankChanges(view, [{ ideaId: 'i', up: 4, down: 0, version: 4 }])).toEqual([]);
    expect(applyRankChanges(view, [{ ideaId: 'i', up: 6, down: 1, version: 7 }])).toEqual(['i']);
    expect(view.get('i')).toEqual({ ideaId: 'i', up: 6, down: 1, version: 7, title: 'kept' });
  });
});
