import type { FanOut } from '@cocreate/fanout';
import * as Y from 'yjs';
import type { CollabDoc } from './doc.js';

/**
 * Documents across nodes, through the fan-out on one channel per document (`doc:<name>`).
 * Updates and awareness go out as they happen. Because a Redis message can be lost, nodes holding a
 * document also announce their state vector (and a digest of their delete set) every few seconds
 * and on load; a node that sees a peer lacking something sends it the difference.
 *
 * Messages are strings (the fan-out's contract): `<kind>|<from>|<to>|<digest>|<base64 bytes>`.
 */

export const docChannel = (docName: string) => `doc:${docName}`;

type Kind = 'u' | 'a' | 's' | 'd';
interface PeerMessage {
  kind: Kind;
  from: string;
  to: string;
  digest: string;
  bytes: Uint8Array;
}

export function encodePeerMessage(m: PeerMessage): string {
  return `${m.kind}|${m.from}|${m.to}|${m.digest}|${Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength).toString('base64')}`;
}

/**
 * Decodes a peer message, or null when it is malformed or not for `self` (the fan-out delivers a
 * node's own messages back to it; those are skipped before their payload is decoded).
 */
export function decodePeerMessage(raw: string, self?: string): PeerMessage | null {
  const parts = raw.split('|', 5);
  if (parts.length !== 5) return null;
  const [kind, from, to, digest, b64] = parts as [string, string, string, string, string];
  if (kind !== 'u' && kind !== 'a' && kind !== 's' && kind !== 'd') return null;
  if (self !== undefined && (from === self || (to !== '' && to !== self))) return null;
  return { kind, from, to, digest, bytes: new Uint8Array(Buffer.from(b64, 'base64')) };
}

/** A node answers a peer's announcement with its own at most this often per document. */
const ANNOUNCE_THROTTLE_MS = 1_000;

export interface PeerStats {
  diffsSent: number;
  diffsReceived: number;
  announcements: number;
  badMessages: number;
}

export class PeerExchange {
  readonly stats: PeerStats = { diffsSent: 0, diffsReceived: 0, announcements: 0, badMessages: 0 };
  private readonly lastAnnounce = new WeakMap<CollabDoc, number>();
  /** Per document, the peers that sent this node updates, and when each was last heard from. */
  private readonly writers = new WeakMap<CollabDoc, Map<string, number>>();

  constructor(
    private readonly fanout: FanOut,
    /** Unique per process, so a restarted node with the same NODE_ID is still another peer. */
    readonly instanceId: string,
    private readonly onError: (err: unknown, what: string) => void,
  ) {}

  /** Listens to a document's channel; messages that arrive before `ready()` are held back. */
  subscribe(doc: CollabDoc): { ready: () => void; unsubscribe: () => void } {
    let held: string[] | null = [];
    const unsubscribe = this.fanout.subscribe(docChannel(doc.name), (raw) => {
      if (held) held.push(raw);
      else this.receive(doc, raw);
    });
    return {
      ready: () => {
        const backlog = held ?? [];
        held = null;
        for (const raw of backlog) this.receive(doc, raw);
      },
      unsubscribe,
    };
  }

  publishUpdate(doc: CollabDoc, update: Uint8Array): void {
    this.send(doc, { kind: 'u', to: '', digest: '', bytes: update });
  }

  publishAwareness(doc: CollabDoc, update: Uint8Array): void {
    this.send(doc, { kind: 'a', to: '', digest: '', bytes: update });
  }

  /** Tells the other nodes what this node has, so they send what it lacks (and learn what they lack). */
  announce(doc: CollabDoc): void {
    this.lastAnnounce.set(doc, Date.now());
    this.stats.announcements++;
    this.send(doc, { kind: 's', to: '', digest: doc.deleteDigest(), bytes: Y.encodeStateVector(doc.ydoc) });
  }

  private send(doc: CollabDoc, m: Omit<PeerMessage, 'from'>): void {
    this.fanout.publish(docChannel(doc.name), encodePeerMessage({ ...m, from: this.instanceId }));
  }

  /**
   * Peers that sent this node updates and have not been heard from (not even their periodic
   * announcement) for `silentMs`: they may have died before storing what they relayed. Each is
   * reported once; the caller stores its own copy of the document.
   */
  goneWriters(doc: CollabDoc, silentMs: number, now = Date.now()): string[] {
    const peers = this.writers.get(doc);
    if (!peers) return [];
    const gone = [...peers].filter(([, seen]) => now - seen > silentMs).map(([peer]) => peer);
    for (const peer of gone) peers.delete(peer);
    return gone;
  }

  private heard(doc: CollabDoc, from: string, kind: Kind): void {
    let peers = this.writers.get(doc);
    if (kind === 'u' || kind === 'd') {
      if (!peers) this.writers.set(doc, (peers = new Map()));
      peers.set(from, Date.now());
    } else if (peers?.has(from)) {
      peers.set(from, Date.now());
    }
  }

  private receive(doc: CollabDoc, raw: string): void {
    const m = decodePeerMessage(raw, this.instanceId);
    if (!m) return;
    this.heard(doc, m.from, m.kind);
    try {
      switch (m.kind) {
        case 'u':
          doc.applyPeerUpdate(m.bytes);
          break;
        case 'd':
          this.stats.diffsReceived++;
          doc.applyPeerUpdate(m.bytes);
          break;
        case 'a':
          doc.applyPeerAwareness(m.bytes);
          break;
        case 's':
          this.answer(doc, m.from, m.bytes, m.digest);
          break;
      }
    } catch (err) {
      this.stats.badMessages++;
      this.onError(err, `peer message ${m.kind}`);
    }
  }

  private answer(doc: CollabDoc, peer: string, encodedVector: Uint8Array, digest: string): void {
    const theirs = Y.decodeStateVector(encodedVector);
    const mine = Y.decodeStateVector(Y.encodeStateVector(doc.ydoc));
    const theyLack = [...mine].some(([client, clock]) => clock > (theirs.get(client) ?? 0));
    const iLack = [...theirs].some(([client, clock]) => clock > (mine.get(client) ?? 0));
    // Equal vectors but different deletions: a delete-only update went missing on one side.
    const deletesDiffer = !theyLack && !iLack && digest !== doc.deleteDigest();
    if (theyLack || deletesDiffer) {
      this.stats.diffsSent++;
      this.send(doc, { kind: 'd', to: peer, digest: '', bytes: Y.encodeStateAsUpdate(doc.ydoc, encodedVector) });
    }
    if ((iLack || deletesDiffer) && Date.now() - (this.lastAnnounce.get(doc) ?? 0) > ANNOUNCE_THROTTLE_MS) this.announce(doc);
  }
}
