import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The only reader of the environment. Every setting is parsed here; a bad value stops start-up
 * with one line naming the variable.
 */

const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);
const tristate = z.enum(['auto', 'true', 'false']).default('auto');

const TrustProxy = z
  .string()
  .optional()
  .transform((v, ctx): boolean | number | string[] => {
    if (v === undefined || v === '' || v === 'false') return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) return Number(v);
    const list = v.split(',').map((s) => s.trim()).filter(Boolean);
    if (list.some((s) => !/^[0-9a-fA-F:./]+$/.test(s))) {
      ctx.addIssue({ code: 'custom', message: 'must be true, false, a hop count, or a comma list of IPs/CIDRs' });
      return z.NEVER;
    }
    return list;
  });

const Origins = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v) return undefined;
    const out: string[] = [];
    for (const raw of v.split(',').map((s) => s.trim()).filter(Boolean)) {
      try {
        const url = new URL(raw);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
        out.push(url.origin);
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${raw}" is not an http(s) origin` });
        return z.NEVER;
      }
    }
    return out;
  });

const Url = (schemes: string[]) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      try {
        const url = new URL(v);
        if (!schemes.includes(url.protocol)) throw new Error('scheme');
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be a ${schemes.map((s) => s.replace(':', '://')).join(' or ')} URL` });
        return z.NEVER;
      }
      return v;
    });

/** A comma list of CIDRs (`127.0.0.1/32,fd00::/8`); a bare address means that one address. */
const Cidrs = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const out: { address: string; prefix: number; family: 'ipv4' | 'ipv6' }[] = [];
    for (const raw of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const [address = '', bits] = raw.split('/');
      const family = isIP(address);
      const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
      if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
        ctx.addIssue({ code: 'custom', message: `"${raw}" is not an IP address or CIDR` });
        return z.NEVER;
      }
      out.push({ address, prefix, family: family === 6 ? 'ipv6' : 'ipv4' });
    }
    return out;
  });

const EnvSchema = z.object({
  PORT: int(3000, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: Url(['postgres:', 'postgresql:']),
  DATA_DIR: z.string().min(1).default('./data'),
  DB_POOL_SIZE: int(10, 1, 200),
  REDIS_URL: Url(['redis:', 'rediss:']),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'letters, digits and _:.- (max 64)').default('cocreate:'),
  PUBLIC_ORIGINS: Origins,
  NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, dot, dash, underscore (max 64)').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_DAYS: int(30, 1, 365),
  COOKIE_SECURE: tristate,
  TRUST_PROXY: TrustProxy,
  BODY_LIMIT_BYTES: int(256 * 1024, 1024, 64 * 1024 * 1024),
  RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 86_400),
  RATE_LIMIT_API_PER_IP: int(600, 1, 10_000_000),
  RATE_LIMIT_AUTH_PER_IP: int(20, 1, 10_000_000),
  RATE_LIMIT_AUTH_PER_ACCOUNT: int(10, 1, 10_000_000),
  RATE_LIMIT_WRITES_PER_USER: int(120, 1, 10_000_000),
  RATE_LIMIT_HANDSHAKES_PER_IP: int(300, 1, 10_000_000),
  RATE_LIMIT_GUEST_SOCKETS_PER_IP: int(100, 1, 10_000_000),
  SEED_DEMO: tristate,
  TICK_MS: int(100, 10, 5000),
  SOCKET_EVENTS_PER_SECOND: int(20, 1, 100_000),
  SOCKET_EVENT_BURST: int(40, 1, 100_000),
  PRESENCE_TTL_MS: int(10_000, 500, 600_000),
  VOTE_GROUP_COMMIT: z.enum(['true', 'false']).default('true'),
  VOTE_BATCHES_IN_FLIGHT: int(1, 1, 8),
  FANOUT_MODE: z.enum(['cocreate', 'naive', 'stock-coalesced']).default('cocreate'),
  SLOW_CONSUMER_BYTES: int(256 * 1024, 1024, 64 * 1024 * 1024),
  SLOW_CONSUMER_MAX_BEHIND_MS: int(10_000, 100, 600_000),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  CLIENT_DIST: z.string().optional(),
  SHUTDOWN_GRACE_MS: int(10_000, 0, 600_000),
  COLLAB_IDLE_MS: int(30_000, 0, 3_600_000),
  COLLAB_FLUSH_MS: int(50, 1, 100),
  COLLAB_MAX_DOC_BYTES: int(10 * 1024 * 1024, 1024, 256 * 1024 * 1024),
  COLLAB_MAX_FRAME_BYTES: int(1024 * 1024, 1024, 64 * 1024 * 1024),
  COLLAB_UPDATES_PER_SECOND: int(120, 1, 100_000),
  COLLAB_UPDATE_BURST: int(600, 1, 1_000_000),
  COLLAB_MAX_PENDING_BYTES: int(64 * 1024, 0, 16 * 1024 * 1024),
  COLLAB_COMPACT_ROWS: int(200, 2, 1_000_000),
  COLLAB_SYNC_INTERVAL_MS: int(5_000, 100, 600_000),
  COLLAB_TEXT_DEBOUNCE_MS: int(2_000, 10, 600_000),
  COLLAB_MAX_CONNECTIONS: int(10_000, 1, 10_000_000),
  COLLAB_ACCESS_RECHECK_MS: int(10_000, 100, 3_600_000),
  PIPELINE_WORKER: z.enum(['true', 'false']).default('true'),
  OUTBOX_POLL_MS: int(500, 10, 60_000),
  OUTBOX_LEASE_MS: int(30_000, 500, 3_600_000),
  OUTBOX_BACKOFF_MS: int(1_000, 10, 3_600_000),
  OUTBOX_MAX_ATTEMPTS: int(10, 1, 100),
  WEBHOOK_TIMEOUT_MS: int(10_000, 100, 120_000),
  WEBHOOK_ALLOWED_PRIVATE: Cidrs,
  DIGEST_INTERVAL_HOURS: int(168, 1, 8_760),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolSize: number;
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel, so several deployments (or test runs) share one Redis. */
  redisPrefix: string;
  publicOrigins: string[];
  nodeId: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  sessionTtlMs: number;
  cookieSecure: 'auto' | boolean;
  trustProxy: boolean | number | string[];
  bodyLimit: number;
  rateLimits: {
    windowMs: number;
    apiPerIp: number;
    authPerIp: number;
    authPerAccount: number;
    writesPerUser: number;
  };
  /** Socket handshakes (Socket.IO and /collab together), counted before any credential is checked. */
  socketLimits: {
    /** Handshakes per client IP per rate-limit window (shared by all nodes with REDIS_URL). */
    handshakesPerIp: number;
    windowMs: number;
    /** Open connections without a session per client IP, per node. */
    guestSocketsPerIp: number;
  };
  seedDemo: boolean;
  realtime: {
    /** State (rank) frames are coalesced per board and sent once per tick. */
    tickMs: number;
    eventsPerSecond: number;
    eventBurst: number;
    /** A node that stops heartbeating is gone from presence after this long. */
    presenceTtlMs: number;
    /** A socket with more unsent bytes than this is a slow consumer: its state frames are collapsed. */
    slowConsumerBytes: number;
    /** A slow consumer still behind after this long is disconnected (to resync). */
    slowConsumerMaxBehindMs: number;
    /**
     * `cocreate` (the design). The two others exist only as benchmark baselines, with Socket.IO's
     * stock Redis adapter: `naive` broadcasts every vote, `stock-coalesced` sends cocreate's
     * per-tick batches through the adapter.
     */
    fanoutMode: 'cocreate' | 'naive' | 'stock-coalesced';
    /** Group commit of votes: many concurrent votes per transaction (on by default). */
    voteGroupCommit: boolean;
    /** Vote batches a node writes at once. */
    voteBatchesInFlight: number;
  };
  collab: {
    /** A document with no connections is flushed and unloaded after this long. */
    idleMs: number;
    /** Group-commit window: accepted updates reach doc_updates within this long (at most 100 ms). */
    flushMs: number;
    maxDocBytes: number;
    /** Larger frames close with 4413; beyond twice this, the WebSocket library drops the connection (1009). */
    maxFrameBytes: number;
    /** Per-connection message rate (token bucket); past it the connection closes with 1013. */
    updatesPerSecond: number;
    updateBurst: number;
    /** Structs waiting for missing dependencies, per document, before the sender is closed. */
    maxPendingBytes: number;
    /** A node compacts a document after writing this many rows for it. */
    compactRows: number;
    /** Nodes holding a document exchange state vectors this often. */
    syncIntervalMs: number;
    /** The plain-text extract of an idea's body is written this long after the last local change. */
    textDebounceMs: number;
    maxConnections: number;
    /** A writer's right (lock, merge, ban) is checked again at most this often while it writes. */
    accessRecheckMs: number;
  };
  pipeline: {
    /** Whether this node drains the outbox (any number of nodes may; rows are claimed with SKIP LOCKED). */
    worker: boolean;
    pollMs: number;
    /** A claimed row that is neither done nor failed after this long (its worker died) is claimed again. */
    leaseMs: number;
    /** Retry n waits backoffMs × 2^(n−1), with jitter, capped at an hour. */
    backoffMs: number;
    /** After this many failed attempts a job is dead (kept, visible, redeliverable). */
    maxAttempts: number;
    webhookTimeoutMs: number;
    /**
     * Webhooks never go to loopback, private, link-local or otherwise internal addresses, except
     * those in these ranges (an admin's explicit choice, e.g. a receiver on the same host).
     */
    webhookAllowedPrivate: { address: string; prefix: number; family: 'ipv4' | 'ipv6' }[];
    /** Each member's digest of what shipped from ideas they backed, at most this often. */
    digestIntervalMs: number;
  };
  clientDist: string;
  shutdownGraceMs: number;
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DEFAULT_CLIENT_DIST = fileURLToPath(new URL('../../client/dist', import.meta.url));

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? 'is invalid'} (got ${JSON.stringify(env[name] ?? null)})`);
  }
  const e = parsed.data;
  const tri = (v: 'auto' | 'true' | 'false') => (v === 'auto' ? 'auto' : v === 'true');
  const seed = tri(e.SEED_DEMO);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.DATA_DIR),
    dbPoolSize: e.DB_POOL_SIZE,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    publicOrigins: e.PUBLIC_ORIGINS ?? [`http://localhost:${e.PORT}`, `http://127.0.0.1:${e.PORT}`],
    nodeId: e.NODE_ID ?? `${hostname()}-${process.pid}`,
    logLevel: e.LOG_LEVEL,
    sessionTtlMs: e.SESSION_TTL_DAYS * 86_400_000,
    cookieSecure: tri(e.COOKIE_SECURE),
    trustProxy: e.TRUST_PROXY,
    bodyLimit: e.BODY_LIMIT_BYTES,
    rateLimits: {
      windowMs: e.RATE_LIMIT_WINDOW_SECONDS * 1000,
      apiPerIp: e.RATE_LIMIT_API_PER_IP,
      authPerIp: e.RATE_LIMIT_AUTH_PER_IP,
      authPerAccount: e.RATE_LIMIT_AUTH_PER_ACCOUNT,
      writesPerUser: e.RATE_LIMIT_WRITES_PER_USER,
    },
    socketLimits: {
      handshakesPerIp: e.RATE_LIMIT_HANDSHAKES_PER_IP,
      windowMs: e.RATE_LIMIT_WINDOW_SECONDS * 1000,
      guestSocketsPerIp: e.RATE_LIMIT_GUEST_SOCKETS_PER_IP,
    },
    // The demo seeds itself in the zero-setup mode only, unless asked.
    seedDemo: seed === 'auto' ? !e.DATABASE_URL : seed,
    realtime: {
      tickMs: e.TICK_MS,
      eventsPerSecond: e.SOCKET_EVENTS_PER_SECOND,
      eventBurst: e.SOCKET_EVENT_BURST,
      presenceTtlMs: e.PRESENCE_TTL_MS,
      slowConsumerBytes: e.SLOW_CONSUMER_BYTES,
      slowConsumerMaxBehindMs: e.SLOW_CONSUMER_MAX_BEHIND_MS,
      fanoutMode: e.FANOUT_MODE,
      voteGroupCommit: e.VOTE_GROUP_COMMIT === 'true',
      voteBatchesInFlight: e.VOTE_BATCHES_IN_FLIGHT,
    },
    collab: {
      idleMs: e.COLLAB_IDLE_MS,
      flushMs: e.COLLAB_FLUSH_MS,
      maxDocBytes: e.COLLAB_MAX_DOC_BYTES,
      maxFrameBytes: e.COLLAB_MAX_FRAME_BYTES,
      updatesPerSecond: e.COLLAB_UPDATES_PER_SECOND,
      updateBurst: e.COLLAB_UPDATE_BURST,
      maxPendingBytes: e.COLLAB_MAX_PENDING_BYTES,
      compactRows: e.COLLAB_COMPACT_ROWS,
      syncIntervalMs: e.COLLAB_SYNC_INTERVAL_MS,
      textDebounceMs: e.COLLAB_TEXT_DEBOUNCE_MS,
      maxConnections: e.COLLAB_MAX_CONNECTIONS,
      accessRecheckMs: e.COLLAB_ACCESS_RECHECK_MS,
    },
    pipeline: {
      worker: e.PIPELINE_WORKER === 'true',
      pollMs: e.OUTBOX_POLL_MS,
      leaseMs: e.OUTBOX_LEASE_MS,
      backoffMs: e.OUTBOX_BACKOFF_MS,
      maxAttempts: e.OUTBOX_MAX_ATTEMPTS,
      webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
      webhookAllowedPrivate: e.WEBHOOK_ALLOWED_PRIVATE,
      digestIntervalMs: e.DIGEST_INTERVAL_HOURS * 3_600_000,
    },
    clientDist: e.CLIENT_DIST ? resolve(e.CLIENT_DIST) : DEFAULT_CLIENT_DIST,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    metricsToken: e.METRICS_TOKEN,
  };
}
