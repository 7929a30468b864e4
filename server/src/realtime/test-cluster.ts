import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createDb } from '@cocreate/db';
import { createTestDatabase } from '@cocreate/db/testing';
import type { ClientToServerEvents, ServerToClientEvents } from '@cocreate/protocol';
import { io as connect, type Socket } from 'socket.io-client';
import { buildApp } from '../app.js';
import type { Config } from '../config.js';
import { type TestApp, testConfig, wrapTestApp } from '../testing/harness.js';

/**
 * Several real nodes on ephemeral ports, sharing one PostgreSQL database (each with its own pool)
 * and one Redis (with a key prefix of this run's own), driven by stock socket.io-client sockets.
 */

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestNode extends TestApp {
  url: string;
  nodeId: string;
}

export async function startCluster(count: number, overrides: Partial<Config> = {}) {
  const shared = await createTestDatabase('postgres');
  const prefix = `cctest:${randomBytes(4).toString('hex')}:`;
  const nodes: TestNode[] = [];
  for (let i = 0; i < count; i++) {
    const nodeId = `n${i + 1}`;
    const database = await createDb({ databaseUrl: shared.url, poolSize: 5 });
    const app = await buildApp(
      testConfig({ redisUrl: overrides.redisUrl ?? TEST_REDIS_URL, redisPrefix: prefix, nodeId, publicOrigins: ['http://app.example'], ...overrides }),
      { database, redis: null },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    nodes.push({ ...wrapTestApp(app, 'postgres', () => database.close()), url: `http://127.0.0.1:${port}`, nodeId });
  }
  const sockets: ClientSocket[] = [];
  return {
    nodes,
    prefix,
    /** The shared database, for nodes started as separate processes. */
    databaseUrl: shared.url as string,
    /** A stock socket.io-client, WebSocket transport, bearer token when given. */
    client(node: TestNode, token?: string, extra: { origin?: string } = {}): ClientSocket {
      const socket: ClientSocket = connect(node.url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        ...(token ? { auth: { token } } : {}),
        ...(extra.origin ? { extraHeaders: { origin: extra.origin } } : {}),
      });
      sockets.push(socket);
      return socket;
    },
    async close() {
      for (const s of sockets) s.disconnect();
      for (const n of nodes) await n.close().catch(() => undefined);
      await shared.close();
    },
  };
}

export function connected(socket: ClientSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
}

/** Emits with an ack and a generous timeout that only catches a hang. */
// biome-ignore lint/suspicious/noExplicitAny: each test checks the ack's shape with its own expectations
export function ask<E extends keyof ClientToServerEvents>(socket: ClientSocket, event: E, payload: unknown): Promise<any> {
  return (socket.timeout(10_000) as unknown as { emitWithAck: (e: string, p: unknown) => Promise<unknown> }).emitWithAck(event, payload);
}

export async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The compiled server (`server/dist/main.js`, build it first) as a child process on the cluster's
 * database and Redis: a node that fault tests can kill with SIGKILL. Resolves once it is ready.
 */
export async function startNodeProcess(
  cluster: { databaseUrl: string; prefix: string },
  port: number,
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['server/dist/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: cluster.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: cluster.prefix,
      NODE_ID: 'victim',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
      ...env,
    },
    stdio: 'ignore',
  });
  await until(async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/readyz`)).ok;
    } catch {
      return false;
    }
  }, 30_000);
  return child;
}
