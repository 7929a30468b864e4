/**
 * Browser end-to-end harness: the real server (buildApp) on an in-memory PGlite with the demo seeded,
 * serving the built client on 127.0.0.1, and a headless Debian Chromium driven by playwright-core.
 *
 * Every page opened through `openUser` records console errors, uncaught page errors, failed requests
 * and 4xx/5xx answers, so a test can assert that a whole journey ran clean.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase } from '@cocreate/db/testing';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { buildApp } from '../../server/src/app.js';
import { type DemoLogin, seedDemo } from '../../server/src/seed.js';
import type { Config } from '../../server/src/config.js';
import { testConfig } from '../../server/src/testing/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../..');
export const clientDist = resolve(repoRoot, 'client/dist');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots of every main screen, for a person to look at; the folder is git-ignored. */
export const SHOTS_DIR = process.env.E2E_SHOTS_DIR ?? resolve(repoRoot, 'artifacts/e2e-screenshots');

/** The sources a client build is made from (tests excluded). */
const BUILD_INPUTS = ['client/src', 'client/index.html', 'client/vite.config.ts', 'packages/protocol/src', 'packages/ranking/src'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return /\.test\.tsx?$/.test(path) ? 0 : st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * Builds the client when there is no build to serve, or when a source is newer than the build, so
 * the browser never tests yesterday's client.
 */
export async function ensureClientBuilt(): Promise<void> {
  const index = join(clientDist, 'index.html');
  const fresh = () => existsSync(index) && BUILD_INPUTS.every((p) => newestMtime(join(repoRoot, p)) <= statSync(index).mtimeMs);
  if (fresh()) return;
  // Test files run in parallel processes: one builds, the others wait for it and then re-check.
  const lock = join(tmpdir(), `cocreate-e2e-build-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock left by a crashed run does not block forever.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (fresh()) return;
    // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build.
    const env = { ...process.env, NODE_ENV: 'production' };
    execFileSync('npm', ['run', 'build', '-w', '@cocreate/client'], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (!existsSync(index)) throw new Error(`the client build did not produce ${index}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A port that was free a moment ago (the caller retries if someone takes it in between). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (port ? ok(port) : fail(new Error('no port'))));
    });
  });
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** Quiet by default; E2E_LOG=error (or another level) shows the server's log when a test needs explaining. */
function serverLogLevel(): (typeof LOG_LEVELS)[number] {
  const wanted = process.env.E2E_LOG;
  return LOG_LEVELS.find((l) => l === wanted) ?? 'silent';
}

export interface E2EServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:41234, the one origin the browser uses and the server allows. */
  origin: string;
  logins: DemoLogin[];
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Settings of the outbox worker, e.g. `{worker: true, pollMs: 50}` for a test of the roadmap pipeline (off by default). */
  pipeline?: Partial<Config['pipeline']>;
}

/** The real app on a fresh in-memory database with the demo community, listening on 127.0.0.1. */
export async function startServer(opts: ServerOptions = {}): Promise<E2EServer> {
  await ensureClientBuilt();
  const database = await createTestDatabase('pglite');
  try {
    const logins = await seedDemo(database, {});
    if (!logins) throw new Error('seedDemo returned no logins');
    // The allowed origin must be the exact one the browser uses, so the port is chosen first; if
    // something takes it before we listen, try another.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      const config = testConfig({ clientDist, publicOrigins: [origin], logLevel: serverLogLevel() });
      config.pipeline = { ...config.pipeline, ...opts.pipeline };
      const app = await buildApp(config, { database, redis: null });
      try {
        await app.listen({ port, host: '127.0.0.1' });
      } catch (err) {
        await app.close();
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < 5) continue;
        throw err;
      }
      return {
        app,
        origin,
        logins,
        close: async () => {
          await app.close();
          await database.close();
        },
      };
    }
  } catch (err) {
    await database.close();
    throw err;
  }
}

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Problem {
  kind: 'console' | 'pageerror' | 'requestfailed' | 'http';
  text: string;
}

export interface UserSession {
  context: BrowserContext;
  page: Page;
  /** Everything that went wrong on this user's pages, except what `expectHttp` allowed. */
  problems: Problem[];
  /** Allows one 4xx/5xx answer that the test provokes on purpose (e.g. a wrong password's 401). */
  expectHttp(status: number, pathname: string): void;
}

/** A fresh browser context (its own cookies) with one page whose problems are recorded. */
export async function openUser(browser: Browser, origin: string, opts: { width?: number; height?: number } = {}): Promise<UserSession> {
  const context = await browser.newContext({
    baseURL: origin,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    colorScheme: 'light',
    reducedMotion: 'reduce',
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  const problems: Problem[] = [];
  // Each deliberate error answer is allowed once, and so is the console line Chromium prints for it.
  const allowedHttp: { status: number; pathname: string }[] = [];
  const allowedConsole: { status: number; pathname: string }[] = [];
  const take = (list: { status: number; pathname: string }[], status: number, pathname: string) => {
    const i = list.findIndex((a) => a.status === status && a.pathname === pathname);
    if (i >= 0) list.splice(i, 1);
    return i >= 0;
  };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const url = msg.location().url;
    const status = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(msg.text())?.[1];
    if (status && url && take(allowedConsole, Number(status), pathOf(url))) return;
    problems.push({ kind: 'console', text: `${msg.text()} @ ${url}` });
  });
  page.on('pageerror', (err) => problems.push({ kind: 'pageerror', text: err.stack ?? String(err) }));
  page.on('requestfailed', (req) => {
    const reason = req.failure()?.errorText ?? 'failed';
    // A cancelled fetch is the client dropping an answer it no longer needs (a new filter, leaving
    // the screen); any other failure, or a cancelled script, style or page, is a problem.
    const isApiCall = req.resourceType() === 'fetch' || req.resourceType() === 'xhr';
    if (reason === 'net::ERR_ABORTED' && isApiCall) return;
    problems.push({ kind: 'requestfailed', text: `${req.method()} ${req.url()} ${reason}` });
  });
  page.on('response', (res) => {
    const status = res.status();
    if (status < 400) return;
    if (take(allowedHttp, status, pathOf(res.url()))) return;
    problems.push({ kind: 'http', text: `${status} ${res.request().method()} ${res.url()}` });
  });
  return {
    context,
    page,
    problems,
    expectHttp: (status, pathname) => {
      allowedHttp.push({ status, pathname });
      allowedConsole.push({ status, pathname });
    },
  };
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** A full-page screenshot into SHOTS_DIR. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  const path = join(SHOTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The widest element sticking out of the page horizontally, or null when nothing overflows. */
export function horizontalOverflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const doc = document.documentElement;
    if (doc.scrollWidth <= doc.clientWidth) return null;
    let worst: { el: Element; right: number } | null = null;
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const right = el.getBoundingClientRect().right;
      if (right > doc.clientWidth + 0.5 && (!worst || right > worst.right)) worst = { el, right };
    }
    const describe = (el: Element) =>
      `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).split(/\s+/).join('.')}` : ''}>`;
    return `page is ${doc.scrollWidth}px wide in a ${doc.clientWidth}px viewport${worst ? `; widest: ${describe(worst.el)} ends at ${Math.round(worst.right)}px` : ''}`;
  });
}

/** The seeded demo login of a handle (sam, lena, maya, …). */
export function demoLogin(server: E2EServer, handle: string): DemoLogin {
  const login = server.logins.find((l) => l.email.startsWith(`${handle}@`));
  if (!login) throw new Error(`the demo has no ${handle}`);
  return login;
}

/** Logs in through the login form and lands on `next`. */
export async function signIn(page: Page, login: Pick<DemoLogin, 'email' | 'password'>, next: string): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(login.email);
  await page.getByLabel('Password').fill(login.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** A locator's text with whitespace collapsed. */
export async function textOf(locator: Locator, timeout = 15_000): Promise<string> {
  return ((await locator.textContent({ timeout })) ?? '').replace(/\s+/g, ' ').trim();
}

/** Marks the page's window; a reload or full navigation loses the mark (see `windowMarked`). */
export async function markWindow(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { e2eMark?: boolean }).e2eMark = true;
  });
}

/** Whether the page still has the window `markWindow` marked: what changed since came live. */
export function windowMarked(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { e2eMark?: boolean }).e2eMark === true);
}

export interface BrowserSuite {
  /** The suite's server, started before the first test. */
  readonly server: E2EServer;
  /** The suite's browser, for a context a test manages itself. */
  readonly browser: Browser;
  /** A fresh browser context for one person; closed, and checked for problems, after each test. */
  user(viewport?: { width?: number; height?: number }): Promise<UserSession>;
}

/**
 * The lifecycle every browser test file shares: one server and one browser for the file, a fresh
 * context per person, and after each test an assertion that no page logged an error, threw, or got a
 * failed request or an error answer.
 */
export function browserSuite(opts: ServerOptions = {}): BrowserSuite {
  let server: E2EServer | undefined;
  let browser: Browser | undefined;
  const sessions: UserSession[] = [];
  beforeAll(async () => {
    server = await startServer(opts);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    const problems = sessions.flatMap((s) => s.problems);
    for (const s of sessions.splice(0)) await s.context.close();
    expect(problems, 'console errors, page errors, failed requests or error answers').toEqual([]);
  });
  return {
    get server() {
      if (!server) throw new Error('the suite has not started yet');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the suite has not started yet');
      return browser;
    },
    async user(viewport) {
      if (!browser || !server) throw new Error('the suite has not started yet');
      const s = await openUser(browser, server.origin, viewport);
      sessions.push(s);
      return s;
    },
  };
}
