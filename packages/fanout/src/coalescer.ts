import { createHash } from 'node:crypto';
import type { RankChange } from '@cocreate/protocol';
import type { FanOut } from './types.js';

export type { RankChange };

interface Batch {
  /** origin node */
  n: string;
  /** when the origin published it (ms since epoch), for the fan-out lag metric */
  t: number;
  c: RankChange[];
}

export interface TickCoalescerOptions {
  fanout: FanOut;
  tickMs: number;
  /**
   * How long after publishing its own batches a node flushes to its sockets (default: between a
   * tenth and a quarter of the tick, per node). Every node publishes on the same wall-clock
   * boundaries, so the batches of the other nodes arrive within this window and go out in the same
   * frame: a change reaches a socket on another node about one tick after its commit, not two.
   */
  flushDelayMs?: number;
  /** Called at most once per board per tick with everything that changed (local and remote). */
  flush(boardId: string, changes: RankChange[]): void;
  /** Channel of a board's state batches. */
  channel?: (boardId: string) => string;
  /** Observes each remote batch's age on arrival, and each tick's duration (ms), for metrics. */
  onRemoteBatch?: (lagMs: number) => void;
  onTick?: (durationMs: number) => void;
}

/**
 * Votes are never broadcast one by one. Local commits mark their idea dirty; every tick the node
 * publishes one batch per board with the latest counters it changed, and merges the batches other
 * nodes sent into the same local flush, so a socket gets at most one state frame per board per tick.
 * Merging keeps the highest version per idea, so order of arrival does not matter.
 *
 * Ticks are aligned to the wall clock (multiples of tickMs) on every node, and each tick is split
 * in two: publish at the boundary, flush `flushDelayMs` later. A batch that arrives after the flush
 * waits for the next one; nothing is lost, it is only a tick later.
 */
export class TickCoalescer {
  private readonly localDirty = new Map<string, Map<string, RankChange>>();
  private readonly pending = new Map<string, Map<string, RankChange>>();
  private readonly watched = new Map<string, () => void>();
  private timer: NodeJS.Timeout | null = null;
  private readonly channel: (boardId: string) => string;
  private readonly flushDelayMs: number;
  private ticks = 0;
  private lastTickMs = 0;
  private closed = false;

  constructor(private readonly options: TickCoalescerOptions) {
    this.channel = options.channel ?? ((boardId) => `ranks:${boardId}`);
    // Each node flushes at its own point between a tenth and a quarter of the tick: late enough for
    // the batches published at the boundary to have arrived (a Redis hop takes well under a
    // millisecond here), early enough that a change waits little more than the tick itself, and not
    // all nodes at the same instant (their flushes to thousands of sockets would collide on shared
    // machines). A batch that misses the flush goes out with the next one.
    const spreadMs = spread(options.fanout.nodeId) * options.tickMs * 0.15;
    this.flushDelayMs = Math.min(options.flushDelayMs ?? Math.round(options.tickMs / 10 + spreadMs), options.tickMs - 1);
    this.scheduleTick();
  }

  /** The next publish at the next wall-clock multiple of tickMs, its flush flushDelayMs later. */
  private scheduleTick(): void {
    if (this.closed) return;
    const now = Date.now();
    const boundary = Math.floor(now / this.options.tickMs + 1) * this.options.tickMs;
    this.timer = setTimeout(() => {
      this.publish();
      this.timer = setTimeout(() => {
        this.flush();
        this.scheduleTick();
      }, this.flushDelayMs);
      this.timer.unref();
    }, boundary - now);
    this.timer.unref();
  }

  /** A vote committed on this node. */
  markLocal(boardId: string, change: RankChange): void {
    mergeInto(this.localDirty, boardId, change);
    if (this.watched.has(boardId)) mergeInto(this.pending, boardId, change);
  }

  /**
   * Counters read from the database (after another node died, say): flushed with the next tick like
   * a remote batch; the highest version wins, so what sockets already have is not sent again.
   */
  markRefreshed(boardId: string, changes: RankChange[]): void {
    if (!this.watched.has(boardId)) return;
    for (const change of changes) mergeInto(this.pending, boardId, change);
  }

  /** Starts receiving a board's batches from other nodes (while this node has watchers there). */
  watch(boardId: string): void {
    if (this.watched.has(boardId)) return;
    const unsubscribe = this.options.fanout.subscribe(this.channel(boardId), (message) => {
      let batch: Batch;
      try {
        batch = JSON.parse(message) as Batch;
      } catch {
        return;
      }
      if (batch.n === this.options.fanout.nodeId || !Array.isArray(batch.c)) return;
      if (typeof batch.t === 'number') this.options.onRemoteBatch?.(Date.now() - batch.t);
      for (const change of batch.c) mergeInto(this.pending, boardId, change);
    });
    this.watched.set(boardId, unsubscribe);
  }

  unwatch(boardId: string): void {
    this.watched.get(boardId)?.();
    this.watched.delete(boardId);
    this.pending.delete(boardId);
  }

  /** One whole tick at once: publish local batches, flush merged changes to local sockets. For tests. */
  tick(): void {
    this.publish();
    this.flush();
  }

  /** Sends this node's batches to the other nodes. */
  private publish(): void {
    for (const [boardId, changes] of this.localDirty) {
      const batch: Batch = { n: this.options.fanout.nodeId, t: Date.now(), c: [...changes.values()] };
      this.options.fanout.publish(this.channel(boardId), JSON.stringify(batch));
    }
    this.localDirty.clear();
  }

  /** Writes everything that changed (here and elsewhere) since the last flush to this node's sockets. */
  private flush(): void {
    const started = performance.now();
    const flushing = [...this.pending];
    this.pending.clear();
    for (const [boardId, changes] of flushing) {
      try {
        this.options.flush(boardId, [...changes.values()]);
      } catch {
        // A failing flush is one board's problem, never the tick's.
      }
    }
    this.ticks++;
    this.lastTickMs = performance.now() - started;
    this.options.onTick?.(this.lastTickMs);
  }

  stats() {
    return { ticks: this.ticks, lastTickMs: this.lastTickMs, watchedBoards: this.watched.size };
  }

  close(): void {
    // What this node committed since its last tick still reaches the other nodes.
    if (!this.closed) this.publish();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const unsubscribe of this.watched.values()) unsubscribe();
    this.watched.clear();
  }
}

/** A stable number in [0, 1) from a node id: ids that differ in one letter land far apart. */
function spread(nodeId: string): number {
  return createHash('sha256').update(nodeId).digest().readUInt32BE(0) / 2 ** 32;
}

function mergeInto(target: Map<string, Map<string, RankChange>>, boardId: string, change: RankChange): void {
  let board = target.get(boardId);
  if (!board) target.set(boardId, (board = new Map()));
  const known = board.get(change.ideaId);
  if (!known || change.version > known.version) board.set(change.ideaId, change);
}

/** Applies changes to a client's view: the highest version of each idea wins. */
export function applyRankChanges<T extends RankChange>(current: Map<string, T>, changes: RankChange[]): string[] {
  const changed: string[] = [];
  for (const change of changes) {
    const known = current.get(change.ideaId);
    if (known && change.version <= known.version) continue;
    current.set(change.ideaId, { ...(known as T), ...change });
    changed.push(change.ideaId);
  }
  return changed;
}
