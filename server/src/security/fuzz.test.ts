import { CLIENT_EVENTS } from '@cocreate/protocol';
import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { bodyOf, collabSettings, type Peer, peer, storedBody, synced, typeParagraph } from '../collab/testing.js';
import { MESSAGE } from '../collab/wire.js';
import { communityFixture, startTestApp, type TestApp, type TestUser, testConfig } from '../testing/harness.js';
import { ask, type ClientSocket, closeAll, connected, listen, loopDelayDuring, rawWs, sio, until } from './sockets.js';

/**
 * A bounded-time fuzz of both socket transports (FUZZ_MS per transport, 3 s by default): random
 * bytes, random Engine.IO/Socket.IO packets and random event payloads on Socket.IO; random and
 * frame-shaped bytes on /collab. Connections that get closed are replaced. Afterwards the server
 * answers, every ack came back, the documents hold what they held, and no prototype was touched.
 * Case 14 on the sockets too: `__proto__` keys in event payloads and awareness states.
 */

const FUZZ_MS = Number(process.env.FUZZ_MS ?? 3_000);

describe('fuzzing the socket transports', () => {
  let t: TestApp;
  let url: { http: string; ws: string };
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  let fuzzer: TestUser;
  let ideaId: string;
  let editor: Peer;
  let neighbour: ClientSocket;

  beforeAll(async () => {
    t = await startTestApp('pglite', {
      config: {
        ...collabSettings({ updatesPerSecond: 100_000, updateBurst: 100_000 }),
        realtime: { ...testConfig().realtime, eventsPerSecond: 100_000, eventBurst: 100_000 },
        socketLimits: { handshakesPerIp: 1_000_000, windowMs: 60_000, guestSocketsPerIp: 1_000 },
      },
    });
    url = await listen(t.app);
    fx = await communityFixture(t);
    fuzzer = await fx.member();
    ideaId = (await fx.idea(fx.owner, 'Fuzzed', { body: 'the body before' })).id;
    editor = peer(`${url.ws}/collab`, ideaId, { token: fx.owner.token });
    neighbour = sio(url.http, { token: (await fx.member()).token });
    await Promise.all([synced(editor), connected(neighbour)]);
    expect((await ask(neighbour, 'board:join', { boardId: fx.boardId })).ok).toBe(true);
  }, 60_000);
  afterAll(async () => {
    editor.destroy();
    closeAll();
    await t.close();
  });

  /** Keeps one open raw socket from `open`, replacing it when the server closes it, and feeds it until the budget is spent. */
  async function fuzz(open: () => Promise<WebSocket>, next: () => string | Uint8Array): Promise<{ sent: number; connections: number }> {
    const end = Date.now() + FUZZ_MS;
    let sent = 0;
    let connections = 0;
    while (Date.now() < end) {
      const ws = await open();
      connections++;
      let closed = false;
      ws.once('close', () => {
        closed = true;
      });
      while (!closed && Date.now() < end) {
        const frame = next();
        ws.send(frame, { binary: typeof frame !== 'string' });
        sent++;
        if (sent % 20 === 0) await new Promise((r) => setImmediate(r));
      }
      ws.terminate();
    }
    return { sent, connections };
  }

  const json = fc.jsonValue({ maxDepth: 4 });
  const eventName = fc.oneof(fc.constantFrom(...CLIENT_EVENTS), fc.string({ maxLength: 12 }));
  const engineFrame = fc.oneof(
    fc.tuple(eventName, json, fc.option(fc.nat(99))).map(([e, p, id]) => `42${id ?? ''}${JSON.stringify([e, p])}`),
    fc.tuple(fc.constantFrom(...CLIENT_EVENTS), fc.nat(99), fc.dictionary(fc.constantFrom('ideaId', 'boardId', 'room', 'value', 'sort', 'limit', 'status', '__proto__'), json)).map(
      ([e, id, p]) => `42${id}${JSON.stringify([e, p])}`,
    ),
    fc.string({ maxLength: 64 }).map((s) => `4${s}`),
    fc.string({ maxLength: 64 }),
    fc.constantFrom('2', '3', '6', '1', '40', '41', '43[]', '45-["x"]', '42["vote:cast"'),
    fc.uint8Array({ maxLength: 64 }),
  );
  const collabFrame = fc.oneof(
    fc.uint8Array({ maxLength: 256 }),
    fc.tuple(fc.constantFrom(0, 1, 3), fc.constantFrom(0, 1, 2), fc.uint8Array({ maxLength: 256 })).map(([type, sub, rest]) =>
      type === 0 ? new Uint8Array([type, sub, ...rest]) : new Uint8Array([type, ...rest]),
    ),
  );

  it('survives random input on both transports, with only the fuzzing connections closed', async () => {
    const engine = fc.sample(engineFrame, { numRuns: 5_000 });
    const bytes = fc.sample(collabFrame, { numRuns: 5_000 });
    let i = 0;
    let j = 0;
    const openEngine = async () => {
      const { ws, got } = await rawWs(`${url.ws}/socket.io/?EIO=4&transport=websocket`);
      await until(() => got.length > 0);
      ws.send(`40${JSON.stringify({ token: fuzzer.token })}`);
      return ws;
    };
    const openCollab = async () => (await rawWs(`${url.ws}/collab/idea:${ideaId}?token=${fuzzer.token}`)).ws;
    const { result, p99Ms, maxMs } = await loopDelayDuring(() =>
      Promise.all([
        fuzz(openEngine, () => engine[i++ % engine.length] as string | Uint8Array),
        fuzz(openCollab, () => bytes[j++ % bytes.length] as Uint8Array),
      ]),
    );
    const [sio0, collab0] = result;
    console.log(
      `fuzz ${FUZZ_MS} ms: Socket.IO ${sio0.sent} frames on ${sio0.connections} connections, /collab ${collab0.sent} frames on ${collab0.connections} connections; event-loop delay p99 ${p99Ms.toFixed(1)} ms, max ${maxMs.toFixed(1)} ms`,
    );
    expect(sio0.sent).toBeGreaterThan(100);
    expect(collab0.sent).toBeGreaterThan(100);
    expect(maxMs).toBeLessThan(5_000);

    // Every event with an ack, whatever its payload, gets an answer.
    const s = sio(url.http, { token: fuzzer.token });
    await connected(s);
    for (const payload of fc.sample(json, { numRuns: 8, seed: 3 })) {
      const event = CLIENT_EVENTS[Math.floor(Math.random() * CLIENT_EVENTS.length)] as string;
      if (!s.connected) break;
      const ack = await ask(s, event, payload);
      expect(typeof ack.ok).toBe('boolean');
    }

    // The neighbours never noticed; the document is what its editor wrote.
    expect(neighbour.connected).toBe(true);
    expect(editor.closes).toEqual([]);
    typeParagraph(editor.doc, 'after the fuzz');
    const check = peer(`${url.ws}/collab`, ideaId, { token: fx.owner.token });
    await synced(check);
    await until(() => bodyOf(check.doc).endsWith('after the fuzz'));
    check.destroy();
    await t.app.collab.writer.flush();
    const stored = await storedBody(t, `idea:${ideaId}`);
    expect(stored.startsWith('the body before')).toBe(true);
    expect(stored.endsWith('after the fuzz')).toBe(true);
    const voter = sio(url.http, { token: (await fx.member()).token });
    await connected(voter);
    expect(await ask(voter, 'vote:cast', { ideaId, value: 1 })).toMatchObject({ ok: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, FUZZ_MS * 2 + 60_000);

  it('keeps prototypes clean against __proto__ and constructor.prototype in event payloads and awareness states', async () => {
    const { ws, got } = await rawWs(`${url.ws}/socket.io/?EIO=4&transport=websocket`);
    await until(() => got.length > 0);
    ws.send(`40${JSON.stringify({ token: fuzzer.token })}`);
    await until(() => got.some((f) => f.toString().startsWith('40{')));
    const frames = [
      `421["vote:cast",{"__proto__":{"polluted":"yes"},"ideaId":"${ideaId}","value":1}]`,
      `422["board:join",{"constructor":{"prototype":{"polluted":"yes"}},"boardId":"${fx.boardId}"}]`,
      `423["presence:set",{"room":"board:${fx.boardId}","status":"viewing","__proto__":{"polluted":"yes"}}]`,
    ];
    for (const f of frames) ws.send(f);
    await until(() => got.filter((f) => f.toString().startsWith('43')).length === 3);
    for (const ack of got.filter((f) => f.toString().startsWith('43'))) expect(ack.toString()).toContain('VALIDATION_FAILED');
    ws.close();

    // Awareness: the state is relayed (with the session's identity), never merged into a prototype.
    const { ws: doc } = await rawWs(`${url.ws}/collab/idea:${ideaId}?token=${fuzzer.token}`);
    const state = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"user":{"id":"someone-else","name":"Mallory"},"cursor":1}';
    const inner = encoding.createEncoder();
    for (const n of [1, 777, 1]) encoding.writeVarUint(inner, n);
    encoding.writeVarString(inner, state);
    const outer = encoding.createEncoder();
    encoding.writeVarUint(outer, MESSAGE.awareness);
    encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner));
    doc.send(encoding.toUint8Array(outer));
    const server = t.app.collab.loaded(`idea:${ideaId}`)!;
    await until(() => server.awareness.getStates().has(777));
    const held = server.awareness.getStates().get(777) as Record<string, unknown>;
    expect(held.user).toMatchObject({ id: fuzzer.id });
    expect(Object.getPrototypeOf(held)).toBe(Object.prototype);
    await until(() => editor.provider.awareness.getStates().has(777));
    expect(editor.provider.awareness.getStates().get(777)?.user).toMatchObject({ id: fuzzer.id });
    doc.close();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });
});
