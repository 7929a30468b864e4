import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bannerFor } from './connection';
import { BOARD, boardSnap, event, FakeNetwork, FakeTransport, IDEA, ideaSnap, recorder } from './fakes';
import { LiveManager } from './manager';

let t: FakeTransport;
let net: FakeNetwork;
let live: LiveManager;
const flush = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  t = new FakeTransport();
  net = new FakeNetwork();
  live = new LiveManager({ transport: t, network: net, random: () => 0.5 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LiveManager: the connection', () => {
  it('re-joins every room after a reconnect and reports the connection on the way', async () => {
    const { log, listener } = recorder();
    live.joinBoard(BOARD, { sort: 'top', limit: 25 }, listener);
    t.up();
    t.take('board:join').resolve({ ok: true, snapshot: boardSnap(1) });
    await flush();
    expect(bannerFor(live.connection.get())).toBeNull();

    t.down();
    expect(bannerFor(live.connection.get())?.text).toBe('Reconnecting…');
    // An event on the old connection's tail is not applied: the snapshot will cover it.
    t.h.server['room:event'](event(`board:${BOARD}`, 2));
    expect(log.events).toEqual([]);

    t.up();
    expect(bannerFor(live.connection.get())?.kind).toBe('catching-up');
    const again = t.take('board:join');
    expect(again.payload).toEqual({ boardId: BOARD, sort: 'top', limit: 25 });
    again.resolve({ ok: true, snapshot: boardSnap(4) });
    await flush();
    expect(log.snapshots).toEqual([
      { seq: 1, resync: false },
      { seq: 4, resync: true },
    ]);
    expect(bannerFor(live.connection.get())).toBeNull();
  });

  it('resyncs every room after the jitter the server asks for', async () => {
    live.joinBoard(BOARD, {}, {});
    live.joinIdea(IDEA, {});
    t.up();
    t.take('board:join').resolve({ ok: true, snapshot: boardSnap(1) });
    t.take('idea:join').resolve({ ok: true, snapshot: ideaSnap(1) });
    await flush();
    t.h.server.resync({ afterMs: 1200 });
    await vi.advanceTimersByTimeAsync(1100);
    expect(t.count('room:resync')).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(t.sent.filter((p) => p.event === 'room:resync').map((p) => p.payload)).toEqual([
      { room: `board:${BOARD}` },
      { room: `idea:${IDEA}` },
    ]);
  });

  it('signs out on a revoked session, but only reconnects after a ban', async () => {
    const signedOut: string[] = [];
    live.onSignedOut((r) => signedOut.push(r));
    live.setIdentity('u1');
    live.joinBoard(BOARD, {}, {});
    t.up();
    t.h.server['session:revoked']({ reason: 'banned' });
    t.active = false;
    t.down('io server disconnect');
    expect(signedOut).toEqual([]);
    const opens = t.opens;
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.opens).toBe(opens + 1);
    t.active = true;
    t.up();

    t.h.server['session:revoked']({ reason: 'password changed' });
    t.down('io server disconnect');
    expect(signedOut).toEqual(['password changed']);
    // The screen forgets the user, and the next connection is a guest's.
    live.setIdentity(null);
    expect(t.opens).toBe(opens + 2);
  });

  it('reconnects with a growing delay after repeated server-side closes', async () => {
    live.joinBoard(BOARD, {}, {});
    const first = t.opens;
    t.up();
    t.down('io server disconnect');
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.opens).toBe(first + 1);
    t.up();
    t.down('io server disconnect');
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.opens).toBe(first + 1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.opens).toBe(first + 2);
  });

  it('reconnects when the signed-in user changes, not when it is first learned', () => {
    live.setIdentity(null);
    live.joinBoard(BOARD, {}, {});
    t.up();
    live.setIdentity(null);
    expect(t.closes).toBe(0);
    live.setIdentity('u1');
    expect(t.closes).toBe(1);
    expect(t.opens).toBe(2);
  });

  it('passes rank frames to every listener', () => {
    const frames: string[] = [];
    const off = live.onRanks((f) => frames.push(f.boardId));
    t.h.server['board:ranks']({ boardId: BOARD, changes: [] });
    off();
    t.h.server['board:ranks']({ boardId: BOARD, changes: [] });
    expect(frames).toEqual([BOARD]);
  });

  it('goes quiet while the browser is offline and catches up when it is back', async () => {
    const { log, listener } = recorder();
    live.joinBoard(BOARD, {}, listener);
    t.up();
    t.take('board:join').resolve({ ok: true, snapshot: boardSnap(1) });
    await flush();
    net.set(false);
    expect(t.connected).toBe(false);
    expect(bannerFor(live.connection.get())?.kind).toBe('offline');
    const opens = t.opens;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.opens).toBe(opens);
    net.set(true);
    expect(t.opens).toBe(opens + 1);
    expect(bannerFor(live.connection.get())?.kind).toBe('reconnecting');
    t.up();
    t.take('board:join').resolve({ ok: true, snapshot: boardSnap(9) });
    await flush();
    expect(log.snapshots.at(-1)).toEqual({ seq: 9, resync: true });
    expect(bannerFor(live.connection.get())).toBeNull();
  });

  it('starts offline without trying to connect', () => {
    net.isOnline = false;
    const offline = new LiveManager({ transport: t, network: net });
    offline.joinBoard(BOARD, {}, {});
    expect(t.opens).toBe(0);
    expect(offline.connection.get().phase).toBe('offline');
  });
});
