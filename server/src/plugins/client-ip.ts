import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { Config } from '../config.js';

/**
 * The client address of a raw request (a socket upgrade, which never becomes a Fastify request),
 * decided exactly as Fastify decides `request.ip` for the same TRUST_PROXY: walk X-Forwarded-For
 * from the nearest hop while the hop is trusted. A hop count trusts nobody, as in Fastify 5 (it
 * cannot check the immediate peer).
 */
export function clientIpResolver(trustProxy: Config['trustProxy']): (req: Pick<IncomingMessage, 'headers' | 'socket'>) => string {
  const trusted = trustFunction(trustProxy);
  return (req) => {
    const remote = req.socket.remoteAddress ?? '';
    if (!trusted) return remote;
    const chain = [remote, ...forwardedFor(req.headers['x-forwarded-for'])];
    for (let i = 0; i < chain.length - 1; i++) {
      if (!trusted(chain[i] as string)) return chain[i] as string;
    }
    return chain[chain.length - 1] as string;
  };
}

/** X-Forwarded-For entries, nearest hop first. */
function forwardedFor(header: string | string[] | undefined): string[] {
  if (typeof header !== 'string') return [];
  return header
    .split(',')
    .map((s) => s.replace(/^[ \t]+|[ \t]+$/g, ''))
    .filter((s) => s.length > 0)
    .reverse();
}

function trustFunction(trustProxy: Config['trustProxy']): ((addr: string) => boolean) | null {
  if (trustProxy === false) return null;
  if (trustProxy === true) return () => true;
  if (typeof trustProxy === 'number') return () => false;
  const list = new BlockList();
  for (const entry of trustProxy) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return (addr) => {
    const family = isIP(addr);
    if (family === 0) return false;
    return list.check(addr, family === 6 ? 'ipv6' : 'ipv4');
  };
}
