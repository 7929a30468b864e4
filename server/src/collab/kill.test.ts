import { type ChildProcess, spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createDb } from '@cocreate/db';
import { freePort } from '@cocreate/fanout/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { startCluster, startNodeProcess, TEST_REDIS_URL } from '../realtime/test-cluster.js';
import { communityFixture, testConfig } from '../testing/harness.js';
import { bodyOf, collabSettings, destroyPeers, peer, storedBody, synced, typeParagraph, until } from './testing.js';

/**
 * The durability promise, with a real `kill -9`: the victim is the compiled server in a child
 * process; the other node runs in this process on the same PostgreSQL and Redis.
 */
const root = fileURLToPath(new URL('../../..', import.meta.url));

describe('a collab node killed with SIGKILL', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  const children = new Set<ChildProcess>();

  async function startVictim(port: number): Promise<ChildProcess> {
    const child = await startNodeProcess(cluster, port);
    children.add(child);
    return child;
  }

  function kill(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  beforeAll(async () => {
    const r = spawnSync('npx', ['tsc', '-b'], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stdout + r.stderr);
    // Peers announce every 200 ms here, so a silent one is taken for gone within a second.
    cluster = await startCluster(1, collabSettings({ syncIntervalMs: 200 }));
  }, 180_000);
  afterEach(() => destroyPeers());
  afterAll(async () => {
    for (const child of children) await kill(child);
    await cluster?.close();
  });

  it('loses nothing for an editor who comes back, even when the node dies inside the write window', async () => {
    const fx = await communityFixture(cluster.nodes[0]!);
    const editor = await fx.member();
    const idea = await fx.idea(editor, 'Come back');
    const port = await freePort();
    const victim = await startVictim(port);
    const a = peer(`ws://127.0.0.1:${port}/collab`, idea.id, { token: editor.token });
    await synced(a);
    typeParagraph(a.doc, 'typed as the node died');
    await kill(victim);
    expect(a.provider.shouldConnect).toBe(true);
    await startVictim(port);
    // The provider reconnects by itself and answers the server's sync step 1 with what it lacks.
    const b = peer(`ws://127.0.0.1:${port}/collab`, idea.id, { token: editor.token });
    await synced(b);
    await until(() => bodyOf(b.doc) === 'typed as the node died', 20_000);
  }, 120_000);

  it('stores what a peer relayed and died before writing, while another node still holds the document', async () => {
    const survivor = cluster.nodes[0]!;
    const fx = await communityFixture(survivor);
    const editor = await fx.member();
    const idea = await fx.idea(editor, 'Relayed, never written');
    const port = await freePort();
    const victim = await startVictim(port);
    const url = `ws://127.0.0.1:${(survivor.app.server.address() as AddressInfo).port}/collab`;
    const reader = peer(url, idea.id, { token: editor.token });
    await synced(reader);
    const writer = peer(`ws://127.0.0.1:${port}/collab`, idea.id, { token: editor.token });
    await synced(writer);
    typeParagraph(writer.doc, 'relayed before the crash');
    // The survivor has it (relayed at once); the victim dies inside its write window, and the
    // editor never comes back.
    await until(() => bodyOf(reader.doc) === 'relayed before the crash', 10_000);
    writer.provider.shouldConnect = false;
    await kill(victim);
    writer.destroy();
    const inWindow = (await storedBody(survivor, `idea:${idea.id}`)) !== 'relayed before the crash';
    console.log(`victim killed ${inWindow ? 'inside' : 'after'} its write window`);
    // The survivor notices the silent peer and stores its own copy, the document still open.
    await until(async () => (await storedBody(survivor, `idea:${idea.id}`)) === 'relayed before the crash', 20_000);
    expect(survivor.app.collab.loaded(`idea:${idea.id}`)).toBeDefined();
    reader.destroy();
  }, 120_000);

  // Last: it restarts the in-process node too.
  it('keeps an update whose sender left for good; content survives restarting both nodes', async () => {
    const survivor = cluster.nodes[0]!;
    const fx = await communityFixture(survivor);
    const editor = await fx.member();
    const idea = await fx.idea(editor, 'Kill me');
    const port = await freePort();
    const victim = await startVictim(port);

    const a = peer(`ws://127.0.0.1:${port}/collab`, idea.id, { token: editor.token });
    await synced(a);
    typeParagraph(a.doc, 'sent just before the crash');
    // The update is on the wire before the close frame; the sender never comes back.
    a.destroy();
    await new Promise((r) => setTimeout(r, 200));
    await kill(victim);

    const restarted = await startVictim(port);
    const fresh = peer(`ws://127.0.0.1:${port}/collab`, idea.id, { token: editor.token });
    await synced(fresh);
    await until(() => bodyOf(fresh.doc) === 'sent just before the crash');
    fresh.destroy();

    // Both nodes restart: the in-process one and the child (gracefully this time).
    await kill(restarted);
    await survivor.app.close();
    const database = await createDb({ databaseUrl: cluster.databaseUrl, poolSize: 2 });
    const again = await buildApp(testConfig({ redisUrl: TEST_REDIS_URL, redisPrefix: cluster.prefix, nodeId: 'again' }), {
      database,
      redis: null,
    });
    try {
      await again.listen({ port: 0, host: '127.0.0.1' });
      const url = `ws://127.0.0.1:${(again.server.address() as AddressInfo).port}/collab`;
      const last = peer(url, idea.id, { token: editor.token });
      await synced(last);
      await until(() => bodyOf(last.doc) === 'sent just before the crash');
    } finally {
      destroyPeers();
      await again.close();
      await database.close();
    }
  }, 120_000);
});
