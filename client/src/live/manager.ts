/**
 * The one live connection of the page. It connects once (WebSocket first, reconnecting with
 * backoff) and keeps the rooms screens use: it re-joins and resyncs them after every reconnect,
 * resyncs them all when the server asks, reconnects after the server closes the connection
 * (session revoked, slow consumer, shutdown), signs the user out when the session is revoked, and
 * goes quiet while the browser is offline. Screens use it through the hooks in ./hooks.
 */
import type { PresenceState, ServerToClientEvents } from '@cocreate/protocol';
import { backoffDelay, type ConnectionInput, type ConnectionState, INITIAL_CONNECTION, reduceConnection, Store } from './connection';
import { browserNetwork, type NetworkStatus } from './network';
import { type BoardWindow, LiveRoom, type RankFrame, type RoomHost, type RoomKind, type RoomListener } from './room';
import type { LiveTransport } from './transport';

export { GAP_GRACE_MS, RETRY_MS } from './room';
export type { BoardWindow, RankFrame, RoomKind, RoomListener, SnapshotOf } from './room';
export type { NetworkStatus } from './network';

export type LiveNotification = Parameters<ServerToClientEvents['notification']>[0];

export interface RoomHandle {
  leave(): void;
}
export interface BoardHandle extends RoomHandle {
  setWindow(window: BoardWindow): void;
}

/** A connection that lasts this long resets the reconnect backoff. */
const STABLE_MS = 30_000;

type Timer = ReturnType<typeof setTimeout>;

export class LiveManager implements RoomHost {
  readonly connection = new Store<ConnectionState>(INITIAL_CONNECTION);
  readonly transport: LiveTransport;
  private readonly rooms = new Map<string, LiveRoom>();
  private readonly rankListeners = new Set<(frame: RankFrame) => void>();
  private readonly signedOutListeners = new Set<(reason: string) => void>();
  private readonly notificationListeners = new Set<(notification: LiveNotification) => void>();
  /** The viewer's status per room, kept even before the room is joined. */
  private readonly desired = new Map<string, PresenceState>();
  private readonly random: () => number;
  private opened = false;
  private offline: boolean;
  /** The signed-in user the connection was made for; undefined until the session is known. */
  private identity: string | null | undefined = undefined;
  private revokedReason: string | null = null;
  private kicks = 0;
  private kickTimer: Timer | undefined;
  private stableTimer: Timer | undefined;
  private resyncTimer: Timer | undefined;

  constructor(opts: { transport: LiveTransport; network?: NetworkStatus; random?: () => number }) {
    this.transport = opts.transport;
    this.random = opts.random ?? Math.random;
    const network = opts.network ?? browserNetwork();
    this.offline = !network.online();
    network.subscribe((online) => (online ? this.wentOnline() : this.wentOffline()));
    this.transport.attach({
      connect: () => this.onConnect(),
      disconnect: (reason) => this.onDisconnect(reason),
      connectError: () => this.onConnectError(),
      reconnectAttempt: () => this.dispatch({ type: 'open' }),
      server: {
        'board:ranks': (frame) => {
          for (const l of [...this.rankListeners]) l(frame);
        },
        'room:event': (event) => this.rooms.get(event.room)?.event(event),
        'presence:diff': (diff) => this.rooms.get(diff.room)?.presenceDiff(diff),
        notification: (n) => {
          for (const l of [...this.notificationListeners]) l(n);
        },
        'session:revoked': ({ reason }) => {
          this.revokedReason = reason;
        },
        resync: ({ afterMs }) => {
          clearTimeout(this.resyncTimer);
          this.resyncTimer = setTimeout(
            () => {
              for (const room of [...this.rooms.values()]) room.resync();
            },
            Math.max(0, afterMs),
          );
        },
      },
    });
  }

  // ---- what screens use ----

  joinBoard(boardId: string, window: BoardWindow, listener: RoomListener<'board'>): BoardHandle {
    const room = this.enter('board', boardId, listener as RoomListener<RoomKind>, window);
    return {
      leave: () => this.exit(room, listener as RoomListener<RoomKind>),
      setWindow: (w) => room.setWindow(w),
    };
  }

  joinIdea(ideaId: string, listener: RoomListener<'idea'>): RoomHandle {
    const room = this.enter('idea', ideaId, listener as RoomListener<RoomKind>);
    return { leave: () => this.exit(room, listener as RoomListener<RoomKind>) };
  }

  /** A community's room: its roadmap and changelog events (no presence). */
  joinCommunity(communityId: string, listener: RoomListener<'community'>): RoomHandle {
    const room = this.enter('community', communityId, listener as RoomListener<RoomKind>);
    return { leave: () => this.exit(room, listener as RoomListener<RoomKind>) };
  }

  /** The signed-in user's notifications, pushed as they are written (on any node). */
  onNotification(listener: (notification: LiveNotification) => void): () => void {
    this.notificationListeners.add(listener);
    // They come on the user's own connection, so it is needed even on a screen with no room.
    this.ensureOpen();
    return () => {
      this.notificationListeners.delete(listener);
    };
  }

  /** Rank frames of every board (and of open ideas), as they arrive. */
  onRanks(listener: (frame: RankFrame) => void): () => void {
    this.rankListeners.add(listener);
    return () => {
      this.rankListeners.delete(listener);
    };
  }

  /** The server ended this browser's session (logged out elsewhere, password changed). */
  onSignedOut(listener: (reason: string) => void): () => void {
    this.signedOutListeners.add(listener);
    return () => {
      this.signedOutListeners.delete(listener);
    };
  }

  /** Viewing, typing or idle in a room; sent once the room is joined, and again after a reconnect. */
  setPresence(roomName: string, status: PresenceState): void {
    this.desired.set(roomName, status);
    this.rooms.get(roomName)?.setStatus(status);
  }

  /** The signed-in user changed: the connection is made again so the server knows who this is. */
  setIdentity(userId: string | null): void {
    if (this.identity === userId) return;
    const first = this.identity === undefined;
    this.identity = userId;
    if (!first) this.reconnectNow();
  }

  // ---- RoomHost ----

  owns(room: LiveRoom): boolean {
    return this.rooms.get(room.name) === room;
  }

  signedIn(): boolean {
    return this.identity !== null;
  }

  syncChanged(): void {
    let syncing = this.rooms.size > 0 && !this.transport.connected;
    for (const room of this.rooms.values()) if (!room.synced && !room.failed) syncing = true;
    if (syncing !== this.connection.get().syncing) this.dispatch({ type: 'syncing', value: syncing });
  }

  // ---- rooms ----

  private enter(kind: RoomKind, id: string, listener: RoomListener<RoomKind>, window: BoardWindow = {}): LiveRoom {
    const name = `${kind}:${id}`;
    const known = this.rooms.get(name);
    if (known) {
      known.add(listener);
      if (kind === 'board') known.setWindow(window);
      return known;
    }
    const room = new LiveRoom(kind, id, window, this.desired.get(name) ?? 'viewing', this);
    this.rooms.set(name, room);
    room.add(listener);
    this.ensureOpen();
    room.join();
    return room;
  }

  private exit(room: LiveRoom, listener: RoomListener<RoomKind>): void {
    room.listeners.delete(listener);
    if (room.listeners.size > 0 || !this.owns(room)) return;
    this.rooms.delete(room.name);
    this.desired.delete(room.name);
    room.dispose();
    this.syncChanged();
  }

  // ---- the connection ----

  private dispatch(input: ConnectionInput): void {
    this.connection.set(reduceConnection(this.connection.get(), input));
  }

  private ensureOpen(): void {
    if (this.opened) return;
    this.opened = true;
    if (this.offline) {
      this.dispatch({ type: 'offline' });
      return;
    }
    this.dispatch({ type: 'open' });
    this.transport.open();
  }

  private reconnectNow(): void {
    if (!this.opened) return;
    clearTimeout(this.kickTimer);
    this.kickTimer = undefined;
    this.transport.close();
    if (this.offline) return;
    this.dispatch({ type: 'open' });
    this.transport.open();
  }

  /** After the server closed the connection or refused the handshake: Socket.IO does not retry those. */
  private scheduleReconnect(): void {
    if (this.kickTimer || this.offline) return;
    const delay = backoffDelay(this.kicks++, this.random());
    this.kickTimer = setTimeout(() => {
      this.kickTimer = undefined;
      if (!this.offline && this.opened && !this.transport.connected) this.transport.open();
    }, delay);
  }

  private onConnect(): void {
    clearTimeout(this.kickTimer);
    this.kickTimer = undefined;
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => {
      this.kicks = 0;
    }, STABLE_MS);
    this.syncChanged();
    this.dispatch({ type: 'connected' });
    for (const room of [...this.rooms.values()]) room.join();
  }

  private onDisconnect(reason: string): void {
    clearTimeout(this.stableTimer);
    for (const room of this.rooms.values()) room.connectionLost();
    if (!this.offline) this.dispatch({ type: 'disconnected' });
    this.syncChanged();
    if (reason !== 'io server disconnect') return;
    const revoked = this.revokedReason;
    this.revokedReason = null;
    // A ban closes the sockets, but the session still stands: reconnect (the community now refuses).
    if (revoked !== null && revoked !== 'banned') for (const l of [...this.signedOutListeners]) l(revoked);
    this.scheduleReconnect();
  }

  private onConnectError(): void {
    this.dispatch({ type: 'failed' });
    if (!this.transport.active) this.scheduleReconnect();
  }

  private wentOffline(): void {
    this.offline = true;
    if (!this.opened) return;
    this.dispatch({ type: 'offline' });
    clearTimeout(this.kickTimer);
    this.kickTimer = undefined;
    // Nothing can arrive; stop trying until the browser is back online.
    this.transport.close();
  }

  private wentOnline(): void {
    this.offline = false;
    if (!this.opened) return;
    this.dispatch({ type: 'online' });
    if (!this.transport.connected) this.transport.open();
  }
}
