import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { outbox, webhookDeliveries } from '@cocreate/db';
import { eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityFixture, startTestApp, type TestApp, type TestUser, testConfig, testDbKinds } from '../testing/harness.js';
import { AddressPolicy } from './webhooks.js';

/** A real HTTP receiver on loopback that records what it got and answers with the status asked. */
export async function startReceiver() {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  let status = 200;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    got,
    answer(code: number) {
      status = code;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('where webhooks may go', () => {
  const strict = new AddressPolicy();
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '64:ff9b::7f00:1',
    'not-an-ip',
  ])('refuses %s', (ip) => {
    expect(strict.permits(ip)).toBe(false);
  });
  it.each(['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111'])('permits the public address %s', (ip) => {
    expect(strict.permits(ip)).toBe(true);
  });
  it('permits internal ranges only as far as the operator allowed them', () => {
    const loose = new AddressPolicy([{ address: '127.0.0.1', prefix: 32, family: 'ipv4' }]);
    expect(loose.permits('127.0.0.1')).toBe(true);
    expect(loose.permits('127.0.0.2')).toBe(false);
    expect(loose.permits('10.0.0.1')).toBe(false);
  });
  it.each([
    ['ftp://example.com/x', 'http or https'],
    ['http://user:pw@example.com/', 'credentials'],
    ['http://localhost:9/', 'internal'],
    ['http://0x7f000001/', 'internal'],
    ['http://2130706433/', 'internal'],
    ['http://[::1]:8080/', 'internal'],
    ['http://169.254.169.254/latest/meta-data', 'internal'],
    ['http://no-such-host.invalid/', 'does not resolve'],
    ['not a url', 'not a valid URL'],
  ])('refuses to register %s', async (url, why) => {
    await expect(strict.assertUrl(url)).rejects.toThrow(why);
  });
  it('refuses, at connection time, a name that resolves to an internal address', async () => {
    const err = await new Promise<Error | null>((resolve) => strict.lookup('localhost', {}, (e) => resolve(e)));
    expect(err?.message).toMatch(/internal addresses/);
  });
});

describe.each(testDbKinds())('webhooks on %s', (kind) => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof communityFixture>>;
  let team: TestUser;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    t = await startTestApp(kind, {
      config: { pipeline: { ...testConfig().pipeline, webhookAllowedPrivate: [{ address: '127.0.0.1', prefix: 32, family: 'ipv4' }], backoffMs: 10, maxAttempts: 3 } },
    });
    f = await communityFixture(t);
    team = await f.member('team');
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const register = (as: TestUser, body: unknown) => t.api('POST', `/api/communities/${f.slug}/webhooks`, { as, body });
  /** Runs the worker until every job, retries included, is done or dead. */
  const settle = async () => {
    for (let i = 0; i < 100; i++) {
      await t.app.pipeline.worker.drain();
      const pending = await t.app.db.select({ id: outbox.id }).from(outbox).where(eq(outbox.status, 'pending')).limit(1);
      if (pending.length === 0) return;
      await new Promise((r) => setTimeout(r, 30));
    }
    throw new Error('outbox did not settle');
  };

  it('registers for admins only, refuses internal URLs, and shows the secret once', async () => {
    expect((await register(team, { url: receiver.url, events: ['idea.status_changed'] })).statusCode).toBe(403);
    const internal = await register(f.owner, { url: 'http://10.0.0.7/hook', events: ['idea.status_changed'] });
    expect(internal.statusCode).toBe(400);
    expect(internal.json().code).toBe('VALIDATION_FAILED');
    expect((await register(f.owner, { url: receiver.url, events: ['no.such.event'] })).statusCode).toBe(400);
    expect((await register(f.owner, { url: 'javascript:alert(1)', events: ['idea.created'] })).statusCode).toBe(400);
    const created = await register(f.owner, { url: receiver.url, events: ['idea.status_changed', 'changelog.published'] });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().secret).toMatch(/^whsec_/);
    const list = await t.api('GET', `/api/communities/${f.slug}/webhooks`, { as: f.owner });
    expect(list.json().items).toHaveLength(1);
    expect(JSON.stringify(list.json())).not.toContain('whsec_');
    expect((await t.api('GET', `/api/communities/${f.slug}/webhooks`, { as: team })).statusCode).toBe(403);
    await t.api('DELETE', `/api/webhooks/${created.json().id}`, { as: f.owner });
  });

  it('delivers signed events a Standard Webhooks verifier accepts, retries failures, dies, and redelivers', async () => {
    const created = (await register(f.owner, { url: receiver.url, events: ['idea.status_changed'] })).json() as { id: string; secret: string };
    const idea = await f.idea(await f.member(), 'Webhook me');
    receiver.got.length = 0;
    expect((await t.api('POST', `/api/ideas/${idea.id}/status`, { as: team, body: { status: 'under_review' } })).statusCode).toBe(200);
    await settle();
    expect(receiver.got).toHaveLength(1);
    const first = receiver.got[0]!;
    const verified = new Webhook(created.secret).verify(first.body, first.headers as Record<string, string>) as { type: string; data: { ideaId: string; to: string } };
    expect(verified).toMatchObject({ type: 'idea.status_changed', data: { ideaId: idea.id, to: 'under_review' } });
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(first.body, first.headers as Record<string, string>)).toThrow();

    // A receiver that fails: retried with backoff, then dead after the last attempt.
    receiver.answer(500);
    receiver.got.length = 0;
    expect((await t.api('POST', `/api/ideas/${idea.id}/status`, { as: team, body: { status: 'accepted' } })).statusCode).toBe(200);
    await settle();
    expect(receiver.got).toHaveLength(3);
    expect(new Set(receiver.got.map((g) => g.headers['webhook-id'])).size).toBe(1);
    const log = (await t.api('GET', `/api/webhooks/${created.id}/deliveries`, { as: f.owner })).json().items as {
      id: string;
      status: string;
      attempts: number;
      responseStatus: number | null;
      eventType: string;
    }[];
    expect(log.map((d) => [d.status, d.attempts, d.responseStatus])).toEqual([
      ['dead', 3, 500],
      ['delivered', 1, 200],
    ]);

    // Fixed receiver, manual redeliver: the same message id arrives and is accepted.
    receiver.answer(200);
    const dead = log[0]!;
    expect((await t.api('POST', `/api/webhooks/deliveries/${dead.id}/redeliver`, { as: team, body: {} })).statusCode).toBe(404);
    expect((await t.api('POST', `/api/webhooks/deliveries/${dead.id}/redeliver`, { as: f.owner, body: {} })).statusCode).toBe(202);
    await settle();
    expect(receiver.got).toHaveLength(4);
    expect(receiver.got[3]!.headers['webhook-id']).toBe(receiver.got[0]!.headers['webhook-id']);
    const [row] = await t.app.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, dead.id));
    expect(row).toMatchObject({ status: 'delivered', responseStatus: 200 });

    // Switched off: nothing goes out.
    await t.api('PATCH', `/api/webhooks/${created.id}`, { as: f.owner, body: { active: false } });
    receiver.got.length = 0;
    expect((await t.api('POST', `/api/ideas/${idea.id}/status`, { as: team, body: { status: 'planned' } })).statusCode).toBe(200);
    await settle();
    expect(receiver.got).toEqual([]);
  });
});
