// Child processes of a benchmark run, their CPU time, and the guarantee that none outlives the run.
import { execFileSync, fork, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { sleep } from './stats.mjs';

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
/** @type {(() => Promise<void>)[]} */
const cleanups = [];
let exiting = false;

/** Runs once: async cleanups (databases, Redis keys) on error or Ctrl-C; children always die with us. */
export function installExitHandlers() {
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  const bail = async (code, why) => {
    if (exiting) return;
    exiting = true;
    if (why) console.error(why);
    for (const child of children) child.kill('SIGKILL');
    await runCleanups();
    process.exit(code);
  };
  process.on('SIGINT', () => void bail(130, '\ninterrupted: stopping every process of the run'));
  process.on('SIGTERM', () => void bail(143));
  process.on('uncaughtException', (err) => void bail(1, err.stack ?? String(err)));
  process.on('unhandledRejection', (err) => void bail(1, err instanceof Error ? (err.stack ?? err.message) : String(err)));
}

export function onCleanup(fn) {
  cleanups.push(fn);
}

export async function runCleanups() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try {
      await Promise.race([fn(), sleep(15_000)]);
    } catch (err) {
      console.error(`cleanup failed: ${err instanceof Error ? err.message : err}`);
    }
  }
}

/** Children registered here die with the run (SIGKILL on exit, Ctrl-C or a crash). */
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node server/dist/main.js` (or another `script` with its `args`, e.g. a baseline server) with
 * the given environment, output to a log file; resolves when `healthPath` answers.
 */
export async function startServerNode({
  root,
  env,
  port,
  logFile,
  nodeArgs = [],
  readyTimeoutMs = 60_000,
  script = 'server/dist/main.js',
  args = [],
  healthPath = '/healthz',
}) {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = track(spawn(process.execPath, [...nodeArgs, script, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] }));
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) throw new Error(`server node on port ${port} exited during start (${JSON.stringify(exited)}); see ${logFile}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}${healthPath}`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server node on port ${port} not healthy in ${readyTimeoutMs} ms; see ${logFile}`);
    await sleep(200);
  }
  return {
    pid: child.pid,
    port,
    url: `http://127.0.0.1:${port}`,
    logFile,
    get exited() {
      return exited;
    },
    /** SIGTERM (graceful), then SIGKILL after `graceMs`. */
    async stop(graceMs = 8000) {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
      await new Promise((resolve) => log.end(resolve));
    },
  };
}

/**
 * Forks a generator process and gives it a request/response call over IPC (structured clone, so typed
 * arrays cross as they are).
 */
export async function forkGenerator(modulePath, name) {
  const child = track(fork(modulePath, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const pending = new Map();
  let nextId = 0;
  let exitInfo = null;
  child.on('message', (msg) => {
    if (msg.ready) return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(`${name}: ${msg.error}`));
  });
  child.once('exit', (code, signal) => {
    exitInfo = { code, signal };
    for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
    pending.clear();
  });
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', () => reject(new Error(`${name} exited at start`)));
  });
  return {
    pid: child.pid,
    name,
    call(cmd, args = {}, timeoutMs = 120_000) {
      if (exitInfo) return Promise.reject(new Error(`${name} is gone (${JSON.stringify(exitInfo)})`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: ${cmd} took longer than ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ id, cmd, ...args });
      });
    },
    async stop() {
      if (exitInfo) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      this.call('close', {}, 5000).catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // 100 on every Linux this runs on
}

/** CPU time (user + system) a process has used so far, in µs; null when it is gone or unreadable. */
export function cpuTimeUs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
  } catch {
    return null;
  }
}

/** The whole machine's busy and total CPU time so far (all cores), in µs. */
export function machineCpuUs() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = v[3] + (v[4] ?? 0);
  return { busy: ((total - idle) * 1e6) / clockTicks, total: (total * 1e6) / clockTicks };
}

export function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    return null;
  }
}
