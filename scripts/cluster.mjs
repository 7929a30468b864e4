#!/usr/bin/env node
// `npm run cluster`: two cocreate nodes on PostgreSQL + Redis, on ports 3001 and 3002 (no balancer:
// open either one). DATABASE_URL and REDIS_URL default to the local services.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const build = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const ports = (process.env.CLUSTER_PORTS ?? '3001,3002').split(',').map(Number);
const origins = ports.flatMap((p) => [`http://localhost:${p}`, `http://127.0.0.1:${p}`]).join(',');
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
};
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
