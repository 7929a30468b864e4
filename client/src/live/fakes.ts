/** Test doubles for the live manager: a transport the test drives as the server, and a network switch. */
import type { BoardSnapshot, IdeaSnapshot, PresenceMember, RoomEvent } from '@cocreate/protocol';
import type { NetworkStatus } from './network';
import type { ClientEvent, LiveTransport, TransportHandlers } from './transport';

export const BOARD = '11111111-1111-4111-8111-111111111111';
export const IDEA = '22222222-2222-4222-8222-222222222222';

export interface Pending {
  event: ClientEvent;
  payload: unknown;
  resolve: (ack: unknown) => void;
  reject: (err: Error) => void;
}

/** Socket.IO stand-in: the test plays the server. */
export class FakeTransport implements LiveTransport {
  connected = false;
  active = true;
  opens = 0;
  closes = 0;
  sent: Pending[] = [];
  h!: TransportHandlers;
  open() {
    this.opens++;
  }
  close() {
    this.closes++;
    if (!this.connected) return;
    this.connected = false;
    this.h.disconnect('io client disconnect');
  }
  request(event: ClientEvent, payload: unknown) {
    return new Promise<never>((resolve, reject) => this.sent.push({ event, payload, resolve: resolve as (a: unknown) => void, reject }));
  }
  attach(h: TransportHandlers) {
    this.h = h;
  }
  /** The server accepts the connection. */
  up() {
    this.connected = true;
    this.h.connect();
  }
  down(reason = 'transport close') {
    this.connected = false;
    this.h.disconnect(reason);
  }
  /** Takes the oldest request of that event (fails the test when there is none). */
  take(event: ClientEvent): Pending {
    const i = this.sent.findIndex((p) => p.event === event);
    if (i < 0) throw new Error(`no ${event} was sent; sent: ${this.sent.map((p) => p.event).join(', ')}`);
    return this.sent.splice(i, 1)[0] as Pending;
  }
  count(event: ClientEvent) {
    return this.sent.filter((p) => p.event === event).length;
  }
}

export class FakeNetwork implements NetworkStatus {
  isOnline = true;
  private fn: ((online: boolean) => void) | null = null;
  online() {
    return this.isOnline;
  }
  subscribe(fn: (online: boolean) => void) {
    this.fn = fn;
    return () => undefined;
  }
  set(online: boolean) {
    this.isOnline = online;
    this.fn?.(online);
  }
}

export const member = (key: string, name: string, status: PresenceMember['status'] = 'viewing'): PresenceMember => ({
  key,
  userId: `u-${name}`,
  name,
  status,
});
export const boardSnap = (seq: number, presence: PresenceMember[] = []): BoardSnapshot => ({
  boardId: BOARD,
  sort: 'top',
  limit: 25,
  ideas: [],
  seq,
  presence,
});
export const ideaSnap = (seq: number): IdeaSnapshot => ({
  idea: {
    id: IDEA,
    ideaId: IDEA,
    title: 't',
    status: 'open',
    up: 0,
    down: 0,
    version: 1,
    weightedScore: 0,
    commentCount: 0,
    createdAt: '2025-01-01T00:00:00.000Z',
    authorId: null,
    bodyText: '',
    locked: false,
    hidden: false,
    mergedInto: null,
    boardId: BOARD,
  },
  seq,
  presence: [],
});
export const event = (room: string, seq: number, type = 'idea.created'): RoomEvent => ({ room, seq, type, data: { n: seq } });

/** A room listener that writes down what it hears. */
export function recorder() {
  const log = {
    snapshots: [] as { seq: number; resync: boolean }[],
    events: [] as number[],
    presence: [] as string[][],
    errors: [] as string[],
  };
  return {
    log,
    listener: {
      snapshot: (s: { seq: number }, info: { resync: boolean }) => log.snapshots.push({ seq: s.seq, resync: info.resync }),
      event: (e: RoomEvent) => log.events.push(e.seq),
      presence: (m: ReadonlyMap<string, PresenceMember>) => log.presence.push([...m.values()].map((x) => `${x.name}:${x.status}`)),
      error: (e: { code: string }) => log.errors.push(e.code),
    },
  };
}
