// The votes benchmark's output: a line per ramp step, its diagnostics, the final table, and the
// nodes' log lines worth a look.
import { readFileSync } from 'node:fs';
import { JSON_KEY, MODES, P99_VISIBLE_LIMIT_MS } from './votes-measure.mjs';
import { round, table } from './lib/stats.mjs';

export function stepHeader() {
  return 'offered  acked/s  deliv/s  ack p50/p99 ms   visible p50/p99 ms  µs/vote  µs/deliv  cores: A    B   pg  redis gens other busy  result';
}

export function stepLine(s) {
  const f = (x, w) => String(x === null || x === undefined ? '–' : x === Infinity ? '∞' : round(x)).padStart(w);
  const c = s.cpuCores;
  return [
    f(s.rate, 7),
    f(s.votesPerSec, 8),
    f(s.deliveriesPerSec, 8),
    `${f(s.p50AckMs, 7)}/${f(s.p99AckMs, 7)}`,
    `${f(s.p50VisibleMs, 9)}/${f(s.p99VisibleMs, 9)}`,
    f(s.cpuUsPerVote, 8),
    f(s.cpuUsPerDelivery, 9),
    `${f(c.nodeA, 11)}${f(c.nodeB, 5)}${f(c.postgres, 5)}${f(c.redis, 6)}${f(c.generators, 5)}${f(c.others, 6)}${f(c.machineBusy, 5)}`,
    `  ${s.pass ? 'ok' : `FAIL: ${s.why.join('; ')}`}`,
  ].join(' ');
}

/** The step's why: event-loop delay and tick time of each node, and what PostgreSQL's backends were doing. */
export function stepDiagnostics(s) {
  const loop = s.nodes.map((n) => `${n.eventLoopDelayP99Ms}`).join('/');
  const tick = s.nodes.map((n) => `${n.meanTickMs ?? '–'}`).join('/');
  const pg = Object.entries(s.pgActivity ?? {})
    .slice(0, 4)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `         event-loop delay p99 A/B ${loop} ms (generators ≤ ${s.generatorLoopDelayP99Ms}), mean tick ${tick} ms; pg backends (avg): ${pg || '–'}`;
}

/** Error and warning lines of the mode's node logs (pino JSON: level 50 / 40), with the first one. */
export function scanLog(nodes) {
  let errors = 0;
  let warnings = 0;
  let first = null;
  for (const node of nodes) {
    let text = '';
    try {
      text = readFileSync(node.logFile, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const level = /"level":(\d+)/.exec(line)?.[1];
      const isError = level ? Number(level) >= 50 : /error/i.test(line);
      const isWarn = level ? Number(level) === 40 : false;
      if (isError) errors++;
      if (isWarn) warnings++;
      if ((isError || isWarn) && !first) first = line.slice(0, 400);
    }
  }
  return { errors, warnings, first };
}

export function report(summary, results, profile) {
  const cols = MODES.filter((m) => results[m]);
  const keys = [
    ['votesPerSec', 'sustainable votes/s'],
    ['deliveriesPerSec', 'deliveries/s'],
    ['p50AckMs', 'p50 ack (ms)'],
    ['p99AckMs', 'p99 ack (ms)'],
    ['p50VisibleMs', 'p50 vote-to-visible (ms)'],
    ['p99VisibleMs', 'p99 vote-to-visible (ms)'],
    ['cpuUsPerVote', 'server CPU µs / vote'],
    ['cpuUsPerDelivery', 'server CPU µs / delivery'],
    ['heapPerConnKiB', 'heap / idle conn (KiB)'],
    ['lost', 'lost votes'],
    ['exact', 'observers exact'],
  ];
  const rows = keys.map(([k, label]) => [label, ...cols.map((m) => results[m].summary[k])]);
  rows.push(['offered rate of that step', ...cols.map((m) => results[m].best?.rate ?? 'none passed')]);
  rows.push(['cores A+B / pg / redis / gens', ...cols.map((m) => coresCell((results[m].best ?? results[m].steps[0])?.cpuCores))]);
  rows.push(['other load on the machine (cores)', ...cols.map((m) => (results[m].best ?? results[m].steps[0])?.cpuCores.others)]);
  rows.push(['first failing step', ...cols.map((m) => firstFailure(results[m]))]);
  const header = ['votes benchmark', ...cols.map((m) => JSON_KEY[m])];
  return [
    table(header, rows),
    `ratio (cocreate / naive sustainable votes/s): ${summary.ratio ?? '–'}`,
    `2 nodes × ${profile.watchersPerNode} watching clients. The 2-core machine is shared by both nodes, the load generators, PostgreSQL and Redis:`,
    'per-step latencies include generator queueing, and CPU figures are the server processes only (µs / vote and µs / delivery divide the same total).',
  ].join('\n');
}

/** The offered rate the ramp stopped at, and why, briefly. */
function firstFailure(result) {
  const last = result.steps[result.steps.length - 1];
  if (!last || last.pass) return 'none (ladder ended)';
  const s = last;
  const why =
    s.p99VisibleMs === null || s.p99VisibleMs > P99_VISIBLE_LIMIT_MS
      ? `p99 visible ${s.p99VisibleMs === Infinity ? '∞' : round(s.p99VisibleMs)} ms`
      : s.acked < 0.9 * s.rate * (s.sent ? 1 : 0)
        ? 'too few acked'
        : (s.why[0]?.slice(0, 30) ?? '?');
  return `${s.rate}/s (${why})`;
}

function coresCell(c) {
  if (!c) return '–';
  return `${round(c.nodeA + c.nodeB)} / ${c.postgres} / ${c.redis} / ${c.generators}`;
}
