// The soak: repeated join / leave / edit cycles against two cocreate nodes, reading what the nodes hold
// (heap after forced GCs, open handles and descriptors, sockets, collab connections, documents, rooms,
// fan-out channels, PostgreSQL connections) at a baseline and after each thousand cycles, with every
// client gone and idle documents unloaded, so growth per thousand cycles shows what a cycle leaves behind.
// One cycle, as one visit of a member: Socket.IO connect, board:join, idea:join, presence:set, a vote
// (cast or withdraw), idea:leave, board:leave, disconnect; then y-websocket connect to the idea's
// document, one keystroke in a paragraph of its own, a sync round trip, disconnect.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { BODY, CoeditClient, digestOf } from './coedit-clients.mjs';
import { heapAfterGc, storedDigest } from './coedit-measure.mjs';
import { startOwnCluster } from './lib/cluster.mjs';
import { connectLean } from './lib/eio.mjs';
import { communityFixture } from './lib/fixture.mjs';
import { scrapeMetrics } from './lib/services.mjs';
import { now, round, sleep } from './lib/stats.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = join(ROOT, 'load-tests', 'results');

const PROFILES = {
  full: { cycles: 4000, every: 1000, warmup: 300, concurrency: 12, users: 24, ideas: 40, maxMs: 5 * 60_000 },
  quick: { cycles: 600, every: 200, warmup: 60, concurrency: 8, users: 16, ideas: 20, maxMs: 40_000 },
};

/** /metrics series read at each checkpoint (both nodes summed), by the name the report uses. */
const GAUGES = {
  handles: 'cocreate_nodejs_active_handles_total',
  fds: 'cocreate_process_open_fds',
  sockets: 'cocreate_sockets_connected',
  collabConnections: 'cocreate_collab_connections',
  documents: 'cocreate_collab_documents',
  rooms: 'cocreate_rooms',
  fanoutChannels: 'cocreate_fanout_channels',
};

/** @param {{ quick?: boolean, cycles?: number, resultsDir?: string, adminUrl?: string }} options */
export async function runSoak(options = {}) {
  const profile = { ...PROFILES[options.quick ? 'quick' : 'full'] };
  if (options.cycles) {
    profile.cycles = options.cycles;
    // A longer soak may take longer: about 10 cycles/s at the least on a busy machine.
    profile.maxMs = Math.max(profile.maxMs, options.cycles * 100);
  }
  if (!existsSync(join(ROOT, 'server/dist/main.js'))) throw new Error('server/dist/main.js is missing: run `npm run build` first');
  const runId = randomBytes(3).toString('hex');
  const logDir = join(tmpdir(), `cocreate-bench-soak-${runId}`);
  mkdirSync(logDir, { recursive: true });
  const started = Date.now();
  console.log(
    `soak ${runId}${options.quick ? ' (quick)' : ''}: ${profile.cycles} cycles after ${profile.warmup} of warm-up, ${profile.concurrency} at a time, a reading every ${profile.every} (at most ${profile.maxMs / 1000} s)`,
  );
  console.log(`  server logs: ${logDir}`);

  const adminUrl = options.adminUrl ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  // Documents unload 1 s after their last client, so each reading sees them gone.
  const { db, ports, nodes } = await startOwnCluster({
    root: ROOT,
    runId,
    tag: 'soak',
    logDir,
    adminUrl,
    extra: { COLLAB_IDLE_MS: '1000' },
  });
  const fixture = await setupFixture(nodes[0].url, runId, profile);

  const ledger = { votes: new Map(), acked: 0, errors: {}, edits: new Map(), cycles: 0, failed: 0, firstError: null };
  const run = (count, deadline) => runCycles({ count, deadline, profile, fixture, ports, ledger });
  const t0 = now();
  const deadline = t0 + profile.maxMs;
  await run(profile.warmup, deadline);
  const samples = [await reading(nodes, db, 0)];
  console.log(`  ${readingLine(samples[0])}  (baseline, after ${profile.warmup} warm-up cycles)`);
  const warmed = ledger.cycles;
  let done = 0;
  while (done < profile.cycles && now() < deadline) {
    const before = ledger.cycles;
    const tc = now();
    await run(Math.min(profile.every, profile.cycles - done), deadline);
    const n = ledger.cycles - before;
    done = ledger.cycles - warmed;
    if (n === 0) break;
    const r = await reading(nodes, db, done);
    r.cyclesPerSec = round((n / (now() - tc)) * 1000);
    samples.push(r);
    console.log(`  ${readingLine(r)}  (${r.cyclesPerSec} cycles/s)`);
  }

  const check = await checkExact(db, fixture, ledger, ports);
  const base = samples[0];
  const last = samples[samples.length - 1];
  const per1k = (k) => (last.cycles ? round(((last[k] - base[k]) / last.cycles) * 1000) : null);
  const keys = ['heapMiB', 'handles', 'fds', 'sockets', 'collabConnections', 'documents', 'rooms', 'fanoutChannels', 'pgConnections'];
  const growth = Object.fromEntries(keys.map((k) => [k, per1k(k)]));
  growth.heapKiB = last.cycles ? round((((last.heapMiB - base.heapMiB) * 1024) / last.cycles) * 1000) : null;
  delete growth.heapMiB;
  const summary = {
    scenario: 'soak',
    lost: check.lost,
    exact: check.exact,
    runId,
    at: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    cycles: last.cycles,
    warmupCycles: profile.warmup,
    failedCycles: ledger.failed,
    votesAcked: ledger.acked,
    voteErrors: ledger.errors,
    baseline: pick(base, keys),
    end: pick(last, keys),
    growthPerThousandCycles: growth,
    samples,
    problems: check.problems.slice(0, 10),
  };
  const dir = options.resultsDir ?? RESULTS;
  mkdirSync(dir, { recursive: true });
  const name = options.quick ? 'soak-quick' : options.cycles ? 'soak-custom' : 'soak';
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(
    `\n  growth per 1,000 cycles: heap ${growth.heapKiB} KiB, handles ${growth.handles}, fds ${growth.fds}, sockets ${growth.sockets}, collab connections ${growth.collabConnections}, documents ${growth.documents}, rooms ${growth.rooms}, fan-out channels ${growth.fanoutChannels}, PostgreSQL connections ${growth.pgConnections}`,
  );
  console.log(
    `  ${ledger.cycles} cycles (${ledger.failed} failed${ledger.firstError ? `: ${ledger.firstError}` : ''}), ${ledger.acked} votes acked; lost ${check.lost}, exact ${check.exact}${check.problems.length ? `\n    ${check.problems.slice(0, 5).join('\n    ')}` : ''}`,
  );
  console.log(`wrote ${options.resultsDir ? join(dir, name) : `load-tests/results/${name}`}.json in ${summary.durationS} s`);
  return summary;
}

const pick = (o, keys) => Object.fromEntries(keys.map((k) => [k, o[k]]));

async function setupFixture(base, runId, profile) {
  const f = await communityFixture({ base, runId, tag: 'soak', ideas: profile.ideas, members: profile.users });
  return { boardId: f.boardId, ideaIds: f.ideaIds, users: f.members };
}

/** `count` cycles, `concurrency` at a time; worker w uses only its own users, so a user is never in two cycles at once. */
async function runCycles({ count, deadline, profile, fixture, ports, ledger }) {
  let next = 0;
  const worker = async (w) => {
    const mine = fixture.users.filter((_, i) => i % profile.concurrency === w);
    while (next < count && now() < deadline) {
      const k = next++;
      const user = mine[k % mine.length];
      const idea = Math.floor(Math.random() * fixture.ideaIds.length);
      try {
        await cycle({ user, idea, node: k % 2, fixture, ports, ledger });
      } catch (err) {
        ledger.failed++;
        ledger.firstError ??= err instanceof Error ? err.message : String(err);
      }
      ledger.cycles++;
    }
  };
  await Promise.all(Array.from({ length: profile.concurrency }, (_, w) => worker(w)));
}

async function cycle({ user, idea, node, fixture, ports, ledger }) {
  const ideaId = fixture.ideaIds[idea];
  const socket = await connectLean({ port: ports[node], token: user.token });
  try {
    const must = async (event, payload) => {
      const ack = await socket.ask(event, payload);
      if (!ack.ok) throw new Error(`${event}: ${ack.code} ${ack.message}`);
      return ack;
    };
    await must('board:join', { boardId: fixture.boardId, sort: 'top', limit: 50 });
    await must('idea:join', { ideaId });
    await must('presence:set', { room: `idea:${ideaId}`, status: 'typing' });
    const key = `${user.userId} ${ideaId}`;
    const has = ledger.votes.get(key)?.myVote === 1;
    const ack = await socket.ask(has ? 'vote:withdraw' : 'vote:cast', has ? { ideaId } : { ideaId, value: 1 });
    if (ack.ok) {
      ledger.acked++;
      ledger.votes.set(key, { myVote: ack.myVote });
    } else {
      ledger.errors[ack.code] = (ledger.errors[ack.code] ?? 0) + 1;
      ledger.votes.delete(key);
    }
    await must('idea:leave', { ideaId });
    await must('board:leave', { boardId: fixture.boardId });
  } finally {
    socket.close();
  }
  const docName = `idea:${ideaId}`;
  const editor = new CoeditClient({
    base: `ws://127.0.0.1:${ports[1 - node]}/collab`,
    protocol: 'cocreate',
    docName,
    token: user.token,
    role: 'editor',
    node: 1 - node,
  });
  try {
    await editor.connect(15_000);
    editor.type(0);
    // A sync round trip: the keystroke has reached the node before the socket closes.
    await editor.resync(15_000);
    ledger.edits.set(docName, (ledger.edits.get(docName) ?? 0) + 1);
  } finally {
    editor.destroy();
  }
}

/** Every client gone: waits for documents to unload, then reads both nodes (heap after forced GCs). */
async function reading(nodes, db, cycles) {
  const t = now();
  let m = [];
  for (;;) {
    m = await Promise.all(nodes.map((n) => scrapeMetrics(n.url)));
    const open = m.reduce(
      (a, x) => a + (x.get(GAUGES.documents) ?? 0) + (x.get(GAUGES.sockets) ?? 0) + (x.get(GAUGES.collabConnections) ?? 0),
      0,
    );
    if (open === 0 || now() - t > 15_000) break;
    await sleep(250);
  }
  const heap = await heapAfterGc(nodes);
  m = await Promise.all(nodes.map((n) => scrapeMetrics(n.url)));
  const out = { cycles, heapMiB: round(heap / 1024 / 1024) };
  for (const [k, name] of Object.entries(GAUGES)) out[k] = m.reduce((a, x) => a + (x.get(name) ?? Number.NaN), 0);
  out.pgConnections = (await db.backendPids()).length;
  return out;
}

const readingLine = (r) =>
  `after ${String(r.cycles).padStart(5)} cycles: heap ${r.heapMiB} MiB, handles ${r.handles}, fds ${r.fds}, sockets ${r.sockets}, collab connections ${r.collabConnections}, documents ${r.documents}, rooms ${r.rooms}, fan-out channels ${r.fanoutChannels}, PostgreSQL connections ${r.pgConnections}`;

/** Votes: the database holds what each last ack said and its counters equal its rows; documents: every keystroke stored. */
async function checkExact(db, fixture, ledger, ports) {
  const problems = [];
  const rows =
    await db.sql`select v.user_id, v.idea_id, v.value from votes v join ideas i on i.id = v.idea_id where i.board_id = ${fixture.boardId}`;
  const voteOf = new Map(rows.map((r) => [`${r.user_id} ${r.idea_id}`, r.value]));
  let lost = 0;
  for (const [key, v] of ledger.votes) {
    if ((voteOf.get(key) === 1) !== (v.myVote === 1)) {
      lost++;
      problems.push(`vote ${key}: acked myVote ${v.myVote}, database ${voteOf.get(key) ?? 'none'}`);
    }
  }
  let exact = true;
  const ideas = await db.sql`select id, up, down from ideas where board_id = ${fixture.boardId}`;
  for (const idea of ideas) {
    const up = rows.filter((r) => r.idea_id === idea.id && r.value === 1).length;
    if (up !== idea.up) {
      exact = false;
      problems.push(`idea ${idea.id}: counter ${idea.up}, rows ${up}`);
    }
  }
  // Each edit cycle added one paragraph: the stored document and a fresh reader on each node hold them all.
  for (const [docName, edits] of ledger.edits) {
    const stored = await storedDigest(db, docName);
    for (const [node, port] of ports.entries()) {
      const reader = new CoeditClient({
        base: `ws://127.0.0.1:${port}/collab`,
        protocol: 'cocreate',
        docName,
        token: fixture.users[0].token,
        role: 'reader',
        node,
      });
      try {
        await reader.connect(15_000);
        const paragraphs = reader.doc
          .getXmlFragment(BODY)
          .toArray()
          .filter((p) => p instanceof Y.XmlElement).length;
        if (paragraphs !== edits || digestOf(reader.doc) !== stored.digest) {
          exact = false;
          if (paragraphs < edits) lost += edits - paragraphs;
          problems.push(
            `${docName} on node ${'AB'[node]}: ${paragraphs} paragraphs of ${edits} edits${digestOf(reader.doc) !== stored.digest ? ', differs from PostgreSQL' : ''}`,
          );
        }
      } finally {
        reader.destroy();
      }
    }
  }
  if (ledger.failed) {
    exact = false;
    problems.push(`${ledger.failed} cycles failed: ${ledger.firstError}`);
  }
  return { lost, exact: exact && lost === 0, problems };
}
