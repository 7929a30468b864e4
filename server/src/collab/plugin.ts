import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CODES, type ErrorCode } from '@cocreate/protocol';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type WebSocket, WebSocketServer } from 'ws';
import { AppError } from '../errors.js';
import { authorizeAgain, authorizeUpgrade, isCollabPath } from './authorize.js';
import { Connection, closeSocket } from './connection.js';
import { DocManager } from './manager.js';
import { registerCollabMetrics } from './metrics.js';
import { PgDocStore } from './store.js';

declare module 'fastify' {
  interface FastifyInstance {
    collab: DocManager;
  }
}

/** Sessions revoked on any node arrive here (the channel RealtimeHub.revokeSessions publishes to). */
const revokeChannel = (userId: string) => `revoke:${userId}`;
/** Messages a client may send before its document is ready (auth and load take a moment). */
const MAX_EARLY_MESSAGES = 64;
/** The socket's state now (a function, so the type checker does not keep a narrowing across awaits). */
const state = (ws: WebSocket): number => ws.readyState;
/** Pings go out this often; a socket silent for a whole period is cut. */
const HEARTBEAT_MS = 30_000;

/**
 * `/collab/<docName>`: y-websocket on the server's own port. Upgrades are accepted first and
 * refused afterwards with a close code, because an HTTP refusal reaches the stock provider only as
 * a bare failure, and it would retry for ever.
 */
export const collabPlugin = fp(async (app: FastifyInstance) => {
  const settings = app.config.collab;
  const fanout = app.realtime.fanout;
  const manager = new DocManager(new PgDocStore(app.db), fanout, { ...settings, nodeId: app.config.nodeId }, app.log);
  const wss = new WebSocketServer({
    noServer: true,
    // Frames between the limit and twice it close with 4413 (below); beyond, ws itself closes with 1009.
    maxPayload: settings.maxFrameBytes * 2,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const sockets = new Set<WebSocket>();
  const closes = new Map<string, number>();
  let stopping = false;
  const countClose = (code: ErrorCode) => closes.set(code, (closes.get(code) ?? 0) + 1);
  const refuse = (ws: WebSocket, code: ErrorCode, message: string) => {
    countClose(code);
    closeSocket(ws, ERROR_CODES[code].close, message);
  };

  const limits = {
    accessRecheckMs: settings.accessRecheckMs,
    maxFrameBytes: settings.maxFrameBytes,
    messagesPerSecond: settings.updatesPerSecond,
    messageBurst: settings.updateBurst,
    maxBufferedBytes: settings.maxDocBytes + 4 * settings.maxFrameBytes,
  };
  let dropped = 0;

  // A socket that did not answer the previous ping is gone (its TCP connection died without a FIN).
  const silent = new Set<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const ws of sockets) {
      if (silent.has(ws)) ws.terminate();
      else {
        silent.add(ws);
        ws.ping();
      }
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  async function accept(ws: WebSocket, req: IncomingMessage): Promise<void> {
    sockets.add(ws);
    ws.on('pong', () => silent.delete(ws));
    const early: [Buffer, boolean][] = [];
    const holdEarly = (data: Buffer, isBinary: boolean) => {
      if (early.length >= MAX_EARLY_MESSAGES) return refuse(ws, 'RATE_LIMITED', 'too many messages before sync');
      early.push([data, isBinary]);
    };
    ws.on('message', holdEarly);
    ws.on('error', () => undefined);
    let leave: (() => void) | null = null;
    ws.once('close', () => {
      sockets.delete(ws);
      silent.delete(ws);
      leave?.();
    });

    if (stopping) return refuse(ws, 'UNAVAILABLE', 'shutting down');
    if (sockets.size > settings.maxConnections) return refuse(ws, 'UNAVAILABLE', 'overloaded');
    try {
      // Counted before any credential or document work; refusals are temporary (1013), so the
      // stock provider backs off and comes back.
      const ip = app.connectionLimits.clientIp(req);
      if (!(await app.connectionLimits.handshake(ip))) return refuse(ws, 'RATE_LIMITED', 'too many connections from this address');
      if (state(ws) !== ws.OPEN) return;
      const access = await authorizeUpgrade(app, req);
      if (state(ws) !== ws.OPEN) return;
      if (access.principal.userId === null) {
        const release = app.connectionLimits.guest(ip);
        if (!release) return refuse(ws, 'RATE_LIMITED', 'too many connections without a session from this address');
        ws.once('close', release);
      }
      const conn = new Connection(ws, access.principal, access.canWrite, limits, {
        onRefused: (code) => countClose(code),
        onDropped: () => {
          dropped++;
        },
        storageOverloaded: () => manager.writer.overloaded,
        recheckWrite: async () => (await authorizeAgain(app, access)).canWrite,
      });
      const doc = await manager.join(access, conn);
      const offRevoke = access.principal.userId
        ? fanout.subscribe(revokeChannel(access.principal.userId), (raw) => revoked(conn, access.principal.sessionId, raw))
        : null;
      leave = () => {
        offRevoke?.();
        manager.leave(doc, conn);
      };
      // Closed while loading: its close event has passed, so leave now; closing: the event will.
      if (state(ws) === ws.CLOSED) return leave();
      if (state(ws) !== ws.OPEN) return;
      ws.off('message', holdEarly);
      ws.on('message', (data: Buffer, isBinary: boolean) => conn.handle(data, isBinary));
      for (const [data, isBinary] of early) conn.handle(data, isBinary);
    } catch (err) {
      if (err instanceof AppError) return refuse(ws, err.code, err.message);
      app.log.error({ err }, 'collab: opening a document failed');
      refuse(ws, stopping ? 'UNAVAILABLE' : 'INTERNAL', stopping ? 'shutting down' : 'internal error');
    }
  }

  function revoked(conn: Connection, sessionId: string | null, raw: string): void {
    try {
      const { sessionIds } = JSON.parse(raw) as { sessionIds: string[] | null };
      if (sessionIds === null || (sessionId !== null && sessionIds.includes(sessionId))) conn.refuse('UNAUTHENTICATED', 'session revoked');
    } catch {
      // Not ours to judge: the realtime hub owns this channel's format.
    }
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!isCollabPath(req.url)) return;
    socket.on('error', () => undefined);
    wss.handleUpgrade(req, socket, head, (ws) => {
      accept(ws, req).catch((err: unknown) => {
        app.log.error({ err }, 'collab: connection failed');
        closeSocket(ws, ERROR_CODES.INTERNAL.close, 'internal error');
      });
    });
  };
  app.server.on('upgrade', onUpgrade);

  app.decorate('collab', manager);
  registerCollabMetrics(app.metrics, manager, { closes, dropped: () => dropped });

  app.addHook('preClose', async () => {
    stopping = true;
    app.server.off('upgrade', onUpgrade);
    // 1013: the stock provider reconnects (to another node) and resends its state.
    for (const ws of sockets) refuse(ws, 'UNAVAILABLE', 'shutting down');
  });
  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    await manager.close();
    wss.close();
  });
});
