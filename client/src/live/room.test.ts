import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BOARD, boardSnap, event, FakeNetwork, FakeTransport, IDEA, ideaSnap, member, recorder } from './fakes';
import { GAP_GRACE_MS, LiveManager } from './manager';

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

describe('LiveManager: rooms', () => {
  it('connects once on first use and joins a board with its window', async () => {
    const { log, listener } = recorder();
    live.joinBoard(BOARD, { sort: 'trending', limit: 30 }, listener);
    live.joinIdea(IDEA, {});
    expect(t.opens).toBe(1);
    t.up();
    const join = t.take('board:join');
    expect(join.payload).toEqual({ boardId: BOARD, sort: 'trending', limit: 30 });
    t.take('idea:join').resolve({ ok: true, snapshot: ideaSnap(0) });
    join.resolve({ ok: true, snapshot: boardSnap(3, [member('k1', 'Ada')]) });
    await flush();
    expect(log.snapshots).toEqual([{ seq: 3, resync: false }]);
    expect(log.presence.at(-1)).toEqual(['Ada:viewing']);
  });

  it('holds events until the snapshot, applies them in order, and resyncs a gap that stays open', async () => {
    const { log, listener } = recorder();
    live.joinBoard(BOARD, {}, listener);
    t.up();
    const room = `board:${BOARD}`;
    t.h.server['room:event'](event(room, 5));
    t.h.server['room:event'](event(room, 6));
    t.take('board:join').resolve({ ok: true, snapshot: boardSnap(5) });
    await flush();
    expect(log.events).toEqual([6]);

    // 8 comes before 7: a short grace, and 7 arrives in time.
    t.h.server['room:event'](event(room, 8));
    t.h.server['room:event'](event(room, 7));
    expect(log.events).toEqual([6, 7, 8]);
    await vi.advanceTimersByTimeAsync(GAP_GRACE_MS * 2);
    expect(t.count('room:resync')).toBe(0);

    // 10 without 9: after the grace, ask for a snapshot; 11 arrives meanwhile and is kept.
    t.h.server['room:event'](event(room, 10));
    await vi.advanceTimersByTimeAsync(GAP_GRACE_MS);
    const resync = t.take('room:resync');
    expect(resync.payload).toEqual({ room });
    t.h.server['room:event'](event(room, 11));
    resync.resolve({ ok: true, snapshot: boardSnap(10) });
    await flush();
    expect(log.events).toEqual([6, 7, 8, 11]);
    expect(log.snapshots.at(-1)).toEqual({ seq: 10, resync: true });
  });

  it('drops an ack that belongs to a previous connection', async () => {
    const { log, listener } = recorder();
    live.joinBoard(BOARD, {}, listener);
    t.up();
    const stale = t.take('board:join');
    t.down();
    t.up();
    stale.resolve({ ok: true, snapshot: boardSnap(1) });
    await flush();
    expect(log.snapshots).toEqual([]);
    t.take('board:join').resolve({ ok: true, snapshot: boardSnap(2) });
    await flush();
    expect(log.snapshots).toEqual([{ seq: 2, resync: false }]);
  });

  it('falls back to a join when the server no longer has the socket in the room', async () => {
    live.joinIdea(IDEA, {});
    t.up();
    t.take('idea:join').resolve({ ok: true, snapshot: ideaSnap(1) });
    await flush();
    t.h.server.resync({ afterMs: 0 });
    await flush();
    t.take('room:resync').resolve({ ok: false, code: 'FORBIDDEN', message: 'join the room first' });
    await flush();
    expect(t.count('idea:join')).toBe(1);
  });

  it('keeps presence from the snapshot and diffs, and sends the viewer’s status once per change', async () => {
    const { log, listener } = recorder();
    live.setIdentity('me');
    live.joinIdea(IDEA, listener);
    live.setPresence(`idea:${IDEA}`, 'typing');
    t.up();
    expect(t.count('presence:set')).toBe(0);
    t.take('idea:join').resolve({ ok: true, snapshot: { ...ideaSnap(1), presence: [member('k1', 'Ada')] } });
    await flush();
    const set = t.take('presence:set');
    expect(set.payload).toEqual({ room: `idea:${IDEA}`, status: 'typing' });
    set.resolve({ ok: true });
    live.setPresence(`idea:${IDEA}`, 'typing');
    expect(t.count('presence:set')).toBe(0);

    t.h.server['presence:diff']({ room: `idea:${IDEA}`, joined: [member('k2', 'Bo')], left: ['k1'], updated: [] });
    t.h.server['presence:diff']({ room: `idea:${IDEA}`, joined: [], left: [], updated: [member('k2', 'Bo', 'typing')] });
    expect(log.presence.at(-1)).toEqual(['Bo:typing']);

    // A new connection starts as 'viewing' on the server: typing is sent again after the join.
    t.down();
    t.up();
    t.take('idea:join').resolve({ ok: true, snapshot: ideaSnap(2) });
    await flush();
    expect(t.take('presence:set').payload).toEqual({ room: `idea:${IDEA}`, status: 'typing' });
  });

  it('guests send no presence', async () => {
    live.setIdentity(null);
    live.joinIdea(IDEA, {});
    t.up();
    t.take('idea:join').resolve({ ok: true, snapshot: ideaSnap(1) });
    await flush();
    live.setPresence(`idea:${IDEA}`, 'typing');
    expect(t.count('presence:set')).toBe(0);
  });

  it('shares a room between listeners and leaves it with the last one', async () => {
    const a = recorder();
    const b = recorder();
    const ha = live.joinIdea(IDEA, a.listener);
    t.up();
    t.take('idea:join').resolve({ ok: true, snapshot: ideaSnap(7) });
    await flush();
    const hb = live.joinIdea(IDEA, b.listener);
    expect(b.log.snapshots).toEqual([{ seq: 7, resync: false }]);
    expect(t.count('idea:join')).toBe(0);
    ha.leave();
    expect(t.count('idea:leave')).toBe(0);
    hb.leave();
    expect(t.take('idea:leave').payload).toEqual({ ideaId: IDEA });
  });

  it('joins again with a new window, and reports a refused room', async () => {
    const { log, listener } = recorder();
    const h = live.joinBoard(BOARD, { sort: 'top', limit: 25 }, listener);
    t.up();
    t.take('board:join').resolve({ ok: false, code: 'NOT_FOUND', message: 'no such board' });
    await flush();
    expect(log.errors).toEqual(['NOT_FOUND']);
    expect(live.connection.get().syncing).toBe(false);
    h.setWindow({ sort: 'top', limit: 25 });
    expect(t.count('board:join')).toBe(0);
    h.setWindow({ sort: 'new', limit: 50 });
    expect(t.take('board:join').payload).toEqual({ boardId: BOARD, sort: 'new', limit: 50 });
  });

  it('retries a join that got no answer', async () => {
    live.joinIdea(IDEA, {});
    t.up();
    t.take('idea:join').reject(new Error('operation has timed out'));
    await flush();
    expect(t.count('idea:join')).toBe(0);
    await vi.advanceTimersByTimeAsync(2000);
    expect(t.count('idea:join')).toBe(1);
  });
});
