import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { Config } from '../config.js';
import { communityFixture, startTestApp, type TestApp, type TestDbKind, type TestUser, testConfig } from '../testing/harness.js';
import { BODY_FIELD, plainText } from './body.js';
import { PgDocStore } from './store.js';

/** Test helpers: stock y-websocket providers and raw sockets against a listening app. */

/** Config overrides of the collab settings only. */
export const collabSettings = (o: Partial<Config['collab']>): Pick<Config, 'collab'> => ({ collab: { ...testConfig().collab, ...o } });

export interface CollabWorld {
  t: TestApp;
  url: string;
  fx: Awaited<ReturnType<typeof communityFixture>>;
  alice: TestUser;
  bob: TestUser;
}

/** A listening app with a community and two members. */
export async function collabWorld(kind: TestDbKind, config: Partial<Config>): Promise<CollabWorld> {
  const t = await startTestApp(kind, { config });
  const url = await collabUrl(t.app);
  const fx = await communityFixture(t);
  return { t, url, fx, alice: await fx.member(), bob: await fx.member() };
}

export async function collabUrl(app: FastifyInstance): Promise<string> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return `ws://127.0.0.1:${port}/collab`;
}

export interface Peer {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Close events the provider saw, in order. */
  closes: { code: number; reason: string }[];
  destroy(): void;
}

const live = new Set<Peer>();

/** A stock WebsocketProvider (no BroadcastChannel: peers in one process must talk through the server). */
export function peer(serverUrl: string, ideaId: string, opts: { token?: string; doc?: Y.Doc } = {}): Peer {
  const doc = opts.doc ?? new Y.Doc();
  const provider = new WebsocketProvider(serverUrl, `idea:${ideaId}`, doc, {
    WebSocketPolyfill: WebSocket as never,
    disableBc: true,
    maxBackoffTime: 300,
    ...(opts.token ? { params: { token: opts.token } } : {}),
  });
  const closes: Peer['closes'] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: (event as { code: number }).code, reason: String((event as { reason: unknown }).reason) });
  });
  const p: Peer = {
    doc,
    provider,
    closes,
    destroy: () => {
      live.delete(p);
      provider.destroy();
      doc.destroy();
    },
  };
  live.add(p);
  return p;
}

export function destroyPeers(): void {
  for (const p of [...live]) p.destroy();
}

export function synced(p: Peer, ms = 10_000): Promise<void> {
  return until(() => p.provider.synced, ms, 'provider did not sync');
}

/** Appends a paragraph to the body, as TipTap would. */
export function typeParagraph(doc: Y.Doc, text: string): void {
  const fragment = doc.getXmlFragment(BODY_FIELD);
  doc.transact(() => {
    const p = new Y.XmlElement('paragraph');
    p.insert(0, [new Y.XmlText(text)]);
    fragment.insert(fragment.length, [p]);
  });
}

export const bodyOf = (doc: Y.Doc) => plainText(doc);

export async function until(check: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition not met in time'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A raw WebSocket to `/collab/<path>`, resolved once open, with every frame it receives collected
 * from the start (the first frames can arrive in the same packet as the upgrade's answer).
 */
export function rawSocket(
  serverUrl: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; got: Uint8Array[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${serverUrl}/${path}`, { headers });
    const got: Uint8Array[] = [];
    ws.on('message', (data: Buffer) => got.push(new Uint8Array(data)));
    ws.once('open', () => resolve({ ws, got }));
    ws.once('error', reject);
  });
}

/** The close code and reason the server sent (with a timeout that only catches hangs). */
export function closeOf(ws: WebSocket, ms = 10_000): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    if (ws.readyState === WebSocket.CLOSED) return reject(new Error('already closed'));
    const timer = setTimeout(() => reject(new Error('socket was not closed in time')), ms);
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

/** Opens `/collab/<path>` and resolves with the close the server sends (open or not). */
export function refusalOf(
  serverUrl: string,
  path: string,
  headers: Record<string, string> = {},
  ms = 10_000,
): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${serverUrl}/${path}`, { headers });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('socket was not closed in time'));
    }, ms);
    ws.once('error', () => undefined);
    ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString() });
    });
  });
}

/** The body as the database holds it (snapshot plus rows), read afresh. */
export async function storedBody(t: Pick<TestApp, 'app'>, docName: string): Promise<string> {
  const stored = await new PgDocStore(t.app.db).load(docName);
  const doc = new Y.Doc();
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  const text = bodyOf(doc);
  doc.destroy();
  return text;
}
