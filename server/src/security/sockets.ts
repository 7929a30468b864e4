import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ClientToServerEvents, ServerToClientEvents } from '@cocreate/protocol';
import type { FastifyInstance } from 'fastify';
import { io as connect, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { closeOf } from '../collab/testing.js';

export { closeOf, until } from '../collab/testing.js';

/**
 * Clients for the security suite: stock socket.io-client sockets and raw `ws` sockets that may
 * pick their loopback source address (127.0.0.2 is another client to a per-address limit), and an
 * event-loop delay probe for attacks that must not stall the process.
 */

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function listen(app: FastifyInstance): Promise<{ http: string; ws: string }> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
}

const opened = new Set<{ close(): void }>();

export interface ClientOptions {
  token?: string;
  from?: string;
  headers?: Record<string, string>;
  /** HTTP long-polling only, instead of WebSocket. */
  polling?: boolean;
}

/** A stock socket.io-client over WebSocket, no reconnection. */
export function sio(baseUrl: string, o: ClientOptions = {}): ClientSocket {
  const socket: ClientSocket = connect(baseUrl, {
    transports: o.polling ? ['polling'] : ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(o.token ? { auth: { token: o.token } } : {}),
    ...(o.headers ? { extraHeaders: o.headers } : {}),
    ...(o.from ? { localAddress: o.from } : {}),
  } as Parameters<typeof connect>[1]);
  opened.add({ close: () => socket.disconnect() });
  return socket;
}

/** Resolves on connect; rejects with the connect_error (its `data` carries the code). */
export function connected(socket: ClientSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}

/** The connect outcome as data: 'ok' or the error code. */
export async function outcome(socket: ClientSocket): Promise<string> {
  try {
    await connected(socket);
    return 'ok';
  } catch (err) {
    return String((err as { data?: { code?: string } }).data?.code ?? (err as Error).message);
  }
}

/** Emits with an ack and a timeout that only catches a hang. */
// biome-ignore lint/suspicious/noExplicitAny: each test checks the ack's shape itself
export function ask(socket: ClientSocket, event: string, payload: unknown): Promise<any> {
  return (socket.timeout(10_000) as unknown as { emitWithAck: (e: string, p: unknown) => Promise<unknown> }).emitWithAck(event, payload);
}

/** A raw WebSocket (to /collab or Engine.IO), resolved once open, collecting every frame from the start. */
export function rawWs(url: string, o: { from?: string; headers?: Record<string, string> } = {}): Promise<{ ws: WebSocket; got: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: o.headers ?? {}, ...(o.from ? { localAddress: o.from } : {}) });
    opened.add({ close: () => ws.terminate() });
    const got: Buffer[] = [];
    ws.on('message', (data: Buffer) => got.push(data));
    ws.once('open', () => resolve({ ws, got }));
    ws.once('error', reject);
  });
}

/** Opens `url` and resolves with how the server ends it. */
export function refusal(url: string, o: { from?: string; headers?: Record<string, string> } = {}): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(url, { headers: o.headers ?? {}, ...(o.from ? { localAddress: o.from } : {}) });
  opened.add({ close: () => ws.terminate() });
  ws.on('error', () => undefined);
  return closeOf(ws);
}

export function closeAll(): void {
  for (const s of opened) s.close();
  opened.clear();
}

/**
 * Event-loop delay while `attack` runs: the p99 and max in milliseconds. Reported, and bounded by
 * the tests only loosely (a hang, not a latency).
 */
export async function loopDelayDuring<T>(attack: () => Promise<T>): Promise<{ result: T; p99Ms: number; maxMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  try {
    const result = await attack();
    return { result, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
  } finally {
    h.disable();
  }
}
