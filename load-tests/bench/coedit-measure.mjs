// Measurements of the coedit benchmark: heap after GC, CPU time over a window, documents unloaded,
// and convergence (every client, fresh readers on every node and, for cocreate, PostgreSQL agree).
import { CoeditClient, connectAll, digestOf, digestOfUpdates } from './coedit-clients.mjs';
import { cpuTimeUs, machineCpuUs } from './lib/procs.mjs';
import { scrapeMetric } from './lib/services.mjs';
import { median, sleep } from './lib/stats.mjs';

/** Sum of the server processes' V8 heap in use after a forced GC (median of three readings), bytes. */
export async function heapAfterGc(procs) {
  let total = 0;
  for (const p of procs) {
    const readings = [];
    for (let i = 0; i < 3; i++) {
      await p.inspector.collectGarbage();
      readings.push(await p.inspector.heapUsed());
      await sleep(150);
    }
    total += median(readings);
  }
  return total;
}

/** CPU time of groups of processes (server, generators, PostgreSQL + Redis) and of the machine. */
export function cpuSnapshot(groups) {
  const out = { machine: machineCpuUs() };
  for (const [name, pids] of Object.entries(groups)) out[name] = pids.reduce((a, pid) => a + (cpuTimeUs(pid) ?? 0), 0);
  out.at = performance.now();
  return out;
}

/** Cores used by each group between two snapshots; `others` = the rest of the machine (other helpers' work). */
export function coresBetween(a, b) {
  const s = (b.at - a.at) * 1000;
  const out = {};
  let ours = 0;
  for (const k of Object.keys(a)) {
    if (k === 'machine' || k === 'at') continue;
    out[k] = (b[k] - a[k]) / s;
    ours += out[k];
  }
  out.machine = (b.machine.busy - a.machine.busy) / s;
  out.others = Math.max(0, out.machine - ours);
  return out;
}

/** cocreate: waits until no node holds a document (idle unload, with its flush and compaction). */
export async function waitUnloaded(server, timeoutMs = 60_000) {
  if (server.kind !== 'cocreate') return 0;
  const t = Date.now();
  for (;;) {
    const open = await Promise.all(server.procs.map((p) => scrapeMetric(p.url, 'cocreate_collab_documents').catch(() => null)));
    if (open.every((n) => n === 0)) return Date.now() - t;
    if (Date.now() - t > timeoutMs) throw new Error(`documents still loaded after ${timeoutMs} ms: ${open.join(', ')}`);
    await sleep(250);
  }
}

/** The document as PostgreSQL holds it (snapshot plus rows). */
export async function storedDigest(db, docName) {
  const rows = await db.sql`select "update" from doc_updates where doc_name = ${docName}`;
  const [snap] = await db.sql`select state from doc_snapshots where doc_name = ${docName}`;
  const updates = [...(snap ? [snap.state] : []), ...rows.map((r) => r.update)].map((u) => new Uint8Array(u));
  return digestOfUpdates(updates);
}

/**
 * Convergence of one phase: the generators' clients (observers live, editors after a resync), a
 * fresh reader per document on every node, and the stored state must all have one digest per document.
 */
export async function checkConvergence(server, gens, docNames, db) {
  const states = await Promise.all(gens.map((g) => g.call('states', { concurrency: 20 }, 300_000)));
  const byDoc = new Map(docNames.map((d) => [d, []]));
  const add = (doc, who, digest) => byDoc.get(doc)?.push({ who, digest });
  for (const s of states) for (const c of s.states) add(c.docName, `${c.role}@${c.node}${c.open ? '' : ' (closed)'}`, c.digest);
  const readers = server.bases.flatMap((base, node) =>
    docNames.map(
      (docName) => new CoeditClient({ base, protocol: server.protocol, docName, token: server.readerToken, role: 'reader', node }),
    ),
  );
  const readerErrors = await connectAll(readers, 20, 60_000);
  for (const r of readers) if (r.synced) add(r.opts.docName, `fresh reader@${r.node}`, digestOf(r.doc));
  for (const r of readers) r.destroy();
  if (db) {
    // The group-commit window is at most 100 ms; give it a comfortable margin.
    await sleep(1000);
    for (const docName of docNames) add(docName, 'postgresql', (await storedDigest(db, docName)).digest);
  }
  const mismatches = [];
  let clients = 0;
  for (const [doc, list] of byDoc) {
    clients += list.length;
    const digests = new Set(list.map((x) => x.digest));
    if (digests.size !== 1) {
      const first = list[0]?.digest;
      const odd = list.filter((x) => x.digest !== first).map((x) => x.who);
      mismatches.push(
        `${doc}: ${digests.size} different states (${list.length} compared; differing from the first: ${odd.slice(0, 4).join(', ')})`,
      );
    }
  }
  const resyncFailed = states.reduce((a, s) => a + s.failed, 0);
  return {
    converged: mismatches.length === 0 && readerErrors.length === 0 && resyncFailed === 0,
    documents: docNames.length,
    statesCompared: clients,
    mismatches: mismatches.slice(0, 5),
    readerErrors: readerErrors.slice(0, 3),
    resyncFailed,
  };
}
