import type { ChildProcess } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { notifications, outbox, webhookDeliveries } from '@cocreate/db';
import { and, eq, sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@cocreate/fanout/testing';
import { startCluster, startNodeProcess, until } from '../realtime/test-cluster.js';
import { communityFixture, testConfig } from '../testing/harness.js';

/**
 * A worker killed with SIGKILL between the commit of a change and the delivery of its webhook: the
 * event is not lost (another node's worker takes the job once its lease runs out) and no side
 * effect happens twice (one stored notification per member; the receiver sees one message id,
 * twice, which Standard Webhooks receivers dedupe). A real HTTP receiver, a real process kill.
 */
describe('pipeline worker killed mid-delivery', () => {
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  let victim: ChildProcess | undefined;
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  let onFirst: (() => void) | undefined;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      // The first delivery never gets an answer: its worker dies while waiting for it.
      if (got.length === 1) return onFirst?.();
      res.writeHead(204).end();
    });
  });
  const allowLoopback = [{ address: '127.0.0.1', prefix: 32, family: 'ipv4' as const }];

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    // One node in this process, its worker off for now (it is the one that takes over).
    cluster = await startCluster(1, { pipeline: { ...testConfig().pipeline, worker: false, pollMs: 50, leaseMs: 1_000, webhookAllowedPrivate: allowLoopback } });
  });
  afterAll(async () => {
    victim?.kill('SIGKILL');
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await cluster.close();
  });

  it('loses no event and duplicates no side effect', async () => {
    const [node] = cluster.nodes;
    const f = await communityFixture(node!);
    const team = await f.member('team');
    const voters = [await f.member(), await f.member()];
    const idea = await f.idea(await f.member(), 'Survive a crash');
    for (const v of voters) await node!.api('PUT', `/api/ideas/${idea.id}/vote`, { as: v, body: { value: 1 } });
    const { port } = receiver.address() as AddressInfo;
    const hook = await node!.api('POST', `/api/communities/${f.slug}/webhooks`, { as: f.owner, body: { url: `http://127.0.0.1:${port}/in`, events: ['idea.status_changed'] } });
    expect(hook.statusCode, hook.body).toBe(201);
    const secret = hook.json().secret as string;

    // The victim: a separate node process running the worker.
    const killed = new Promise<void>((resolve) => {
      onFirst = () => {
        victim!.kill('SIGKILL');
        resolve();
      };
    });
    victim = await startNodeProcess(cluster, await freePort(), {
      PIPELINE_WORKER: 'true',
      OUTBOX_POLL_MS: '50',
      OUTBOX_LEASE_MS: '1000',
      WEBHOOK_ALLOWED_PRIVATE: '127.0.0.1',
      PUBLIC_ORIGINS: 'http://app.example',
    });
    const exited = new Promise<void>((resolve) => victim!.once('exit', () => resolve()));
    expect((await node!.api('POST', `/api/ideas/${idea.id}/status`, { as: team, body: { status: 'accepted' } })).statusCode).toBe(200);
    await killed;
    await exited;

    // The job is still pending (leased by a dead worker); this node's worker takes it over.
    node!.app.pipeline.worker.start();
    await until(() => got.length >= 2, 20_000);
    await until(async () => {
      const [d] = await node!.app.db.select().from(webhookDeliveries);
      return d?.status === 'delivered';
    });
    await node!.app.pipeline.worker.stop();

    expect(got).toHaveLength(2);
    expect(got[1]!.headers['webhook-id']).toBe(got[0]!.headers['webhook-id']);
    for (const g of got) expect(new Webhook(secret).verify(g.body, g.headers as Record<string, string>)).toMatchObject({ data: { ideaId: idea.id, to: 'accepted' } });
    const deliveries = await node!.app.db.select().from(webhookDeliveries);
    expect(deliveries).toHaveLength(1);
    for (const v of voters) {
      const mine = await node!.app.db
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, v.id), eq(notifications.kind, 'idea.status_changed')));
      expect(mine).toHaveLength(1);
    }
    const jobs = await node!.app.db.select().from(outbox).where(sql`${outbox.status} <> 'done'`);
    expect(jobs).toEqual([]);
    const [deliver] = await node!.app.db.select().from(outbox).where(eq(outbox.topic, 'webhook.deliver'));
    expect(deliver!.attempts).toBe(2);
  });
});
