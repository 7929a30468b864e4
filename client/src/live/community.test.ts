import type { CommunitySnapshot } from '@cocreate/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { event, FakeNetwork, FakeTransport, recorder } from './fakes';
import { GAP_GRACE_MS, LiveManager } from './manager';
import { snapshotFits } from './room';

const COMMUNITY = '44444444-4444-4444-8444-444444444444';
const room = `community:${COMMUNITY}`;
const snap = (seq: number): CommunitySnapshot => ({ communityId: COMMUNITY, seq });

let t: FakeTransport;
let live: LiveManager;
const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  t = new FakeTransport();
  live = new LiveManager({ transport: t, network: new FakeNetwork(), random: () => 0.5 });
  live.setIdentity('u1');
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LiveManager: community rooms', () => {
  it('joins with community:join, delivers events in order, sets no presence, and leaves with community:leave', async () => {
    const { log, listener } = recorder();
    const h = live.joinCommunity(COMMUNITY, listener);
    t.up();
    const join = t.take('community:join');
    expect(join.payload).toEqual({ communityId: COMMUNITY });
    t.h.server['room:event'](event(room, 3, 'roadmap.item'));
    join.resolve({ ok: true, snapshot: snap(2) });
    await flush();
    expect(log.snapshots).toEqual([{ seq: 2, resync: false }]);
    expect(log.events).toEqual([3]);
    expect(t.count('presence:set')).toBe(0);
    h.leave();
    expect(t.take('community:leave').payload).toEqual({ communityId: COMMUNITY });
  });

  it('takes a community snapshot from a resync after a gap', async () => {
    const { log, listener } = recorder();
    live.joinCommunity(COMMUNITY, listener);
    t.up();
    t.take('community:join').resolve({ ok: true, snapshot: snap(1) });
    await flush();
    t.h.server['room:event'](event(room, 3, 'changelog.published'));
    await vi.advanceTimersByTimeAsync(GAP_GRACE_MS);
    const resync = t.take('room:resync');
    expect(resync.payload).toEqual({ room });
    resync.resolve({ ok: true, snapshot: snap(3) });
    await flush();
    expect(log.snapshots).toEqual([
      { seq: 1, resync: false },
      { seq: 3, resync: true },
    ]);
    expect(t.count('community:join')).toBe(0);
  });
});

describe('LiveManager: notifications', () => {
  it('opens the connection for a listener and hands it every push', () => {
    const got: string[] = [];
    const off = live.onNotification((n) => got.push(n.id));
    expect(t.opens).toBe(1);
    t.up();
    t.h.server.notification({ id: 'n1', kind: 'digest', payload: {}, createdAt: '2026-01-01T00:00:00Z' });
    off();
    t.h.server.notification({ id: 'n2', kind: 'digest', payload: {}, createdAt: '2026-01-01T00:00:00Z' });
    expect(got).toEqual(['n1']);
  });
});

describe('snapshotFits', () => {
  it('tells the rooms’ snapshots apart, so a resync answer of another shape makes the room join again', () => {
    const board = { boardId: 'b', sort: 'top' as const, limit: 25, ideas: [], seq: 1, presence: [] };
    expect(snapshotFits('board', board)).toBe(true);
    expect(snapshotFits('community', board)).toBe(false);
    expect(snapshotFits('community', snap(1))).toBe(true);
    expect(snapshotFits('idea', snap(1))).toBe(false);
    expect(snapshotFits('board', snap(1))).toBe(false);
  });
});
