import { ideas } from '@cocreate/db';
import type { RankChange } from '@cocreate/protocol';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, type TestUser } from '../testing/harness.js';
import { ask, type ClientSocket, connected, startCluster, until } from './test-cluster.js';

/** Three real nodes, one PostgreSQL, one Redis, stock socket.io-client sockets. */
describe('live votes and ranks across three nodes', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  let ideaIds: string[];
  let voters: TestUser[];

  beforeAll(async () => {
    cluster = await startCluster(3);
    const a = cluster.nodes[0]!;
    fx = await communityFixture(a, { downvotes: true });
    ideaIds = [];
    for (let i = 0; i < 6; i++) ideaIds.push((await fx.idea(fx.owner, `Idea ${i}`)).id);
    voters = [];
    for (let i = 0; i < 18; i++) voters.push(await fx.member());
  }, 120_000);
  afterAll(() => cluster.close());

  /** A watching client: applies snapshot and rank frames, highest version wins. */
  async function watcher(nodeIndex: number, token?: string) {
    const socket = cluster.client(cluster.nodes[nodeIndex]!, token);
    await connected(socket);
    const view = new Map<string, RankChange>();
    let frames = 0;
    socket.on('board:ranks', (msg) => {
      frames++;
      for (const c of msg.changes) {
        const known = view.get(c.ideaId);
        if (!known || c.version > known.version) view.set(c.ideaId, c);
      }
    });
    const joined = await ask(socket, 'board:join', { boardId: fx.boardId, sort: 'top', limit: 50 });
    expect(joined.ok).toBe(true);
    for (const i of joined.snapshot.ideas) view.set(i.id, { ideaId: i.id, up: i.up, down: i.down, version: i.version });
    return { socket, view, frames: () => frames, snapshot: joined.snapshot };
  }

  it('a vote cast on node A reaches watchers on B and C, coalesced into a frame', async () => {
    const onB = await watcher(1);
    const onC = await watcher(2, voters[0]!.token);
    const voter = cluster.client(cluster.nodes[0]!, voters[1]!.token);
    await connected(voter);
    const ack = await ask(voter, 'vote:cast', { ideaId: ideaIds[0], value: 1 });
    expect(ack).toMatchObject({ ok: true, ideaId: ideaIds[0], up: 1, down: 0, myVote: 1 });
    await until(() => onB.view.get(ideaIds[0]!)?.up === 1 && onC.view.get(ideaIds[0]!)?.up === 1);
    expect(onB.view.get(ideaIds[0]!)?.version).toBe(ack.version);
  });

  it('after a storm of concurrent votes on all nodes, every client shows exactly the database counts', async () => {
    const watchers = await Promise.all([0, 1, 2, 0, 1, 2].map((n, i) => watcher(n, i % 2 ? voters[i]!.token : undefined)));
    const votingSockets: ClientSocket[] = [];
    for (let i = 0; i < voters.length; i++) {
      const s = cluster.client(cluster.nodes[i % 3]!, voters[i]!.token);
      votingSockets.push(s);
    }
    await Promise.all(votingSockets.map(connected));
    // Each voter casts, changes and sometimes withdraws on several ideas, all at once.
    await Promise.all(
      votingSockets.map(async (s, i) => {
        for (let k = 0; k < ideaIds.length; k++) {
          const ideaId = ideaIds[(i + k) % ideaIds.length]!;
          const value = (i + k) % 3 === 0 ? -1 : 1;
          const res = await ask(s, 'vote:cast', { ideaId, value });
          expect(res.ok).toBe(true);
          if ((i * k) % 4 === 1) expect((await ask(s, 'vote:withdraw', { ideaId })).ok).toBe(true);
        }
      }),
    );
    const rows = await cluster.nodes[0]!.app.db.select().from(ideas).where(inArray(ideas.id, ideaIds));
    const truth = new Map(rows.map((r) => [r.id, { up: r.up, down: r.down, version: r.version }]));
    await until(() =>
      watchers.every((w) => rows.every((r) => w.view.get(r.id)?.version === r.version)),
    );
    for (const w of watchers) {
      for (const [id, t] of truth) {
        const seen = w.view.get(id);
        expect({ up: seen?.up, down: seen?.down, version: seen?.version }).toEqual(t);
      }
    }
    // Coalescing: far fewer frames than votes reached each watcher.
    const votes = voters.length * ideaIds.length;
    for (const w of watchers) expect(w.frames()).toBeLessThan(votes);
  });

  it('exposes the fan-out on /metrics', async () => {
    const res = await cluster.nodes[1]!.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(res.body)?.[1] ?? Number.NaN);
    expect(value('cocreate_rank_frames_total')).toBeGreaterThan(0);
    expect(value('cocreate_redis_messages_in_total')).toBeGreaterThan(0);
    expect(value('cocreate_sockets_connected')).toBeGreaterThan(0);
    expect(res.body).toContain('cocreate_fanout_lag_seconds_bucket');
    expect(res.body).toContain('cocreate_tick_duration_seconds_count');
  });

  it('shows presence across nodes and removes a member when they leave', async () => {
    const seer = await watcher(1, voters[2]!.token);
    const diffs: { joined: { userId: string }[]; left: string[] }[] = [];
    seer.socket.on('presence:diff', (d) => diffs.push(d));
    const visitor = await watcher(0, voters[3]!.token);
    await until(() => diffs.some((d) => d.joined.some((j) => j.userId === voters[3]!.id)));
    const again = await ask(seer.socket, 'room:resync', { room: `board:${fx.boardId}` });
    expect(again.snapshot.presence.map((p: { userId: string }) => p.userId)).toContain(voters[3]!.id);
    expect((await ask(visitor.socket, 'presence:set', { room: `board:${fx.boardId}`, status: 'typing' })).ok).toBe(true);
    visitor.socket.disconnect();
    await until(() => diffs.some((d) => d.left.length > 0));
  });

  it('logging out everywhere on node A closes the user’s sockets on node C', async () => {
    const user = await fx.member();
    const socket = cluster.client(cluster.nodes[2]!, user.token);
    await connected(socket);
    const revoked = new Promise<{ reason: string }>((resolve) => socket.once('session:revoked', resolve));
    const closed = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const res = await cluster.nodes[0]!.api('POST', '/api/auth/logout-all', { as: user });
    expect(res.statusCode).toBe(204);
    expect((await revoked).reason).toBe('logged out everywhere');
    await closed;
  });
});
