import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, type TestApp, type TestUser, testDbKinds } from '../testing/harness.js';
import {
  bodyOf,
  collabSettings,
  collabWorld,
  destroyPeers,
  peer,
  rawSocket,
  refusalOf,
  storedBody,
  synced,
  typeParagraph,
  until,
} from './testing.js';
import { decodeAwareness, MESSAGE } from './wire.js';

/** One node: the y-websocket protocol with stock providers, and who may open what. */
describe.each(testDbKinds())('/collab endpoint (%s)', (kind) => {
  let t: TestApp;
  let url: string;
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    ({ t, url, fx, alice, bob } = await collabWorld(kind, {
      publicOrigins: ['http://app.example'],
      ...collabSettings({ accessRecheckMs: 100 }),
    }));
  }, 60_000);
  afterEach(() => destroyPeers());
  afterAll(() => t.close());

  it('syncs two stock providers live, and a third that joins later gets everything', async () => {
    const idea = await fx.idea(alice, 'Shared body');
    const a = peer(url, idea.id, { token: alice.token });
    const b = peer(url, idea.id, { token: bob.token });
    await Promise.all([synced(a), synced(b)]);
    typeParagraph(a.doc, 'first from alice');
    typeParagraph(b.doc, 'first from bob');
    await until(() => bodyOf(a.doc).split('\n').length === 2 && bodyOf(b.doc).split('\n').length === 2);
    expect(bodyOf(a.doc)).toBe(bodyOf(b.doc));
    const c = peer(url, idea.id, { token: alice.token });
    await synced(c);
    await until(() => bodyOf(c.doc) === bodyOf(a.doc));
    expect(bodyOf(c.doc)).toContain('first from alice');
    expect(bodyOf(c.doc)).toContain('first from bob');
  });

  it('seeds the document from a body written before it existed', async () => {
    const idea = await fx.idea(alice, 'With a body', { body: 'line one\nline two' });
    const a = peer(url, idea.id, { token: bob.token });
    await synced(a);
    await until(() => bodyOf(a.doc) === 'line one\nline two');
  });

  it('relays awareness to every connection, the sender included, with the identity of the session', async () => {
    const idea = await fx.idea(alice, 'Cursors');
    const { ws, got } = await rawSocket(url, `idea:${idea.id}?token=${bob.token}`);
    const spoof = { user: { id: alice.id, name: 'Alice (really)', color: '#000' }, cursor: { anchor: 1 } };
    ws.send(awarenessFrame(4242, 1, spoof));
    await until(() => got.some((f) => f[0] === MESSAGE.awareness));
    const entry = awarenessEntries(got).find((e) => e.clientId === 4242);
    expect(entry?.state).toMatchObject({ cursor: { anchor: 1 }, user: { id: bob.id } });
    expect((entry?.state as { user?: { name?: string } } | undefined)?.user?.name).not.toBe('Alice (really)');
    // A stock provider on the same document sees Bob's cursor under Bob's name.
    const a = peer(url, idea.id, { token: alice.token });
    await synced(a);
    await until(() => a.provider.awareness.getStates().has(4242));
    expect(a.provider.awareness.getStates().get(4242)?.user).toMatchObject({ id: bob.id });
    // Nor may Bob speak for Alice's client id.
    a.provider.awareness.setLocalStateField('cursor', { anchor: 7 });
    const server = t.app.collab.loaded(`idea:${idea.id}`)!;
    await until(() => server.awareness.getStates().get(a.doc.clientID)?.cursor?.anchor === 7);
    ws.send(awarenessFrame(a.doc.clientID, 999, { cursor: { anchor: 666 } }));
    ws.send(awarenessFrame(4242, 2, { cursor: { anchor: 2 } }));
    await until(() => server.awareness.getStates().get(4242)?.cursor?.anchor === 2);
    expect(server.awareness.getStates().get(a.doc.clientID)).toMatchObject({ cursor: { anchor: 7 }, user: { id: alice.id } });
    ws.close();
  });

  it('answers query-awareness with every state', async () => {
    const idea = await fx.idea(alice, 'Query');
    const a = peer(url, idea.id, { token: alice.token });
    a.provider.awareness.setLocalStateField('cursor', { anchor: 3 });
    await synced(a);
    await until(() => a.closes.length === 0 && t.app.collab.loaded(`idea:${idea.id}`)?.awareness.getStates().has(a.doc.clientID) === true);
    const { ws, got } = await rawSocket(url, `idea:${idea.id}`);
    const before = got.length;
    ws.send(new Uint8Array([MESSAGE.queryAwareness]));
    await until(() => awarenessEntries(got.slice(before)).some((e) => e.clientId === a.doc.clientID));
    ws.close();
  });

  describe('refusals close with the code of DESIGN.md', () => {
    it('4400 for a name that is not idea:<uuid>', async () => {
      expect((await refusalOf(url, 'board:123')).code).toBe(4400);
      expect((await refusalOf(url, '')).code).toBe(4400);
    });
    it('4404 for an idea that does not exist, and for one in a private community to an outsider', async () => {
      expect((await refusalOf(url, `idea:00000000-0000-4000-8000-000000000000?token=${alice.token}`)).code).toBe(4404);
      const priv = await communityFixture(t, { visibility: 'private' });
      const secret = await priv.idea(priv.owner, 'Secret');
      expect((await refusalOf(url, `idea:${secret.id}?token=${alice.token}`)).code).toBe(4404);
      expect((await refusalOf(url, `idea:${secret.id}`)).code).toBe(4404);
    });
    it('4401 for a bad token', async () => {
      const idea = await fx.idea(alice, 'Tokens');
      expect((await refusalOf(url, `idea:${idea.id}?token=nope`)).code).toBe(4401);
      expect((await refusalOf(url, `idea:${idea.id}`, { authorization: 'Bearer nope' })).code).toBe(4401);
    });
    it('4403 for a foreign Origin, even with a valid token', async () => {
      const idea = await fx.idea(alice, 'Origins');
      const refused = await refusalOf(url, `idea:${idea.id}?token=${alice.token}`, { origin: 'http://evil.example' });
      expect(refused.code).toBe(4403);
      const ok = await rawSocket(url, `idea:${idea.id}?token=${alice.token}`, { origin: 'http://app.example' });
      await until(() => ok.got.length > 0);
      ok.ws.close();
    });
    it('4403 for a cookie session without an allowed Origin; the cookie works from an allowed one', async () => {
      const idea = await fx.idea(alice, 'Cookies');
      const login = await t.api('POST', '/api/auth/login', { body: { email: alice.email, password: 'correct horse battery' } });
      const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
      expect((await refusalOf(url, `idea:${idea.id}`, { cookie })).code).toBe(4403);
      const { ws, got } = await rawSocket(url, `idea:${idea.id}`, { cookie, origin: 'http://app.example' });
      await until(() => got.length > 0);
      ws.close();
    });
    it('a stock provider stops for good after a permanent refusal', async () => {
      const a = peer(url, '00000000-0000-4000-8000-000000000000', { token: alice.token });
      await until(() => a.closes.length > 0);
      await new Promise((r) => setTimeout(r, 700));
      expect(a.closes.map((c) => c.code)).toEqual([4404]);
      expect(a.provider.shouldConnect).toBe(false);
    });
  });

  it('gives read-only clients sync replies but drops their updates', async () => {
    const idea = await fx.idea(alice, 'Read only');
    const writer = peer(url, idea.id, { token: alice.token });
    await synced(writer);
    typeParagraph(writer.doc, 'written by a member');
    const guest = peer(url, idea.id);
    const outsider = await t.user();
    const reader = peer(url, idea.id, { token: outsider.token });
    await Promise.all([synced(guest), synced(reader)]);
    await until(() => bodyOf(guest.doc) === 'written by a member' && bodyOf(reader.doc) === 'written by a member');
    typeParagraph(guest.doc, 'guest scribble');
    typeParagraph(reader.doc, 'outsider scribble');
    typeParagraph(writer.doc, 'second line');
    await until(() => bodyOf(reader.doc).includes('second line'));
    await t.app.collab.writer.flush();
    expect(bodyOf(writer.doc)).toBe('written by a member\nsecond line');
    expect(bodyOf(t.app.collab.loaded(`idea:${idea.id}`)!.ydoc)).toBe('written by a member\nsecond line');
    // Nothing of theirs is stored either: a fresh document from the database has only the member's lines.
    const stored = await storedBody(t, `idea:${idea.id}`);
    expect(stored).toBe('written by a member\nsecond line');
  });

  it('turns a live writer read-only soon after the idea is locked', async () => {
    const idea = await fx.idea(alice, 'Locked while open');
    const moderator = await fx.member('moderator');
    const a = peer(url, idea.id, { token: alice.token });
    const watcher = peer(url, idea.id, { token: bob.token });
    await Promise.all([synced(a), synced(watcher)]);
    typeParagraph(a.doc, 'before the lock');
    await until(() => bodyOf(watcher.doc) === 'before the lock');
    expect((await t.api('POST', `/api/ideas/${idea.id}/lock`, { as: moderator, body: { locked: true } })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 150));
    // This one still lands (the check runs beside it), and makes the server ask again.
    typeParagraph(a.doc, 'while asking');
    await until(() => bodyOf(watcher.doc).includes('while asking'));
    await new Promise((r) => setTimeout(r, 200));
    typeParagraph(a.doc, 'after the lock');
    await new Promise((r) => setTimeout(r, 300));
    expect(bodyOf(watcher.doc)).toBe('before the lock\nwhile asking');
    expect(a.closes).toEqual([]);
  });

  it('treats a locked idea as read-only for members', async () => {
    const idea = await fx.idea(alice, 'Locked');
    const moderator = await fx.member('moderator');
    const lock = await t.api('POST', `/api/ideas/${idea.id}/lock`, { as: moderator, body: { locked: true } });
    expect(lock.statusCode).toBeLessThan(300);
    const a = peer(url, idea.id, { token: alice.token });
    await synced(a);
    typeParagraph(a.doc, 'should not stick');
    const b = peer(url, idea.id, { token: bob.token });
    await synced(b);
    await new Promise((r) => setTimeout(r, 300));
    expect(bodyOf(b.doc)).toBe('');
  });
});

function awarenessFrame(clientId: number, clock: number, state: unknown): Uint8Array {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, clientId);
  encoding.writeVarUint(inner, clock);
  encoding.writeVarString(inner, JSON.stringify(state));
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MESSAGE.awareness);
  encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
  return encoding.toUint8Array(e);
}

function awarenessEntries(got: Uint8Array[]) {
  return got
    .filter((f) => f[0] === MESSAGE.awareness)
    .flatMap((f) => {
      const d = decoding.createDecoder(f);
      decoding.readVarUint(d);
      return decodeAwareness(decoding.readVarUint8Array(d));
    });
}
