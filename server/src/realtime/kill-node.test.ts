import { type ChildProcess, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@cocreate/fanout/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, testConfig } from '../testing/harness.js';
import { ask, connected, startCluster, startNodeProcess, until } from './test-cluster.js';

/**
 * A node killed with SIGKILL says no goodbye: its members must still leave everyone's presence,
 * through the liveness key's expiry and another node's reaper. The victim is a real process
 * (the compiled server); the survivor runs in this process.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('a node killed with SIGKILL', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let victim: ChildProcess | undefined;

  beforeAll(() => {
    const r = spawnSync('npx', ['tsc', '-b'], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
  }, 120_000);
  afterAll(async () => {
    victim?.kill('SIGKILL');
    await cluster?.close();
  });

  it("takes its members out of presence on the other nodes within the TTL", async () => {
    cluster = await startCluster(1, { realtime: { ...testConfig().realtime, tickMs: 100, eventsPerSecond: 20, eventBurst: 40, presenceTtlMs: 1500 } });
    const survivor = cluster.nodes[0]!;
    const fx = await communityFixture(survivor);
    const member = await fx.member();
    const watcherUser = await fx.member();

    const port = await freePort();
    victim = await startNodeProcess(cluster, port, { PRESENCE_TTL_MS: '1500' });

    const watcher = cluster.client(survivor, watcherUser.token);
    await connected(watcher);
    const left: string[] = [];
    const joined: string[] = [];
    watcher.on('presence:diff', (d) => {
      for (const j of d.joined) joined.push(j.key);
      left.push(...d.left);
    });
    expect((await ask(watcher, 'board:join', { boardId: fx.boardId })).ok).toBe(true);

    const onVictim = cluster.client({ ...survivor, url: `http://127.0.0.1:${port}` }, member.token);
    await connected(onVictim);
    expect((await ask(onVictim, 'board:join', { boardId: fx.boardId })).ok).toBe(true);
    await until(() => joined.some((k) => k.startsWith('victim:')));
    const key = joined.find((k) => k.startsWith('victim:'))!;

    victim.kill('SIGKILL');
    await until(() => left.includes(key), 15_000);
    const snapshot = await ask(watcher, 'room:resync', { room: `board:${fx.boardId}` });
    expect(snapshot.snapshot.presence.map((p: { key: string }) => p.key)).not.toContain(key);
  }, 90_000);

  it('brings the other nodes the votes it acknowledged but died before publishing', async () => {
    const survivor = cluster.nodes[0]!;
    const fx = await communityFixture(survivor);
    const voter = await fx.member();
    const watcherUser = await fx.member();
    const idea = await fx.idea(fx.owner, 'Voted as the node died');
    const port = await freePort();
    // Ticks of 5 s on the victim: the vote is acknowledged long before it would be published.
    victim = await startNodeProcess(cluster, port, { PRESENCE_TTL_MS: '1500', TICK_MS: '5000' });

    const watcher = cluster.client(survivor, watcherUser.token);
    await connected(watcher);
    let seen = 0;
    watcher.on('board:ranks', (m) => {
      for (const c of m.changes) if (c.ideaId === idea.id) seen = Math.max(seen, c.version);
    });
    expect((await ask(watcher, 'board:join', { boardId: fx.boardId })).ok).toBe(true);
    const onVictim = cluster.client({ ...survivor, url: `http://127.0.0.1:${port}` }, voter.token);
    await connected(onVictim);
    const ack = await ask(onVictim, 'vote:cast', { ideaId: idea.id, value: 1 });
    expect(ack).toMatchObject({ ok: true, up: 1 });
    victim.kill('SIGKILL');
    // The survivor's reaper finds the node dead; every node reads the boards it watches again.
    await until(() => seen >= ack.version, 15_000);
  }, 90_000);
});
