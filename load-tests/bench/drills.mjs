// Failure drills under load: two cocreate nodes on PostgreSQL (through a TCP proxy the drill can pause)
// and a Redis of the drill's own, voters and watchers on both nodes and editors on one document, at a
// steady vote rate; then, one drill at a time,
//   kill-node       kill -9 node B: its clients fail over to node A and resync (B is restarted after)
//   restart-redis   kill the drill's redis-server and start it again on the same port
//   pause-postgres  the proxy stops forwarding for ~2 s, then resumes
// After each: nothing acknowledged lost, every watcher's counts and the database equal, every editor's
// document, fresh readers on both nodes and the stored document equal. Unlike a benchmark, a drill
// asserts: the run exits non-zero when any of that fails.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoeditClient, connectAll, digestOf } from './coedit-clients.mjs';
import { storedDigest } from './coedit-measure.mjs';
import { DrillEditor, DrillSocket, storm, VoteLedger } from './drills-clients.mjs';
import { startNode, startOwnCluster } from './lib/cluster.mjs';
import { communityFixture } from './lib/fixture.mjs';
import { median, now, round, sleep } from './lib/stats.mjs';

/** How long a survivor may take to store what a dead node relayed: three 5 s sync intervals, and a margin. */
const STORE_BOUND_MS = 20_000;
/** How long a fresh reader may take to converge: two 5 s sync intervals. */
const READER_CONVERGE_MS = 10_000;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS = join(ROOT, 'load-tests', 'results');

export const DRILLS = ['kill-node', 'restart-redis', 'pause-postgres'];
const JSON_KEY = { 'kill-node': 'killNode', 'restart-redis': 'restartRedis', 'pause-postgres': 'pausePostgres' };

const PROFILES = {
  full: {
    votersPerNode: 8,
    watchersPerNode: 4,
    editorsPerNode: 2,
    ideas: 30,
    rate: 30,
    beforeMs: 6000,
    afterMs: 12_000,
    keystrokesPerSec: 3,
    pauseMs: 2000,
    redisDownMs: 1500,
  },
  quick: {
    votersPerNode: 3,
    watchersPerNode: 2,
    editorsPerNode: 1,
    ideas: 12,
    rate: 15,
    beforeMs: 3000,
    afterMs: 6000,
    keystrokesPerSec: 2,
    pauseMs: 2000,
    redisDownMs: 1000,
  },
};

/**
 * @param {{ quick?: boolean, drills?: string[], resultsDir?: string, profile?: Partial<typeof PROFILES.full>, adminUrl?: string }} options
 */
export async function runDrills(options = {}) {
  const profile = { ...PROFILES[options.quick ? 'quick' : 'full'], ...options.profile };
  const drills = options.drills ?? DRILLS;
  for (const d of drills) if (!DRILLS.includes(d)) throw new Error(`unknown drill ${d} (${DRILLS.join(', ')})`);
  if (!existsSync(join(ROOT, 'server/dist/main.js'))) throw new Error('server/dist/main.js is missing: run `npm run build` first');
  const runId = randomBytes(3).toString('hex');
  const logDir = join(tmpdir(), `cocreate-bench-drills-${runId}`);
  mkdirSync(logDir, { recursive: true });
  const started = Date.now();
  console.log(`drills ${runId}${options.quick ? ' (quick)' : ''}: ${drills.join(', ')}`);
  console.log(
    `  2 nodes; per node ${profile.votersPerNode} voters, ${profile.watchersPerNode} watchers, ${profile.editorsPerNode} editors on one document; ${profile.rate} votes/s offered over ${profile.ideas} ideas; fault after ${profile.beforeMs / 1000} s, then ${profile.afterMs / 1000} s more`,
  );
  console.log(`  server logs: ${logDir}`);

  const adminUrl = options.adminUrl ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const { db, redis, proxy, ports, env, nodes } = await startOwnCluster({
    root: ROOT,
    runId,
    tag: 'drill',
    logDir,
    adminUrl,
    proxyPostgres: true,
    extra: { SOCKET_EVENTS_PER_SECOND: '100000', SOCKET_EVENT_BURST: '100000' },
  });
  console.log(`  own redis-server :${redis.port}; PostgreSQL through a proxy on :${proxy.port}`);
  const ctx = { profile, db, redis, proxy, ports, env, logDir, nodes, runId };
  ctx.fixture = await setupFixture(ctx);

  const results = {};
  for (const name of drills) results[JSON_KEY[name]] = await runDrill(ctx, name);

  const all = Object.values(results);
  const summary = {
    scenario: 'drills',
    lost: all.reduce((a, r) => a + r.summary.lost, 0),
    exact: all.every((r) => r.summary.exact),
    runId,
    at: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    votesPerSecOffered: profile.rate,
    drills: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.summary])),
  };
  const detail = {
    ...summary,
    profile,
    drills: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { ...r.summary, clients: r.clients }])),
  };
  const dir = options.resultsDir ?? RESULTS;
  mkdirSync(dir, { recursive: true });
  const name = options.quick ? 'drills-quick' : options.drills || options.profile ? 'drills-custom' : 'drills';
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(dir, `${name}-detail.json`), `${JSON.stringify(detail, null, 2)}\n`);
  console.log(
    `\ndrills: lost ${summary.lost}, exact ${summary.exact} — wrote ${options.resultsDir ? join(dir, name) : `load-tests/results/${name}`}.json (and ${name}-detail.json with every client) in ${summary.durationS} s`,
  );
  return summary;
}

/** A board of ideas and voter accounts (members; the editors use their tokens too). */
async function setupFixture(ctx) {
  const { profile, runId, nodes } = ctx;
  const t = Date.now();
  const f = await communityFixture({ base: nodes[0].url, runId, tag: 'drill', ideas: profile.ideas, members: 2 * profile.votersPerNode });
  console.log(
    `  fixture: board with ${f.ideaIds.length} ideas, ${f.members.length} voter accounts in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
  return { boardId: f.boardId, ideaIds: f.ideaIds, voters: f.members };
}

async function runDrill(ctx, name) {
  const { profile, fixture, ports } = ctx;
  // A document of its own per drill, so that what one drill did to a document cannot fail the next.
  const docName = `idea:${fixture.ideaIds[DRILLS.indexOf(name)]}`;
  console.log(`\n== ${name} ==`);
  const bases = ports.map((p) => `ws://127.0.0.1:${p}/collab`);
  const voters = fixture.voters.map(
    (v, i) =>
      new DrillSocket({
        role: 'voter',
        name: `voter ${i + 1}`,
        ports,
        node: i % 2,
        token: v.token,
        userId: v.userId,
        boardId: fixture.boardId,
        ideaIds: fixture.ideaIds,
      }),
  );
  const watchers = Array.from(
    { length: 2 * profile.watchersPerNode },
    (_, i) =>
      new DrillSocket({
        role: 'watcher',
        name: `watcher ${i + 1}`,
        ports,
        node: i % 2,
        boardId: fixture.boardId,
        ideaIds: fixture.ideaIds,
      }),
  );
  const editors = Array.from(
    { length: 2 * profile.editorsPerNode },
    (_, i) =>
      new DrillEditor({
        name: `editor ${i + 1}`,
        bases,
        node: i % 2,
        docName,
        token: fixture.voters[i % fixture.voters.length].token,
      }),
  );
  const clients = [...voters, ...watchers, ...editors];
  try {
    await Promise.all([...voters, ...watchers].map((c) => c.connect()));
    await Promise.all(editors.map((e) => e.connect()));
    const ledger = new VoteLedger();
    const votes = storm(voters, ledger, fixture.ideaIds, profile.rate);
    const typing = setInterval(() => {
      for (const e of editors) e.type();
    }, 1000 / profile.keystrokesPerSec);
    const t0 = now();
    await sleep(profile.beforeMs);
    const fault = await injectFault(ctx, name);
    // From now on no vote touches the first half of the ideas: their last changes are those made up to
    // and during the fault, which no later update can cover; only a failover snapshot or a resync can.
    const quietIdeas = Math.floor(fixture.ideaIds.length / 2);
    votes.narrow(quietIdeas);
    console.log(
      `  ${fault.what} at +${((fault.at - t0) / 1000).toFixed(1)} s${fault.ms ? `, for ${round(fault.ms)} ms` : ''}; votes on ideas ${quietIdeas + 1}–${fixture.ideaIds.length} only from here`,
    );
    await sleep(profile.afterMs);
    const { issued, skipped } = votes.stop();
    clearInterval(typing);
    const stormS = (now() - t0) / 1000;

    // Settle: every ack in, every client back, every resync done, then no frame for 1.5 s.
    const settle0 = now();
    while (now() - settle0 < 40_000) {
      const busy = ledger.outstanding > 0 || clients.some((c) => c.recovering && !c.failed) || watchers.some((w) => w.pendingResync > 0);
      if (!busy) break;
      await sleep(100);
    }
    let frames = -1;
    for (let stable = now(); now() - settle0 < 60_000; await sleep(250)) {
      const f = watchers.reduce((a, w) => a + w.seen.frames, 0);
      if (f !== frames) {
        frames = f;
        stable = now();
      } else if (now() - stable >= 1500) break;
    }
    if (fault.after) await fault.after();

    const check = await checkExact(ctx, ledger, watchers, editors, docName);
    const seenBy = (list) => list.map((c) => c.seen);
    const merged = { errors: {}, recoverMs: [] };
    for (const s of seenBy(clients)) {
      for (const [k, v] of Object.entries(s.errors)) merged.errors[k] = (merged.errors[k] ?? 0) + v;
      merged.recoverMs.push(...s.recoverMs);
    }
    const sum = (list, k) => list.reduce((a, c) => a + c.seen[k], 0);
    const summary = {
      votesOffered: issued,
      votesSkipped: skipped,
      acked: sum(voters, 'acked'),
      votesPerSec: round(sum(voters, 'acked') / stormS),
      errors: merged.errors,
      noAck: sum(voters, 'noAck'),
      slowestAckMs: round(ledger.slowestAckMs),
      acksOverOneSecond: ledger.acksOverOneSecond,
      reconnects: sum(clients, 'reconnects'),
      resyncs: sum(watchers, 'resyncs'),
      recoverP50Ms: merged.recoverMs.length ? round(median(merged.recoverMs)) : null,
      recoverMaxMs: merged.recoverMs.length ? round(Math.max(...merged.recoverMs)) : null,
      clientsNotBack: clients.filter((c) => c.failed).length,
      keystrokes: editors.reduce((a, e) => a + e.keystrokes, 0),
      faultMs: fault.ms ? round(fault.ms) : null,
      ...check.summary,
    };
    summary.exact = summary.countsExact && summary.documentExact && summary.clientsNotBack === 0;
    const perClient = clients.map((c) => ({
      name: c.opts.name,
      nodes: [...c.seen.nodes].join('→'),
      acked: c.seen.acked,
      errors: c.seen.errors,
      noAck: c.seen.noAck,
      reconnects: c.seen.reconnects,
      resyncs: c.seen.resyncs,
      recoverMs: c.seen.recoverMs.map(round),
      keystrokes: c.keystrokes,
      back: !c.failed,
    }));
    for (const c of perClient) console.log(`  ${clientLine(c)}`);
    console.log(
      `  ${name}: ${summary.acked} votes acked (${summary.votesPerSec}/s), errors ${fmtErrors(summary.errors)}, ${summary.noAck} without ack, ${summary.acksOverOneSecond} acked after ≥ 1 s (slowest ${summary.slowestAckMs} ms); ${summary.reconnects} reconnects, ${summary.resyncs} resyncs, recovered in p50 ${summary.recoverP50Ms ?? '–'} / max ${summary.recoverMaxMs ?? '–'} ms`,
    );
    console.log(
      `  ${name}: lost ${summary.lost}; counts exact ${summary.countsExact} (${summary.watchersCompared} watchers × ${fixture.ideaIds.length} ideas and the vote rows against the database); document exact ${summary.documentExact} (${summary.documentStates} states, ${summary.keystrokes} keystrokes; in PostgreSQL after ${summary.documentStoredMs} ms)${check.problems.length ? `\n    ${check.problems.slice(0, 8).join('\n    ')}` : ''}`,
    );
    return { summary: { ...summary, problems: check.problems.slice(0, 10) }, clients: perClient };
  } finally {
    for (const c of clients) c.close();
  }
}

const fmtErrors = (e) =>
  Object.entries(e)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

function clientLine(c) {
  const parts = [`${c.name.padEnd(10)} ${c.nodes}`];
  if (c.name.startsWith('voter')) parts.push(`acks ${c.acked}`, `errors ${fmtErrors(c.errors)}`, `no ack ${c.noAck}`);
  if (c.keystrokes !== undefined) parts.push(`keystrokes ${c.keystrokes}`);
  parts.push(`reconnects ${c.reconnects}`);
  if (c.name.startsWith('watcher')) parts.push(`resyncs ${c.resyncs}`);
  if (c.recoverMs.length) parts.push(`recovered in ${c.recoverMs.join(', ')} ms`);
  if (!c.back) parts.push('NEVER CAME BACK');
  return parts.join(', ');
}

async function injectFault(ctx, name) {
  const at = now();
  if (name === 'kill-node') {
    const b = ctx.nodes[1];
    process.kill(b.pid, 'SIGKILL');
    return {
      what: `kill -9 node B (pid ${b.pid})`,
      at,
      // Node B again for the next drill, on its port.
      after: async () => {
        ctx.nodes[1] = await startNode({
          root: ROOT,
          port: ctx.ports[1],
          env: ctx.env,
          logDir: ctx.logDir,
          logPrefix: 'restarted-',
          letter: 'b',
        });
      },
    };
  }
  if (name === 'restart-redis') {
    await ctx.redis.kill();
    await sleep(ctx.profile.redisDownMs);
    await ctx.redis.up();
    return { what: `redis-server killed and started again on :${ctx.redis.port}`, at, ms: now() - at };
  }
  ctx.proxy.pause();
  await sleep(ctx.profile.pauseMs);
  ctx.proxy.resume();
  return { what: 'PostgreSQL proxy paused (nothing forwarded either way)', at, ms: now() - at };
}

/** Nothing acknowledged lost; every watcher and the vote rows equal the counters; one document everywhere. */
async function checkExact(ctx, ledger, watchers, editors, docName) {
  const { db, fixture } = ctx;
  const problems = [];
  const ideas = await db.sql`select id, up, down, version from ideas where board_id = ${fixture.boardId}`;
  const truth = new Map(ideas.map((r) => [r.id, r]));
  const rows =
    await db.sql`select v.user_id, v.idea_id, v.value from votes v join ideas i on i.id = v.idea_id where i.board_id = ${fixture.boardId}`;
  const voteOf = new Map(rows.map((r) => [`${r.user_id} ${r.idea_id}`, r.value]));
  const index = new Map(fixture.ideaIds.map((id, i) => [id, i]));
  let lost = 0;
  // Every (voter, idea) whose last vote was acked: the database holds what the ack said.
  for (const [key, entry] of ledger.last) {
    if (!entry.acked) continue;
    const [userId, i] = key.split(' ');
    const has = voteOf.get(`${userId} ${fixture.ideaIds[Number(i)]}`) === 1;
    if (has !== (entry.myVote === 1)) {
      lost++;
      problems.push(
        `voter ${userId.slice(0, 8)} on idea #${Number(i) + 1}: acked myVote ${entry.myVote}, database ${has ? 'has' : 'has no'} up-vote`,
      );
    }
  }
  for (const [i, version] of ledger.maxAcked) {
    const t = truth.get(fixture.ideaIds[i]);
    if (!t || Number(t.version) < version) {
      lost++;
      problems.push(`idea #${i + 1}: acked version ${version}, database ${t?.version}`);
    }
  }
  // The counters equal the rows they count.
  let countsExact = true;
  const count = new Map();
  for (const r of rows) {
    const c = count.get(r.idea_id) ?? { up: 0, down: 0 };
    if (r.value === 1) c.up++;
    else if (r.value === -1) c.down++;
    count.set(r.idea_id, c);
  }
  for (const [id, t] of truth) {
    const c = count.get(id) ?? { up: 0, down: 0 };
    if (c.up !== t.up || c.down !== t.down) {
      countsExact = false;
      problems.push(`idea #${(index.get(id) ?? -1) + 1}: counters ${t.up}/${t.down}, vote rows ${c.up}/${c.down}`);
    }
  }
  // Every watcher shows the database.
  for (const w of watchers) {
    for (const [id, t] of truth) {
      const v = w.view.get(id);
      if (!v || v.up !== t.up || v.down !== t.down || v.version !== Number(t.version)) {
        countsExact = false;
        problems.push(
          `${w.opts.name} (node ${'AB'[w.node]}), idea #${(index.get(id) ?? -1) + 1}: shows ${v ? `${v.up}/${v.down} v${v.version}` : 'nothing'}, database ${t.up}/${t.down} v${t.version}`,
        );
      }
    }
  }
  // The document: every editor after a resync, a fresh reader on each node, and PostgreSQL.
  const digests = [];
  for (const e of editors) {
    if (!e.client?.open) {
      digests.push({ who: e.opts.name, digest: 'closed' });
      continue;
    }
    await e.client.resync(15_000);
    digests.push({ who: e.opts.name, digest: digestOf(e.client.doc) });
  }
  // What the nodes hold must reach PostgreSQL: a node's own updates within its group-commit window
  // (≤ 100 ms); what a node that died had relayed but not written, once a survivor has heard nothing
  // from it for three sync intervals (15 s by default; README, "Durability"). Wait up to that bound
  // and say how long it took.
  const memory = digests.find((d) => d.digest !== 'closed')?.digest;
  const storeStart = now();
  let stored = (await storedDigest(db, docName)).digest;
  while (memory && stored !== memory && now() - storeStart < STORE_BOUND_MS) {
    await sleep(250);
    stored = (await storedDigest(db, docName)).digest;
  }
  digests.push({ who: 'PostgreSQL', digest: stored });
  const documentStoredMs = round(now() - storeStart);
  // Then a fresh reader on each node (a restarted node loads from PostgreSQL, and nodes exchange
  // state vectors every sync interval): each must reach the same state within two intervals.
  const readers = ctx.ports.map(
    (p, node) =>
      new CoeditClient({
        base: `ws://127.0.0.1:${p}/collab`,
        protocol: 'cocreate',
        docName,
        token: fixture.voters[0].token,
        role: 'reader',
        node,
      }),
  );
  const readerErrors = await connectAll(readers, 2, 15_000);
  const convergeStart = now();
  while (memory && readers.some((r) => r.synced && digestOf(r.doc) !== memory) && now() - convergeStart < READER_CONVERGE_MS) await sleep(250);
  for (const r of readers) if (r.synced) digests.push({ who: `fresh reader on node ${'AB'[r.node]}`, digest: digestOf(r.doc) });
  for (const r of readers) r.destroy();
  const distinct = new Set(digests.map((d) => d.digest));
  const documentExact = distinct.size === 1 && readerErrors.length === 0;
  if (!documentExact)
    problems.push(
      `document: ${distinct.size} different states: ${digests.map((d) => `${d.who} ${d.digest.slice(0, 6)}`).join(', ')}${readerErrors.length ? `; reader failed: ${readerErrors[0]}` : ''}`,
    );
  return { summary: { lost, countsExact, documentExact, documentStoredMs, watchersCompared: watchers.length, documentStates: digests.length }, problems };
}
