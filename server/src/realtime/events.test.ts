import type { RankChange, RoomEvent } from '@cocreate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture } from '../testing/harness.js';
import { ask, connected, startCluster, until } from './test-cluster.js';

/** What REST changes on one node shows live, numbered, on another. */
describe('live board events across nodes', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  beforeAll(async () => {
    cluster = await startCluster(2);
    fx = await communityFixture(cluster.nodes[0]!);
  }, 60_000);
  afterAll(() => cluster.close());

  it('numbers idea, comment and moderation events per room and delivers them on the other node', async () => {
    const [a, b] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const author = await fx.member();
    const watcher = cluster.client(b);
    await connected(watcher);
    const boardEvents: RoomEvent[] = [];
    const ideaEvents: RoomEvent[] = [];
    const ranks: RankChange[] = [];
    watcher.on('room:event', (e) => (e.room.startsWith('board:') ? boardEvents : ideaEvents).push(e));
    watcher.on('board:ranks', (m) => ranks.push(...m.changes));
    const joined = await ask(watcher, 'board:join', { boardId: fx.boardId });
    const startSeq: number = joined.snapshot.seq;

    const created = await a.api('POST', `/api/boards/${fx.boardId}/ideas`, { as: author, body: { title: 'Live idea', tags: ['Live'] } });
    expect(created.statusCode).toBe(201);
    const ideaId = created.json().id as string;
    await until(() => boardEvents.some((e) => e.type === 'idea.created'));
    const ev = boardEvents.find((e) => e.type === 'idea.created')!;
    expect(ev.seq).toBe(startSeq + 1);
    expect(ev.data).toMatchObject({ idea: { id: ideaId, title: 'Live idea', up: 0, tags: ['live'] } });

    expect((await ask(watcher, 'idea:join', { ideaId })).ok).toBe(true);
    // A REST vote flows into the same coalesced state as socket votes.
    const voter = await fx.member();
    const vote = await a.api('PUT', `/api/ideas/${ideaId}/vote`, { as: voter });
    expect(vote.statusCode).toBe(200);
    await until(() => ranks.some((c) => c.ideaId === ideaId && c.up === 1));

    const comment = await a.api('POST', `/api/ideas/${ideaId}/comments`, { as: fx.owner, body: { body: 'We are on it', official: true } });
    expect(comment.statusCode).toBe(201);
    await until(() => ideaEvents.some((e) => e.type === 'comment.created'));
    expect(ideaEvents.find((e) => e.type === 'comment.created')?.data).toMatchObject({ comment: { body: 'We are on it', official: true } });
    await until(() => boardEvents.some((e) => e.type === 'idea.updated'));
    expect(boardEvents.find((e) => e.type === 'idea.updated')?.data).toMatchObject({ idea: { id: ideaId, commentCount: 1 } });

    expect((await a.api('POST', `/api/ideas/${ideaId}/lock`, { as: fx.owner, body: { locked: true } })).statusCode).toBe(200);
    await until(() => ideaEvents.some((e) => e.type === 'idea.moderated'));
    // Sequences are per room, gapless, increasing.
    const seqs = boardEvents.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => startSeq + 1 + i));
    expect(ideaEvents.map((e) => e.seq)).toEqual(ideaEvents.map((_, i) => i + 1));
  });

  it('a socket joining right after another never gets a snapshot older than its membership', async () => {
    const [a, b] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const idea = await fx.idea(fx.owner, 'Cache probe');
    const first = cluster.client(b);
    const second = cluster.client(b);
    await Promise.all([connected(first), connected(second)]);
    expect((await ask(first, 'board:join', { boardId: fx.boardId, sort: 'new', limit: 5 })).ok).toBe(true);
    // Within the snapshot cache's lifetime: a vote commits and a new idea appears.
    const voter = await fx.member();
    const vote = await a.api('PUT', `/api/ideas/${idea.id}/vote`, { as: voter });
    const created = await a.api('POST', `/api/boards/${fx.boardId}/ideas`, { as: voter, body: { title: 'Right after' } });
    let seenNewIdea = false;
    let latest = 0;
    second.on('room:event', (e) => {
      if (e.type === 'idea.created') seenNewIdea = true;
    });
    second.on('board:ranks', (m) => {
      for (const c of m.changes) if (c.ideaId === idea.id) latest = Math.max(latest, c.up);
    });
    const joined = await ask(second, 'board:join', { boardId: fx.boardId, sort: 'new', limit: 5 });
    const snap = joined.snapshot as { ideas: { id: string; up: number }[] };
    await new Promise((r) => setTimeout(r, 400));
    const hasIdea = snap.ideas.some((i) => i.id === created.json().id) || seenNewIdea;
    const up = Math.max(snap.ideas.find((i) => i.id === idea.id)?.up ?? 0, latest);
    expect(vote.json().up).toBe(1);
    expect(hasIdea).toBe(true);
    expect(up).toBe(1);
  });

  it('a ban closes the banned member’s sockets on every node, and their rejoin is refused', async () => {
    const [a, b] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const member = await fx.member();
    const socket = cluster.client(b, member.token);
    await connected(socket);
    expect((await ask(socket, 'board:join', { boardId: fx.boardId })).ok).toBe(true);
    const gone = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    const ban = await a.api('POST', `/api/communities/${fx.slug}/members/${member.id}/ban`, { as: fx.owner, body: { reason: 'spam' } });
    expect(ban.statusCode).toBe(204);
    await gone;
    const again = cluster.client(b, member.token);
    await connected(again);
    const idea = await fx.idea(fx.owner, 'After the ban');
    expect(await ask(again, 'vote:cast', { ideaId: idea.id, value: 1 })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });
});
