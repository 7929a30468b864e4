import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startCluster } from '../../server/src/realtime/test-cluster.js';
import { type LoadData, seedLoad } from '../../server/src/seed-load.js';
import { decodeMessage, EMPTY_UPDATE, firstStructId, fromBase64, syncStep2, syncUpdate } from './lib/ywire.js';
import { type Fixtures, makeFixtures } from './make-coedit-fixtures.mjs';
import { verifyCoedit } from './verify-coedit.mjs';

/**
 * The coedit pipeline on two real nodes (one PostgreSQL, one Redis) and the load seed: fixtures
 * sent the way coedit.js sends them (ywire frames, writers of a document on alternating nodes)
 * reach every other writer as updates whose first struct names them, and verify-coedit.mjs finds
 * the documents converged, or says what is missing when an update was held back.
 */

const HANG_MS = 15_000;

describe('coedit fixtures, k6 framing and convergence check on two nodes', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let data: LoadData;

  beforeAll(async () => {
    cluster = await startCluster(2);
    data = await seedLoad(cluster.nodes[0]!.app.database, { users: 8, hotIdeas: 3, tailIdeas: 4, sessionTtlMs: 86_400_000 * 30 });
  }, 120_000);
  afterAll(() => cluster?.close());

  /** One writer as coedit.js runs it: answer step 1, send the stream, collect other writers' update ids. */
  function writer(base: string, ideaId: string, token: string) {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/collab/idea:${ideaId}?token=${token}`);
    ws.binaryType = 'arraybuffer';
    const keys = new Set<string>();
    const ready = new Promise<void>((resolve, reject) => {
      ws.on('message', (frame: ArrayBuffer) => {
        const msg = decodeMessage(frame);
        if (msg.type === 'sync' && msg.sub === 'step1') {
          ws.send(syncStep2(EMPTY_UPDATE));
          resolve();
        }
        if (msg.type === 'sync' && msg.sub === 'update') {
          const id = firstStructId(msg.payload);
          if (id) keys.add(`${id.client}:${id.clock}`);
        }
      });
      ws.on('close', (code) => reject(new Error(`closed with ${code}`)));
    });
    return { ws, keys, ready };
  }

  async function run(fixtures: Fixtures, holdBack = 0) {
    const writers = fixtures.docs.flatMap((doc, d) =>
      doc.writers.map((w, s) => ({ doc, w, s, conn: writer(cluster.nodes[s % 2]!.url, doc.ideaId, data.users[d * 3 + s]!.token) })),
    );
    await Promise.all(writers.map((x) => x.conn.ready));
    const rounds = Math.max(...writers.map((x) => x.w.updates.length));
    for (let k = 0; k < rounds; k++) {
      for (const x of writers) {
        const u = x.w.updates[k];
        if (u && !(holdBack > 0 && x.s === 0 && k >= x.w.updates.length - holdBack)) x.conn.ws.send(syncUpdate(fromBase64(u.b64)));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    return writers;
  }

  it('every writer receives every other writer update, identified by its first struct, and the documents converge', async () => {
    const fixtures = makeFixtures({ ideaIds: data.tailIdeaIds.slice(0, 2), writers: 3, updates: 25 });
    const writers = await run(fixtures);
    const expected = (x: (typeof writers)[number]) =>
      x.doc.writers.filter((_, s) => s !== x.s).flatMap((w) => w.updates.map((u) => `${w.client}:${u.clock}`));
    const started = Date.now();
    while (!writers.every((x) => expected(x).every((k) => x.conn.keys.has(k)))) {
      if (Date.now() - started > HANG_MS) throw new Error('updates did not reach every peer');
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const x of writers) x.conn.ws.close();
    const report = await verifyCoedit({ fixtures, baseUrls: cluster.nodes.map((n) => n.url), token: data.users[0]!.token });
    expect(report).toMatchObject({ converged: true, docs: 2, nodes: 2, failed: 0 });
  });

  it('reports the missing updates of a writer whose last edits never arrived', async () => {
    const fixtures = makeFixtures({ ideaIds: data.tailIdeaIds.slice(2, 3), writers: 2, updates: 12 });
    const writers = await run(fixtures, 3);
    await new Promise((r) => setTimeout(r, 300));
    for (const x of writers) x.conn.ws.close();
    const report = await verifyCoedit({ fixtures, baseUrls: cluster.nodes.map((n) => n.url), token: data.users[0]!.token, timeoutMs: 0 });
    expect(report.converged).toBe(false);
    const held = fixtures.docs[0]!.writers[0]!.client;
    expect(report.problems[data.tailIdeaIds[2]!]).toEqual([
      expect.stringMatching(new RegExp(`^writer ${held}: clock \\d+ of \\d+ \\(updates missing\\)$`)),
    ]);
  });
});
