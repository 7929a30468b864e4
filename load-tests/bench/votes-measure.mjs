// The votes benchmark's measurements: one ramp step (CPU, acks, vote-to-visible, the nodes' and
// PostgreSQL's state), heap readings, quiet waits, and the final exactness check.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuTimeUs, machineCpuUs } from './lib/procs.mjs';
import { samplePgActivity, scrapeMetric, scrapeMetrics } from './lib/services.mjs';
import { Histogram, median, now, round, sleep } from './lib/stats.mjs';

export const MODES = /** @type {const} */ (['cocreate', 'naive', 'stock-coalesced']);
export const JSON_KEY = { cocreate: 'cocreate', naive: 'naive', 'stock-coalesced': 'coalescedStockAdapter' };

/** Sustainable = p99 vote-to-visible at most this, nothing lost, every offered vote acked in time. */
export const P99_VISIBLE_LIMIT_MS = 250;
/** A step during which other processes on this shared machine used this many cores counts as disturbed. */
export const DISTURBED_CORES = 0.3;
/** Time for a step's acks after sending stops, and then for its last votes to show on the other node. */
const ACK_WAIT_MS = 10_000;
const VISIBLE_GRACE_MS = 1_000;

/**
 * Heap used by a node, from its /metrics: the median of 5 scrapes as they come, and the median of 3
 * scrapes each right after a full GC forced through the inspector (the figure reported).
 */
export async function heapUsed(node) {
  const metric = 'cocreate_nodejs_heap_size_used_bytes';
  const plain = [];
  for (let i = 0; i < 5; i++) {
    plain.push(await scrapeMetric(node.url, metric));
    await sleep(400);
  }
  const afterGc = [];
  for (let i = 0; i < 3; i++) {
    await node.inspector.collectGarbage();
    afterGc.push(await scrapeMetric(node.url, metric));
    await sleep(200);
  }
  return { plain: median(plain.filter((s) => s !== null)), afterGc: median(afterGc.filter((s) => s !== null)) };
}

function cpuSample(nodes, gens, pgPids, redisPid) {
  const diffable = (v) => v ?? Number.NaN;
  return {
    t: now(),
    nodes: nodes.map((n) => diffable(cpuTimeUs(n.pid))),
    gens: gens.map((g) => diffable(cpuTimeUs(g.pid))),
    pg: pgPids.map((p) => cpuTimeUs(p)),
    redis: redisPid ? diffable(cpuTimeUs(redisPid)) : Number.NaN,
    self: diffable(cpuTimeUs(process.pid)),
    machine: machineCpuUs(),
  };
}

export async function runStep(ctx, nodes, gens, rate) {
  const { profile } = ctx;
  const pgPids = await ctx.db.backendPids();
  if (ctx.cpuProf) await Promise.all(nodes.map((n) => n.inspector.startProfile()));
  // A scrape resets the nodes' event-loop delay histograms, so the one after the step is the step's own.
  const m0 = await Promise.all(nodes.map((n) => scrapeMetrics(n.url)));
  const stopPg = samplePgActivity(ctx.db.sql, ctx.db.name);
  const s0 = cpuSample(nodes, gens, pgPids, ctx.redis.pid);
  let s1;
  let m1;
  let pgActivity;
  const sampling = sleep(profile.stepMs).then(async () => {
    s1 = cpuSample(nodes, gens, pgPids, ctx.redis.pid);
    m1 = await Promise.all(nodes.map((n) => scrapeMetrics(n.url)));
    pgActivity = await stopPg();
    if (!ctx.cpuProf) return;
    for (const [i, node] of nodes.entries()) {
      const file = join(ctx.logDir, `${ctx.mode}-${rate}-node-${'ab'[i]}.cpuprofile`);
      writeFileSync(file, JSON.stringify(await node.inspector.stopProfile()));
    }
  });
  const parts = await Promise.all(
    gens.map((g) =>
      g.call(
        'step',
        { rate: rate / gens.length, durationMs: profile.stepMs, ackWaitMs: ACK_WAIT_MS },
        profile.stepMs + ACK_WAIT_MS + 60_000,
      ),
    ),
  );
  await sampling;
  // Let the step's last votes reach the other node's observers, then match every vote.
  const lastAck = Math.max(...parts.map((p) => p.lastAckAt));
  await sleep(Math.max(0, lastAck + VISIBLE_GRACE_MS - now()));
  const total = parts.reduce((a, p) => a + p.votes.length, 0);
  const votes = new Float64Array(total);
  let o = 0;
  for (const p of parts) {
    votes.set(p.votes, o);
    o += p.votes.length;
  }
  const matches = await Promise.all(gens.map((g) => g.call('match', { votes }, 120_000)));

  const sec = profile.stepMs / 1000;
  const sum = (f) => parts.reduce((a, p) => a + f(p), 0);
  const acked = sum((p) => p.acked);
  const sent = sum((p) => p.sent);
  const frames = sum((p) => p.frames);
  const errors = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  const ackHist = new Histogram();
  for (const p of parts) ackHist.merge(p.ackHist);
  const visHist = new Histogram();
  for (const m of matches) visHist.merge(m.hist);
  const unseen = matches.reduce((a, m) => a + m.unseen, 0);
  const pairs = matches.reduce((a, m) => a + m.pairs, 0);

  const d = (a, b) => b - a;
  const nodesUs = s0.nodes.map((v, i) => d(v, s1.nodes[i]));
  const serverUs = nodesUs.reduce((a, b) => a + b, 0);
  let pgUs = 0;
  s0.pg.forEach((v, i) => {
    if (v !== null && s1.pg[i] !== null) pgUs += s1.pg[i] - v;
  });
  const gensUs = s0.gens.reduce((a, v, i) => a + d(v, s1.gens[i]), 0);
  const redisUs = d(s0.redis, s1.redis);
  const wallUs = (s1.t - s0.t) * 1000;
  const machineBusyUs = s1.machine.busy - s0.machine.busy;
  const selfUs = d(s0.self, s1.self);
  // Whatever else runs on this shared machine meanwhile (other test runs, the OS).
  const othersUs = Math.max(0, machineBusyUs - serverUs - pgUs - (redisUs || 0) - gensUs - selfUs);
  const cores = (us) => round(us / wallUs);

  const nodeMetrics = nodes.map((_, i) => {
    const delta = (name) => (m1[i].get(name) ?? 0) - (m0[i].get(name) ?? 0);
    const ticks = delta('cocreate_tick_duration_seconds_count');
    return {
      eventLoopDelayP50Ms: round((m1[i].get('cocreate_nodejs_eventloop_lag_p50_seconds') ?? Number.NaN) * 1000),
      eventLoopDelayP99Ms: round((m1[i].get('cocreate_nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1000),
      eventLoopDelayMaxMs: round((m1[i].get('cocreate_nodejs_eventloop_lag_max_seconds') ?? Number.NaN) * 1000),
      ticks,
      meanTickMs: ticks ? round((delta('cocreate_tick_duration_seconds_sum') * 1000) / ticks) : null,
      rankFrames: delta('cocreate_rank_frames_total'),
      votes: delta('cocreate_votes_total'),
      slowConsumerDrops: delta('cocreate_slow_consumer_drops_total'),
    };
  });
  const step = {
    rate,
    votesPerSec: acked / sec,
    sent,
    acked,
    skipped: sum((p) => p.skipped),
    behind: sum((p) => p.behind),
    timeouts: sum((p) => p.timeouts),
    errors,
    deliveriesPerSec: frames / sec,
    deliveryBytesPerSec: sum((p) => p.bytes) / sec,
    p50AckMs: ackHist.quantile(0.5),
    p99AckMs: ackHist.quantile(0.99),
    p50VisibleMs: visHist.quantile(0.5),
    p99VisibleMs: visHist.quantile(0.99),
    maxVisibleMs: visHist.quantile(1),
    visiblePairs: pairs,
    unseen,
    cpuUsPerVote: acked ? serverUs / acked : null,
    cpuUsPerDelivery: frames ? serverUs / frames : null,
    cpuCores: {
      nodeA: cores(nodesUs[0]),
      nodeB: cores(nodesUs[1]),
      postgres: cores(pgUs),
      redis: cores(redisUs),
      generators: cores(gensUs),
      others: cores(othersUs),
      machineBusy: cores(machineBusyUs),
    },
    nodes: nodeMetrics,
    generatorLoopDelayP99Ms: round(Math.max(...parts.map((p) => p.loopDelayP99Ms))),
    generatorLoopDelayMaxMs: round(Math.max(...parts.map((p) => p.loopDelayMaxMs))),
    pgActivity,
    pass: true,
    why: [],
    votes,
  };
  if (acked < 0.9 * rate * sec) step.why.push(`only ${acked} of ${Math.round(rate * sec)} offered votes acked`);
  if (errorCount) step.why.push(`${errorCount} error acks ${JSON.stringify(errors)}`);
  if (step.timeouts) step.why.push(`${step.timeouts} acks missing after ${ACK_WAIT_MS / 1000} s`);
  if (unseen) step.why.push(`${unseen} (vote, observer) pairs not visible ${VISIBLE_GRACE_MS} ms after the last ack`);
  if (step.p99VisibleMs === null || step.p99VisibleMs > P99_VISIBLE_LIMIT_MS)
    step.why.push(`p99 vote-to-visible ${fmtMs(step.p99VisibleMs)} > ${P99_VISIBLE_LIMIT_MS} ms`);
  step.pass = step.why.length === 0;
  return step;
}

export const fmtMs = (ms) => (ms === null ? '–' : ms === Infinity ? '∞' : `${round(ms)} ms`);

/**
 * Waits (at most `maxMs`) until the machine is nearly idle while our own processes are: other test runs
 * on this shared machine distort every latency. Returns the busy cores it last saw.
 */
export async function waitForQuietMachine(maxMs, when) {
  const t = Date.now();
  let busy = 0;
  for (;;) {
    const a = machineCpuUs();
    await sleep(2000);
    const b = machineCpuUs();
    busy = (b.busy - a.busy) / 2e6;
    if (busy < 0.5 || Date.now() - t >= maxMs) break;
  }
  const waited = Date.now() - t;
  if (waited > 2500 || busy >= 0.5)
    console.log(
      `  (machine ${busy >= 0.5 ? 'still ' : ''}busy at ${busy.toFixed(2)} cores ${when}; waited ${(waited / 1000).toFixed(0)} s)`,
    );
  return busy;
}

/** CPU of each node, in cores, over `ms` with every client connected and no votes. */
export async function measureIdle(nodes, ms) {
  const a = nodes.map((n) => cpuTimeUs(n.pid));
  const t = now();
  await sleep(ms);
  const wall = (now() - t) * 1000;
  return nodes.map((n, i) => round((cpuTimeUs(n.pid) - a[i]) / wall));
}

/** Waits until no watcher has received a frame for 1.5 s (at most 20 s); returns how long it took. */
export async function waitQuiet(gens) {
  const t = Date.now();
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() - t < 20_000) {
    const counts = await Promise.all(gens.map((g) => g.call('counters')));
    const frames = counts.reduce((a, c) => a + c.frames, 0);
    if (frames !== last) {
      last = frames;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 1500) {
      break;
    }
    await sleep(250);
  }
  return Date.now() - t;
}

export async function finalCheck(ctx, gens, allVotes) {
  const { fixture, db } = ctx;
  const views = await Promise.all(gens.map((g) => g.call('views')));
  const rows = await db.sql`select id, up, down, version from ideas where board_id = ${fixture.boardId}`;
  const truth = new Map(rows.map((r) => [r.id, r]));
  const n = fixture.ideaIds.length;
  const minSeen = [new Float64Array(n).fill(Infinity), new Float64Array(n).fill(Infinity)];
  const mismatches = [];
  let observers = 0;
  for (const view of views) {
    for (const o of view.observers) {
      observers++;
      for (let i = 0; i < n; i++) {
        minSeen[o.node][i] = Math.min(minSeen[o.node][i], o.version[i]);
        const t = truth.get(fixture.ideaIds[i]);
        if (!t || t.up !== o.up[i] || t.down !== o.down[i] || Number(t.version) !== o.version[i]) {
          mismatches.push(
            `observer on node ${'AB'[o.node]}, idea #${i + 1}: shows ${o.up[i]}/${o.down[i]} v${o.version[i]}, database ${t?.up}/${t?.down} v${t?.version}`,
          );
        }
      }
    }
  }
  let lost = 0;
  let acked = 0;
  for (const votes of allVotes) {
    for (let v = 0; v < votes.length; v += 4) {
      acked++;
      const other = 1 - votes[v + 3];
      if (minSeen[other][votes[v]] < votes[v + 1]) lost++;
    }
  }
  const watcherCloses = views.reduce((a, v) => a + v.watcherCloses, 0);
  return { exact: observers > 0 && mismatches.length === 0 && watcherCloses === 0, observers, mismatches, lost, acked, watcherCloses };
}
