import type { RankChange } from '@cocreate/protocol';
import { describe, expect, it } from 'vitest';
import { SlowConsumers } from './slow-consumers.js';

// The buffered byte count is a stand-in here: filling a real socket's buffers on loopback takes
// megabytes of kernel buffer first, so the policy is pinned down with a controllable reading.
function setup(maxBehindMs = 1000) {
  const buffered = new Map<string, number>();
  const sent: [string, RankChange[]][] = [];
  const disconnected: string[] = [];
  const slow = new SlowConsumers({
    limitBytes: 1000,
    maxBehindMs,
    bufferedBytes: (id) => buffered.get(id) ?? 0,
    send: (id, _board, changes) => sent.push([id, changes]),
    disconnect: (id) => disconnected.push(id),
  });
  return { slow, buffered, sent, disconnected };
}
const c = (ideaId: string, version: number): RankChange => ({ ideaId, up: version, down: 0, version });

describe('slow consumers', () => {
  it('sends at once to a socket that keeps up', () => {
    const { slow, sent } = setup();
    slow.deliver('s', 'b', [c('i', 2)]);
    expect(sent).toEqual([['s', [c('i', 2)]]]);
  });

  it('holds and collapses frames for a slow socket, then sends one frame when it catches up', () => {
    const { slow, buffered, sent } = setup();
    buffered.set('s', 5000);
    slow.deliver('s', 'b', [c('i', 2), c('j', 3)], 0);
    slow.deliver('s', 'b', [c('i', 5)], 10);
    slow.deliver('s', 'b', [c('i', 4)], 20);
    expect(sent).toEqual([]);
    expect(slow.needsCustomFrame('s')).toBe(true);
    buffered.set('s', 0);
    slow.drain(30);
    expect(sent).toEqual([['s', [c('i', 5), c('j', 3)]]]);
    expect(slow.needsCustomFrame('s')).toBe(false);
  });

  it('merges held changes into the next live frame instead of sending two', () => {
    const { slow, buffered, sent } = setup();
    buffered.set('s', 5000);
    slow.deliver('s', 'b', [c('i', 2)], 0);
    buffered.set('s', 0);
    slow.deliver('s', 'b', [c('k', 9)], 10);
    expect(sent).toEqual([['s', [c('i', 2), c('k', 9)]]]);
  });

  it('disconnects a socket that stays behind longer than allowed, and only it', () => {
    const { slow, buffered, sent, disconnected } = setup(100);
    buffered.set('slow', 5000);
    slow.deliver('slow', 'b', [c('i', 2)], 0);
    slow.deliver('fast', 'b', [c('i', 2)], 0);
    slow.drain(50);
    expect(disconnected).toEqual([]);
    slow.drain(150);
    expect(disconnected).toEqual(['slow']);
    expect(sent).toEqual([['fast', [c('i', 2)]]]);
    expect(slow.heldSockets).toBe(0);
  });
});
