// The votes benchmark: two cocreate nodes (separate processes) on PostgreSQL + Redis, idle watchers and
// timing observers on both, voters on both, a stepped ramp of offered votes/s; run once per fan-out
// mode (cocreate, and the two Socket.IO redis-adapter baselines) with the same clients.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pool } from './lib/eio.mjs';
import { benchNodeEnv, nodePorts, startNodes as startBenchNodes } from './lib/cluster.mjs';
import { forkGenerator, loadAverage, onCleanup } from './lib/procs.mjs';
import { api, connectRedis, createDatabase } from './lib/services.mjs';
import { round, sleep } from './lib/stats.mjs';
import {
  DISTURBED_CORES,
  finalCheck,
  heapUsed,
  JSON_KEY,
  MODES,
  measureIdle,
  P99_VISIBLE_LIMIT_MS,
  runStep,
  waitForQuietMachine,
  waitQuiet,
} from './votes-measure.mjs';
import { report, scanLog, stepDiagnostics, stepHeader, stepLine } from './votes-report.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GENERATOR = fileURLToPath(new URL('./votes-generator.mjs', import.meta.url));
const RESULTS = join(ROOT, 'load-tests', 'results');

const PROFILES = {
  full: {
    watchersPerNode: 1000,
    observersPerNode: 50,
    voters: 400,
    generators: 2,
    ideas: 200,
    hot: 20,
    hotShare: 0.9,
    ladder: [
      10, 15, 20, 25, 35, 50, 75, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 8000, 10000,
    ],
    stepMs: 6000,
    retries: 1,
    disturbedRetries: 3,
    quietWaitMs: 30_000,
  },
  quick: {
    watchersPerNode: 250,
    observersPerNode: 10,
    voters: 80,
    generators: 2,
    ideas: 200,
    hot: 20,
    hotShare: 0.9,
    ladder: [10, 50, 200, 500, 1000],
    stepMs: 3000,
    retries: 1,
    disturbedRetries: 1,
    quietWaitMs: 5_000,
  },
};

/**
 * @param {{ quick?: boolean, modes?: string[], generators?: number, watchers?: number, voters?: number,
 *   dbPool?: number, tickMs?: number, hotShare?: number, keepGoing?: boolean, cpuProf?: boolean, maxRate?: number, adminUrl?: string, redisUrl?: string }} options
 */
export async function runVotes(options = {}) {
  const profile = { ...PROFILES[options.quick ? 'quick' : 'full'] };
  if (options.generators) profile.generators = options.generators;
  if (options.watchers) profile.watchersPerNode = options.watchers;
  if (options.voters) profile.voters = options.voters;
  if (options.hotShare !== undefined) profile.hotShare = options.hotShare;
  if (options.maxRate) profile.ladder = profile.ladder.filter((r) => r <= options.maxRate);
  profile.observersPerNode = Math.min(profile.observersPerNode, profile.watchersPerNode);
  const modes = options.modes ?? [...MODES];
  for (const m of modes) if (!MODES.includes(m)) throw new Error(`unknown mode ${m} (${MODES.join(', ')})`);
  if (!existsSync(join(ROOT, 'server/dist/main.js'))) throw new Error('server/dist/main.js is missing: run `npm run build` first');

  const runId = randomBytes(3).toString('hex');
  const adminUrl = options.adminUrl ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = options.redisUrl ?? process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `ccbench:${runId}:`;
  const logDir = join(tmpdir(), `cocreate-bench-votes-${runId}`);
  mkdirSync(logDir, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  const started = Date.now();
  const load0 = loadAverage();

  console.log(`votes benchmark ${runId}${options.quick ? ' (quick)' : ''}: ${modes.join(', ')}`);
  console.log(
    `  2 nodes × ${profile.watchersPerNode} watchers (${profile.observersPerNode}/node decode and time), ${profile.voters} voters, ${profile.generators} generator processes; ${profile.ideas} ideas, ${profile.hotShare * 100}% of votes on a hot set of ${profile.hot} (Zipf)`,
  );
  console.log(
    `  steps of ${profile.stepMs / 1000} s: ${profile.ladder.join(', ')} votes/s offered; sustainable = p99 vote-to-visible ≤ ${P99_VISIBLE_LIMIT_MS} ms, 0 lost, all acked`,
  );
  console.log(
    `  this machine's ${navigatorCores()} cores are SHARED by the nodes, generators, PostgreSQL and Redis (load average at start: ${load0?.join(' ') ?? '?'})`,
  );
  console.log(`  server logs: ${logDir}`);

  const db = await createDatabase(adminUrl, `cocreate_bench_${runId}`);
  onCleanup(() => db.drop());
  const redis = await connectRedis(redisUrl);
  onCleanup(async () => {
    await redis.dropPrefix(prefix);
    await redis.close();
  });

  const ctx = {
    profile,
    db,
    redis,
    redisUrl,
    prefix,
    runId,
    logDir,
    dbPool: options.dbPool,
    tickMs: options.tickMs,
    keepGoing: options.keepGoing,
    cpuProf: options.cpuProf,
    fixture: null,
  };
  const results = {};
  try {
    for (const mode of modes) results[mode] = await runMode(ctx, mode);
  } finally {
    // Database and keys are dropped by the cleanups the caller runs.
  }

  const summary = { scenario: 'votes' };
  for (const mode of MODES) summary[JSON_KEY[mode]] = results[mode]?.summary ?? null;
  const c = results.cocreate?.summary?.votesPerSec;
  const n = results.naive?.summary?.votesPerSec;
  summary.ratio = c && n ? round(c / n) : null;

  const detail = {
    scenario: 'votes',
    runId,
    at: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: {
      cores: navigatorCores(),
      loadAverageAtStart: load0,
      loadAverageAtEnd: loadAverage(),
      shared: 'nodes, generators, PostgreSQL and Redis on one machine',
    },
    profile,
    dbPoolSize: options.dbPool ?? 'server default (10)',
    tickMs: options.tickMs ?? 'server default (100)',
    modes: Object.fromEntries(Object.entries(results).map(([m, r]) => [m, r.detail])),
    summary,
  };
  // Only the standard run writes votes.json; a smoke or a diagnostic variant writes beside it.
  const custom =
    ['modes', 'generators', 'watchers', 'voters', 'dbPool', 'tickMs', 'hotShare', 'maxRate'].some((k) => options[k] !== undefined) ||
    options.keepGoing;
  const name = options.quick ? 'votes-quick' : custom ? 'votes-custom' : 'votes';
  writeFileSync(join(RESULTS, `${name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(RESULTS, `${name}-detail.json`), `${JSON.stringify(detail, null, 2)}\n`);

  console.log(`\n${report(summary, results, profile)}`);
  console.log(`\nwrote load-tests/results/${name}.json (and ${name}-detail.json with every step) in ${detail.durationS} s`);
  return summary;
}

function navigatorCores() {
  try {
    return (
      readFileSync('/proc/cpuinfo', 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('processor')).length || '?'
    );
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------------------------------------

async function runMode(ctx, mode) {
  const { profile } = ctx;
  console.log(`\n== ${mode} ==`);
  const t0 = Date.now();
  ctx.mode = mode;
  const nodes = await startNodes(ctx, mode);
  const gens = [];
  try {
    if (!ctx.fixture) ctx.fixture = await setupFixture(ctx, nodes);
    const { fixture } = ctx;

    // Heap per idle connection: before and after the watchers join, each after a forced GC.
    await sleep(2000);
    const heapBefore = await Promise.all(nodes.map(heapUsed));
    for (let g = 0; g < profile.generators; g++) gens.push(await forkGenerator(GENERATOR, `generator ${g + 1}`));
    await Promise.all(gens.map((g) => g.call('init', { fixture: fixture.forGenerators })));
    const tw = Date.now();
    const watch = await Promise.all(
      gens.flatMap((g, gi) =>
        nodes.map((node, ni) =>
          g.call(
            'watchers',
            {
              port: node.port,
              node: ni,
              count: share(profile.watchersPerNode, profile.generators, gi),
              observe: share(profile.observersPerNode, profile.generators, gi),
              concurrency: 25,
            },
            300_000,
          ),
        ),
      ),
    );
    const watchFailed = watch.reduce((a, w) => a + w.failed, 0);
    const watchErrors = watch.flatMap((w) => w.errors);
    console.log(
      `  watchers: ${watch.reduce((a, w) => a + w.connected, 0)} joined in ${((Date.now() - tw) / 1000).toFixed(1)} s${watchFailed ? `, ${watchFailed} FAILED: ${watchErrors[0]}` : ''}`,
    );
    await sleep(3000);
    const heapAfter = await Promise.all(nodes.map(heapUsed));
    const perConn = (key) => nodes.map((_, i) => (heapAfter[i][key] - heapBefore[i][key]) / profile.watchersPerNode / 1024);
    const perNode = perConn('afterGc');
    const perNodePlain = perConn('plain');
    const heapPerConnKiB = perNode.reduce((a, b) => a + b, 0) / perNode.length;
    console.log(
      `  heap per idle watcher: ${perNode.map((k) => `${k.toFixed(1)} KiB`).join(' / ')} (node A / node B, after a forced GC; without forcing: ${perNodePlain.map((k) => k.toFixed(1)).join(' / ')})`,
    );

    // Voters: the same accounts in every mode, their current votes read from the database.
    const upvoted = await currentVotes(ctx);
    const tv = Date.now();
    const lists = gens.map(() => [[], []]);
    fixture.voters.forEach((v, i) => {
      const node = i % 2;
      const gen = Math.floor(i / 2) % gens.length;
      lists[gen][node].push({ token: v.token, upvoted: upvoted.get(v.userId) ?? [] });
    });
    const vres = await Promise.all(
      gens.flatMap((g, gi) =>
        nodes.map((node, ni) => g.call('voters', { port: node.port, node: ni, list: lists[gi][ni], concurrency: 10 }, 120_000)),
      ),
    );
    const voterFailed = vres.reduce((a, r) => a + r.failed, 0);
    console.log(
      `  voters: ${vres.reduce((a, r) => a + r.connected, 0)} connected in ${((Date.now() - tv) / 1000).toFixed(1)} s${voterFailed ? `, ${voterFailed} FAILED: ${vres.flatMap((r) => r.errors)[0]}` : ''}`,
    );
    if (voterFailed === fixture.voters.length) throw new Error('no voter could connect');

    // The ramp. A failed step is repeated once (within a small budget per mode), after waiting for the
    // rest of the shared machine to calm down, so one hiccup of another process does not end the ramp.
    await waitForQuietMachine(profile.quietWaitMs, 'before the ramp');
    const idleCores = await measureIdle(nodes, 3000);
    console.log(`  idle with every client connected: node A ${idleCores[0]} cores, node B ${idleCores[1]} cores`);
    const steps = [];
    const allVotes = [];
    // A failed step is repeated: once in any case, and up to twice more when other processes took a
    // noticeable share of the machine during it (each mode has a small budget of both).
    let retries = profile.retries;
    let disturbedRetries = profile.disturbedRetries;
    const attempts = new Map();
    console.log(`  ${stepHeader()}`);
    for (let i = 0; i < profile.ladder.length; i++) {
      const rate = profile.ladder[i];
      attempts.set(i, (attempts.get(i) ?? 0) + 1);
      const step = await runStep(ctx, nodes, gens, rate);
      allVotes.push(step.votes);
      delete step.votes;
      steps.push(step);
      console.log(`  ${stepLine(step)}`);
      console.log(stepDiagnostics(step));
      if (nodes.some((n) => n.exited)) {
        step.why.push('a server node exited');
        break;
      }
      if (!step.pass && ctx.keepGoing && step.acked >= 0.5 * step.rate * (profile.stepMs / 1000)) continue;
      if (!step.pass) {
        const disturbed = step.cpuCores.others >= DISTURBED_CORES;
        const again =
          disturbed && disturbedRetries > 0 && attempts.get(i) <= 3 ? 'disturbed' : retries > 0 && attempts.get(i) === 1 ? 'plain' : null;
        if (again) {
          if (again === 'disturbed') disturbedRetries--;
          else retries--;
          i--;
          await waitQuiet(gens);
          await waitForQuietMachine(Math.min(20_000, profile.quietWaitMs), 'before repeating the step');
          console.log(
            `  (repeating the failed step${disturbed ? `: other processes used ${step.cpuCores.others} cores during it` : ' once, to rule out a hiccup'})`,
          );
          continue;
        }
        break;
      }
    }

    // Quiet, then: do the observers show exactly the database, and was any acked vote never shown?
    const quietMs = await waitQuiet(gens);
    const final = await finalCheck(ctx, gens, allVotes);
    const best = [...steps].reverse().find((s) => s.pass) ?? null;
    const basis = best ?? steps[0];
    const logs = scanLog(nodes);
    console.log(
      `  after ${(quietMs / 1000).toFixed(1)} s of quiet: lost ${final.lost} of ${final.acked} acked votes; observers exact: ${final.exact}${final.mismatches.length ? ` (${final.mismatches[0]})` : ''}; watcher sockets closed by the server: ${final.watcherCloses}`,
    );
    if (logs.errors + logs.warnings > 0)
      console.log(`  server log: ${logs.errors} error and ${logs.warnings} warning lines (first: ${logs.first})`);
    console.log(
      `  ${mode}: sustainable ${best ? `${best.rate} votes/s offered` : 'NONE of the steps'} — ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );

    const summary = {
      votesPerSec: best ? round(best.votesPerSec) : 0,
      deliveriesPerSec: round(basis.deliveriesPerSec),
      p50AckMs: round(basis.p50AckMs),
      p99AckMs: round(basis.p99AckMs),
      p50VisibleMs: round(basis.p50VisibleMs),
      p99VisibleMs: round(basis.p99VisibleMs),
      cpuUsPerVote: round(basis.cpuUsPerVote),
      cpuUsPerDelivery: round(basis.cpuUsPerDelivery),
      heapPerConnKiB: round(heapPerConnKiB),
      lost: final.lost,
      exact: final.exact,
    };
    return {
      summary,
      best,
      steps,
      detail: {
        sustainableOfferedRate: best?.rate ?? null,
        idleCores,
        reportedStep: basis.rate,
        heap: { before: heapBefore, after: heapAfter, perNodeKiB: perNode.map(round), perNodeKiBWithoutForcedGc: perNodePlain.map(round) },
        watchersFailed: watchFailed,
        watcherErrors: watchErrors.slice(0, 5),
        votersFailed: voterFailed,
        final: { ...final, mismatches: final.mismatches.slice(0, 10) },
        serverLog: logs,
        steps,
      },
    };
  } finally {
    await Promise.all(gens.map((g) => g.stop()));
    for (const n of nodes) n.inspector?.close();
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

const share = (total, parts, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0);

async function startNodes(ctx, mode) {
  const ports = await nodePorts(2);
  const env = benchNodeEnv({
    databaseUrl: ctx.db.url,
    redisUrl: ctx.redisUrl,
    // A prefix per mode: no presence or sequence left over from the previous mode's nodes.
    redisPrefix: `${ctx.prefix}${mode}:`,
    ports,
    extra: {
      FANOUT_MODE: mode,
      // Experimental server switches pass through when set for the run.
      ...(process.env.VOTE_GROUP_COMMIT ? { VOTE_GROUP_COMMIT: process.env.VOTE_GROUP_COMMIT } : {}),
      ...(process.env.VOTE_BATCHES_IN_FLIGHT ? { VOTE_BATCHES_IN_FLIGHT: process.env.VOTE_BATCHES_IN_FLIGHT } : {}),
      SOCKET_EVENTS_PER_SECOND: '100000',
      SOCKET_EVENT_BURST: '100000',
      ...(ctx.dbPool ? { DB_POOL_SIZE: String(ctx.dbPool) } : {}),
      ...(ctx.tickMs ? { TICK_MS: String(ctx.tickMs) } : {}),
    },
  });
  const t = Date.now();
  const nodes = await startBenchNodes({ root: ROOT, ports, env, logDir: ctx.logDir, logPrefix: `${mode}-` });
  console.log(
    `  nodes: A :${ports[0]} (pid ${nodes[0].pid}), B :${ports[1]} (pid ${nodes[1].pid}), FANOUT_MODE=${mode}, up in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
  return nodes;
}

/** Once per run: an owner, a public open community, a board of ideas, and the voter accounts (argon2 is slow: in parallel). */
async function setupFixture(ctx, nodes) {
  const { profile, runId } = ctx;
  const t = Date.now();
  const base = (i) => nodes[i % nodes.length].url;
  const password = `bench-${runId}-password`;
  const owner = await api(base(0), 'POST', '/api/auth/signup', {
    email: `owner-${runId}@bench.example.com`,
    password,
    handle: `bo_${runId}`,
    tokenMode: 'bearer',
  });
  const slug = `bench-${runId}`;
  await api(base(0), 'POST', '/api/communities', { slug, name: `Bench ${runId}`, visibility: 'public', joinPolicy: 'open' }, owner.token);
  const board = await api(
    base(0),
    'POST',
    `/api/communities/${slug}/boards`,
    { name: 'Votes bench', ranking: { formula: 'top' } },
    owner.token,
  );
  const ideaIds = new Array(profile.ideas);
  const ideaErrors = await pool(profile.ideas, 8, async (i) => {
    const idea = await api(base(i), 'POST', `/api/boards/${board.id}/ideas`, { title: `Benchmark idea ${i + 1}` }, owner.token);
    ideaIds[i] = idea.id;
  });
  if (ideaErrors.length) throw new Error(`creating ideas failed: ${ideaErrors[0]}`);
  const voters = new Array(profile.voters);
  const voterErrors = await pool(profile.voters, 8, async (i) => {
    const res = await api(base(i), 'POST', '/api/auth/signup', {
      email: `voter-${runId}-${i}@bench.example.com`,
      password,
      handle: `bv${runId}_${i}`,
      tokenMode: 'bearer',
    });
    await api(base(i), 'POST', `/api/communities/${slug}/join`, {}, res.token);
    voters[i] = { userId: res.user.id, token: res.token };
  });
  if (voterErrors.length) throw new Error(`creating voters failed: ${voterErrors[0]}`);
  console.log(
    `  fixture: board ${board.id}, ${profile.ideas} ideas, ${profile.voters} voter accounts in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
  return {
    boardId: board.id,
    ideaIds,
    voters,
    forGenerators: { boardId: board.id, ideaIds, hot: profile.hot, hotShare: profile.hotShare },
  };
}

/** userId → indexes of the ideas that user has an up-vote on now. */
async function currentVotes(ctx) {
  const { fixture, db } = ctx;
  const index = new Map(fixture.ideaIds.map((id, i) => [id, i]));
  const rows = await db.sql`
    select v.user_id, v.idea_id from votes v join ideas i on i.id = v.idea_id
    where i.board_id = ${fixture.boardId} and v.value = 1`;
  const out = new Map();
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push(index.get(r.idea_id));
    out.set(r.user_id, list);
  }
  return out;
}
