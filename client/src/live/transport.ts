/**
 * The wire under the live manager: socket.io-client, typed with the protocol's event maps. The
 * manager talks to this narrow interface, so its logic is tested with a fake.
 */
import type { ClientToServerEvents, ServerToClientEvents } from '@cocreate/protocol';
import { io, type Socket } from 'socket.io-client';

export type ClientEvent = keyof ClientToServerEvents;
export type PayloadOf<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[0];
/** What the server's ack callback receives for event E: `{ok: true, …} | {ok: false, code, message}`. */
export type AckOf<E extends ClientEvent> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

export interface TransportHandlers {
  connect(): void;
  disconnect(reason: string): void;
  connectError(error: Error & { data?: { code?: string } }): void;
  reconnectAttempt(): void;
  server: ServerToClientEvents;
}

export interface LiveTransport {
  /** Connected and able to emit. */
  readonly connected: boolean;
  /** The transport reconnects by itself (false after a server-side close or a refused handshake). */
  readonly active: boolean;
  open(): void;
  close(): void;
  /** Emits with an ack; rejects when the ack does not come in time. */
  request<E extends ClientEvent>(event: E, payload: PayloadOf<E>): Promise<AckOf<E>>;
  attach(handlers: TransportHandlers): void;
}

export const ACK_TIMEOUT_MS = 10_000;

const SERVER_EVENTS = [
  'board:ranks',
  'room:event',
  'presence:diff',
  'notification',
  'session:revoked',
  'resync',
] as const satisfies readonly (keyof ServerToClientEvents)[];

/** Socket.IO on this origin (the session cookie goes along), WebSocket first, polling as a fallback. */
export function socketTransport(): LiveTransport {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
    path: '/socket.io',
    autoConnect: false,
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    withCredentials: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 15_000,
    randomizationFactor: 0.5,
  });
  return {
    get connected() {
      return socket.connected;
    },
    get active() {
      return socket.active;
    },
    open: () => {
      socket.connect();
    },
    close: () => {
      socket.disconnect();
    },
    request: <E extends ClientEvent>(event: E, payload: PayloadOf<E>) => {
      // Socket.IO's event-map generics do not narrow through E; PayloadOf/AckOf keep the call typed.
      const timed = socket.timeout(ACK_TIMEOUT_MS);
      const emit = timed.emitWithAck as unknown as (event: E, payload: PayloadOf<E>) => Promise<AckOf<E>>;
      return emit.call(timed, event, payload);
    },
    attach: (h) => {
      socket.on('connect', h.connect);
      socket.on('disconnect', (reason) => h.disconnect(reason));
      socket.on('connect_error', (err) => h.connectError(err as Error & { data?: { code?: string } }));
      socket.io.on('reconnect_attempt', h.reconnectAttempt);
      for (const name of SERVER_EVENTS) socket.on(name, h.server[name] as never);
    },
  };
}
