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
 */
export class TickCoalescer {
  private readonly localDirty = new Map<string, Map<string, RankChange>>();
  private readonly pending = new Map<string, Map<string, RankChange>>();
  private readonly watched = new Map<string, () => void>();
  private readonly timer: NodeJS.Timeout;
  private readonly channel: (boardId: string) => string;
  private ticks = 0;
  private lastTickMs = 0;

  constructor(private readonly options: TickCoalescerOptions) {
    this.channel = options.channel ?? ((boardId) => `ranks:${boardId}`);
    this.timer = setInterval(() => this.tick(), options.tickMs);
    this.timer.unref();
  }

  /** A vote committed on this node. */
  markLocal(boardId: string, change: RankChange): void {
    mergeInto(this.localDirty, boardId, change);
    if (this.watched.has(boardId)) mergeInto(this.pending, boardId, change);
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

  /** One tick: publish local batches, flush merged changes to local sockets. Public for tests. */
  tick(): void {
    const started = performance.now();
    for (const [boardId, changes] of this.localDirty) {
      const batch: Batch = { n: this.options.fanout.nodeId, t: Date.now(), c: [...changes.values()] };
      this.options.fanout.publish(this.channel(boardId), JSON.stringify(batch));
    }
    this.localDirty.clear();
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
    clearInterval(this.timer);
    for (const unsubscribe of this.watched.values()) unsubscribe();
    this.watched.clear();
  }
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
