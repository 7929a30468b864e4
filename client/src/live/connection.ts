/** The live connection's state, as the banner and the screens see it, and a tiny store for it. */

export type Phase = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface ConnectionState {
  phase: Phase;
  /** A connection has worked at least once since the page loaded. */
  everConnected: boolean;
  /** Rooms still wait for their snapshot after a (re)connect. */
  syncing: boolean;
  /** The connection was lost and the screens are not caught up yet. */
  recovering: boolean;
  /** Failed attempts since the last working connection. */
  failures: number;
}

export const INITIAL_CONNECTION: ConnectionState = {
  phase: 'idle',
  everConnected: false,
  syncing: false,
  recovering: false,
  failures: 0,
};

export type ConnectionInput =
  | { type: 'open' }
  | { type: 'connected' }
  | { type: 'disconnected' }
  | { type: 'failed' }
  | { type: 'offline' }
  | { type: 'online' }
  | { type: 'syncing'; value: boolean };

export function reduceConnection(s: ConnectionState, input: ConnectionInput): ConnectionState {
  const trying: Phase = s.everConnected ? 'reconnecting' : 'connecting';
  switch (input.type) {
    case 'open':
      return s.phase === 'offline' || s.phase === 'connected' ? s : { ...s, phase: trying };
    case 'connected':
      return { ...s, phase: 'connected', everConnected: true, failures: 0, recovering: s.recovering && s.syncing };
    case 'disconnected':
      if (s.phase === 'offline') return s;
      return { ...s, phase: 'reconnecting', recovering: s.everConnected || s.recovering };
    case 'failed':
      if (s.phase === 'offline') return { ...s, failures: s.failures + 1 };
      return { ...s, phase: 'reconnecting', failures: s.failures + 1, recovering: true };
    case 'offline':
      return { ...s, phase: 'offline', recovering: s.phase !== 'idle' || s.recovering };
    case 'online':
      return s.phase === 'offline' ? { ...s, phase: trying } : s;
    case 'syncing':
      return {
        ...s,
        syncing: input.value,
        recovering: input.value ? s.recovering : s.recovering && s.phase !== 'connected',
      };
  }
}

export type BannerKind = 'offline' | 'reconnecting' | 'catching-up';

export interface Banner {
  kind: BannerKind;
  text: string;
}

/** What the connection banner says; null when the live view is up to date (or not in use). */
export function bannerFor(s: ConnectionState): Banner | null {
  if (s.phase === 'offline') return { kind: 'offline', text: 'Offline — changes will show when you’re back.' };
  if (s.phase === 'reconnecting') return { kind: 'reconnecting', text: 'Reconnecting…' };
  if (s.phase === 'connected' && s.recovering) return { kind: 'catching-up', text: 'Back online — catching up…' };
  return null;
}

/** A minimal external store for `useSyncExternalStore`. */
export class Store<T> {
  private readonly listeners = new Set<() => void>();
  constructor(private value: T) {}

  get = (): T => this.value;

  set(next: T): void {
    if (Object.is(next, this.value)) return;
    this.value = next;
    for (const l of [...this.listeners]) l();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

/** Delay before reconnecting after the server closed the connection: 1 s, 2 s, 4 s … up to 30 s, ±25 %. */
export function backoffDelay(attempt: number, random: number = Math.random(), baseMs = 1000, maxMs = 30_000): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(raw * (0.75 + random * 0.5));
}
