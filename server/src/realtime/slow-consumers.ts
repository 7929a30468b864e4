import type { RankChange } from '@cocreate/protocol';

export interface SlowConsumerOptions {
  /** Bytes a socket may have waiting to be written before it counts as slow. */
  limitBytes: number;
  /** How long a socket may stay slow before it is disconnected (it reconnects and resyncs). */
  maxBehindMs: number;
  /** Bytes waiting on the socket's connection. */
  bufferedBytes(socketId: string): number;
  send(socketId: string, boardId: string, changes: RankChange[]): void;
  disconnect(socketId: string): void;
  onHold?(): void;
  onDisconnect?(): void;
}

interface Held {
  since: number;
  changes: Map<string, RankChange>;
}

/**
 * One slow client never slows a room: while a socket's unwritten data is over the limit, its state
 * frames are held back and collapsed to the latest version of each idea; when it catches up it gets
 * them as one frame; if it stays behind too long it is disconnected, to resync when it returns.
 * State may be collapsed because the next version supersedes the last; events are never held here.
 */
export class SlowConsumers {
  private readonly held = new Map<string, Map<string, Held>>();

  constructor(private readonly options: SlowConsumerOptions) {}

  isSlow(socketId: string): boolean {
    return this.options.bufferedBytes(socketId) > this.options.limitBytes;
  }

  /** Whether this socket must get its own frame this tick (it is slow, or has held changes). */
  needsCustomFrame(socketId: string): boolean {
    return this.held.has(socketId) || this.isSlow(socketId);
  }

  deliver(socketId: string, boardId: string, changes: RankChange[], now = Date.now()): void {
    if (this.isSlow(socketId)) {
      this.hold(socketId, boardId, changes, now);
      return;
    }
    const byBoard = this.held.get(socketId);
    const held = byBoard?.get(boardId);
    if (held) {
      for (const c of changes) merge(held.changes, c);
      byBoard?.delete(boardId);
      if (byBoard?.size === 0) this.held.delete(socketId);
      this.options.send(socketId, boardId, [...held.changes.values()]);
      return;
    }
    if (changes.length > 0) this.options.send(socketId, boardId, changes);
  }

  /** Sends what caught-up sockets were owed; disconnects those behind for too long. Run on a timer. */
  drain(now = Date.now()): void {
    for (const [socketId, byBoard] of [...this.held]) {
      if (this.isSlow(socketId)) {
        const oldest = Math.min(...[...byBoard.values()].map((h) => h.since));
        if (now - oldest > this.options.maxBehindMs) {
          this.forget(socketId);
          this.options.onDisconnect?.();
          this.options.disconnect(socketId);
        }
        continue;
      }
      this.held.delete(socketId);
      for (const [boardId, held] of byBoard) this.options.send(socketId, boardId, [...held.changes.values()]);
    }
  }

  forget(socketId: string): void {
    this.held.delete(socketId);
  }

  get heldSockets(): number {
    return this.held.size;
  }

  private hold(socketId: string, boardId: string, changes: RankChange[], now: number): void {
    let byBoard = this.held.get(socketId);
    if (!byBoard) this.held.set(socketId, (byBoard = new Map()));
    let held = byBoard.get(boardId);
    if (!held) byBoard.set(boardId, (held = { since: now, changes: new Map() }));
    for (const c of changes) merge(held.changes, c);
    this.options.onHold?.();
    if (now - held.since > this.options.maxBehindMs) {
      this.forget(socketId);
      this.options.onDisconnect?.();
      this.options.disconnect(socketId);
    }
  }
}

function merge(target: Map<string, RankChange>, change: RankChange): void {
  const known = target.get(change.ideaId);
  if (!known || change.version > known.version) target.set(change.ideaId, change);
}
