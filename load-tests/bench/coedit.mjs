// The coedit benchmark: cocreate (two nodes on PostgreSQL + Redis), Hocuspocus and the reference
// y-websocket server (one process each), measured in one run with the same lean clients:
//   hot     one document, many typists spread over the nodes (the issue's 50 typists at 10 keystrokes/s)
//   spread  many documents with a few typists each (200 × 5 at 1 keystroke/s); heap per open document
//   load    a fresh client syncs a ~5 MB document from a cold server (cocreate: loaded from PostgreSQL)
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { bodyChars, CoeditClient } from './coedit-clients.mjs';
import { checkConvergence, coresBetween, cpuSnapshot, heapAfterGc, waitUnloaded } from './coedit-measure.mjs';
import { report } from './coedit-report.mjs';
import { benchNodeEnv, nodePorts, startNodes } from './lib/cluster.mjs';
import { pool } from './lib/eio.mjs';
import { openInspector } from './lib/inspector.mjs';
import { forkGenerator, freePort, loadAverage, onCleanup, startServerNode } from './lib/procs.mjs';
import { api, connectRedis, createDatabase } from './lib/services.mjs';
import { Histogram, median, now, round, sleep } from './lib/stats.mjs';
import { waitForQuietMachine } from './votes-measure.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GENERATOR = fileURLToPath(new URL('./coedit-generator.mjs', import.meta.url));
const BASELINE = fileURLToPath(new URL('./coedit-baseline-server.mjs', import.meta.url));
const RESULTS = join(ROOT, 'load-tests', 'results');

export const SERVERS = ['cocreate', 'hocuspocus', 'yWebsocket'];

const PROFILES = {
  full: {
    hot: { docs: 1, editorsPerDoc: 50, observersPerDoc: 6, perSecond: 10, cursorEvery: 2, ladder: [10, 20, 30, 40] },
    spread: { docs: 200, editorsPerDoc: 5, observersPerDoc: 1, perSecond: 1, cursorEvery: 2 },
    warmupMs: 5000,
    measureMs: 30_000,
    stepMs: 10_000,
    drainMs: 3000,
    generators: 2,
    quietWaitMs: 20_000,
    users: 20,
    bigChars: 4_700_000,
    loads: 3,
  },
  quick: {
    hot: { docs: 1, editorsPerDoc: 20, observersPerDoc: 4, perSecond: 10, cursorEvery: 2, ladder: [10] },
    spread: { docs: 40, editorsPerDoc: 5, observersPerDoc: 1, perSecond: 1, cursorEvery: 2 },
    warmupMs: 2000,
    measureMs: 8000,
    stepMs: 5000,
    drainMs: 2000,
    generators: 2,
    // A smoke: no waiting for the rest of the machine to calm down.
    quietWaitMs: 0,
    users: 6,
    bigChars: 4_700_000,
    loads: 2,
  },
};

/** @param {{ quick?: boolean, cpuProf?: boolean, servers?: string[], measureS?: number, typists?: number, rate?: number, adminUrl?: string, redisUrl?: string }} options */
export async function runCoedit(options = {}) {
  const profile = structuredClone(PROFILES[options.quick ? 'quick' : 'full']);
  if (options.measureS) profile.measureMs = options.measureS * 1000;
  if (options.typists) profile.hot.editorsPerDoc = options.typists;
  if (options.rate) profile.hot.perSecond = options.rate;
  const servers = options.servers ?? SERVERS;
  for (const s of servers) if (!SERVERS.includes(s)) throw new Error(`unknown server ${s} (${SERVERS.join(', ')})`);
  if (servers.includes('cocreate') && !existsSync(join(ROOT, 'server/dist/main.js')))
    throw new Error('server/dist/main.js is missing: run `npm run build` first');

  const runId = randomBytes(3).toString('hex');
  const logDir = join(tmpdir(), `cocreate-bench-coedit-${runId}`);
  mkdirSync(logDir, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  const started = Date.now();
  const load0 = loadAverage();
  const { hot, spread } = profile;
  console.log(`coedit benchmark ${runId}${options.quick ? ' (quick)' : ''}: ${servers.join(', ')}`);
  console.log(
    `  hot: ${hot.editorsPerDoc} typists in one document at ${hot.perSecond} keystrokes/s (a cursor every ${hot.cursorEvery}), ${hot.observersPerDoc} observers`,
  );
  console.log(
    `  spread: ${spread.docs} documents × ${spread.editorsPerDoc} typists at ${spread.perSecond} keystroke/s, ${spread.observersPerDoc} observer each`,
  );
  console.log(
    `  windows of ${profile.measureMs / 1000} s after ${profile.warmupMs / 1000} s of warm-up; ${profile.generators} generator processes; load average at start: ${load0?.join(' ') ?? '?'}`,
  );
  console.log(`  logs: ${logDir}`);

  const ctx = { profile, runId, logDir, options, fixture: null, db: null, redis: null };
  if (servers.includes('cocreate')) {
    const adminUrl = options.adminUrl ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    ctx.db = await createDatabase(adminUrl, `cocreate_bench_${runId}`);
    onCleanup(() => ctx.db.drop());
  }
  // cocreate's nodes and Hocuspocus's two nodes each meet in Redis, under this run's prefix.
  if (servers.includes('cocreate') || servers.includes('hocuspocus')) {
    ctx.redisUrl = options.redisUrl ?? process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
    ctx.prefix = `ccbench:${runId}:`;
    ctx.redis = await connectRedis(ctx.redisUrl);
    onCleanup(async () => {
      await ctx.redis.dropPrefix(ctx.prefix);
      await ctx.redis.close();
    });
  }
  const gens = [];
  for (let g = 0; g < profile.generators; g++) gens.push(await forkGenerator(GENERATOR, `generator ${g + 1}`));
  onCleanup(() => Promise.all(gens.map((g) => g.stop())));

  const results = {};
  for (const kind of servers) results[kind] = await runServer(ctx, kind, gens);

  const summary = { scenario: 'coedit' };
  for (const kind of SERVERS) summary[kind] = results[kind]?.summary ?? null;
  const detail = {
    scenario: 'coedit',
    runId,
    at: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: {
      loadAverageAtStart: load0,
      loadAverageAtEnd: loadAverage(),
      shared: 'servers, generators, PostgreSQL and Redis on one machine',
    },
    profile,
    servers: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.detail])),
    summary,
  };
  const custom = ['servers', 'measureS', 'typists', 'rate'].some((k) => options[k] !== undefined) || options.cpuProf;
  // Only the standard runs write coedit.json / coedit-quick.json; a diagnostic variant writes beside them.
  const name = `coedit${options.quick ? '-quick' : ''}${custom ? '-custom' : ''}`;
  writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(RESULTS, `${name}-detail.json`), `${JSON.stringify(detail, null, 2)}\n`);
  console.log(`\n${report(summary, results, profile)}`);
  console.log(`\nwrote load-tests/results/${name}.json (and ${name}-detail.json) in ${detail.durationS} s`);
  return summary;
}

// ---------------------------------------------------------------------------------------------

async function runServer(ctx, kind, gens) {
  console.log(`\n== ${kind} ==`);
  const t0 = Date.now();
  const server = kind === 'cocreate' ? await startCocreate(ctx) : await startBaseline(ctx, kind);
  try {
    if (kind === 'cocreate' && !ctx.fixture) ctx.fixture = await setupFixture(ctx, server);
    const docs = ctx.fixture?.docs ?? baselineDocs(ctx.profile);
    server.tokens = ctx.fixture?.tokens ?? ['bench'];
    server.readerToken = server.tokens[0];
    server.groups = async () => {
      const groups = { server: server.procs.map((p) => p.pid), generators: gens.map((g) => g.pid) };
      if (kind === 'cocreate') groups.services = [...(await ctx.db.backendPids()), ...(ctx.redis.pid ? [ctx.redis.pid] : [])];
      return groups;
    };

    const hot = await runPhase(ctx, server, gens, 'hot', docs.hot);
    await gensCall(gens, 'closeAll');
    const unloadHotMs = await waitUnloaded(server);

    // Heap per open document: before the spread documents open, with one observer each, and with their content.
    await sleep(1500);
    const heap0 = await heapAfterGc(server.procs);
    const mem = { heap0 };
    const spread = await runPhase(ctx, server, gens, 'spread', docs.spread, {
      afterObservers: async () => {
        await sleep(1500);
        mem.heapOpen = await heapAfterGc(server.procs);
      },
      afterEditorsLeft: async () => {
        await sleep(2000);
        mem.heapWithContent = await heapAfterGc(server.procs);
      },
    });
    await gensCall(gens, 'closeAll');
    mem.unloadMs = await waitUnloaded(server);
    await sleep(kind === 'cocreate' ? 1000 : 3000);
    mem.heapAfterLeave = await heapAfterGc(server.procs);
    const perDoc = (h) => round((h - heap0) / docs.spread.length / 1024);
    mem.perDocEmptyKiB = perDoc(mem.heapOpen);
    mem.perDocKiB = perDoc(mem.heapWithContent);
    mem.perDocAfterLeaveKiB = perDoc(mem.heapAfterLeave);
    console.log(
      `  heap per open document: ${mem.perDocKiB} KiB with its content and one connection (${mem.perDocEmptyKiB} KiB just opened); after every client left${kind === 'cocreate' ? ' and the idle unload' : ''}: ${mem.perDocAfterLeaveKiB} KiB per document above the baseline`,
    );

    const load = await measureLoad(ctx, server, docs.big);
    // Converged = every client of the hot and spread phases ended with the same state (and, for
    // cocreate, the database's). Whether a fresh reader got the whole big document is `loadComplete`:
    // a Hocuspocus node that did not hold it never does (no persistence extension; see the README).
    const converged = hot.convergence.converged && spread.convergence.converged;
    console.log(`  ${kind}: ${((Date.now() - t0) / 1000).toFixed(0)} s, converged: ${converged}, 5 MB load complete: ${load.complete}`);
    const summary = {
      p50Ms: round(hot.p50Ms),
      p99Ms: round(hot.p99Ms),
      updatesPerSec: round(hot.updatesPerSec),
      cpuUsPerUpdate: round(hot.cpuUsPerUpdate),
      memPerDocKiB: mem.perDocKiB,
      load5MBMs: load.complete ? round(load.medianMs) : null,
      converged,
      loadComplete: load.complete,
    };
    return {
      summary,
      phases: { hot, spread },
      mem,
      load,
      detail: { nodes: server.procs.length, persistence: server.persistence, unloadHotMs, phases: { hot, spread }, mem, load },
    };
  } finally {
    await gensCall(gens, 'closeAll').catch(() => undefined);
    for (const p of server.procs) p.inspector?.close();
    await Promise.all(server.procs.map((p) => p.stop()));
  }
}

const gensCall = (gens, cmd, args = {}, timeoutMs = 120_000) => Promise.all(gens.map((g) => g.call(cmd, args, timeoutMs)));

/**
 * One phase: observers, then editors, spread over the nodes and generators. With a ladder (the hot
 * phase), typists join in steps, each measured for `stepMs`; the last step (the full count) for
 * `measureMs`. Then convergence.
 */
async function runPhase(ctx, server, gens, name, docNames, hooks = {}) {
  const spec = ctx.profile[name];
  const nodes = server.bases.length;
  const lists = (role, fromIndex, toIndex) => {
    const out = gens.map(() => []);
    let k = 0;
    for (const [d, docName] of docNames.entries()) {
      for (let i = fromIndex; i < toIndex; i++, k++) {
        // Editors alternate nodes; observers start on the other node, so most pairs cross nodes.
        const node = (i + d + (role === 'observer' ? 1 : 0)) % nodes;
        out[k % gens.length].push({ base: server.bases[node], docName, token: server.tokens[(k + i) % server.tokens.length], role, node });
      }
    }
    return out;
  };
  const connect = async (role, fromIndex, toIndex) => {
    const t = Date.now();
    const res = await Promise.all(
      lists(role, fromIndex, toIndex).map((list, g) =>
        gens[g].call('connect', { protocol: server.protocol, list, concurrency: 20 }, 600_000),
      ),
    );
    const failed = res.reduce((a, r) => a + r.failed, 0);
    console.log(
      `  ${name}: ${res.reduce((a, r) => a + r.connected, 0)} ${role}s synced in ${((Date.now() - t) / 1000).toFixed(1)} s${failed ? `, ${failed} FAILED: ${res.flatMap((r) => r.errors)[0]}` : ''}`,
    );
    if (failed) throw new Error(`${failed} ${role}s could not connect`);
  };
  await connect('observer', 0, spec.observersPerDoc);
  await hooks.afterObservers?.();
  const ladder = [...(spec.ladder ?? []).filter((n) => n < spec.editorsPerDoc), spec.editorsPerDoc];
  const steps = [];
  let editors = 0;
  for (const [i, typists] of ladder.entries()) {
    await connect('editor', editors, typists);
    editors = typists;
    const last = i === ladder.length - 1;
    const step = await measureWindow(ctx, server, gens, {
      name: ladder.length > 1 ? `${name} ${typists} typists` : name,
      docs: docNames.length,
      typists,
      spec,
      windowMs: last ? ctx.profile.measureMs : ctx.profile.stepMs,
    });
    steps.push(step);
  }
  const phase = { ...steps[steps.length - 1], steps: steps.length > 1 ? steps : undefined };
  phase.convergence = await checkConvergence(server, gens, docNames, server.kind === 'cocreate' ? ctx.db : null);
  await gensCall(gens, 'closeEditors');
  await hooks.afterEditorsLeft?.();
  console.log(
    `  ${name}: converged ${phase.convergence.converged} (${phase.convergence.statesCompared} states of ${phase.convergence.documents} documents${server.kind === 'cocreate' ? ', PostgreSQL included' : ''})${phase.convergence.mismatches.length ? `: ${phase.convergence.mismatches[0]}` : ''}${phase.convergence.readerErrors.length ? `; reader failed: ${phase.convergence.readerErrors[0]}` : ''}`,
  );
  return phase;
}

/** Idle cost with every client connected, then one typing window: latency, throughput, CPU. */
async function measureWindow(ctx, server, gens, { name, docs, typists, spec, windowMs }) {
  const { warmupMs, drainMs } = ctx.profile;
  const out = { typists };
  if (ctx.profile.quietWaitMs) out.machineBusyBefore = round(await waitForQuietMachine(ctx.profile.quietWaitMs, `before ${name}`));
  const groups = await server.groups();
  const idle0 = cpuSnapshot(groups);
  await sleep(2000);
  const idle = coresBetween(idle0, cpuSnapshot(groups));
  out.idleCores = Object.fromEntries(Object.entries(idle).map(([k, v]) => [k, round(v)]));
  const start = now() + 200;
  const from = start + warmupMs;
  const to = from + windowMs;
  await gensCall(gens, 'type', { perSecond: spec.perSecond, cursorEvery: spec.cursorEvery, from, to, until: to });
  await sleep(from - now());
  const profiling = ctx.options.cpuProf ? await Promise.all(server.procs.map((p) => p.inspector.startProfile())) : null;
  const cpu0 = cpuSnapshot(groups);
  await sleep(to - now());
  const cpu1 = cpuSnapshot(groups);
  if (profiling) {
    for (const [i, p] of server.procs.entries()) {
      const file = join(ctx.logDir, `${server.kind}-${name.replaceAll(' ', '-')}-${i}.cpuprofile`);
      writeFileSync(file, JSON.stringify(await p.inspector.stopProfile()));
      console.log(`  ${name}: CPU profile of process ${i} in ${file}`);
    }
  }
  await sleep(drainMs);
  // Then until nothing arrives any more (a server that fell behind drains its backlog), at most a minute.
  const quietMs = await waitQuiet(gens, 60_000);
  const seen = await gensCall(gens, 'collect');
  const all = new Histogram();
  const cross = new Histogram();
  for (const s of seen) {
    all.merge(s.all);
    cross.merge(s.cross);
  }
  const windowS = windowMs / 1000;
  const sent = seen.reduce((a, s) => a + s.sent, 0);
  const delivered = seen.reduce((a, s) => a + s.delivered, 0);
  const cores = coresBetween(cpu0, cpu1);
  const serverCpuUs = cpu1.server - cpu0.server;
  Object.assign(out, {
    windowMs,
    quietAfterDrainMs: quietMs,
    offeredPerSec: docs * typists * spec.perSecond,
    sentPerSec: sent / windowS,
    // Distinct keystrokes that reached the observers, per document (delivered ÷ observers per document).
    updatesPerSec: delivered / spec.observersPerDoc / windowS,
    deliveredShare: sent ? delivered / spec.observersPerDoc / sent : null,
    p50Ms: all.quantile(0.5),
    p99Ms: all.quantile(0.99),
    maxMs: all.quantile(1),
    crossNodeP50Ms: cross.total ? cross.quantile(0.5) : null,
    crossNodeP99Ms: cross.total ? cross.quantile(0.99) : null,
    samples: all.total,
    cpuUsPerUpdate: sent ? serverCpuUs / sent : null,
    cpuUsPerUpdateAboveIdle: sent ? Math.max(0, serverCpuUs - idle.server * windowMs * 1000) / sent : null,
    cores: Object.fromEntries(Object.entries(cores).map(([k, v]) => [k, round(v)])),
    generatorLate: seen.reduce((a, s) => a + s.late, 0),
    generatorLoopDelayP99Ms: round(Math.max(...seen.map((s) => s.loopDelayP99Ms ?? 0))),
    clientsClosedByServer: seen.reduce((a, s) => a + s.closedByServer, 0),
    closeReasons: [...new Set(seen.flatMap((s) => s.closeReasons))],
  });
  const f = (ms) => (ms === null ? '–' : ms === Infinity ? '≥10 s' : `${round(ms)} ms`);
  console.log(
    `  ${name}: ${round(out.sentPerSec)}/s sent (${out.offeredPerSec} offered), ${round(out.updatesPerSec)}/s delivered (${round(100 * (out.deliveredShare ?? 0))} %); keystroke-to-peer p50 ${f(out.p50Ms)}, p99 ${f(out.p99Ms)}, max ${f(out.maxMs)}${out.crossNodeP99Ms !== null ? ` (across nodes: p50 ${f(out.crossNodeP50Ms)}, p99 ${f(out.crossNodeP99Ms)})` : ''}`,
  );
  console.log(
    `  ${name}: server CPU ${round(out.cpuUsPerUpdate)} µs per update (${round(out.cpuUsPerUpdateAboveIdle)} above the idle ${out.idleCores.server} cores); cores: ${Object.entries(
      out.cores,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(
        ', ',
      )}${out.generatorLate ? `; generators fell behind by ${out.generatorLate} keystrokes` : ''}${out.clientsClosedByServer ? `; ${out.clientsClosedByServer} clients closed by the server: ${out.closeReasons.join('; ')}` : ''}${quietMs > 2500 ? `; updates still arrived ${(quietMs / 1000).toFixed(1)} s after the drain` : ''}`,
  );
  return out;
}

/**
 * Time for a fresh client to sync a ~5 MB document from a cold server. cocreate: the writer leaves,
 * the node unloads (flush, compaction into one snapshot), and a reader on the other node loads it from
 * PostgreSQL. The reference server never unloads, Hocuspocus (no persistence extension) would drop
 * the document when its last client leaves: both serve it from memory.
 */
async function measureLoad(ctx, server, docName) {
  const { profile } = ctx;
  const writer = new CoeditClient({ base: server.bases[0], protocol: server.protocol, docName, token: server.tokens[0], role: 'editor' });
  await writer.connect(60_000);
  const t = Date.now();
  const chars = await writer.writeBulk(profile.bigChars, 600_000);
  const bytes = Y.encodeStateAsUpdate(writer.doc).length;
  const expectedChars = bodyChars(writer.doc);
  const writeMs = Date.now() - t;
  const holdWriter = server.kind === 'hocuspocus';
  if (!holdWriter) writer.destroy();
  const runs = [];
  let complete = true;
  for (let r = 0; r < profile.loads; r++) {
    await waitUnloaded(server);
    const node = (r + 1) % server.bases.length;
    const reader = new CoeditClient({
      base: server.bases[node],
      protocol: server.protocol,
      docName,
      token: server.tokens[0],
      role: 'reader',
      node,
    });
    const t0 = now();
    await reader.connect(120_000);
    // Loaded = the whole text is there, not just the first sync answer: a Hocuspocus node that did
    // not hold the document answers from its empty copy and gets the rest through Redis afterwards.
    const until = Date.now() + 20_000;
    while (bodyChars(reader.doc) !== expectedChars && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    const ms = now() - t0;
    const got = bodyChars(reader.doc);
    if (got !== expectedChars) complete = false;
    runs.push({ node, ms: round(ms), chars: got });
    reader.destroy();
  }
  if (holdWriter) writer.destroy();
  const out = {
    bytes,
    chars,
    writeMs,
    source:
      server.kind === 'cocreate'
        ? 'PostgreSQL (snapshot written by the idle unload), reader on a node that never held the document'
        : server.kind === 'hocuspocus'
          ? 'memory (no persistence extension; the writer stays connected, or Hocuspocus would drop the document)'
          : 'memory (the reference server keeps every document until it exits)',
    runs,
    medianMs: median(runs.map((x) => x.ms)),
    complete,
  };
  console.log(
    `  load: ${(bytes / 1024 / 1024).toFixed(1)} MiB document (${chars} characters in 200-character paragraphs) synced by a fresh client in ${runs.map((x) => `${x.ms} ms`).join(', ')} from ${out.source}${complete ? '' : '; INCOMPLETE'}`,
  );
  return out;
}

/** Waits until two readings 1 s apart show no new document update at any observer; returns the time it took. */
async function waitQuiet(gens, maxMs) {
  const t = Date.now();
  let last = '';
  for (;;) {
    const now = JSON.stringify(await gensCall(gens, 'progress'));
    if (now === last || Date.now() - t > maxMs) return Date.now() - t;
    last = now;
    await sleep(1000);
  }
}

// ---------------------------------------------------------------------------------------------

function baselineDocs(profile) {
  const id = (i) => `idea:bench-${i}`;
  return {
    hot: [id('hot')],
    spread: Array.from({ length: profile.spread.docs }, (_, i) => id(`spread-${i}`)),
    big: id('big'),
  };
}

async function startCocreate(ctx) {
  const ports = await nodePorts(2);
  const env = benchNodeEnv({
    databaseUrl: ctx.db.url,
    redisUrl: ctx.redisUrl,
    redisPrefix: ctx.prefix,
    ports,
    // Documents unload 3 s after their last client left (default 30 s), so the run need not wait long.
    extra: { COLLAB_IDLE_MS: '3000' },
  });
  const t = Date.now();
  const procs = await startNodes({ root: ROOT, ports, env, logDir: ctx.logDir, logPrefix: 'cocreate-' });
  console.log(
    `  nodes: A :${ports[0]} (pid ${procs[0].pid}), B :${ports[1]} (pid ${procs[1].pid}), up in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
  return {
    kind: 'cocreate',
    protocol: 'cocreate',
    procs,
    bases: ports.map((p) => `ws://127.0.0.1:${p}/collab`),
    persistence: 'PostgreSQL (group commit ≤100 ms), two nodes over Redis',
  };
}

/**
 * A baseline: the reference y-websocket server as one in-memory process; Hocuspocus as two
 * processes joined by its Redis extension (on this run's Redis prefix), like cocreate's two nodes.
 */
async function startBaseline(ctx, kind) {
  const nodes = kind === 'hocuspocus' ? 2 : 1;
  const procs = [];
  for (let i = 0; i < nodes; i++) {
    const port = await freePort();
    const inspectPort = await freePort();
    const args =
      kind === 'hocuspocus' ? ['hocuspocus', String(port), ctx.redisUrl, `${ctx.prefix}hocuspocus`] : ['y-websocket', String(port)];
    const proc = await startServerNode({
      root: ROOT,
      port,
      script: BASELINE,
      args,
      healthPath: '/',
      nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`],
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' },
      logFile: join(ctx.logDir, `${kind}-${'ab'[i]}.log`),
    });
    proc.inspector = await openInspector(inspectPort);
    procs.push(proc);
  }
  console.log(`  ${procs.map((p, i) => `${'AB'[i]} :${p.port ?? new URL(p.url).port} (pid ${p.pid})`).join(', ')}`);
  return {
    kind,
    protocol: kind,
    procs,
    bases: procs.map((p) => `ws://127.0.0.1:${new URL(p.url).port}`),
    persistence: kind === 'hocuspocus' ? 'none (in memory), two processes over its Redis extension' : 'none (in memory, one process)',
  };
}

/** Once per run: users who are members of one open community, and an idea per document. */
async function setupFixture(ctx, server) {
  const { profile, runId } = ctx;
  const t = Date.now();
  const base = (i) => server.procs[i % server.procs.length].url;
  const password = `bench-${runId}-password`;
  const signup = (i, who) =>
    api(base(i), 'POST', '/api/auth/signup', {
      email: `${who}-${runId}-${i}@bench.example.com`,
      password,
      handle: `ce${who[0]}${runId}_${i}`,
      tokenMode: 'bearer',
    });
  const owner = await signup(0, 'owner');
  const slug = `coedit-${runId}`;
  await api(base(0), 'POST', '/api/communities', { slug, name: `Coedit ${runId}`, visibility: 'public', joinPolicy: 'open' }, owner.token);
  const board = await api(base(0), 'POST', `/api/communities/${slug}/boards`, { name: 'Coedit bench' }, owner.token);
  const tokens = new Array(profile.users);
  const userErrors = await pool(profile.users, 4, async (i) => {
    const u = await signup(i, 'typist');
    await api(base(i), 'POST', `/api/communities/${slug}/join`, {}, u.token);
    tokens[i] = u.token;
  });
  if (userErrors.length) throw new Error(`creating users failed: ${userErrors[0]}`);
  const count = 2 + profile.spread.docs;
  const ids = new Array(count);
  const ideaErrors = await pool(count, 8, async (i) => {
    ids[i] = (await api(base(i), 'POST', `/api/boards/${board.id}/ideas`, { title: `Coedit idea ${i + 1}` }, owner.token)).id;
  });
  if (ideaErrors.length) throw new Error(`creating ideas failed: ${ideaErrors[0]}`);
  const docs = { hot: [`idea:${ids[0]}`], big: `idea:${ids[1]}`, spread: ids.slice(2).map((id) => `idea:${id}`) };
  console.log(`  fixture: ${profile.users} members, ${count} ideas in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return { docs, tokens };
}
