import type { IncomingMessage } from 'node:http';

/** What the socket transports ask before they do any work for a new connection. */
export interface ConnectionLimits {
  /** The client address of an upgrade or handshake request, as `request.ip` would be (TRUST_PROXY). */
  clientIp(req: Pick<IncomingMessage, 'headers' | 'socket'>): string;
  /** Counts one handshake for `ip`; false past RATE_LIMIT_HANDSHAKES_PER_IP in the window. */
  handshake(ip: string): Promise<boolean>;
  /** Holds one guest (no session) connection slot for `ip`; null when the address has none left. */
  guest(ip: string): (() => void) | null;
  /**
   * Holds one slot for a bare connection of `ip`: open, but not yet past its handshake (a raw
   * Engine.IO connection before its Socket.IO CONNECT); null when the address has none left.
   */
  bare(ip: string): (() => void) | null;
}

/**
 * Open connections without a session, per client address, on this node: guests cost a socket each
 * and prove nothing, so one address may hold only so many at once. The release is idempotent.
 */
export class GuestSlots {
  private readonly open = new Map<string, number>();
  constructor(private readonly perIp: number) {}

  take(ip: string): (() => void) | null {
    const held = this.open.get(ip) ?? 0;
    if (held >= this.perIp) return null;
    this.open.set(ip, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.open.get(ip) ?? 1) - 1;
      if (now <= 0) this.open.delete(ip);
      else this.open.set(ip, now);
    };
  }

  held(ip: string): number {
    return this.open.get(ip) ?? 0;
  }
}
