import { ideas } from '@cocreate/db';
import type { RankChange } from '@cocreate/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture } from '../testing/harness.js';
import { ask, connected, startCluster, until } from './test-cluster.js';

/** A client that stops reading its socket must not hold back anyone else in the room. */
describe('a deliberately slow client', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  beforeAll(async () => {
    cluster = await startCluster(1);
  }, 60_000);
  afterAll(() => cluster.close());

  it('does not delay the other watchers', async () => {
    const node = cluster.nodes[0]!;
    const fx = await communityFixture(node);
    const idea = await fx.idea(fx.owner, 'Busy idea');
    const slow = cluster.client(node);
    const fast = cluster.client(node);
    await Promise.all([connected(slow), connected(fast)]);
    expect((await ask(slow, 'board:join', { boardId: fx.boardId })).ok).toBe(true);
    let latest: RankChange | undefined;
    fast.on('board:ranks', (m) => {
      for (const c of m.changes) if (c.ideaId === idea.id && (!latest || c.version > latest.version)) latest = c;
    });
    expect((await ask(fast, 'board:join', { boardId: fx.boardId })).ok).toBe(true);
    // The slow client stops reading from its TCP socket altogether.
    const engine = (slow as unknown as { io: { engine: { transport: { ws: { _socket: { pause(): void; destroy(): void } } } } } }).io.engine;
    const tcp = engine.transport.ws._socket;
    tcp.pause();

    const voters = await Promise.all(Array.from({ length: 12 }, () => fx.member()));
    const sockets = voters.map((v) => cluster.client(node, v.token));
    await Promise.all(sockets.map(connected));
    for (let round = 0; round < 3; round++) {
      await Promise.all(sockets.map((s) => ask(s, round % 2 ? 'vote:withdraw' : 'vote:cast', round % 2 ? { ideaId: idea.id } : { ideaId: idea.id, value: 1 })));
    }
    const [row] = await node.app.db.select().from(ideas).where(eq(ideas.id, idea.id));
    await until(() => latest?.version === row?.version);
    expect(latest).toMatchObject({ up: row?.up, down: row?.down });
    // Otherwise the server's graceful close waits on the unread socket.
    tcp.destroy();
  });
});
