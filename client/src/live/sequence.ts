/**
 * Per-room event numbering. Events carry the room's `seq`; a client applies them in order, holds
 * early ones for a moment (two nodes may publish 5 and 6 in either order), and asks for a
 * snapshot when a number stays missing. Until the first snapshot arrives, events are held, then
 * those after the snapshot's seq are released.
 */

export interface Sequenced {
  seq: number;
}

export interface SequenceOutcome<T> {
  /** Events to apply now, in order. */
  ready: T[];
  /** Held events wait behind a missing number: ask for a snapshot if it stays missing. */
  gap: boolean;
}

/** How many early events a room holds before it gives up on them (a snapshot follows anyway). */
const MAX_HELD = 1000;

export class RoomSequence<T extends Sequenced> {
  /** The last applied seq; null while waiting for a snapshot. */
  private last: number | null = null;
  private readonly held = new Map<number, T>();

  /** True while the room waits for a snapshot (events are held, not applied). */
  get waiting(): boolean {
    return this.last === null;
  }

  get lastSeq(): number | null {
    return this.last;
  }

  /** Whether held events wait behind a missing number. */
  get hasGap(): boolean {
    return this.last !== null && this.held.size > 0;
  }

  /** Stop applying: a snapshot was asked for (join, reconnect, resync). Later events are held. */
  hold(): void {
    this.last = null;
  }

  /** A snapshot taken at `seq` arrived: everything up to it is in the snapshot. */
  base(seq: number): SequenceOutcome<T> {
    this.last = seq;
    for (const n of [...this.held.keys()]) if (n <= seq) this.held.delete(n);
    return this.drain();
  }

  push(event: T): SequenceOutcome<T> {
    if (this.last !== null && event.seq <= this.last) return { ready: [], gap: this.hasGap };
    if (this.held.size >= MAX_HELD) this.dropOldest();
    this.held.set(event.seq, event);
    if (this.last === null) return { ready: [], gap: false };
    return this.drain();
  }

  private drain(): SequenceOutcome<T> {
    const ready: T[] = [];
    for (;;) {
      const next = (this.last ?? 0) + 1;
      const event = this.held.get(next);
      if (!event) break;
      this.held.delete(next);
      this.last = next;
      ready.push(event);
    }
    return { ready, gap: this.held.size > 0 };
  }

  private dropOldest(): void {
    const oldest = Math.min(...this.held.keys());
    this.held.delete(oldest);
  }
}
