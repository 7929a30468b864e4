import { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { type FanOut, MemoryFanOut, MemoryPresence, type Presence, RedisFanOut, RedisPresence, TickCoalescer, waitReady } from '@cocreate/fanout';
import { MAX_SOCKET_PACKET_BYTES } from '@cocreate/protocol';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { createConnectionHandler } from './handlers.js';
import { bareConnections, handshake } from './handshake.js';
import { type IO, RealtimeHub } from './hub.js';

declare module 'fastify' {
  interface FastifyInstance {
    realtime: RealtimeHub;
  }
}

/**
 * Socket.IO on Fastify's own HTTP server (same port as the API), with cocreate's fan-out underneath:
 * in memory for one node, Redis sharded pub/sub for a cluster. Socket.IO's own adapter stays local.
 */
export const realtimePlugin = fp(async (app: FastifyInstance) => {
  const { config } = app;
  const prefix = config.redisPrefix;
  let fanout: FanOut;
  let presence: Presence;
  let commands: Redis | null = null;
  if (config.redisUrl) {
    fanout = await RedisFanOut.connect({ url: config.redisUrl, nodeId: config.nodeId, prefix });
    commands = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
    commands.on('error', (err) => app.log.warn({ err: err.message }, 'redis (realtime) error'));
    await waitReady(commands);
    const redisPresence = new RedisPresence({ redis: commands, fanout, prefix, ttlMs: config.realtime.presenceTtlMs });
    await redisPresence.start();
    presence = redisPresence;
  } else {
    fanout = new MemoryFanOut(config.nodeId);
    presence = new MemoryPresence(fanout);
  }

  const io: IO = new Server(app.server, {
    path: '/socket.io',
    serveClient: false,
    transports: ['websocket', 'polling'],
    // An oversize packet makes Engine.IO drop that connection itself (no error code reaches the client).
    maxHttpBufferSize: MAX_SOCKET_PACKET_BYTES,
    // Leave other upgrade paths (/collab) alone instead of closing them after 1 s.
    destroyUpgrade: false,
    cors: { origin: config.publicOrigins, credentials: true },
    connectionStateRecovery: undefined,
  });

  // A bare Engine.IO connection (open, no Socket.IO CONNECT yet) holds a slot of its address until
  // its handshake or its close: a flood of connections that never say who they are is capped per
  // address (and each ends after Socket.IO's connectTimeout anyway).
  io.engine.on('connection', (conn: { request: IncomingMessage; remoteAddress: string; close(): void; once(event: 'close', fn: () => void): void; off(event: 'close', fn: () => void): void }) => {
    const ip = app.connectionLimits.clientIp({ headers: conn.request.headers, socket: { remoteAddress: conn.remoteAddress } as Socket });
    const release = app.connectionLimits.bare(ip);
    if (!release) return conn.close();
    let held = true;
    const free = () => {
      if (!held) return;
      held = false;
      bareConnections.delete(conn);
      // Past its handshake the connection need not keep this listener (nor the slot's closures).
      conn.off('close', free);
      release();
    };
    bareConnections.set(conn, free);
    conn.once('close', free);
  });

  const adapterClients: Redis[] = [];
  if (config.realtime.fanoutMode !== 'cocreate') {
    // Benchmark baselines only: Socket.IO's stock Redis adapter carries broadcasts between nodes.
    if (!config.redisUrl) throw new Error(`FANOUT_MODE=${config.realtime.fanoutMode} needs REDIS_URL`);
    const pub = new Redis(config.redisUrl);
    const sub = pub.duplicate();
    adapterClients.push(pub, sub);
    io.adapter(createAdapter(pub, sub, { key: `${prefix}sio` }));
  }

  let hub: RealtimeHub | undefined;
  const coalescer = new TickCoalescer({
    fanout,
    tickMs: config.realtime.tickMs,
    flush: (boardId, changes) => hub?.flushRanks(boardId, changes),
    onRemoteBatch: (lagMs) => app.metrics.fanoutLag.observe(lagMs / 1000),
    onTick: (ms) => app.metrics.tickDuration.observe(ms / 1000),
  });
  hub = new RealtimeHub(io, app.db, fanout, presence, coalescer, commands, prefix, app.metrics, {
    limitBytes: config.realtime.slowConsumerBytes,
    maxBehindMs: config.realtime.slowConsumerMaxBehindMs,
  }, config.realtime.fanoutMode, config.realtime.tickMs);
  const theHub = hub;
  fanout.onResync(() => theHub.askAllToResync(3000));
  io.use(handshake(app));
  const onConnection = createConnectionHandler({
    app,
    hub,
    eventsPerSecond: config.realtime.eventsPerSecond,
    eventBurst: config.realtime.eventBurst,
  });
  io.on('connection', (socket) => {
    onConnection(socket);
    // Engine.IO keeps the connection's first HTTP request (and what hangs off it) for the connection's
    // life; Socket.IO's memory tuning advice is to let it go. That frees the first polling request of a
    // connection that starts with polling (Engine.IO 6.6 itself still holds a WebSocket upgrade request
    // until the socket closes). Past the handshake only what builds a handshake is still read, if the
    // client sends another CONNECT on this connection (Socket.IO then builds a second socket and our
    // handshake middleware reads its headers): keep that.
    const conn = socket.conn as unknown as { request: IncomingMessage | HandshakeRequest };
    if (conn.request instanceof IncomingMessage) conn.request = handshakeRequest(conn.request);
  });
  app.decorate('realtime', hub);
  const m = app.metrics;
  m.gauge('cocreate_sockets_connected', 'Socket.IO connections on this node', () => io.engine.clientsCount);
  m.gauge('cocreate_rooms', 'board and idea rooms with members on this node', () => [...io.of('/').adapter.rooms.keys()].filter((r) => r.startsWith('board:') || r.startsWith('idea:')).length);
  m.gauge('cocreate_fanout_channels', 'fan-out channels this node is subscribed to', () => fanout.stats().rooms);
  m.counterFrom('cocreate_redis_messages_out_total', 'messages this node published to the fan-out', () => fanout.stats().published);
  m.counterFrom('cocreate_redis_messages_in_total', 'messages this node received from other nodes', () => fanout.stats().received);
  m.counterFrom('cocreate_fanout_publish_errors_total', 'messages that could not be published', () => fanout.stats().publishErrors);

  app.addHook('preClose', async () => {
    io.disconnectSockets(true);
  });
  app.addHook('onClose', async () => {
    theHub.close();
    await presence.close().catch(() => undefined);
    await fanout.close().catch(() => undefined);
    if (commands) await commands.quit().catch(() => commands?.disconnect());
    for (const c of adapterClients) await c.quit().catch(() => c.disconnect());
    io.engine.close();
  });
});

/** What Socket.IO (building a handshake) and our handshake middleware read of the first request. */
interface HandshakeRequest {
  headers: IncomingMessage['headers'];
  url: string | undefined;
  connection: { encrypted: boolean };
  _query: unknown;
}

const ENCRYPTED = { encrypted: true };
const PLAIN = { encrypted: false };

function handshakeRequest(req: IncomingMessage): HandshakeRequest {
  return {
    headers: req.headers,
    url: req.url,
    connection: (req.socket as { encrypted?: boolean } | null)?.encrypted ? ENCRYPTED : PLAIN,
    _query: (req as { _query?: unknown })._query,
  };
}
