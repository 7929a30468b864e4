// The drills' own faulty services: a redis-server of their own on a free port (never the shared one),
// and a TCP proxy in front of PostgreSQL that can stop forwarding for a while.
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { freePort, track } from './procs.mjs';

/** A private redis-server on a free loopback port, no persistence: a restart loses everything in it. */
export class OwnRedis {
  /** @param {number} port */
  constructor(port) {
    this.port = port;
    /** @type {import('node:child_process').ChildProcess | null} */
    this.child = null;
  }

  static async start() {
    const r = new OwnRedis(await freePort());
    await r.up();
    return r;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid() {
    return this.child?.pid ?? null;
  }

  async up() {
    const child = track(
      spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'pipe' }),
    );
    this.child = child;
    await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      child.stdout.on('data', (d) => {
        out += String(d);
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out.slice(-500)}`)));
    });
  }

  /** Kills it at once, like a crash: every connection drops and its data is gone. */
  async kill() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGKILL');
    });
    this.child = null;
  }
}

/**
 * Forwards 127.0.0.1:<port> to `target`. `pause()` stops forwarding in both directions (bytes wait in
 * the proxy, new connections wait for their upstream) until `resume()`: to a client it looks like a
 * database that stopped answering, without any connection being closed.
 */
export async function startTcpProxy(target) {
  let paused = false;
  /** @type {(() => void)[]} */
  let waiting = [];
  /** @type {Set<{ flush: () => void, destroy: () => void }>} */
  const pairs = new Set();
  const server = createServer((client) => {
    const queues = { up: [], down: [] };
    let upstream = null;
    const forward = (dir, chunk) => {
      const to = dir === 'up' ? upstream : client;
      if (paused || !to) queues[dir].push(chunk);
      else to.write(chunk);
    };
    const pair = {
      flush() {
        if (!upstream) return;
        for (const c of queues.up.splice(0)) upstream.write(c);
        for (const c of queues.down.splice(0)) client.write(c);
      },
      destroy() {
        client.destroy();
        upstream?.destroy();
      },
    };
    pairs.add(pair);
    client.on('data', (c) => forward('up', c));
    const open = () => {
      upstream = connect(target.port, target.host ?? '127.0.0.1');
      upstream.on('data', (c) => forward('down', c));
      upstream.on('connect', () => pair.flush());
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => client.end());
    };
    client.on('error', () => upstream?.destroy());
    client.on('close', () => {
      upstream?.end();
      pairs.delete(pair);
    });
    if (paused) waiting.push(open);
    else open();
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    get paused() {
      return paused;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const open of waiting) open();
      waiting = [];
      for (const p of pairs) p.flush();
    },
    async close() {
      for (const p of pairs) p.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
