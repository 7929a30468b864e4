import { docUpdates } from '@cocreate/db';
import { OwnRedis } from '@cocreate/fanout/testing';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startCluster } from '../realtime/test-cluster.js';
import { communityFixture, type TestUser } from '../testing/harness.js';
import { BODY_FIELD } from './body.js';
import { bodyOf, collabSettings, collabUrl, destroyPeers, peer, storedBody, synced, typeParagraph, until } from './testing.js';

/** Several real nodes on one PostgreSQL and one Redis, stock providers on different nodes. */
describe('collab across nodes', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let urls: string[];
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  let users: TestUser[];

  beforeAll(async () => {
    cluster = await startCluster(3, collabSettings({ compactRows: 3, syncIntervalMs: 300 }));
    urls = await Promise.all(cluster.nodes.map((n) => collabUrl(n.app)));
    fx = await communityFixture(cluster.nodes[0]!);
    users = [];
    for (let i = 0; i < 4; i++) users.push(await fx.member());
  }, 120_000);
  afterEach(() => destroyPeers());
  afterAll(() => cluster.close());

  it('converges clients editing concurrently on two nodes; a third joining later on another gets it all', async () => {
    const idea = await fx.idea(users[0]!, 'Across nodes');
    const a = peer(urls[0]!, idea.id, { token: users[0]!.token });
    const b = peer(urls[1]!, idea.id, { token: users[1]!.token });
    await Promise.all([synced(a), synced(b)]);
    for (let i = 0; i < 10; i++) {
      typeParagraph(a.doc, `a${i}`);
      typeParagraph(b.doc, `b${i}`);
    }
    await until(() => bodyOf(a.doc).split('\n').length === 20 && bodyOf(a.doc) === bodyOf(b.doc));
    const c = peer(urls[2]!, idea.id, { token: users[2]!.token });
    await synced(c);
    await until(() => bodyOf(c.doc) === bodyOf(a.doc));
    // Cursors cross nodes too, with the session's identity.
    a.provider.awareness.setLocalStateField('cursor', { anchor: 1 });
    await until(() => c.provider.awareness.getStates().get(a.doc.clientID)?.user?.id === users[0]!.id);
  });

  it('compaction on two nodes racing their writers loses no update', async () => {
    const idea = await fx.idea(users[0]!, 'Racing compaction');
    const name = `idea:${idea.id}`;
    const typists = [0, 1, 0, 1].map((n, i) => peer(urls[n]!, idea.id, { token: users[i]!.token }));
    await Promise.all(typists.map((p) => synced(p)));
    for (let round = 0; round < 15; round++) {
      for (const [i, p] of typists.entries()) typeParagraph(p.doc, `t${i}-${round}`);
      await new Promise((r) => setTimeout(r, 40));
    }
    await until(() => typists.every((p) => bodyOf(p.doc).split('\n').length === 60 && bodyOf(p.doc) === bodyOf(typists[0]!.doc)));
    for (const n of cluster.nodes) await n.app.collab.writer.flush();
    const compactions = cluster.nodes.reduce((s, n) => s + n.app.collab.stats.compactions, 0);
    expect(compactions).toBeGreaterThan(1);
    expect(await storedBody(cluster.nodes[2]!, name)).toBe(bodyOf(typists[0]!.doc));
  });

  it('repairs a lost message, including a delete-only one, by exchanging state vectors', async () => {
    const idea = await fx.idea(users[0]!, 'Lost message');
    const name = `idea:${idea.id}`;
    const a = peer(urls[0]!, idea.id, { token: users[0]!.token });
    const b = peer(urls[1]!, idea.id, { token: users[1]!.token });
    await Promise.all([synced(a), synced(b)]);
    typeParagraph(a.doc, 'shared start');
    await until(() => bodyOf(b.doc) === 'shared start');
    // A change that node 1 integrates as if from a peer: it is never published, as if Redis lost it.
    const onNode1 = cluster.nodes[0]!.app.collab.loaded(name)!;
    const lost = new Y.Doc();
    Y.applyUpdate(lost, Y.encodeStateAsUpdate(onNode1.ydoc));
    const updates: Uint8Array[] = [];
    lost.on('update', (u: Uint8Array) => updates.push(u));
    typeParagraph(lost, 'never published');
    onNode1.applyPeerUpdate(updates.pop()!);
    await until(() => bodyOf(b.doc) === 'shared start\nnever published');
    // Deletions do not move state vectors; the delete-set digest catches them.
    lost.getXmlFragment(BODY_FIELD).delete(0, 1);
    onNode1.applyPeerUpdate(updates.pop()!);
    expect(bodyOf(onNode1.ydoc)).toBe('never published');
    await until(() => bodyOf(b.doc) === 'never published');
    lost.destroy();
  });
});

describe('collab through a Redis restart', () => {
  let redis: OwnRedis;
  let cluster: Awaited<ReturnType<typeof startCluster>>;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    cluster = await startCluster(2, { redisUrl: redis.url, ...collabSettings({ syncIntervalMs: 500 }) });
  }, 120_000);
  afterEach(() => destroyPeers());
  afterAll(async () => {
    await cluster?.close();
    await redis?.kill();
  });

  it('converges edits made on both nodes while Redis was down', async () => {
    const [n1, n2] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const fx = await communityFixture(n1);
    const [u1, u2] = [await fx.member(), await fx.member()];
    const idea = await fx.idea(u1, 'Redis restart');
    const a = peer(await collabUrl(n1.app), idea.id, { token: u1.token });
    const b = peer(await collabUrl(n2.app), idea.id, { token: u2.token });
    await Promise.all([synced(a), synced(b)]);
    typeParagraph(a.doc, 'before');
    await until(() => bodyOf(b.doc) === 'before');
    await redis.kill();
    typeParagraph(a.doc, 'during from a');
    typeParagraph(b.doc, 'during from b');
    await new Promise((r) => setTimeout(r, 300));
    expect(bodyOf(b.doc)).not.toContain('during from a');
    await redis.up();
    await until(() => bodyOf(a.doc).split('\n').length === 3 && bodyOf(a.doc) === bodyOf(b.doc), 20_000);
    typeParagraph(b.doc, 'after');
    await until(() => bodyOf(a.doc).endsWith('after'), 20_000);
    const rows = await n1.app.db
      .select()
      .from(docUpdates)
      .where(eq(docUpdates.docName, `idea:${idea.id}`));
    expect(rows.length).toBeGreaterThan(0);
  }, 60_000);
});
