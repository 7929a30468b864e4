#!/usr/bin/env node
// `npm start`: build what is missing or stale (TypeScript incrementally, the client when absent), then run one node.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

console.log('cocreate: compiling the server (incremental)…');
run('npx', ['tsc', '-b']);
if (!existsSync(`${root}/client/dist/index.html`) || process.env.REBUILD_CLIENT === 'true') {
  console.log('cocreate: building the web client…');
  run('npm', ['run', 'build', '-w', '@cocreate/client']);
}
const server = spawn(process.execPath, ['server/dist/main.js'], { cwd: root, stdio: 'inherit' });
// Pass stop signals on, so the server shuts down gracefully (flushes, closes) before we exit.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
