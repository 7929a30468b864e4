import { sessions } from '@cocreate/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, type Peer, peer, synced, typeParagraph } from '../collab/testing.js';
import { startCluster } from '../realtime/test-cluster.js';
import { communityFixture, type TestUser } from '../testing/harness.js';
import { ask, closeAll, closeOf, connected, outcome, rawWs, refusal, sio, until } from './sockets.js';

/**
 * Cases 1 and 2 on two nodes (one PostgreSQL, one Redis): a cross-origin upgrade carrying a valid
 * session cookie is refused on both socket transports; missing, expired, forged and revoked tokens
 * are refused on REST, Socket.IO and /collab; a revocation on one node closes the live sockets on
 * the other.
 */

const APP = 'http://app.example';
const EVIL = 'https://evil.example';
const FORGED = `${'a'.repeat(24)}.${'b'.repeat(39)}`;

describe('tokens and origins on every transport, two nodes', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  let ideaId: string;
  const ws = (i: number) => cluster.nodes[i]!.url.replace('http', 'ws');
  const collab = (i: number, query = '') => `${ws(i)}/collab/idea:${ideaId}${query}`;

  beforeAll(async () => {
    cluster = await startCluster(2);
    fx = await communityFixture(cluster.nodes[0]!);
    ideaId = (await fx.idea(fx.owner, 'Guarded')).id;
  }, 90_000);
  afterAll(async () => {
    closeAll();
    await cluster.close();
  });

  async function cookieOf(user: TestUser): Promise<string> {
    const res = await cluster.nodes[0]!.api('POST', '/api/auth/login', { body: { email: user.email, password: 'correct horse battery' }, headers: { origin: APP } });
    expect(res.statusCode).toBe(200);
    return String(res.headers['set-cookie']).split(';')[0] as string;
  }

  it('case 1: refuses a cross-origin upgrade that carries a valid session cookie, on both transports and nodes', async () => {
    const cookie = await cookieOf(await fx.member());
    for (const i of [0, 1]) {
      const url = cluster.nodes[i]!.url;
      expect(await outcome(sio(url, { headers: { cookie, origin: EVIL } }))).toBe('FORBIDDEN');
      expect(await outcome(sio(url, { headers: { cookie, origin: 'null' } }))).toBe('FORBIDDEN');
      expect(await outcome(sio(url, { headers: { cookie, origin: EVIL, 'sec-fetch-site': 'same-origin' } }))).toBe('FORBIDDEN');
      expect((await refusal(collab(i), { headers: { cookie, origin: EVIL } })).code).toBe(4403);
      expect((await refusal(collab(i), { headers: { cookie, 'sec-fetch-site': 'cross-site' } })).code).toBe(4403);
      // From the app's origin the same cookie is a signed-in member on both transports.
      const ok = sio(url, { headers: { cookie, origin: APP } });
      await connected(ok);
      expect(await ask(ok, 'vote:cast', { ideaId, value: 1 })).toMatchObject({ ok: true });
      const { got } = await rawWs(collab(i), { headers: { cookie, origin: APP } });
      await until(() => got.length > 0);
    }
  });

  it('case 2: missing, forged and expired tokens are refused on REST, Socket.IO and /collab', async () => {
    const node = cluster.nodes[1]!;
    // Missing: REST changes need a session; a socket without one is a guest who may not vote.
    expect((await node.api('PUT', `/api/ideas/${ideaId}/vote`, { body: {} })).json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const guest = sio(node.url);
    await connected(guest);
    expect(await ask(guest, 'vote:cast', { ideaId, value: 1 })).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    // Forged, and a real id with a wrong secret.
    const user = await fx.member();
    const wrongSecret = `${user.token.split('.')[0]}.${'c'.repeat(39)}`;
    for (const token of [FORGED, wrongSecret, `${user.token}x`, '']) {
      expect((await node.api('GET', '/api/me', { headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
      expect(await outcome(sio(node.url, { token: token || FORGED }))).toBe('UNAUTHENTICATED');
      expect((await refusal(collab(1, `?token=${encodeURIComponent(token || FORGED)}`))).code).toBe(4401);
    }
    // Expired: the session row says so.
    const expired = await fx.member();
    await node.app.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.id, expired.token.split('.')[0] as string));
    expect((await node.api('GET', '/api/me', { as: expired })).statusCode).toBe(401);
    expect(await outcome(sio(node.url, { token: expired.token }))).toBe('UNAUTHENTICATED');
    expect((await refusal(collab(1, `?token=${expired.token}`))).code).toBe(4401);
  });

  it('case 2: logging out on node A closes that session’s live sockets on node B, on both transports; other sessions live on', async () => {
    const user = await fx.member();
    const other = await cluster.nodes[0]!.api('POST', '/api/auth/login', { body: { email: user.email, password: 'correct horse battery', tokenMode: 'bearer' } });
    const otherToken = (other.json() as { token: string }).token;
    const socket = sio(cluster.nodes[1]!.url, { token: user.token });
    const keeps = sio(cluster.nodes[1]!.url, { token: otherToken });
    await Promise.all([connected(socket), connected(keeps)]);
    const revoked = new Promise<{ reason: string }>((resolve) => socket.once('session:revoked', resolve));
    const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const { ws: doc } = await rawWs(collab(1, `?token=${user.token}`));
    const docClosed = closeOf(doc);
    const editor: Peer = peer(`${ws(1)}/collab`, ideaId, { token: otherToken });
    await synced(editor);

    expect((await cluster.nodes[0]!.api('POST', '/api/auth/logout', { as: user, body: {} })).statusCode).toBe(204);
    expect((await revoked).reason).toBe('logged out');
    await gone;
    expect(await docClosed).toEqual({ code: 4401, reason: 'session revoked' });
    // The session is gone for every transport on every node; the user's other session is not.
    for (const i of [0, 1]) {
      expect((await cluster.nodes[i]!.api('GET', '/api/me', { as: user })).statusCode).toBe(401);
      expect(await outcome(sio(cluster.nodes[i]!.url, { token: user.token }))).toBe('UNAUTHENTICATED');
      expect((await refusal(collab(i, `?token=${user.token}`))).code).toBe(4401);
    }
    expect(keeps.connected).toBe(true);
    expect(await ask(keeps, 'vote:cast', { ideaId, value: 1 })).toMatchObject({ ok: true });
    typeParagraph(editor.doc, 'still editing');
    await until(() => bodyOf(cluster.nodes[1]!.app.collab.loaded(`idea:${ideaId}`)!.ydoc).includes('still editing'));
    expect(editor.closes).toEqual([]);
    editor.destroy();
  });
});
