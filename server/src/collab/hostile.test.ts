import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { communityFixture, startTestApp, type TestApp, type TestUser } from '../testing/harness.js';
import { pendingBytes } from './guard.js';
import {
  bodyOf,
  closeOf,
  collabSettings,
  collabUrl,
  destroyPeers,
  type Peer,
  peer,
  rawSocket,
  storedBody,
  synced,
  typeParagraph,
  until,
} from './testing.js';
import { MESSAGE, SYNC, updateMessage } from './wire.js';

const LIMITS = { maxFrameBytes: 8 * 1024, maxDocBytes: 64 * 1024, updatesPerSecond: 20, updateBurst: 40, maxPendingBytes: 2 * 1024 };

function frame(...parts: Array<(e: encoding.Encoder) => void>): Uint8Array {
  const e = encoding.createEncoder();
  for (const part of parts) part(e);
  return encoding.toUint8Array(e);
}
const uint = (n: number) => (e: encoding.Encoder) => encoding.writeVarUint(e, n);
const bytes = (b: Uint8Array) => (e: encoding.Encoder) => encoding.writeVarUint8Array(e, b);
const raw = (b: number[]) => (e: encoding.Encoder) => encoding.writeUint8Array(e, new Uint8Array(b));
const awareness = (entries: Array<[number, number, string]>) =>
  bytes(
    frame(
      uint(entries.length),
      ...entries.flatMap(([id, clock, json]) => [uint(id), uint(clock), (e: encoding.Encoder) => encoding.writeVarString(e, json)]),
    ),
  );

/** A V1 update by hand: one client, one GC struct of the given clock and length. */
const gcUpdate = (client: number, clock: number, len: number) =>
  frame(uint(1), uint(1), uint(client), uint(clock), raw([0]), uint(len), uint(0));

/** Real updates of a fresh Yjs client, each one a separate update. */
function typedUpdates(count: number, text = 'x'): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  for (let i = 0; i < count; i++) doc.getXmlFragment('default').insert(i, [new Y.XmlText(`${text}${i}`)]);
  doc.destroy();
  return out;
}

describe('/collab limits and hostile input', () => {
  let t: TestApp;
  let url: string;
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  let member: TestUser;
  let ideaId: string;
  let bystander: Peer;

  beforeAll(async () => {
    t = await startTestApp('pglite', { config: collabSettings(LIMITS) });
    url = await collabUrl(t.app);
    fx = await communityFixture(t);
    member = await fx.member();
    ideaId = (await fx.idea(member, 'Under attack')).id;
  }, 60_000);
  afterEach(async () => {
    // Whatever happened, the bystander on the same document is still connected and still live.
    const word = `alive-${Math.random().toString(36).slice(2, 8)}`;
    const check = peer(url, ideaId, { token: member.token });
    await synced(check);
    typeParagraph(check.doc, word);
    await until(() => bodyOf(bystander.doc).includes(word));
    expect(bystander.closes).toEqual([]);
    check.destroy();
  });
  afterAll(async () => {
    destroyPeers();
    await t.close();
  });

  async function hostile(...frames: Uint8Array[]): Promise<{ code: number; reason: string }> {
    return hostileOn(ideaId, ...frames);
  }
  async function hostileOn(id: string, ...frames: Uint8Array[]): Promise<{ code: number; reason: string }> {
    bystander ??= peer(url, ideaId, { token: member.token });
    await synced(bystander);
    const { ws } = await rawSocket(url, `idea:${id}?token=${member.token}`);
    const closed = closeOf(ws);
    for (const f of frames) ws.send(f);
    return closed;
  }

  const malformed: Array<[string, Uint8Array]> = [
    ['an empty frame', new Uint8Array()],
    ['an unknown message type', frame(uint(7))],
    ['an auth message (server to client only)', frame(uint(MESSAGE.auth), uint(0), raw([1, 2]))],
    ['an unknown sync sub-type', frame(uint(MESSAGE.sync), uint(9), bytes(new Uint8Array([0])))],
    ['a sync step 1 whose length runs past the frame', frame(uint(MESSAGE.sync), uint(SYNC.step1), uint(50), raw([1, 2]))],
    [
      'a sync step 1 with a state vector that does not decode',
      frame(uint(MESSAGE.sync), uint(SYNC.step1), bytes(new Uint8Array([0xff, 0xff, 0xff]))),
    ],
    ['a sync step 2 of random bytes', frame(uint(MESSAGE.sync), uint(SYNC.step2), bytes(new Uint8Array([5, 200, 17, 3, 99, 4, 250, 1])))],
    ['a truncated update', frame(uint(MESSAGE.sync), uint(SYNC.update), bytes((typedUpdates(1)[0] as Uint8Array).subarray(0, 6)))],
    ['trailing bytes after a message', frame(uint(MESSAGE.sync), uint(SYNC.step1), bytes(new Uint8Array([0])), raw([9, 9]))],
    [
      'an awareness update that runs past its end',
      frame(uint(MESSAGE.awareness), bytes(frame(uint(1), uint(5), uint(1), uint(40), raw([123])))),
    ],
    ['an awareness state that is not JSON', frame(uint(MESSAGE.awareness), awareness([[5, 1, '{nope']]))],
    ['an awareness state that is an array', frame(uint(MESSAGE.awareness), awareness([[5, 1, '[1,2]']]))],
    [
      'too many awareness clients in one update',
      frame(uint(MESSAGE.awareness), awareness(Array.from({ length: 9 }, (_, i) => [100 + i, 1, '{}'] as [number, number, string]))),
    ],
  ];
  it.each(malformed)('closes on %s with 4400, that connection only', async (_name, bad) => {
    expect((await hostile(bad)).code).toBe(4400);
  });

  it('closes on a text frame with 4400', async () => {
    bystander ??= peer(url, ideaId, { token: member.token });
    const { ws } = await rawSocket(url, `idea:${ideaId}?token=${member.token}`);
    const closed = closeOf(ws);
    ws.send('hello');
    expect((await closed).code).toBe(4400);
  });

  it('rejects every truncation of a valid update, and survives random frames', async () => {
    const update = Y.mergeUpdates(typedUpdates(5, 'truncate me'));
    for (let cut = 1; cut < update.length; cut += Math.max(1, Math.floor(update.length / 12))) {
      const code = (await hostile(updateMessage(update.subarray(0, cut)))).code;
      expect([4400], `cut at ${cut}`).toContain(code);
    }
    for (let i = 0; i < 30; i++) {
      const junk = new Uint8Array(1 + Math.floor(Math.random() * 64)).map(() => Math.floor(Math.random() * 256));
      junk[0] = i % 4; // every message type, random body
      const { ws } = await rawSocket(url, `idea:${ideaId}?token=${member.token}`);
      const closed = closeOf(ws, 2_000).catch(() => null);
      ws.send(junk);
      const result = await closed;
      // Random bytes may by chance be a harmless valid message; otherwise they close with 4400.
      if (result) expect([4400, 4413]).toContain(result.code);
      else ws.close();
    }
  });

  it('closes a frame over the size limit with 4413', async () => {
    const big = updateMessage(new Uint8Array(LIMITS.maxFrameBytes + 100));
    expect((await hostile(big)).code).toBe(4413);
  });

  it('closes with 4413 when an update would make the document too large, and keeps what was stored', async () => {
    const big = (await fx.idea(member, 'Too big', { body: 'kept as it was' })).id;
    const owner = peer(url, big, { token: member.token });
    await synced(owner);
    await until(async () => (await storedBody(t, `idea:${big}`)) === 'kept as it was');
    const chunks = typedUpdates(20, 'y'.repeat(6_000));
    const closed = await hostileOn(big, ...chunks.map((c) => updateMessage(c)));
    expect(closed).toMatchObject({ code: 4413, reason: 'document too large' });
    await t.app.collab.writer.flush();
    // What was accepted before the limit is kept, stored exactly as the server holds it; the rest never got in.
    const held = t.app.collab.loaded(`idea:${big}`)!;
    const stored = await storedBody(t, `idea:${big}`);
    expect(stored).toContain('kept as it was');
    expect(stored).toBe(bodyOf(held.ydoc));
    expect(held.bytes).toBeLessThanOrEqual(LIMITS.maxDocBytes);
    expect(stored.length).toBeLessThan(20 * 6_000);
    expect(owner.closes).toEqual([]);
  });

  it('measures the real size before refusing: text written and deleted again does not count', async () => {
    const churn = (await fx.idea(member, 'Churn')).id;
    const writer = peer(url, churn, { token: member.token });
    await synced(writer);
    const text = new Y.XmlText();
    writer.doc.getXmlFragment('default').insert(0, [text]);
    for (let i = 0; i < 14; i++) {
      text.insert(0, 'w'.repeat(6_000));
      text.delete(0, 6_000);
    }
    text.insert(0, 'still fits');
    const held = () => t.app.collab.loaded(`idea:${churn}`);
    await until(() => bodyOf(held()?.ydoc ?? writer.doc) === 'still fits' && held() !== undefined);
    expect(writer.closes).toEqual([]);
  });

  it('closes a connection that sends too many messages with 1013', async () => {
    const flood = typedUpdates(LIMITS.updateBurst + 20).map((u) => updateMessage(u));
    expect(await hostile(...flood)).toMatchObject({ code: 1013, reason: 'too many messages' });
  });

  it('refuses a clock pushed out of bounds (4400) and sub-documents (4400)', async () => {
    expect((await hostile(updateMessage(gcUpdate(777, 0, 2 ** 40)))).code).toBe(4400);
    const withSub = new Y.Doc();
    const updates: Uint8Array[] = [];
    withSub.on('update', (u: Uint8Array) => updates.push(u));
    withSub.getMap('m').set('sub', new Y.Doc());
    expect((await hostile(updateMessage(updates[0] as Uint8Array))).code).toBe(4400);
    withSub.destroy();
  });

  it('caps structs waiting for dependencies that never arrive (1013), and never stores them', async () => {
    const doc = t.app.collab.loaded(`idea:${ideaId}`)!;
    // A client's updates from clock 1000 on: each depends on the 1000 structs before, which never come.
    const gaps = Array.from({ length: 5 }, (_, i) => gcUpdate(4242, 1000 + i * 10, 10));
    const withContent = typedUpdates(30, 'z'.repeat(100)).slice(1);
    const closed = await hostile(...gaps.map((g) => updateMessage(g)), ...withContent.map((u) => updateMessage(u)));
    expect(closed).toMatchObject({ code: 1013, reason: expect.stringMatching(/missing/) });
    expect(pendingBytes(doc.ydoc)).toBeLessThanOrEqual(LIMITS.maxPendingBytes);
    expect(Y.getState(doc.ydoc.store, 4242)).toBe(0);
  });
});
