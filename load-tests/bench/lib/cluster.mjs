// Starting cocreate nodes for a benchmark run: the environment every run gives them (rate limits at the
// configuration's ceilings, since one address and a few hundred accounts drive the whole load) and the
// start of N nodes as separate processes, each with an inspector on loopback (forced GCs, CPU profiles).
import { join } from 'node:path';
import { OwnRedis, startTcpProxy } from './faults.mjs';
import { openInspector } from './inspector.mjs';
import { freePort, onCleanup, startServerNode } from './procs.mjs';
import { createDatabase } from './services.mjs';

/**
 * The environment of a benchmark node; `extra` adds or overrides (FANOUT_MODE, COLLAB_IDLE_MS, …).
 * @param {{ databaseUrl: string, redisUrl: string, redisPrefix: string, ports: number[], extra?: Record<string, string> }} o
 */
export function benchNodeEnv({ databaseUrl, redisUrl, redisPrefix, ports, extra = {} }) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    HOST: '127.0.0.1',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    PUBLIC_ORIGINS: ports.flatMap((p) => [`http://127.0.0.1:${p}`, `http://localhost:${p}`]).join(','),
    RATE_LIMIT_API_PER_IP: '10000000',
    RATE_LIMIT_AUTH_PER_IP: '10000000',
    RATE_LIMIT_AUTH_PER_ACCOUNT: '10000000',
    RATE_LIMIT_WRITES_PER_USER: '10000000',
    // Every simulated client comes from 127.0.0.1.
    RATE_LIMIT_HANDSHAKES_PER_IP: '10000000',
    RATE_LIMIT_GUEST_SOCKETS_PER_IP: '10000000',
    SHUTDOWN_GRACE_MS: '5000',
    ...extra,
  };
}

/** Two (or `count`) free ports for the nodes; pass them to benchNodeEnv and startNodes. */
export async function nodePorts(count = 2) {
  const ports = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}

/**
 * Starts one node per port (`node server/dist/main.js`, PORT and NODE_ID `bench-a`, `bench-b`, …), logs
 * in `logDir/<logPrefix>node-<letter>.log`, an inspector attached to each.
 * @returns {Promise<Awaited<ReturnType<typeof startServerNode>>[]>} each with `.inspector` and `.letter`
 */
export async function startNodes({ root, ports, env, logDir, logPrefix = '', nodeArgs = [] }) {
  const inspectPorts = await nodePorts(ports.length);
  const nodes = await Promise.all(
    ports.map((port, i) =>
      startNode({ root, port, env, logDir, logPrefix, nodeArgs, letter: 'abcdefgh'[i], inspectPort: inspectPorts[i] }),
    ),
  );
  return nodes;
}

/** One node (also used to restart a node a drill killed, on the same port). */
export async function startNode({ root, port, env, logDir, logPrefix = '', nodeArgs = [], letter, inspectPort }) {
  const inspect = inspectPort ?? (await freePort());
  const node = await startServerNode({
    root,
    port,
    nodeArgs: [...nodeArgs, `--inspect=127.0.0.1:${inspect}`],
    env: { ...env, PORT: String(port), NODE_ID: `bench-${letter}` },
    logFile: join(logDir, `${logPrefix}node-${letter}.log`),
  });
  node.inspector = await openInspector(inspect);
  node.letter = letter;
  return node;
}

/**
 * Two nodes on services of the run's own, all dropped or stopped by the run's cleanups: a fresh database,
 * a redis-server of its own on a free port (never the shared one) and, with `proxyPostgres`, a TCP proxy
 * in front of PostgreSQL that the nodes connect through (the drills pause it).
 * @param {{ root: string, runId: string, tag: string, logDir: string, adminUrl: string, proxyPostgres?: boolean, extra?: Record<string, string> }} o
 */
export async function startOwnCluster({ root, runId, tag, logDir, adminUrl, proxyPostgres = false, extra = {} }) {
  const db = await createDatabase(adminUrl, `cocreate_${tag}_${runId}`);
  onCleanup(() => db.drop());
  const redis = await OwnRedis.start();
  onCleanup(() => redis.kill());
  let proxy = null;
  let databaseUrl = db.url;
  if (proxyPostgres) {
    const pg = new URL(adminUrl);
    proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    onCleanup(() => proxy.close());
    const proxied = new URL(db.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    databaseUrl = proxied.toString();
  }
  const ports = await nodePorts(2);
  const env = benchNodeEnv({ databaseUrl, redisUrl: redis.url, redisPrefix: `cc${tag}:${runId}:`, ports, extra });
  const nodes = await startNodes({ root, ports, env, logDir });
  onCleanup(() => Promise.all(nodes.map((n) => n.stop())));
  return { db, redis, proxy, ports, env, nodes };
}
