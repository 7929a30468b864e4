import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser } from '../testing/harness.js';
import { closeAll, closeOf, listen, outcome, rawWs, refusal, sio, until } from './sockets.js';

/** Case 3: connection and handshake floods are capped per address; others are still served. */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ATTACKER = '127.0.0.1';
const OTHER = '127.0.0.2';
const forged = `${'a'.repeat(24)}.${'b'.repeat(39)}`;

describe('connection floods (two nodes sharing Redis)', () => {
  const redis: Redis[] = [];
  let a: TestApp;
  let b: TestApp;
  let urlA: { http: string; ws: string };
  let urlB: { http: string; ws: string };
  let user: TestUser;
  let ideaId: string;

  beforeAll(async () => {
    const prefix = `cctest:${randomBytes(4).toString('hex')}:`;
    const socketLimits = { handshakesPerIp: 12, windowMs: 60_000, guestSocketsPerIp: 3 };
    const nodes: TestApp[] = [];
    for (let i = 0; i < 2; i++) {
      const r = new Redis(REDIS_URL);
      redis.push(r);
      nodes.push(await startTestApp('pglite', { redis: r, config: { redisPrefix: prefix, socketLimits } }));
    }
    [a, b] = nodes as [TestApp, TestApp];
    urlA = await listen(a.app);
    urlB = await listen(b.app);
    const fx = await communityFixture(a);
    user = await fx.member();
    ideaId = (await fx.idea(user, 'Under siege')).id;
  }, 60_000);
  afterEach(() => closeAll());
  afterAll(async () => {
    closeAll();
    await a.close();
    await b.close();
    await Promise.all(redis.map((r) => r.quit()));
  });

  it('caps guests per address on both transports, counts handshakes on every node, and keeps serving another address', async () => {
    // Three guests from one address: the cap. The fourth, on either transport, is refused for now.
    const guests = [sio(urlA.http), sio(urlA.http), sio(urlA.http)];
    expect(await Promise.all(guests.map(outcome))).toEqual(['ok', 'ok', 'ok']);
    expect(await outcome(sio(urlA.http))).toBe('RATE_LIMITED');
    expect(await refusal(`${urlA.ws}/collab/idea:${ideaId}`)).toEqual({
      code: 1013,
      reason: 'too many connections without a session from this address',
    });
    // The guest cap does not touch signed-in users, nor guests from another address.
    expect(await outcome(sio(urlA.http, { token: user.token }))).toBe('ok');
    expect(await outcome(sio(urlA.http, { from: OTHER }))).toBe('ok');
    // A guest that leaves frees its slot.
    guests[0]?.disconnect();
    await until(async () => (await outcome(sio(urlA.http))) === 'ok');

    // Handshake flood with forged tokens, spread over both nodes: the count is shared through Redis.
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) codes.push(await outcome(sio(i % 2 ? urlB.http : urlA.http, { token: forged })));
    expect(codes).toContain('RATE_LIMITED');
    expect(codes.filter((c) => c === 'UNAUTHENTICATED').length).toBeLessThan(12);
    const firstRefused = codes.indexOf('RATE_LIMITED');
    expect(codes.slice(firstRefused).every((c) => c === 'RATE_LIMITED')).toBe(true);
    // Now the attacker's address is refused everywhere, before its credentials are even read...
    expect(await outcome(sio(urlA.http, { token: user.token }))).toBe('RATE_LIMITED');
    expect(await outcome(sio(urlB.http))).toBe('RATE_LIMITED');
    expect(await refusal(`${urlA.ws}/collab/idea:${ideaId}?token=${user.token}`)).toEqual({
      code: 1013,
      reason: 'too many connections from this address',
    });
    // ...while a signed-in user on another address is served on both transports and both nodes.
    expect(await outcome(sio(urlA.http, { token: user.token, from: OTHER }))).toBe('ok');
    expect(await outcome(sio(urlB.http, { from: OTHER }))).toBe('ok');
    const { got } = await rawWs(`${urlA.ws}/collab/idea:${ideaId}?token=${user.token}`, { from: OTHER });
    await until(() => got.length > 0);
    // The counters live in Redis under the deployment's prefix.
    const keys = await redis[0]!.keys(`${a.app.config.redisPrefix}rl:*hs:${ATTACKER}`);
    expect(keys.length).toBe(1);
    expect(Number(await redis[0]!.get(keys[0]!))).toBeGreaterThan(12);
  });

  it('caps bare Engine.IO connections (never sending CONNECT) per address; saying who you are frees the slot', async () => {
    const FLOOD = '127.0.0.3';
    const engine = `${urlA.ws}/socket.io/?EIO=4&transport=websocket`;
    const bare = await Promise.all([1, 2, 3].map(() => rawWs(engine, { from: FLOOD })));
    await until(() => bare.every(({ got }) => got.some((f) => f.toString().startsWith('0{'))));
    // The fourth is cut at once; every open one is still open.
    const fourth = await rawWs(engine, { from: FLOOD });
    expect((await closeOf(fourth.ws)).code).toBeGreaterThanOrEqual(1000);
    expect(bare.every(({ ws }) => ws.readyState === ws.OPEN)).toBe(true);
    // Another address is served meanwhile.
    expect(await outcome(sio(urlA.http, { token: user.token, from: OTHER }))).toBe('ok');
    // One of them connects to Socket.IO as a guest: no longer bare, so another bare connection fits.
    bare[0]!.ws.send('40');
    await until(() => bare[0]!.got.some((f) => f.toString().startsWith('40{')));
    const fifth = await rawWs(engine, { from: FLOOD });
    await until(() => fifth.got.some((f) => f.toString().startsWith('0{')));
    await new Promise((r) => setTimeout(r, 200));
    expect(fifth.ws.readyState).toBe(fifth.ws.OPEN);
  });

  it('closes a guest that leaves the namespace but keeps its connection (it would hold no slot)', async () => {
    const LEAVER = '127.0.0.4';
    const engine = `${urlA.ws}/socket.io/?EIO=4&transport=websocket`;
    const guest = await rawWs(engine, { from: LEAVER });
    await until(() => guest.got.some((f) => f.toString().startsWith('0{')));
    guest.ws.send('40');
    await until(() => guest.got.some((f) => f.toString().startsWith('40{')));
    const closed = closeOf(guest.ws);
    guest.ws.send('41');
    expect((await closed).code).toBeGreaterThanOrEqual(1000);
    // Its slot is back: the address may still open as many guests as before.
    const again = [sio(urlA.http, { from: LEAVER }), sio(urlA.http, { from: LEAVER }), sio(urlA.http, { from: LEAVER })];
    expect(await Promise.all(again.map(outcome))).toEqual(['ok', 'ok', 'ok']);
  });
});

describe('client address behind a trusted proxy', () => {
  let t: TestApp;
  let url: { http: string; ws: string };

  afterEach(async () => {
    closeAll();
    await t.close();
  });

  it('counts X-Forwarded-For clients apart when TRUST_PROXY is set', async () => {
    t = await startTestApp('pglite', { config: { trustProxy: ['127.0.0.1'], socketLimits: { handshakesPerIp: 3, windowMs: 60_000, guestSocketsPerIp: 10 } } });
    url = await listen(t.app);
    const as = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    const flood: string[] = [];
    for (let i = 0; i < 5; i++) flood.push(await outcome(sio(url.http, as('203.0.113.9'))));
    expect(flood).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(await outcome(sio(url.http, as('198.51.100.7')))).toBe('ok');
    // The header is believed only from the trusted proxy: from elsewhere, the peer's address counts.
    expect(await outcome(sio(url.http, { from: OTHER, ...as('198.51.100.8') }))).toBe('ok');
    expect(await outcome(sio(url.http, { from: OTHER, ...as('198.51.100.9') }))).toBe('ok');
    expect(await outcome(sio(url.http, { from: OTHER, ...as('198.51.100.10') }))).toBe('ok');
    expect(await outcome(sio(url.http, { from: OTHER, ...as('198.51.100.11') }))).toBe('RATE_LIMITED');
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: a spoofed header does not escape the cap', async () => {
    t = await startTestApp('pglite', { config: { socketLimits: { handshakesPerIp: 2, windowMs: 60_000, guestSocketsPerIp: 10 } } });
    url = await listen(t.app);
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push(await outcome(sio(url.http, { headers: { 'x-forwarded-for': `198.51.100.${i}` } })));
    expect(got).toEqual(['ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
  });

  it('counts HTTP long-polling clients under their own address too', async () => {
    t = await startTestApp('pglite', { config: { trustProxy: ['127.0.0.1'], socketLimits: { handshakesPerIp: 2, windowMs: 60_000, guestSocketsPerIp: 10 } } });
    url = await listen(t.app);
    const polling = (ip: string) => sio(url.http, { polling: true, headers: { 'x-forwarded-for': ip } });
    const flood: string[] = [];
    for (let i = 0; i < 3; i++) flood.push(await outcome(polling('203.0.113.50')));
    expect(flood).toEqual(['ok', 'ok', 'RATE_LIMITED']);
    expect(await outcome(polling('203.0.113.51'))).toBe('ok');
    expect(await outcome(polling('203.0.113.52'))).toBe('ok');
  });
});
