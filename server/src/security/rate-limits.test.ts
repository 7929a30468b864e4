import * as schema from '@cocreate/db';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, collabSettings, peer, synced, typeParagraph } from '../collab/testing.js';
import { communityFixture, startTestApp, type TestApp, testConfig } from '../testing/harness.js';
import { ask, closeAll, connected, listen, sio, until } from './sockets.js';

/**
 * Case 10 beyond what realtime/hostile.test.ts (per socket) and plugins/rate-limit.test.ts (per
 * user, across nodes) show: the per-user write limit holds across a user's sessions for votes and
 * comments alike, and a stock y-websocket provider closed with 1013 backs off, comes back and
 * loses nothing.
 */

const WRITES = 12;

describe('rate limits per user and per connection', () => {
  let t: TestApp;
  let limited: TestApp;
  let collab: string;
  let fx: Awaited<ReturnType<typeof communityFixture>>;

  beforeAll(async () => {
    t = await startTestApp('pglite', {
      config: { ...collabSettings({ updatesPerSecond: 5, updateBurst: 10 }), realtime: { ...testConfig().realtime, eventsPerSecond: 5, eventBurst: 10 } },
    });
    collab = `${(await listen(t.app)).ws}/collab`;
    fx = await communityFixture(t);
    limited = await startTestApp('pglite', {
      config: { rateLimits: { windowMs: 60_000, apiPerIp: 1_000_000, authPerIp: 1_000_000, authPerAccount: 1_000_000, writesPerUser: WRITES } },
    });
  }, 60_000);
  afterAll(async () => {
    closeAll();
    await t.close();
    await limited.close();
  });

  it('counts votes and comments of one user together, across two sessions; others are not slowed', async () => {
    const lx = await communityFixture(limited);
    const ideaId = (await lx.idea(lx.owner, 'Popular')).id;
    const user = await lx.member();
    const login = await limited.api('POST', '/api/auth/login', { body: { email: user.email, password: 'correct horse battery', tokenMode: 'bearer' } });
    const second = { ...user, token: (login.json() as { token: string }).token };
    const comments = async () => (await limited.app.db.select({ n: count() }).from(schema.comments))[0]?.n as number;
    const before = await comments();
    const answers: { status: number; code?: string; kind: string }[] = [];
    for (let i = 0; i < WRITES + 5; i++) {
      const as = i % 2 ? second : user;
      const kind = ['comment', 'vote', 'withdraw'][i % 3] as string;
      const res =
        kind === 'comment'
          ? await limited.api('POST', `/api/ideas/${ideaId}/comments`, { as, body: { body: `comment ${i}` } })
          : await limited.api(kind === 'vote' ? 'PUT' : 'DELETE', `/api/ideas/${ideaId}/vote`, { as, body: {} });
      answers.push({ status: res.statusCode, code: (res.json() as { code?: string }).code, kind });
    }
    // The join was the user's first write of the window; the rest of the allowance, then RATE_LIMITED.
    const first = answers.findIndex((a) => a.status === 429);
    expect(first).toBe(WRITES - 1);
    expect(answers.slice(0, first).every((a) => a.status < 300)).toBe(true);
    expect(answers.slice(first).every((a) => a.status === 429 && a.code === 'RATE_LIMITED')).toBe(true);
    // Refused writes left nothing behind.
    expect((await comments()) - before).toBe(answers.slice(0, first).filter((a) => a.kind === 'comment').length);
    // Someone else writes as usual.
    const other = await lx.member();
    expect((await limited.api('PUT', `/api/ideas/${ideaId}/vote`, { as: other, body: {} })).statusCode).toBe(200);
  });

  it('limits a user’s sockets together on Socket.IO: more sockets do not multiply the allowance', async () => {
    const ideaId = (await fx.idea(fx.owner, 'Voted from many tabs')).id;
    const user = await fx.member();
    const http = (await listen(t.app)).http;
    const tabs = [sio(http, { token: user.token }), sio(http, { token: user.token }), sio(http, { token: user.token })];
    const alone = sio(http, { token: (await fx.member()).token });
    await Promise.all([...tabs, alone].map(connected));
    // Each tab stays within its own burst (10); together they pass the user's (20).
    const burst = (s: (typeof tabs)[number]) =>
      Promise.all(Array.from({ length: 10 }, (_, i) => ask(s, i % 2 ? 'vote:withdraw' : 'vote:cast', i % 2 ? { ideaId } : { ideaId, value: 1 })));
    const [together, other] = await Promise.all([Promise.all(tabs.map(burst)).then((a) => a.flat()), burst(alone)]);
    const limited = together.filter((a) => a.code === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThanOrEqual(5);
    expect(together.filter((a) => a.ok === true).length).toBeLessThanOrEqual(25);
    expect(together.every((a) => a.ok === true || a.code === 'RATE_LIMITED')).toBe(true);
    // Another user, on one socket, is not slowed by it.
    expect(other.every((a) => a.ok === true)).toBe(true);
  });

  it('closes a flooding stock provider with 1013; it backs off, comes back and its text arrives', async () => {
    const author = await fx.member();
    const ideaId = (await fx.idea(author, 'Flooded')).id;
    const watcher = peer(collab, ideaId, { token: fx.owner.token });
    const flooder = peer(collab, ideaId, { token: author.token });
    await Promise.all([synced(watcher), synced(flooder)]);
    for (let i = 0; i < 40; i++) typeParagraph(flooder.doc, `line ${i}`);
    await until(() => flooder.closes.some((c) => c.code === 1013), 10_000, 'no 1013');
    expect(flooder.closes[0]).toEqual({ code: 1013, reason: 'too many messages' });
    // 1013 is temporary: the provider keeps trying, reconnects and resends its state in one message.
    expect(flooder.provider.shouldConnect).toBe(true);
    await until(() => flooder.provider.synced && flooder.provider.wsconnected, 15_000, 'provider did not come back');
    await until(() => bodyOf(watcher.doc).split('\n').length === 40, 15_000, 'text did not arrive');
    expect(bodyOf(watcher.doc)).toBe(bodyOf(flooder.doc));
    expect(watcher.closes).toEqual([]);
    watcher.destroy();
    flooder.destroy();
  });
});
