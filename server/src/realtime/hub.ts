import { ideas, type Db } from '@cocreate/db';
import type { FanOut, Presence, RankChange, TickCoalescer } from '@cocreate/fanout';
import type { BoardRanking, ClientToServerEvents, RoomEvent, ServerToClientEvents } from '@cocreate/protocol';
import { and, eq, ne } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Server, Socket } from 'socket.io';
import type { Metrics } from '../plugins/metrics.js';
import { BoardHub, type WindowGroup } from './board-hub.js';
import { SlowConsumers } from './slow-consumers.js';
import { encodeEventFrame, writeFrame } from './wire.js';

export interface SocketData {
  userId: string | null;
  name: string | null;
  sessionId: string | null;
}
export type IO = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type AppSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const EVENTS = 'ev:';
/** Sockets written in one turn of the event loop during a flush. */
const WRITE_CHUNK = 200;
const REVOKE = 'revoke:';

/**
 * The node's side of the rooms: which channels it listens to (one per room with local members),
 * the boards it keeps an index of, per-room event numbering, and the tick flush that turns merged
 * rank changes into one frame per window (and per socket only where a socket has an idea open
 * outside its window).
 */
export class RealtimeHub {
  readonly boards = new Map<string, BoardHub>();
  private readonly unsubscribe = new Map<string, (() => void)[]>();
  /** idea room → its board, so open ideas keep their board's state flowing. */
  private readonly ideaBoard = new Map<string, string>();
  private readonly boardInterest = new Map<string, number>();
  private readonly localSeq = new Map<string, number>();
  readonly slow: SlowConsumers;
  /** Baseline mode only: this node's latest changes per board, broadcast through the stock adapter each tick. */
  private readonly stockPending = new Map<string, Map<string, RankChange>>();
  private stockTimer: NodeJS.Timeout | undefined;
  private readonly drainTimer: NodeJS.Timeout;

  constructor(
    readonly io: IO,
    private readonly db: Db,
    readonly fanout: FanOut,
    readonly presence: Presence,
    readonly coalescer: TickCoalescer,
    private readonly redis: Redis | null,
    private readonly prefix: string,
    private readonly metrics: Metrics,
    slowConsumer: { limitBytes: number; maxBehindMs: number },
    private readonly mode: 'cocreate' | 'naive' | 'stock-coalesced' = 'cocreate',
    tickMs = 100,
  ) {
    if (mode === 'stock-coalesced') {
      this.stockTimer = setInterval(() => this.flushStock(), tickMs);
      this.stockTimer.unref();
    }
    // A node that died took with it the counters it committed but had not published yet: read them.
    presence.onNodeGone(() => void this.refreshBoards().catch(() => undefined));
    this.slow = new SlowConsumers({
      ...slowConsumer,
      bufferedBytes: (socketId) => bufferedBytes(this.io.of('/').sockets.get(socketId)),
      send: (socketId, boardId, changes) => {
        this.io.local.to(socketId).emit('board:ranks', { boardId, changes });
        this.metrics.rankFrames.inc();
        this.metrics.rankDeliveries.inc();
      },
      disconnect: (socketId) => this.io.of('/').sockets.get(socketId)?.disconnect(true),
      onHold: () => this.metrics.slowConsumerDrops.inc(),
      onDisconnect: () => this.metrics.slowConsumerDisconnects.inc(),
    });
    this.drainTimer = setInterval(() => this.slow.drain(), 250);
    this.drainTimer.unref();
    // A socket's held frames are forgotten by the connection handler's one disconnect listener.
    const adapter = io.of('/').adapter;
    adapter.on('create-room', (room: string) => this.roomCreated(room));
    adapter.on('delete-room', (room: string) => this.roomDeleted(room));
  }

  // ---- rooms ----

  private roomCreated(room: string): void {
    if (room.startsWith('board:') || room.startsWith('idea:')) {
      const offEvents = this.fanout.subscribe(`${EVENTS}${room}`, (message) => this.deliverEvent(room, message));
      const offPresence = this.presence.subscribe(room, (diff) => this.io.local.to(room).emit('presence:diff', diff));
      this.unsubscribe.set(room, [offEvents, offPresence]);
      if (room.startsWith('board:')) this.gainInterest(room.slice('board:'.length));
    } else if (room.startsWith('community:')) {
      const offEvents = this.fanout.subscribe(`${EVENTS}${room}`, (message) => this.deliverEvent(room, message));
      this.unsubscribe.set(room, [offEvents]);
    } else if (room.startsWith('user:')) {
      const userId = room.slice('user:'.length);
      const offEvents = this.fanout.subscribe(`${EVENTS}${room}`, (message) => this.deliverEvent(room, message));
      const offRevoke = this.fanout.subscribe(`${REVOKE}${userId}`, (message) => this.revokeLocal(room, message));
      this.unsubscribe.set(room, [offEvents, offRevoke]);
    }
  }

  private roomDeleted(room: string): void {
    for (const off of this.unsubscribe.get(room) ?? []) off();
    this.unsubscribe.delete(room);
    if (room.startsWith('idea:')) {
      const boardId = this.ideaBoard.get(room);
      this.ideaBoard.delete(room);
      if (boardId) this.loseInterest(boardId);
    } else if (room.startsWith('board:')) {
      this.loseInterest(room.slice('board:'.length));
    }
  }

  /** A board's state must flow to this node while it has a board room or an open idea of it. */
  gainInterest(boardId: string): void {
    const n = (this.boardInterest.get(boardId) ?? 0) + 1;
    this.boardInterest.set(boardId, n);
    if (n === 1) this.coalescer.watch(boardId);
  }

  private loseInterest(boardId: string): void {
    const n = (this.boardInterest.get(boardId) ?? 1) - 1;
    if (n > 0) {
      this.boardInterest.set(boardId, n);
      return;
    }
    this.boardInterest.delete(boardId);
    this.coalescer.unwatch(boardId);
    this.boards.delete(boardId);
  }

  /**
   * Reads the counters of every board this node watches from the database and merges them into the
   * next tick; only what changed (a higher version) reaches sockets.
   */
  async refreshBoards(): Promise<void> {
    for (const boardId of [...this.boards.keys()]) {
      const rows = await this.db
        .select({ ideaId: ideas.id, up: ideas.up, down: ideas.down, version: ideas.version, weightedScore: ideas.weightedScore })
        .from(ideas)
        .where(and(eq(ideas.boardId, boardId), eq(ideas.hidden, false), ne(ideas.status, 'merged')));
      this.coalescer.markRefreshed(boardId, rows);
    }
  }

  /** Called when a socket joins an idea room for the first time on this node. */
  trackIdeaRoom(ideaId: string, boardId: string): void {
    const room = `idea:${ideaId}`;
    if (this.ideaBoard.has(room)) return;
    this.ideaBoard.set(room, boardId);
    this.gainInterest(boardId);
  }

  /** The board's index on this node, loaded from the database on first use. */
  async boardHub(boardId: string, ranking: BoardRanking): Promise<BoardHub> {
    let hub = this.boards.get(boardId);
    if (hub) {
      hub.ranking = ranking;
      return hub;
    }
    hub = new BoardHub(boardId, ranking);
    this.boards.set(boardId, hub);
    const rows = await this.db
      .select({ id: ideas.id, up: ideas.up, down: ideas.down, version: ideas.version, weightedScore: ideas.weightedScore, createdAt: ideas.createdAt })
      .from(ideas)
      .where(and(eq(ideas.boardId, boardId), eq(ideas.hidden, false), ne(ideas.status, 'merged')));
    hub.load(rows.map((r) => ({ ...r, createdAt: r.createdAt.getTime() })));
    return hub;
  }

  // ---- state: rank changes ----

  /** A vote committed on this node (socket or REST). */
  voteCommitted(boardId: string, change: RankChange, via: 'socket' | 'rest' = 'socket'): void {
    this.metrics.votes.inc({ via });
    this.countersChanged(boardId, change);
  }

  /** An idea's counters changed (a vote, a merge): state, coalesced per board per tick. */
  countersChanged(boardId: string, change: RankChange): void {
    if (this.mode === 'naive') {
      // Baseline: what most apps do, one broadcast per vote to every node through the stock adapter.
      this.io.to(`board:${boardId}`).emit('board:ranks', { boardId, changes: [change] });
      this.metrics.rankFrames.inc();
      return;
    }
    if (this.mode === 'stock-coalesced') {
      let board = this.stockPending.get(boardId);
      if (!board) this.stockPending.set(boardId, (board = new Map()));
      const known = board.get(change.ideaId);
      if (!known || change.version > known.version) board.set(change.ideaId, change);
      return;
    }
    this.coalescer.markLocal(boardId, change);
  }

  /**
   * Once per board per tick: one frame per window, encoded once for all its sockets. A socket gets
   * its own frame only when it has an idea open outside its window, or is a slow consumer.
   */
  flushRanks(boardId: string, changes: RankChange[]): void {
    const hub = this.boards.get(boardId);
    const frames = hub ? hub.applyAndFrame(changes, Date.now()) : [];
    const rooms = this.io.of('/').adapter.rooms;
    const custom = new Map<string, RankChange[]>();
    for (const change of changes) {
      const members = rooms.get(`idea:${change.ideaId}`);
      if (!members) continue;
      for (const socketId of members) {
        const group = hub?.groupOf(socketId);
        const covered = group && frames.some((f) => f.group === group && f.changes.some((c) => c.ideaId === change.ideaId));
        if (covered) continue;
        const list = custom.get(socketId);
        if (list) list.push(change);
        else custom.set(socketId, [change]);
      }
    }
    // As with a flush that throws (see TickCoalescer), a failed write is one board's problem for one tick.
    void this.writeWindows(boardId, hub, frames, custom).catch(() => undefined);
  }

  /**
   * Each window's frame is encoded once and written straight to its sockets' WebSockets; a socket
   * that cannot take the direct write (long polling, packets queued) gets the same event through
   * Socket.IO, in one broadcast per window. Every WRITE_CHUNK sockets the loop lets the event loop
   * run, so votes, acks and database answers do not wait for a whole flush to thousands of sockets.
   * Frames carry versions, so a frame that overtakes another (a socket that joined meanwhile) is harmless.
   */
  private async writeWindows(
    boardId: string,
    hub: BoardHub | undefined,
    frames: { group: WindowGroup; changes: RankChange[] }[],
    custom: Map<string, RankChange[]>,
  ): Promise<void> {
    const sockets = this.io.of('/').sockets;
    let written = 0;
    for (const frame of frames) {
      const payload = { boardId, changes: frame.changes };
      const wire = encodeEventFrame('board:ranks', payload);
      const fallback: string[] = [];
      let delivered = 0;
      for (const socketId of [...frame.group.members]) {
        if (custom.has(socketId)) continue;
        if (this.slow.needsCustomFrame(socketId)) {
          custom.set(socketId, []);
          continue;
        }
        const socket = sockets.get(socketId);
        if (!socket) continue;
        delivered++;
        if (!writeFrame(socket.conn, wire)) fallback.push(socketId);
        if (++written % WRITE_CHUNK === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (fallback.length > 0) this.io.local.to(fallback).emit('board:ranks', payload);
      this.metrics.rankFrames.inc();
      this.metrics.rankDeliveries.inc(delivered);
    }
    for (const [socketId, extra] of custom) {
      const group = hub?.groupOf(socketId);
      const base = frames.find((f) => f.group === group)?.changes ?? [];
      this.slow.deliver(socketId, boardId, [...base, ...extra]);
    }
  }

  /** Baseline mode only: one broadcast per board per tick per node, through the stock adapter. */
  private flushStock(): void {
    for (const [boardId, changes] of this.stockPending) {
      this.io.to(`board:${boardId}`).emit('board:ranks', { boardId, changes: [...changes.values()] });
      this.metrics.rankFrames.inc();
    }
    this.stockPending.clear();
  }

  // ---- events ----

  async currentSeq(room: string): Promise<number> {
    if (this.redis) return Number((await this.redis.get(`${this.prefix}seq:${room}`)) ?? 0);
    return this.localSeq.get(room) ?? 0;
  }

  /** Numbers an event in its room (Redis INCR in a cluster) and sends it to every node with members there. */
  async publishEvent(room: string, type: string, data: unknown): Promise<void> {
    let seq: number;
    if (this.redis) {
      try {
        seq = await this.redis.incr(`${this.prefix}seq:${room}`);
      } catch {
        // Redis is away: the event is lost for live clients, who resync when it returns.
        return;
      }
    } else {
      seq = (this.localSeq.get(room) ?? 0) + 1;
      this.localSeq.set(room, seq);
    }
    const event: RoomEvent = { room, seq, type, data };
    this.fanout.publish(`${EVENTS}${room}`, JSON.stringify(event));
  }

  /** Publishes one event to several rooms; never throws (a lost event makes clients resync). */
  emitEvent(rooms: string[], type: string, data: unknown): void {
    for (const room of rooms) void this.publishEvent(room, type, data).catch(() => undefined);
  }

  /**
   * Pushes a stored notification to the user's sockets on every node. Not a numbered event: the
   * notification is in the database, and a client that missed it finds it when it lists them.
   */
  notifyUser(userId: string, notification: { id: string; kind: string; payload: Record<string, unknown>; createdAt: string }): void {
    this.fanout.publish(`${EVENTS}user:${userId}`, JSON.stringify({ room: `user:${userId}`, seq: 0, type: 'notification', data: notification }));
  }

  private deliverEvent(room: string, message: string): void {
    let event: RoomEvent;
    try {
      event = JSON.parse(message) as RoomEvent;
    } catch {
      return;
    }
    if (event.type === 'notification' && room.startsWith('user:')) {
      this.io.local.to(room).emit('notification', event.data as Parameters<ServerToClientEvents['notification']>[0]);
      return;
    }
    if (event.type === 'idea.created' && room.startsWith('board:')) this.learnIdea(room.slice('board:'.length), event.data);
    if (event.type === 'idea.merged' && room.startsWith('board:')) this.boards.get(room.slice('board:'.length))?.remove((event.data as { sourceId?: string }).sourceId ?? '');
    if (event.type === 'idea.moderated' && room.startsWith('board:')) this.forgetHidden(room.slice('board:'.length), event.data);
    this.io.local.to(room).emit('room:event', event);
  }

  /** A new idea enters this node's index of its board, so windows can rank it. */
  private learnIdea(boardId: string, data: unknown): void {
    const idea = (data as { idea?: { id?: string; up?: number; down?: number; version?: number; weightedScore?: number; createdAt?: string } }).idea;
    const hub = this.boards.get(boardId);
    if (!hub || !idea?.id || typeof idea.version !== 'number') return;
    hub.load([
      {
        id: idea.id,
        up: idea.up ?? 0,
        down: idea.down ?? 0,
        version: idea.version,
        weightedScore: idea.weightedScore ?? 0,
        createdAt: Date.parse(idea.createdAt ?? '') || Date.now(),
      },
    ]);
  }

  /** A hidden idea leaves the windows' index; an unhidden one comes back with its real age. */
  private forgetHidden(boardId: string, data: unknown): void {
    const idea = (data as { idea?: { id?: string; hidden?: boolean } }).idea;
    if (!idea?.id) return;
    if (idea.hidden) this.boards.get(boardId)?.remove(idea.id);
    else this.learnIdea(boardId, data);
  }

  // ---- session revocation ----

  /** Closes a user's sockets on every node: all of them, or those of the given sessions. */
  revokeSessions(userId: string, sessionIds: string[] | null, reason: string): void {
    this.fanout.publish(`${REVOKE}${userId}`, JSON.stringify({ sessionIds, reason }));
  }

  private revokeLocal(room: string, message: string): void {
    let parsed: { sessionIds: string[] | null; reason: string };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    for (const socket of this.io.of('/').sockets.values()) {
      if (!socket.rooms.has(room)) continue;
      if (parsed.sessionIds && !parsed.sessionIds.includes(socket.data.sessionId ?? '')) continue;
      socket.emit('session:revoked', { reason: parsed.reason });
      socket.disconnect(true);
    }
  }

  /** Transport lost messages: reload the boards' indexes, and every client resyncs, spread over a few seconds. */
  askAllToResync(spreadMs: number): void {
    // A copy: boardHub() re-adds each board while we go.
    for (const [boardId, hub] of [...this.boards]) {
      this.boards.delete(boardId);
      void this.boardHub(boardId, hub.ranking)
        .then((fresh) => {
          for (const [socketId, group] of hub.memberships()) fresh.join(socketId, group.sort, group.limit, Date.now());
        })
        .catch(() => undefined);
    }
    for (const socket of this.io.of('/').sockets.values()) {
      socket.emit('resync', { afterMs: Math.floor(Math.random() * spreadMs) });
    }
  }

  close(): void {
    clearInterval(this.drainTimer);
    if (this.stockTimer) clearInterval(this.stockTimer);
    for (const offs of this.unsubscribe.values()) for (const off of offs) off();
    this.unsubscribe.clear();
    this.coalescer.close();
  }
}

/** Bytes written to a socket but not yet sent: the WebSocket's buffer, or queued polling packets. */
function bufferedBytes(socket: AppSocket | undefined): number {
  if (!socket) return 0;
  const conn = socket.conn as unknown as { transport?: { socket?: { bufferedAmount?: number } }; writeBuffer?: unknown[] };
  return (conn.transport?.socket?.bufferedAmount ?? 0) + (conn.writeBuffer?.length ?? 0) * 512;
}
