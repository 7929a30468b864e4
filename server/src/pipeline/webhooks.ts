import { randomBytes } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { invalid } from '../errors.js';

/**
 * Outgoing webhooks: where they may go, how they are signed, and one delivery attempt.
 *
 * Signing follows the Standard Webhooks convention (webhook-id, webhook-timestamp,
 * webhook-signature = v1,base64(HMAC-SHA256(secret, "id.timestamp.body"))) through its reference
 * library, so any receiver using a Standard Webhooks verifier accepts them.
 *
 * Server-side request forgery: a webhook never reaches loopback, private, link-local, multicast or
 * otherwise internal addresses unless the operator allowed those ranges (WEBHOOK_ALLOWED_PRIVATE).
 * The check runs when the URL is registered and again on every connection, inside the DNS lookup
 * the connection itself uses, so a name that later resolves elsewhere (DNS rebinding) is caught.
 * Redirects are not followed.
 */

/** Address ranges that are not the public internet (IANA special-purpose registries). */
const INTERNAL: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.88.99.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  // IPv4-mapped and NAT64 forms would smuggle any IPv4 address past the IPv4 rules.
  ['::ffff:0:0', 96, 'ipv6'],
  ['64:ff9b::', 96, 'ipv6'],
  ['64:ff9b:1::', 48, 'ipv6'],
  ['100::', 64, 'ipv6'],
  ['2001::', 23, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['2002::', 16, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

export class AddressPolicy {
  // One list per family: Node's BlockList also matches IPv4 addresses against IPv6 rules (as
  // IPv4-mapped), which would make the ::ffff:0:0/96 rule refuse every IPv4 address.
  private readonly internal = { ipv4: new BlockList(), ipv6: new BlockList() };
  private readonly allowed = { ipv4: new BlockList(), ipv6: new BlockList() };

  constructor(allowedPrivate: readonly Cidr[] = []) {
    for (const [address, prefix, family] of INTERNAL) this.internal[family].addSubnet(address, prefix, family);
    for (const c of allowedPrivate) this.allowed[c.family].addSubnet(c.address, c.prefix, c.family);
  }

  /** Whether a webhook may connect to this IP address. */
  permits(ip: string): boolean {
    const family = isIP(ip);
    if (!family) return false;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    return !this.internal[type].check(ip, type) || this.allowed[type].check(ip, type);
  }

  /** A `lookup` for http.request that refuses to hand out a forbidden address. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = (addresses as unknown as LookupAddress[]).filter((a) => this.permits(a.address));
      if (list.length === 0) {
        const refused = Object.assign(new Error(`${hostname} resolves only to internal addresses`), { code: 'EADDRNOTALLOWED' });
        return callback(refused, '', 4);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };

  /** Refuses (VALIDATION_FAILED) a URL a webhook may not use: wrong scheme, credentials, or an internal address. */
  async assertUrl(raw: string): Promise<URL> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalid('the webhook URL is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('webhook URLs must be http or https');
    if (url.username || url.password) throw invalid('webhook URLs may not carry credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : await resolveAll(host);
    if (addresses.length === 0) throw invalid(`the webhook host ${host} does not resolve`);
    if (!addresses.every((a) => this.permits(a))) throw invalid('webhook URLs may not point at internal addresses');
    return url;
  }
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve) => {
    dnsLookup(host, { all: true }, (err, addresses) => resolve(err ? [] : addresses.map((a) => a.address)));
  });
}

/** A new signing secret, in the Standard Webhooks form `whsec_<base64 of 32 random bytes>`. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

/** The headers and body of one message; the id stays the same on every retry, so receivers can dedupe. */
export function signMessage(secret: string, messageId: string, body: string, at = new Date()): SignedRequest {
  const signature = new Webhook(secret).sign(messageId, at, body);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'cocreate-webhooks/1',
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
  };
}

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  /** The response body (first 2 KiB) or the network error. */
  detail: string;
}

const MAX_RESPONSE_BYTES = 2_048;

/** One POST; never throws. 2xx is success; anything else, a redirect included, is a failure to retry. */
export function attemptDelivery(url: URL, request: SignedRequest, policy: AddressPolicy, timeoutMs: number): Promise<AttemptResult> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // An address in the URL skips the DNS lookup, so it is checked here.
  if (isIP(host) && !policy.permits(host)) return Promise.resolve({ ok: false, status: null, detail: `${host} is an internal address` });
  return new Promise((resolve) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: policy.lookup,
        // A fresh connection per delivery: a pooled one could outlive the address check.
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve({ ok: status >= 200 && status < 300, status, detail: Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_BYTES) });
        });
        res.on('error', (err) => resolve({ ok: false, status: res.statusCode ?? null, detail: err.message }));
      },
    );
    // One deadline for the whole delivery (connect, send, answer), not an idle timer per socket.
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => resolve({ ok: false, status: null, detail: err.message }));
    req.on('close', () => clearTimeout(deadline));
    req.end(request.body);
  });
}
