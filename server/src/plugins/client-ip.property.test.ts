import fc from 'fast-check';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../config.js';
import { clientIpResolver } from './client-ip.js';

/**
 * Socket upgrades never become Fastify requests, so their client address is decided by
 * clientIpResolver: it must agree with Fastify's own `request.ip` for every TRUST_PROXY setting
 * and every X-Forwarded-For a client may send, or a per-address limit could be dodged on sockets.
 */

const SETTINGS: Config['trustProxy'][] = [false, true, 1, 3, ['127.0.0.1'], ['10.0.0.0/8', '127.0.0.1'], ['192.168.0.0/16', '::1', 'fd00::/8']];

const ipv4 = fc.oneof(
  fc.ipV4(),
  fc.constantFrom('127.0.0.1', '10.1.2.3', '10.255.0.1', '192.168.1.1', '203.0.113.9'),
);
const ipv6 = fc.oneof(fc.ipV6(), fc.constantFrom('::1', 'fd00::5', '::ffff:10.0.0.1'));
const hop = fc.oneof(ipv4, ipv6, fc.constantFrom('unknown', '', ' ', 'not-an-ip', '1.2.3.4.5'));
const xff = fc.option(
  fc.tuple(fc.array(hop, { maxLength: 6 }), fc.constantFrom(',', ', ', ' ,', ',\t')).map(([hops, sep]) => hops.join(sep)),
  { nil: undefined },
);
const remote = fc.oneof(ipv4, fc.constantFrom('127.0.0.1', '10.0.0.7', '::1', '192.168.3.4', 'fd00::1'));

describe('clientIpResolver agrees with Fastify request.ip', () => {
  const apps: FastifyInstance[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
  });

  it.each(SETTINGS.map((s) => [JSON.stringify(s), s] as const))('TRUST_PROXY %s', async (_name, trustProxy) => {
    const app = Fastify({ trustProxy: trustProxy as boolean | string[] });
    apps.push(app);
    app.get('/ip', async (request) => ({ ip: request.ip }));
    await app.ready();
    const resolve = clientIpResolver(trustProxy);
    await fc.assert(
      fc.asyncProperty(remote, xff, async (remoteAddress, forwarded) => {
        const headers: Record<string, string> = forwarded === undefined ? {} : { 'x-forwarded-for': forwarded };
        const res = await app.inject({ method: 'GET', url: '/ip', remoteAddress, headers });
        const ours = resolve({ headers, socket: { remoteAddress } as never });
        expect(ours).toBe((res.json() as { ip: string }).ip);
      }),
      { numRuns: 300 },
    );
  });

  it('trusts nobody for a bare hop count, as Fastify 5 does: give the proxies’ addresses instead', () => {
    const req = { headers: { 'x-forwarded-for': '203.0.113.9' }, socket: { remoteAddress: '10.0.0.2' } as never };
    expect(clientIpResolver(1)(req)).toBe('10.0.0.2');
    expect(clientIpResolver(['10.0.0.0/8'])(req)).toBe('203.0.113.9');
  });
});
