import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The zero-setup start as a newcomer meets it: the compiled server as a real process, no database
 * or Redis configured, on a fresh data directory. It must migrate, seed, print the logins, serve,
 * and stop cleanly on SIGTERM.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));

function startNode(dataDir: string, port: number) {
  const child = spawn(process.execPath, ['server/dist/main.js'], {
    cwd: root,
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += String(d);
  });
  child.stderr?.on('data', (d) => {
    out += String(d);
  });
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /is serving (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
  return { child, ready, output: () => out };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });

describe('npm start (embedded mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cocreate-start-'));
  beforeAll(() => {
    // Incremental: a no-op when CI has already built.
    const r = spawnSync('npx', ['tsc', '-b'], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('migrates, seeds the demo once, serves it, and stops on SIGTERM', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const first = startNode(dataDir, port);
    const url = await first.ready;
    expect(first.output()).toContain('Demo community "demo" is ready');
    const login = /member\s+(\S+@demo\.example)\s+password: (\S+)/.exec(first.output());
    expect(login).not.toBeNull();

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const list = (await (await fetch(`${url}/api/communities`)).json()) as { items: { slug: string }[] };
    expect(list.items.map((c) => c.slug)).toContain('demo');
    const signIn = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ email: login?.[1], password: login?.[2] }),
    });
    expect(signIn.status).toBe(200);
    expect(signIn.headers.get('set-cookie')).toMatch(/cocreate_session=.*HttpOnly/);
    const docs = (await (await fetch(`${url}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(docs.paths)).toContain('/api/boards/{boardId}/ideas');

    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);

    // A second start finds the demo and does not seed again, but still shows the logins.
    const second = startNode(dataDir, port + 1);
    const url2 = await second.ready;
    const again = (await (await fetch(`${url2}/api/communities`)).json()) as { items: { slug: string }[] };
    expect(again.items.filter((c) => c.slug === 'demo')).toHaveLength(1);
    expect(second.output()).toContain(login?.[2]);
    second.child.kill('SIGINT');
    expect(await exited(second.child)).toBe(0);
  }, 120_000);

  it('refuses a bad setting with one line naming it', () => {
    const r = spawnSync(process.execPath, ['server/dist/main.js'], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^Invalid configuration: PORT /);
  });
});
