#!/usr/bin/env node
// `npm run bench -- <scenario> [options]`: the Node benchmark harness (not a test). It starts the server
// nodes, the baselines and the load generators as separate processes, prints a table, writes
// load-tests/results/<scenario>.json, and prints that same JSON object as its last stdout line.
// `npm run bench` alone runs every scenario in turn and then writes the combined report (latest.json,
// latest.md, SVG charts); `npm run bench -- report` rebuilds that report from the files already there.
import { parseArgs } from 'node:util';
import { installExitHandlers, runCleanups } from './lib/procs.mjs';

const USAGE = `usage: npm run bench [-- --quick]   every scenario (votes, coedit, drills, soak), then the report
       npm run bench -- report         rebuild results/latest.json, latest.md and the SVG charts from the result files

       npm run bench -- votes [--quick] [--modes=cocreate,naive,stock-coalesced]
       [--generators=N] [--watchers=N] [--voters=N] [--max-rate=N] [--db-pool=N] [--tick-ms=N] [--hot-share=F] [--keep-going] [--cpu-prof]

  votes     two nodes × 1,000 watchers, a stepped ramp of votes/s, in three fan-out modes
  --quick     a ~2-minute smoke: fewer clients, shorter steps, a short ladder
  --db-pool, --tick-ms, --hot-share  diagnostics only: the server's DB_POOL_SIZE / TICK_MS, and the share
              of votes on the hot set (0.9 is the stated distribution; 0.1 spreads votes evenly);
  --keep-going  diagnostics only: climb past failed steps (while at least half the offered votes are acked)
  --cpu-prof  profile the server nodes during each ramp step (V8 .cpuprofile files in the run's log
              folder; summarise them with load-tests/bench/profile-summary.mjs)

       npm run bench -- coedit [--quick] [--servers=cocreate,hocuspocus,yWebsocket] [--measure-s=N] [--typists=N] [--rate=N] [--cpu-prof]

  coedit    cocreate (2 nodes), Hocuspocus and the reference y-websocket server with the same clients:
            one hot document (50 typists × 10 keystrokes/s), 200 documents × 5 typists, a 5 MB load
  --quick     a ~2-minute smoke: fewer typists and documents, shorter windows
  --measure-s, --typists, --rate  diagnostics only: window length, typists and keystrokes/s of the hot document

       npm run bench -- drills [--quick] [--drills=kill-node,restart-redis,pause-postgres]

  drills    two nodes under a steady vote storm with watchers and editors: kill -9 a node, restart Redis,
            pause PostgreSQL; asserts nothing acknowledged was lost and every count and document is exact
            (exits non-zero when not)

       npm run bench -- soak [--quick] [--cycles=N]

  soak      join / vote / edit / leave cycles; heap and open handles at the baseline and per thousand cycles`;

const list = (v) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const SCENARIOS = {
  drills: async (values) => {
    const { runDrills } = await import('./drills.mjs');
    return runDrills({ quick: values.quick, drills: list(values.drills) });
  },
  soak: async (values) => {
    const { runSoak } = await import('./soak.mjs');
    return runSoak({ quick: values.quick, cycles: values.cycles === undefined ? undefined : Number.parseInt(values.cycles, 10) });
  },
  report: async (values) => {
    const { buildReport } = await import('./report.mjs');
    const { latest, missing } = buildReport({ quick: values.quick });
    const q = values.quick ? '-quick' : '';
    console.log(
      `wrote load-tests/results/latest${q}.json, latest${q}.md and the charts${missing.length ? ` (no result yet for ${missing.join(', ')})` : ''}`,
    );
    return { scenario: 'report', scenarios: Object.keys(latest.scenarios) };
  },
  coedit: async (values) => {
    const { runCoedit } = await import('./coedit.mjs');
    const int = (v) => (v === undefined ? undefined : Number.parseInt(v, 10));
    return runCoedit({
      quick: values.quick,
      servers: values.servers
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      measureS: int(values['measure-s']),
      typists: int(values.typists),
      rate: int(values.rate),
      cpuProf: values['cpu-prof'],
    });
  },
  votes: async (values) => {
    const { runVotes } = await import('./votes.mjs');
    const int = (v) => (v === undefined ? undefined : Number.parseInt(v, 10));
    return runVotes({
      quick: values.quick,
      modes: values.modes
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      generators: int(values.generators),
      watchers: int(values.watchers),
      voters: int(values.voters),
      maxRate: int(values['max-rate']),
      dbPool: int(values['db-pool']),
      tickMs: int(values['tick-ms']),
      keepGoing: values['keep-going'],
      hotShare: values['hot-share'] === undefined ? undefined : Number(values['hot-share']),
      cpuProf: values['cpu-prof'],
    });
  },
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    modes: { type: 'string' },
    generators: { type: 'string' },
    watchers: { type: 'string' },
    voters: { type: 'string' },
    'max-rate': { type: 'string' },
    'db-pool': { type: 'string' },
    'tick-ms': { type: 'string' },
    'keep-going': { type: 'boolean', default: false },
    'hot-share': { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    servers: { type: 'string' },
    'measure-s': { type: 'string' },
    drills: { type: 'string' },
    cycles: { type: 'string' },
    typists: { type: 'string' },
    rate: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const scenario = positionals[0];
if (values.help || (scenario && !SCENARIOS[scenario])) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 2);
}

installExitHandlers();
let code = 0;
let summary;
if (scenario) {
  try {
    summary = await SCENARIOS[scenario](values);
    // A drill that found something lost or inexact has written its result, and fails the run.
    if (summary && (summary.lost > 0 || summary.exact === false)) code = 1;
  } catch (err) {
    console.error(`\nbenchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
    code = 1;
  } finally {
    await runCleanups();
  }
} else {
  // Every scenario in turn (each with its own baselines), one failing does not stop the others; then the report.
  const failed = [];
  for (const name of ['votes', 'coedit', 'drills', 'soak']) {
    console.log(`\n######## ${name} ########\n`);
    try {
      const s = await SCENARIOS[name]({ quick: values.quick });
      console.log(JSON.stringify(s));
      if (s.lost > 0 || s.exact === false) failed.push(`${name} (lost ${s.lost}, exact ${s.exact})`);
    } catch (err) {
      console.error(`\n${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
      failed.push(name);
    } finally {
      await runCleanups();
    }
  }
  summary = await SCENARIOS.report(values);
  if (failed.length) {
    console.error(`\nfailed: ${failed.join(', ')}`);
    code = 1;
  }
}
if (summary)
  console.log(
    JSON.stringify(scenario ? summary : (await import('./report.mjs')).buildReport({ write: false, quick: values.quick }).latest),
  );
process.exit(code);
