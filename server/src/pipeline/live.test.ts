import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, connected, startCluster, until } from '../realtime/test-cluster.js';
import { communityFixture, testConfig } from '../testing/harness.js';

/**
 * The pipeline seen live, across two real nodes on one PostgreSQL and one Redis, both running the
 * outbox worker: a status change made on node 1 reaches a voter's socket on node 2 as a
 * notification, the community room as a roadmap event, and the board as the idea's new status.
 */
describe('pipeline live across nodes', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  beforeAll(async () => {
    cluster = await startCluster(2, { pipeline: { ...testConfig().pipeline, worker: true, pollMs: 50 } });
  });
  afterAll(() => cluster.close());

  it('pushes notifications, roadmap and status to the sockets that care, on any node', async () => {
    const [n1, n2] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const f = await communityFixture(n1);
    const team = await f.member('team');
    const voter = await f.member();
    const idea = await f.idea(await f.member(), 'Live roadmap');
    expect((await n1.api('PUT', `/api/ideas/${idea.id}/vote`, { as: voter, body: { value: 1 } })).statusCode).toBe(200);
    const community = (await n1.api('GET', `/api/communities/${f.slug}`)).json() as { id: string };

    const voterSocket = cluster.client(n2, voter.token, { origin: 'http://app.example' });
    const guest = cluster.client(n2, undefined, { origin: 'http://app.example' });
    await Promise.all([connected(voterSocket), connected(guest)]);
    const notified: { kind: string; payload: Record<string, unknown> }[] = [];
    voterSocket.on('notification', (n) => notified.push(n));
    const events: { room: string; type: string; data: unknown }[] = [];
    guest.on('room:event', (e) => events.push(e));
    expect(await ask(guest, 'community:join', { communityId: community.id })).toMatchObject({ ok: true, snapshot: { communityId: community.id } });
    expect(await ask(guest, 'board:join', { boardId: f.boardId })).toMatchObject({ ok: true });
    expect(await ask(guest, 'community:join', { communityId: 'not-an-id' })).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });

    expect((await n1.api('POST', `/api/ideas/${idea.id}/status`, { as: team, body: { status: 'accepted' } })).statusCode).toBe(200);
    await until(() => notified.some((n) => n.kind === 'idea.status_changed'));
    expect(notified.find((n) => n.kind === 'idea.status_changed')!.payload).toMatchObject({ ideaId: idea.id, to: 'accepted' });
    await until(() => events.some((e) => e.type === 'roadmap.item'));
    expect(events.find((e) => e.type === 'roadmap.item')).toMatchObject({ room: `community:${community.id}`, data: { ideaId: idea.id, lane: 'planned' } });
    expect(events.find((e) => e.type === 'idea.updated' && (e.data as { idea: { status?: string } }).idea.status === 'accepted')).toMatchObject({
      room: `board:${f.boardId}`,
    });
    // Stored too: the list agrees with what arrived live.
    const listed = (await n2.api('GET', '/api/notifications', { as: voter })).json().items as { kind: string }[];
    expect(listed.filter((n) => n.kind === 'idea.status_changed')).toHaveLength(1);
  });
});
