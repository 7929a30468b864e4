// The combined report: reads the result files the scenarios wrote (votes, coedit, drills, soak) and
// writes results/latest.json (all of them together), results/latest.md (one Markdown table per scenario
// against its baselines) and SVG charts (votes.svg, coedit.svg, soak.svg). Runs nothing; `npm run bench
// -- report` rebuilds it after one scenario was run again.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { barPanel, fmt, svgDocument } from './report-svg.mjs';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
export const REPORT_SCENARIOS = ['votes', 'coedit', 'drills', 'soak'];

const VOTE_MODES = [
  ['cocreate', 'cocreate'],
  ['naive', 'naive (per-vote broadcast)'],
  ['coalescedStockAdapter', 'stock adapter, coalesced'],
];
const COEDIT_SERVERS = [
  ['cocreate', 'cocreate'],
  ['hocuspocus', 'Hocuspocus'],
  ['yWebsocket', 'y-websocket server'],
];

const readJson = (dir, name) => {
  const file = join(dir, name);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
};

/** Markdown table; numbers formatted, null as –. */
export function mdTable(header, rows) {
  const cell = (c) => (typeof c === 'number' || c === null || c === undefined ? fmt(c) : String(c));
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
  for (const r of rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
  return lines.join('\n');
}

function votesSection(v, detail, chart) {
  const cols = VOTE_MODES.filter(([k]) => v[k]);
  const row = (label, f) => [label, ...cols.map(([k]) => f(v[k]))];
  const pair = (a, b) => `${fmt(a)} / ${fmt(b)}`;
  const rows = [
    row('sustainable votes/s', (m) => m.votesPerSec),
    row('deliveries/s', (m) => m.deliveriesPerSec),
    row('p50 / p99 ack (ms)', (m) => pair(m.p50AckMs, m.p99AckMs)),
    row('p50 / p99 vote-to-visible (ms)', (m) => pair(m.p50VisibleMs, m.p99VisibleMs)),
    row('server CPU µs / vote', (m) => m.cpuUsPerVote),
    row('server CPU µs / delivery', (m) => m.cpuUsPerDelivery),
    row('heap / idle connection (KiB)', (m) => m.heapPerConnKiB),
    row('lost / exact', (m) => `${m.lost} / ${m.exact}`),
  ];
  const when = detail ? ` (run \`${detail.runId}\`, ${detail.at}, ${detail.durationS} s)` : '';
  return [
    `## votes${when}`,
    '',
    'Two nodes × 1,000 watchers, stepped ramp; figures at the highest sustainable step (p99 vote-to-visible ≤ 250 ms, nothing lost).',
    '',
    mdTable(['', ...cols.map(([, l]) => l)], rows),
    '',
    `ratio cocreate / naive: **${fmt(v.ratio)}** · chart: [${chart}](${chart})`,
  ].join('\n');
}

function votesChart(v) {
  const cols = VOTE_MODES.filter(([k]) => v[k]);
  const latency = barPanel({
    title: 'Latency at the sustainable step',
    unit: 'ms',
    series: cols.map(([, l]) => l),
    groups: [
      ['p50 ack', 'p50AckMs'],
      ['p99 ack', 'p99AckMs'],
      ['p50 visible', 'p50VisibleMs'],
      ['p99 visible', 'p99VisibleMs'],
    ].map(([label, key]) => ({ label, values: cols.map(([k]) => v[k][key]) })),
    width: 520,
  });
  const throughput = barPanel({
    title: 'Sustainable votes/s',
    unit: 'acked votes per second',
    series: cols.map(([, l]) => l),
    groups: [{ label: 'votes/s', values: cols.map(([k]) => v[k].votesPerSec) }],
    log: true,
    width: 300,
  });
  const cpu = barPanel({
    title: 'Server CPU per vote',
    unit: 'µs (both nodes)',
    series: cols.map(([, l]) => l),
    groups: [{ label: 'µs / vote', values: cols.map(([k]) => v[k].cpuUsPerVote) }],
    log: true,
    width: 300,
  });
  return svgDocument('votes: cocreate against the Socket.IO redis-adapter baselines (same run, same clients)', [latency, throughput, cpu]);
}

function coeditSection(c, detail, chart) {
  const cols = COEDIT_SERVERS.filter(([k]) => c[k]);
  const row = (label, f) => [label, ...cols.map(([k]) => f(c[k]))];
  const ms = (x) => (x === null ? '≥10 s' : fmt(x));
  const when = detail ? ` (run \`${detail.runId}\`, ${detail.at}, ${detail.durationS} s)` : '';
  return [
    `## coedit${when}`,
    '',
    'Hot document, 50 typists × 10 keystrokes/s (keystroke-to-peer); 200 documents for heap per document; a 5 MB document loaded by a fresh client.',
    '',
    mdTable(
      ['', ...cols.map(([, l]) => l)],
      [
        row('p50 / p99 keystroke-to-peer (ms)', (s) => `${ms(s.p50Ms)} / ${ms(s.p99Ms)}`),
        row('delivered updates/s', (s) => s.updatesPerSec),
        row('server CPU µs / update', (s) => s.cpuUsPerUpdate),
        row('heap / open document (KiB)', (s) => s.memPerDocKiB),
        row('5 MB load (ms)', (s) => s.load5MBMs),
        row('converged', (s) => String(s.converged)),
      ],
    ),
    '',
    `chart: [${chart}](${chart})`,
  ].join('\n');
}

function coeditChart(c) {
  const cols = COEDIT_SERVERS.filter(([k]) => c[k]);
  const series = cols.map(([, l]) => l);
  return svgDocument('coedit: cocreate against Hocuspocus and the reference y-websocket server (same run, same clients)', [
    barPanel({
      title: 'Keystroke-to-peer, hot document',
      unit: 'ms (hatched: beyond the 10 s histogram)',
      series,
      groups: [
        { label: 'p50', values: cols.map(([k]) => c[k].p50Ms) },
        { label: 'p99', values: cols.map(([k]) => c[k].p99Ms) },
      ],
      log: true,
      missing: '≥10 s',
      width: 380,
    }),
    barPanel({
      title: 'Delivered updates/s',
      unit: 'distinct keystrokes per second',
      series,
      groups: [{ label: 'updates/s', values: cols.map(([k]) => c[k].updatesPerSec) }],
      width: 300,
    }),
    barPanel({
      title: 'Cost',
      unit: 'µs CPU / update · KiB heap / document · ms 5 MB load',
      series,
      groups: [
        { label: 'µs/update', values: cols.map(([k]) => c[k].cpuUsPerUpdate) },
        { label: 'KiB/doc', values: cols.map(([k]) => c[k].memPerDocKiB) },
        { label: '5 MB ms', values: cols.map(([k]) => c[k].load5MBMs) },
      ],
      log: true,
      width: 420,
    }),
  ]);
}

function drillsSection(d) {
  const drills = Object.entries(d.drills ?? {});
  const errs = (e) =>
    Object.entries(e ?? {})
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || '0';
  return [
    `## drills (run \`${d.runId ?? '?'}\`, ${d.at ?? '?'})`,
    '',
    `Two nodes on PostgreSQL (through a TCP proxy) and a Redis of the drill's own; voters, watchers and y-websocket editors on both nodes at ${fmt(d.votesPerSecOffered)} votes/s offered. **lost ${d.lost}, exact ${d.exact}.**`,
    '',
    mdTable(
      [
        'drill',
        'votes acked',
        'vote errors',
        'no ack',
        'slowest ack (ms)',
        'reconnects',
        'resyncs',
        'recover max (ms)',
        'lost',
        'counts exact',
        'document exact',
      ],
      drills.map(([name, r]) => [
        name,
        r.acked,
        errs(r.errors),
        r.noAck,
        r.slowestAckMs,
        r.reconnects,
        r.resyncs,
        r.recoverMaxMs,
        r.lost,
        String(r.countsExact),
        String(r.documentExact),
      ]),
    ),
  ].join('\n');
}

function soakSection(s, chart) {
  const g = s.growthPerThousandCycles ?? {};
  const labels = {
    heapMiB: ['heap after GC (MiB; growth in KiB)', 'heapKiB'],
    handles: ['active handles', 'handles'],
    fds: ['open file descriptors', 'fds'],
    sockets: ['Socket.IO sockets', 'sockets'],
    collabConnections: ['collab connections', 'collabConnections'],
    documents: ['loaded documents', 'documents'],
    rooms: ['rooms', 'rooms'],
    fanoutChannels: ['fan-out channels', 'fanoutChannels'],
    pgConnections: ['PostgreSQL connections', 'pgConnections'],
  };
  const rows = Object.keys(s.baseline ?? {}).map((k) => [labels[k]?.[0] ?? k, s.baseline[k], s.end?.[k], g[labels[k]?.[1] ?? k]]);
  return [
    `## soak (run \`${s.runId ?? '?'}\`, ${s.cycles} cycles in ${s.durationS} s)`,
    '',
    'Join / leave / edit cycles against two nodes; readings after forced GCs, at the baseline and after each thousand cycles. **lost ' +
      `${s.lost}, exact ${s.exact}.**`,
    '',
    mdTable(['both nodes, every client gone', 'baseline', `after ${s.cycles} cycles`, 'growth per 1,000 cycles'], rows),
    '',
    `chart: [${chart}](${chart})`,
  ].join('\n');
}

function soakChart(s) {
  const points = s.samples ?? [];
  return svgDocument('soak: server heap and handles as cycles accumulate (both nodes, after forced GCs)', [
    barPanel({
      title: 'Heap used',
      unit: 'MiB',
      series: ['heap'],
      groups: points.map((p) => ({ label: `${p.cycles}`, values: [p.heapMiB] })),
      width: Math.max(320, 60 * points.length),
    }),
    barPanel({
      title: 'Open handles and sockets',
      unit: 'count (both nodes)',
      series: ['handles', 'fds', 'Socket.IO sockets', 'collab connections'],
      groups: points.map((p) => ({ label: `${p.cycles}`, values: [p.handles, p.fds, p.sockets, p.collabConnections] })),
      width: Math.max(420, 90 * points.length),
    }),
  ]);
}

/**
 * Builds the report from the files in `dir`; writes them unless `write` is false. Returns what it
 * built: `{ latest, markdown, charts: {name: svg}, missing: [scenario] }`.
 */
export function buildReport({ dir = RESULTS_DIR, write = true, quick = false } = {}) {
  // The quick smokes write `<scenario>-quick.json`; their report is `latest-quick.*` beside the real one.
  const q = quick ? '-quick' : '';
  const latest = { generatedAt: new Date().toISOString(), scenarios: {} };
  const sections = [];
  const charts = {};
  const missing = [];
  const votes = readJson(dir, `votes${q}.json`);
  const coedit = readJson(dir, `coedit${q}.json`);
  const drills = readJson(dir, `drills${q}.json`);
  const soak = readJson(dir, `soak${q}.json`);
  if (votes) {
    latest.scenarios.votes = votes;
    sections.push(votesSection(votes, readJson(dir, `votes${q}-detail.json`), `votes${q}.svg`));
    charts[`votes${q}.svg`] = votesChart(votes);
  } else missing.push('votes');
  if (coedit) {
    latest.scenarios.coedit = coedit;
    sections.push(coeditSection(coedit, readJson(dir, `coedit${q}-detail.json`), `coedit${q}.svg`));
    charts[`coedit${q}.svg`] = coeditChart(coedit);
  } else missing.push('coedit');
  if (drills) {
    latest.scenarios.drills = drills;
    sections.push(drillsSection(drills));
  } else missing.push('drills');
  if (soak) {
    latest.scenarios.soak = soak;
    sections.push(soakSection(soak, `soak${q}.svg`));
    charts[`soak${q}.svg`] = soakChart(soak);
  } else missing.push('soak');
  const markdown = [
    '# Benchmark report',
    '',
    `Built ${latest.generatedAt} from the result files in this folder (\`npm run bench\` runs every scenario and rebuilds it; \`npm run bench -- report\` only rebuilds it). Every figure was measured on one shared 2-core machine; compare columns of the same table, which come from the same run.`,
    missing.length ? `\nNot run yet: ${missing.join(', ')}.` : '',
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
  if (write) {
    writeFileSync(join(dir, `latest${q}.json`), `${JSON.stringify(latest, null, 2)}\n`);
    writeFileSync(join(dir, `latest${q}.md`), markdown);
    for (const [name, svg] of Object.entries(charts)) writeFileSync(join(dir, name), svg);
  }
  return { latest, markdown, charts, missing };
}
