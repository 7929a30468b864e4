#!/usr/bin/env node
// `npm run cluster`: two cocreate nodes on PostgreSQL + Redis, on ports 3001 and 3002 (no balancer:
// open either one). DATABASE_URL and REDIS_URL default to the local services.
// Before the nodes start it seeds the load community (LOAD_USERS accounts with bearer tokens, a hot
// board of LOAD_HOT_IDEAS ideas, a long tail of LOAD_TAIL_IDEAS) and writes LOAD_DATA
// (load-tests/k6/data/load.json) for the k6 scripts; LOAD_SEED=false skips that.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const ports = (process.env.CLUSTER_PORTS ?? '3001,3002').split(',').map(Number);
const origins = ports.flatMap((p) => [`http://localhost:${p}`, `http://127.0.0.1:${p}`]).join(',');
const local = (p) => `http://127.0.0.1:${p}`;
const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  PUBLIC_ORIGINS: process.env.PUBLIC_ORIGINS ?? origins,
  SEED_DEMO: process.env.SEED_DEMO ?? 'true',
  // A local cluster is for trying things out and load tests: raise the public-internet defaults.
  RATE_LIMIT_API_PER_IP: process.env.RATE_LIMIT_API_PER_IP ?? '1000000',
  RATE_LIMIT_AUTH_PER_IP: process.env.RATE_LIMIT_AUTH_PER_IP ?? '100000',
  RATE_LIMIT_WRITES_PER_USER: process.env.RATE_LIMIT_WRITES_PER_USER ?? '1000000',
  // Thousands of k6 clients connect from one address; handshake-flood documents how to lower this.
  RATE_LIMIT_HANDSHAKES_PER_IP: process.env.RATE_LIMIT_HANDSHAKES_PER_IP ?? '1000000',
  SOCKET_EVENTS_PER_SECOND: process.env.SOCKET_EVENTS_PER_SECOND ?? '1000',
  SOCKET_EVENT_BURST: process.env.SOCKET_EVENT_BURST ?? '2000',
};

if (process.env.LOAD_SEED !== 'false') {
  const args = ['server/dist/cli/seed-load.js', '--out', process.env.LOAD_DATA ?? 'load-tests/k6/data/load.json'];
  args.push('--users', process.env.LOAD_USERS ?? '2000');
  args.push('--hot-ideas', process.env.LOAD_HOT_IDEAS ?? '200');
  args.push('--tail-ideas', process.env.LOAD_TAIL_IDEAS ?? '5000');
  args.push('--base-urls', ports.map(local).join(','));
  const seed = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  if (seed.status !== 0) process.exit(seed.status ?? 1);
}
const nodes = ports.map((port, i) =>
  spawn(process.execPath, ['server/dist/main.js'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...env, PORT: String(port), NODE_ID: `node${i + 1}` },
  }),
);
const stop = (signal) => {
  for (const n of nodes) n.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
let alive = nodes.length;
for (const n of nodes) n.on('exit', () => --alive === 0 && process.exit(0));
