import type { RankChange } from '@cocreate/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../config.js';
import { communityFixture, testConfig } from '../testing/harness.js';
import { ask, connected, startCluster, until } from './test-cluster.js';

/** The benchmark baselines must be real: votes on one node reach watchers on the other through Socket.IO's Redis adapter. */
describe.each(['naive', 'stock-coalesced'] as const)('baseline fan-out mode %s', (fanoutMode) => {
  let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
  afterAll(() => cluster?.close());

  it('carries votes across two nodes and ends exact', async () => {
    const realtime: Config['realtime'] = { ...testConfig().realtime, fanoutMode };
    cluster = await startCluster(2, { realtime });
    const [a, b] = cluster.nodes as [NonNullable<typeof cluster>['nodes'][0], NonNullable<typeof cluster>['nodes'][0]];
    const fx = await communityFixture(a);
    const idea = await fx.idea(fx.owner, 'Baseline');
    const watcher = cluster.client(b);
    await connected(watcher);
    let latest: RankChange | undefined;
    let frames = 0;
    watcher.on('board:ranks', (m) => {
      frames++;
      for (const c of m.changes) if (!latest || c.version > latest.version) latest = c;
    });
    expect((await ask(watcher, 'board:join', { boardId: fx.boardId })).ok).toBe(true);
    const voters = await Promise.all([1, 2, 3, 4, 5].map(() => fx.member()));
    const sockets = voters.map((v) => cluster!.client(a, v.token));
    await Promise.all(sockets.map(connected));
    await Promise.all(sockets.map((s) => ask(s, 'vote:cast', { ideaId: idea.id, value: 1 })));
    await until(() => latest?.up === 5);
    if (fanoutMode === 'naive') expect(frames).toBe(5);
  });
});
