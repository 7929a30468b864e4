/**
 * One joined room (`board:<id>`, `idea:<id>` or `community:<id>`) on the live connection: its join and resync
 * requests, its events in `seq` order (held until a snapshot, gaps closed by a snapshot), its
 * presence, and the viewer's own presence status. The manager owns the connection and the rooms.
 */
import type { BoardSnapshot, CommunitySnapshot, IdeaSnapshot, IdeaSort, PresenceState, RankChange, RoomEvent } from '@cocreate/protocol';
import { applyPresenceDiff, type PresenceDiff, type PresenceMap, presenceFromList } from './presence';
import { RoomSequence, type SequenceOutcome } from './sequence';
import type { LiveTransport } from './transport';

export type RoomKind = 'board' | 'idea' | 'community';
export type SnapshotOf<K extends RoomKind> = K extends 'board' ? BoardSnapshot : K extends 'idea' ? IdeaSnapshot : CommunitySnapshot;
type AnySnapshot = BoardSnapshot | IdeaSnapshot | CommunitySnapshot;

export interface RoomListener<K extends RoomKind> {
  /** A snapshot of the room: on join (`resync: false`), and after anything was missed (`resync: true`). */
  snapshot?(snapshot: SnapshotOf<K>, info: { resync: boolean }): void;
  /** The room's events, in seq order, each once. */
  event?(event: RoomEvent): void;
  presence?(members: PresenceMap): void;
  /** The server refused the room (not found, forbidden). */
  error?(error: { code: string; message: string }): void;
}

/** The part of a board a screen shows: its sort and first N ideas. */
export interface BoardWindow {
  sort?: IdeaSort;
  limit?: number;
}

export interface RankFrame {
  boardId: string;
  changes: RankChange[];
}

/** How long a missing event number may stay missing before the room asks for a snapshot. */
export const GAP_GRACE_MS = 500;
/** Retry delay after a join or resync got no ack. */
export const RETRY_MS = 2000;

/** What a room needs from its manager. */
export interface RoomHost {
  readonly transport: LiveTransport;
  /** The room is still the manager's (not left meanwhile). */
  owns(room: LiveRoom): boolean;
  /** False for a guest, who has no presence to set. */
  signedIn(): boolean;
  /** A room's synced/failed state changed. */
  syncChanged(): void;
}

type Timer = ReturnType<typeof setTimeout>;
type AnyListener = RoomListener<RoomKind>;

export class LiveRoom {
  readonly name: string;
  readonly listeners = new Set<AnyListener>();
  private readonly sequence = new RoomSequence<RoomEvent>();
  private presence: PresenceMap = new Map();
  private snapshot: AnySnapshot | null = null;
  /** Has its snapshot on this connection. */
  synced = false;
  private everSynced = false;
  /** The server refused it; it waits for the next connection. */
  failed = false;
  /** Bumped by every request and by a disconnect, so a late ack is recognised and dropped. */
  private token = 0;
  private timer: Timer | undefined;
  private gapTimer: Timer | undefined;
  /** What the server holds for this connection; null before the join. */
  private sentStatus: PresenceState | null = null;

  constructor(
    readonly kind: RoomKind,
    readonly id: string,
    private window: BoardWindow,
    private status: PresenceState,
    private readonly host: RoomHost,
  ) {
    this.name = `${kind}:${id}`;
  }

  /** Adds a listener; one that comes after the snapshot gets it at once. */
  add(listener: AnyListener): void {
    this.listeners.add(listener);
    if (this.synced && this.snapshot) {
      listener.snapshot?.(this.snapshot, { resync: false });
      listener.presence?.(this.presence);
    }
  }

  setWindow(window: BoardWindow): void {
    if (this.window.sort === window.sort && this.window.limit === window.limit) return;
    this.window = window;
    this.join();
  }

  setStatus(status: PresenceState): void {
    this.status = status;
    this.sendStatus();
  }

  join(): void {
    const { transport } = this.host;
    if (!transport.connected || !this.host.owns(this)) return;
    const token = this.begin();
    const request: Promise<{ ok: true; snapshot: AnySnapshot } | { ok: false; code: string; message: string }> =
      this.kind === 'board'
        ? transport.request('board:join', { boardId: this.id, ...this.window })
        : this.kind === 'idea'
          ? transport.request('idea:join', { ideaId: this.id })
          : transport.request('community:join', { communityId: this.id });
    request.then(
      (ack) => {
        if (!this.isCurrent(token)) return;
        if (ack.ok) this.applySnapshot(ack.snapshot);
        else this.refused(ack);
      },
      () => this.retryLater(token, () => this.join()),
    );
  }

  /** Asks for a fresh snapshot (a gap, or the server's resync). */
  resync(): void {
    if (!this.host.transport.connected || !this.everSynced) {
      this.join();
      return;
    }
    const token = this.begin();
    this.host.transport.request('room:resync', { room: this.name }).then(
      (ack) => {
        if (!this.isCurrent(token)) return;
        // Not in the room any more (e.g. the server restarted its side), or an answer of another
        // room's shape: join again.
        if (ack.ok && snapshotFits(this.kind, ack.snapshot)) this.applySnapshot(ack.snapshot);
        else this.join();
      },
      () => this.retryLater(token, () => this.resync()),
    );
  }

  event(event: RoomEvent): void {
    this.deliver(this.sequence.push(event));
  }

  presenceDiff(diff: PresenceDiff): void {
    const next = applyPresenceDiff(this.presence, diff);
    if (next === this.presence) return;
    this.presence = next;
    for (const l of [...this.listeners]) l.presence?.(next);
  }

  /** The connection dropped: whatever comes next needs a new snapshot. */
  connectionLost(): void {
    this.token++;
    this.synced = false;
    this.sentStatus = null;
    this.sequence.hold();
    this.clearTimers();
  }

  /** The room was left: drop late answers and tell the server. */
  dispose(): void {
    this.token++;
    this.clearTimers();
    const { transport } = this.host;
    if (!transport.connected) return;
    const leaving =
      this.kind === 'board'
        ? transport.request('board:leave', { boardId: this.id })
        : this.kind === 'idea'
          ? transport.request('idea:leave', { ideaId: this.id })
          : transport.request('community:leave', { communityId: this.id });
    leaving.catch(() => undefined);
  }

  private isCurrent(token: number): boolean {
    return this.host.owns(this) && this.token === token && this.host.transport.connected;
  }

  private begin(): number {
    clearTimeout(this.timer);
    this.sequence.hold();
    this.synced = false;
    this.failed = false;
    this.host.syncChanged();
    return ++this.token;
  }

  private retryLater(token: number, again: () => void): void {
    if (!this.isCurrent(token)) return;
    this.timer = setTimeout(() => {
      if (this.isCurrent(token)) again();
    }, RETRY_MS);
  }

  private refused(ack: { code: string; message: string }): void {
    this.failed = true;
    for (const l of [...this.listeners]) l.error?.({ code: ack.code, message: ack.message });
    this.host.syncChanged();
  }

  private applySnapshot(snapshot: AnySnapshot): void {
    this.snapshot = snapshot;
    this.presence = presenceFromList('presence' in snapshot ? snapshot.presence : []);
    const resync = this.everSynced;
    this.everSynced = true;
    this.synced = true;
    // A join puts the member in the room as 'viewing'.
    this.sentStatus ??= 'viewing';
    for (const l of [...this.listeners]) {
      l.snapshot?.(snapshot, { resync });
      l.presence?.(this.presence);
    }
    this.deliver(this.sequence.base(snapshot.seq));
    this.sendStatus();
    this.host.syncChanged();
  }

  private deliver(out: SequenceOutcome<RoomEvent>): void {
    for (const event of out.ready) for (const l of [...this.listeners]) l.event?.(event);
    if (!out.gap) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    } else if (!this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        if (this.sequence.hasGap && this.host.owns(this)) this.resync();
      }, GAP_GRACE_MS);
    }
  }

  private sendStatus(): void {
    const previous = this.sentStatus;
    // A community room (roadmap, changelog) has no presence.
    if (this.kind === 'community') return;
    if (!this.host.transport.connected || !this.synced || !this.host.signedIn() || previous === null || previous === this.status) return;
    this.sentStatus = this.status;
    const token = this.token;
    const undo = () => {
      if (this.token === token && this.sentStatus === this.status) this.sentStatus = previous;
    };
    this.host.transport.request('presence:set', { room: this.name, status: this.status }).then((ack) => {
      if (!ack.ok) undo();
    }, undo);
  }

  private clearTimers(): void {
    clearTimeout(this.timer);
    clearTimeout(this.gapTimer);
    this.timer = undefined;
    this.gapTimer = undefined;
  }
}

/** Whether a resync answer is a snapshot of this kind of room. */
export function snapshotFits(kind: RoomKind, snapshot: AnySnapshot): boolean {
  if (kind === 'board') return 'boardId' in snapshot && 'ideas' in snapshot;
  if (kind === 'idea') return 'idea' in snapshot;
  return 'communityId' in snapshot && !('presence' in snapshot);
}
