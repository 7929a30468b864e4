import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { communityFixture, startTestApp, type TestApp, type TestUser } from '../../server/src/testing/harness.js';
import { decode, encodeEvent, PONG, SocketIoSession, socketIoUrl } from './lib/engineio.js';
import {
  decodeMessage,
  EMPTY_STATE_VECTOR,
  EMPTY_UPDATE,
  firstStructId,
  fromBase64,
  readVarUint,
  syncStep1,
  syncStep2,
  syncUpdate,
  writeVarUint,
} from './lib/ywire.js';

/**
 * The hand-written framing the k6 scripts use, spoken to a real server (PostgreSQL, real
 * sockets): if these pass, the k6 scripts say what the server understands.
 */

const HANG_MS = 10_000;

function waitFor<T>(what: string, poll: () => T | undefined | null | false): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const v = poll();
      if (v) return resolve(v);
      if (Date.now() - started > HANG_MS) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

/** A Socket.IO client made of a bare `ws` socket and the k6 lib's session. */
function sioClient(base: string, auth?: Record<string, unknown>, headers?: Record<string, string>) {
  const ws = new WebSocket(socketIoUrl(base), { headers });
  const events: { name: string; args: unknown[] }[] = [];
  const state: { connected: boolean; error: { code?: string; message?: string } | null; closed: boolean } = {
    connected: false,
    error: null,
    closed: false,
  };
  const session = new SocketIoSession((frame) => ws.send(frame), {
    ...(auth ? { auth } : {}),
    onConnect: () => {
      state.connected = true;
    },
    onConnectError: (data) => {
      state.error = data;
    },
    onEvent: (name, args) => events.push({ name, args }),
  });
  ws.on('message', (data, isBinary) => {
    if (!isBinary) session.receive(data.toString());
  });
  ws.on('close', () => {
    state.closed = true;
  });
  const ask = (name: string, payload: unknown) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${name}`)), HANG_MS);
      session.emit(name, payload, (response) => {
        clearTimeout(timer);
        resolve(response as Record<string, unknown>);
      });
    });
  return { ws, session, events, state, ask, close: () => ws.close() };
}

/** A y-websocket client made of a bare `ws` socket and the k6 lib's framing. */
function collabClient(base: string, ideaId: string, token: string | undefined, headers?: Record<string, string>) {
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/collab/idea:${ideaId}${query}`, { headers });
  ws.binaryType = 'arraybuffer';
  const received: ReturnType<typeof decodeMessage>[] = [];
  const state: { open: boolean; closeCode: number | null } = { open: false, closeCode: null };
  ws.on('open', () => {
    state.open = true;
  });
  ws.on('message', (data: ArrayBuffer) => {
    const message = decodeMessage(data);
    received.push(message);
    // What a fresh client answers to the server's step 1: its own (empty) state.
    if (message.type === 'sync' && message.sub === 'step1') ws.send(syncStep2(EMPTY_UPDATE));
  });
  ws.on('close', (code) => {
    state.closeCode = code;
  });
  return { ws, received, state, send: (frame: Uint8Array) => ws.send(frame) };
}

describe('k6 lib framing against a real server', () => {
  let t: TestApp;
  let base: string;
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  let alice: TestUser;
  let bob: TestUser;
  let ideaId: string;

  beforeAll(async () => {
    t = await startTestApp('postgres');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    fx = await communityFixture(t);
    alice = await fx.member();
    bob = await fx.member();
    ideaId = (await fx.idea(alice, 'Framing idea')).id;
  });
  afterAll(() => t?.close());

  it('Engine.IO packets decode as the server sends them', () => {
    expect(decode('0{"sid":"abc","pingInterval":25000,"pingTimeout":20000,"maxPayload":1000}')).toMatchObject({
      kind: 'open',
      sid: 'abc',
      pingInterval: 25000,
    });
    expect(decode('2')).toEqual({ kind: 'ping' });
    expect(decode('40{"sid":"x"}')).toEqual({ kind: 'connect', sid: 'x' });
    expect(decode('44{"message":"no","data":{"code":"FORBIDDEN"}}')).toMatchObject({ kind: 'connect_error' });
    expect(decode('4312[{"ok":true}]')).toEqual({ kind: 'ack', id: 12, args: [{ ok: true }] });
    expect(decode('42["board:ranks",{"boardId":"b","changes":[]}]')).toEqual({
      kind: 'event',
      name: 'board:ranks',
      args: [{ boardId: 'b', changes: [] }],
      id: null,
    });
    expect(encodeEvent('vote:cast', [{ ideaId: 'i', value: 1 }], 7)).toBe('427["vote:cast",{"ideaId":"i","value":1}]');
    const sent: string[] = [];
    const session = new SocketIoSession((f) => sent.push(f), { auth: { token: 't' } });
    session.receive('0{"sid":"s","pingInterval":1,"pingTimeout":1,"maxPayload":1}');
    session.receive('2');
    expect(sent).toEqual(['40{"token":"t"}', PONG]);
  });

  it('connects with a bearer token, joins a board, votes, gets the ack and another client sees board:ranks', async () => {
    const voter = sioClient(base, { token: alice.token });
    const watcher = sioClient(base, { token: bob.token });
    await waitFor('both connected', () => voter.state.connected && watcher.state.connected);
    const joined = await watcher.ask('board:join', { boardId: fx.boardId, sort: 'top', limit: 50 });
    expect(joined).toMatchObject({ ok: true, snapshot: { boardId: fx.boardId } });
    const ideas = (joined.snapshot as { ideas: { id: string }[] }).ideas;
    expect(ideas.map((i) => i.id)).toContain(ideaId);
    expect((await voter.ask('board:join', { boardId: fx.boardId, sort: 'top', limit: 50 })).ok).toBe(true);

    const ack = await voter.ask('vote:cast', { ideaId, value: 1 });
    expect(ack).toMatchObject({ ok: true, ideaId, up: 1, down: 0, myVote: 1 });
    const version = ack.version as number;
    const seen = await waitFor('board:ranks with the vote', () =>
      watcher.events
        .filter((e) => e.name === 'board:ranks')
        .flatMap((e) => (e.args[0] as { changes: { ideaId: string; up: number; version: number }[] }).changes)
        .find((c) => c.ideaId === ideaId && c.version >= version),
    );
    expect(seen.up).toBe(1);

    const withdrawn = await voter.ask('vote:withdraw', { ideaId });
    expect(withdrawn).toMatchObject({ ok: true, up: 0, myVote: 0 });
    const refused = await voter.ask('vote:cast', { ideaId, value: 2 });
    expect(refused).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    voter.close();
    watcher.close();
  });

  it('refuses a bad token with UNAUTHENTICATED and a foreign Origin with FORBIDDEN in connect_error', async () => {
    const bad = sioClient(base, { token: `${'a'.repeat(24)}.${'b'.repeat(39)}` });
    const foreign = sioClient(base, { token: alice.token }, { origin: 'http://evil.example' });
    const guest = sioClient(base);
    await waitFor('connect errors', () => bad.state.error && foreign.state.error && guest.state.connected);
    expect(bad.state.error?.code).toBe('UNAUTHENTICATED');
    expect(foreign.state.error?.code).toBe('FORBIDDEN');
    // A guest may read but not vote.
    expect(await guest.ask('vote:cast', { ideaId, value: 1 })).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    for (const c of [bad, foreign, guest]) c.close();
  });

  it('y-websocket framing: sync with the server and relay an update from one client to another', async () => {
    const a = collabClient(base, ideaId, alice.token);
    const b = collabClient(base, ideaId, bob.token);
    await waitFor('server step 1 on both', () => [a, b].every((c) => c.received.some((m) => m.type === 'sync' && m.sub === 'step1')));
    b.send(syncStep1(EMPTY_STATE_VECTOR));
    await waitFor('step 2 for b', () => b.received.some((m) => m.type === 'sync' && m.sub === 'step2'));

    const doc = new Y.Doc();
    doc.clientID = 3_000_000_123; // above 2^31: the varuint code must not go negative
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const para = new Y.XmlElement('paragraph');
    doc.getXmlFragment('default').insert(0, [para]);
    para.insert(0, [new Y.XmlText('hello from k6')]);
    for (const u of updates) a.send(syncUpdate(u));

    const relayed = await waitFor('the updates at b', () => {
      const got = b.received.filter((m) => m.type === 'sync' && m.sub === 'update');
      return got.length >= updates.length ? got : null;
    });
    const ids = relayed.map((m) => (m.type === 'sync' ? firstStructId(m.payload) : null));
    expect(ids[0]).toEqual({ client: 3_000_000_123, clock: 0 });
    const mirror = new Y.Doc();
    for (const m of relayed) if (m.type === 'sync') Y.applyUpdate(mirror, m.payload);
    expect(mirror.getXmlFragment('default').toString()).toBe('<paragraph>hello from k6</paragraph>');
    a.ws.close();
    b.ws.close();
  });

  it('refuses a bad token with 4401 and a foreign Origin with 4403 on /collab', async () => {
    const bad = collabClient(base, ideaId, `${'a'.repeat(24)}.${'b'.repeat(39)}`);
    const foreign = collabClient(base, ideaId, alice.token, { origin: 'http://evil.example' });
    await waitFor('both closed', () => bad.state.closeCode !== null && foreign.state.closeCode !== null);
    expect(bad.state.closeCode).toBe(4401);
    expect(foreign.state.closeCode).toBe(4403);
  });

  it('varuints and base64 round-trip as lib0 and Node write them', () => {
    for (const n of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 - 1, 2 ** 40]) {
      const out: number[] = [];
      writeVarUint(out, n);
      expect(readVarUint(new Uint8Array(out), 0)).toEqual({ value: n, pos: out.length });
    }
    const bytes = Uint8Array.from({ length: 257 }, (_, i) => (i * 37) % 256);
    for (const len of [0, 1, 2, 3, 4, 257]) {
      const slice = bytes.subarray(0, len);
      expect(fromBase64(Buffer.from(slice).toString('base64'))).toEqual(new Uint8Array(slice));
    }
  });
});
