import { ideas } from '@cocreate/db';
import { OwnRedis } from '@cocreate/fanout/testing';
import type { RankChange } from '@cocreate/protocol';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, type TestUser } from '../testing/harness.js';
import { ask, connected, startCluster, until } from './test-cluster.js';

/**
 * Redis dies in the middle of a vote storm and comes back empty. Votes keep committing to the
 * database; when Redis returns every node resubscribes and tells its clients to resync (with
 * jitter), and every client ends with exactly the database's counts. This uses a private
 * redis-server on a free port, never the shared one.
 */
describe('Redis restarted mid-storm', () => {
  let own: OwnRedis;
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  let ideaIds: string[];
  let voters: TestUser[];

  beforeAll(async () => {
    own = await OwnRedis.start();
    cluster = await startCluster(2, { redisUrl: own.url });
    fx = await communityFixture(cluster.nodes[0]!);
    ideaIds = [];
    for (let i = 0; i < 4; i++) ideaIds.push((await fx.idea(fx.owner, `Idea ${i}`)).id);
    voters = [];
    for (let i = 0; i < 12; i++) voters.push(await fx.member());
  }, 120_000);
  afterAll(async () => {
    await cluster.close();
    await own.kill();
  });

  it('ends with every client exact', async () => {
    const watchers = await Promise.all(
      [0, 1, 0, 1].map(async (n) => {
        const socket = cluster.client(cluster.nodes[n]!);
        await connected(socket);
        const view = new Map<string, RankChange>();
        const apply = (list: RankChange[]) => {
          for (const c of list) {
            const known = view.get(c.ideaId);
            if (!known || c.version > known.version) view.set(c.ideaId, c);
          }
        };
        const join = async () => {
          const res = await ask(socket, 'room:resync', { room: `board:${fx.boardId}` });
          if (res.ok) apply(res.snapshot.ideas.map((i: RankChange & { id: string }) => ({ ...i, ideaId: i.id })));
        };
        let resyncs = 0;
        socket.on('board:ranks', (m) => apply(m.changes));
        socket.on('resync', ({ afterMs }) => {
          resyncs++;
          setTimeout(() => void join(), afterMs);
        });
        const first = await ask(socket, 'board:join', { boardId: fx.boardId, sort: 'top', limit: 10 });
        apply(first.snapshot.ideas.map((i: RankChange & { id: string }) => ({ ...i, ideaId: i.id })));
        return { view, resyncs: () => resyncs };
      }),
    );
    const sockets = voters.map((v, i) => cluster.client(cluster.nodes[i % 2]!, v.token));
    await Promise.all(sockets.map(connected));
    const storm = (round: number) =>
      Promise.all(sockets.map((s, i) => ask(s, 'vote:cast', { ideaId: ideaIds[(i + round) % ideaIds.length], value: 1 })));
    await storm(0);
    await own.kill();
    // While Redis is down, votes still commit (the database is the truth) and are acknowledged.
    const during = await storm(1);
    expect(during.every((a) => a.ok === true)).toBe(true);
    await own.up();
    await until(() => watchers.every((w) => w.resyncs() >= 1), 20_000);
    await storm(2);
    const rows = await cluster.nodes[0]!.app.db.select().from(ideas).where(inArray(ideas.id, ideaIds));
    await until(() => watchers.every((w) => rows.every((r) => w.view.get(r.id)?.version === r.version)), 20_000);
    for (const w of watchers) {
      for (const r of rows) expect(w.view.get(r.id)).toMatchObject({ up: r.up, down: r.down, version: r.version });
    }
  }, 90_000);
});
