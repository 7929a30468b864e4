// Smoke test of the coedit benchmark's clients and checks (seconds, tiny sizes): the same lean
// editors and observers the generator processes run, against an in-process cocreate app (PGlite)
// and the two baselines, must record a latency for every keystroke and converge everywhere.
import { afterAll, describe, expect, it } from 'vitest';
import { PgDocStore } from '../../server/src/collab/store.js';
import { type CollabWorld, collabSettings, collabWorld } from '../../server/src/collab/testing.js';
import { startBaseline } from './coedit-baseline-server.mjs';
import { bodyChars, CoeditClient, connectAll, digestOf, digestOfUpdates, LatencyRecorder, typeSteadily } from './coedit-clients.mjs';
import { now, sleep } from './lib/stats.mjs';

type Protocol = 'cocreate' | 'hocuspocus' | 'yWebsocket';

/** Two nodes' worth of clients on one server: editors type, observers time, then everyone compares. */
async function session(bases: string[], protocol: Protocol, docName: string, tokens: string[]) {
  const recorder = new LatencyRecorder();
  const mk = (role: 'editor' | 'observer', i: number) =>
    new CoeditClient({ base: bases[i % bases.length], protocol, docName, token: tokens[i % tokens.length], role, node: i % 2, recorder });
  const observers = [mk('observer', 0), mk('observer', 1)];
  const editors = [0, 1, 2].map((i) => mk('editor', i));
  expect(await connectAll([...observers, ...editors])).toEqual([]);
  const from = now();
  recorder.reset({ from, to: from + 60_000 });
  const stop = typeSteadily(editors, 20, 2, from + 1000);
  await sleep(1000);
  stop();
  const sent = editors.reduce((n, e) => n + e.keystrokes, 0);
  // Generous: only a hang fails this wait.
  for (let i = 0; i < 100 && recorder.delivered < sent * observers.length; i++) await sleep(100);
  await Promise.all(editors.map((e) => e.resync()));
  const reader = new CoeditClient({ base: bases[bases.length - 1], protocol, docName, token: tokens[0], role: 'reader' });
  await reader.connect();
  const clients = [...observers, ...editors, reader];
  const digests = clients.map((c) => digestOf(c.doc));
  const out = { sent, recorder, digests, text: bodyChars(reader.doc), reader };
  for (const c of clients) c.destroy();
  return out;
}

function expectHealthy(s: Awaited<ReturnType<typeof session>>) {
  expect(s.sent).toBeGreaterThan(10);
  // Every keystroke reached both observers, each with a latency.
  expect(s.recorder.delivered).toBe(s.sent * 2);
  expect(s.recorder.all.total).toBe(s.sent * 2);
  expect(s.recorder.all.quantile(0.99)).not.toBe(Number.POSITIVE_INFINITY);
  expect(new Set(s.digests).size).toBe(1);
  expect(s.text).toBeGreaterThan(s.sent * 5);
}

describe('coedit benchmark clients', () => {
  let world: CollabWorld | null = null;
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
    await world?.t.close();
  });

  it('against cocreate: every keystroke timed, editors, observers, a fresh reader and the database agree', async () => {
    world = await collabWorld('pglite', collabSettings({ flushMs: 20 }));
    const idea = await world.fx.idea(world.alice, 'Smoke');
    const docName = `idea:${idea.id}`;
    const s = await session([world.url], 'cocreate', docName, [world.alice.token, world.bob.token]);
    expectHealthy(s);
    await sleep(300);
    const stored = await new PgDocStore(world.t.app.db).load(docName);
    expect(digestOfUpdates(stored.updates).digest).toBe(s.digests[0]);
  });

  for (const [kind, protocol] of [
    ['hocuspocus', 'hocuspocus'],
    ['y-websocket', 'yWebsocket'],
  ] as const) {
    it(`against ${kind}: every keystroke timed and every client agrees`, async () => {
      const server = await startBaseline(kind, 0);
      closers.push(() => server.close());
      const s = await session([`ws://127.0.0.1:${server.port}`], protocol, `idea:smoke-${kind}`, ['t']);
      expectHealthy(s);
    });
  }

  it('a bulk write arrives whole at a fresh reader, and different documents have different digests', async () => {
    const server = await startBaseline('y-websocket', 0);
    closers.push(() => server.close());
    const base = `ws://127.0.0.1:${server.port}`;
    const writer = new CoeditClient({ base, protocol: 'yWebsocket', docName: 'idea:bulk', role: 'editor' });
    await writer.connect();
    const chars = await writer.writeBulk(60_000, 20_000);
    const reader = new CoeditClient({ base, protocol: 'yWebsocket', docName: 'idea:bulk', role: 'reader' });
    await reader.connect();
    expect(bodyChars(reader.doc)).toBe(chars);
    expect(digestOf(reader.doc)).toBe(digestOf(writer.doc));
    writer.startParagraph();
    writer.type(0);
    expect(digestOf(reader.doc)).not.toBe(digestOf(writer.doc));
    writer.destroy();
    reader.destroy();
  });

  it('a stamp counts only inside the window, across the stamp wrap-around', () => {
    const r = new LatencyRecorder();
    const at = 3e8 + 5; // a receive time just past a multiple of the stamp modulus
    r.reset({ from: at - 100, to: at });
    r.add(1e8 - 15, at, true); // sent 20 ms before, stamped before the wrap
    r.add(0, at - 1000, false); // sent before the window
    expect(r.delivered).toBe(1);
    expect(r.cross.total).toBe(1);
    expect(r.all.quantile(0.5)).toBeCloseTo(20.1, 5);
  });
});
