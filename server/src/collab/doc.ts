import type { ErrorCode } from '@cocreate/protocol';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { BODY_FIELD } from './body.js';
import { deleteSetDigest, dropPending, inspectUpdate, pendingBytes } from './guard.js';
import {
  type AwarenessEntry,
  awarenessMessage,
  decodeAwareness,
  encodeAwareness,
  MAX_AWARENESS_ENTRIES,
  syncStep1Message,
  updateMessage,
} from './wire.js';

/** Transaction origins that are not a local connection. */
export const FROM_PEER = Symbol('peer');
export const FROM_STORE = Symbol('store');
export const FROM_SEED = Symbol('seed');

/** What the room needs of a connection. */
export interface DocMember {
  readonly userId: string | null;
  /** The awareness `user` field, from the session: never taken from the client. */
  readonly identity: { id: string | null; name: string; color: string };
  /** Awareness client ids this connection speaks for. */
  readonly clientIds: Set<number>;
  send(frame: Uint8Array): void;
}

export interface Refusal {
  code: ErrorCode;
  message: string;
}

export interface DocHooks {
  /** An update from a connection (or the seed) was integrated: store and publish it. */
  localUpdate(doc: CollabDoc, update: Uint8Array, author: DocMember | null): void;
  /** An awareness change from a local connection: publish it to the other nodes. */
  localAwareness(doc: CollabDoc, update: Uint8Array): void;
}

export interface DocLimits {
  maxDocBytes: number;
  maxPendingBytes: number;
}

/**
 * One loaded document: the Yjs doc, its awareness, and the local connections. Every integrated
 * change, whatever its origin, goes out to the local connections (but back to its sender only for
 * awareness); changes from local connections also go to the hooks (storage and other nodes).
 */
export class CollabDoc {
  readonly ydoc = new Y.Doc({ gc: true });
  readonly awareness: Awareness;
  readonly members = new Set<DocMember>();
  /**
   * Approximate encoded size: what was loaded plus every change since. It only grows (deletions
   * and overlaps are not subtracted), so it is measured for real before it refuses anything, and
   * reset by compaction.
   */
  bytes = 0;
  private measuredAt = 0;
  /** Bumped by every integrated change. */
  version = 0;
  private readonly owners = new Map<number, DocMember>();
  private digest = { version: -1, value: '' };

  constructor(
    readonly name: string,
    readonly ideaId: string,
    readonly authorId: string | null,
    private readonly limits: DocLimits,
    private readonly hooks: DocHooks,
  ) {
    this.ydoc.getXmlFragment(BODY_FIELD);
    this.awareness = new Awareness(this.ydoc);
    // The server is no participant: it has no awareness state of its own.
    this.awareness.setLocalState(null);
    this.ydoc.on('update', (update: Uint8Array, origin: unknown) => this.onUpdate(update, origin));
    this.awareness.on('update', (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) =>
      this.onAwareness(change, origin),
    );
  }

  join(member: DocMember): void {
    this.members.add(member);
    member.send(syncStep1Message(this.ydoc));
    const states = [...this.awareness.getStates().keys()];
    if (states.length > 0) member.send(awarenessMessage(encodeAwarenessUpdate(this.awareness, states)));
  }

  leave(member: DocMember): void {
    if (!this.members.delete(member)) return;
    const mine = [...member.clientIds].filter((id) => this.owners.get(id) === member);
    if (mine.length > 0) removeAwarenessStates(this.awareness, mine, null);
  }

  /** A client's update (sync step 2 or update): checked, then applied. A refusal closes the sender. */
  receiveUpdate(member: DocMember, update: Uint8Array): Refusal | null {
    if (this.bytes + update.length > this.limits.maxDocBytes) {
      this.measure();
      if (this.bytes + update.length > this.limits.maxDocBytes) return { code: 'PAYLOAD_TOO_LARGE', message: 'document too large' };
    }
    const check = inspectUpdate(update, (client) => Y.getState(this.ydoc.store, client), this.ydoc);
    if (!check.ok) return { code: 'VALIDATION_FAILED', message: check.message };
    if (check.pending > 0 && pendingBytes(this.ydoc) + update.length > this.limits.maxPendingBytes) {
      // Honest clients get here only in a race; reconnecting resends their whole state.
      return { code: 'UNAVAILABLE', message: 'update depends on missing data; reconnect' };
    }
    try {
      Y.applyUpdate(this.ydoc, update, member);
    } catch {
      return { code: 'VALIDATION_FAILED', message: 'the update does not apply' };
    }
    if (pendingBytes(this.ydoc) > this.limits.maxPendingBytes) {
      // Dependencies that reference each other slip past the check above; nothing pending was stored.
      dropPending(this.ydoc);
      return { code: 'UNAVAILABLE', message: 'update depends on missing data; reconnect' };
    }
    return null;
  }

  /** A client's awareness update, with identity rewritten from the session. */
  receiveAwareness(member: DocMember, update: Uint8Array): Refusal | null {
    let entries: AwarenessEntry[];
    try {
      entries = decodeAwareness(update);
    } catch {
      return { code: 'VALIDATION_FAILED', message: 'malformed awareness update' };
    }
    const accepted: AwarenessEntry[] = [];
    for (const entry of entries) {
      // Another user's client (on this node, or another node's, whose state carries its user): not yours.
      // The same user may take a client over (a reconnect, perhaps through another node).
      const owner = this.owners.get(entry.clientId);
      const existing = this.awareness.getStates().get(entry.clientId) as { user?: { id?: unknown } } | undefined;
      const holder = owner ? owner.userId : existing ? (existing.user?.id ?? null) : undefined;
      if (owner !== member && holder !== undefined && holder !== member.userId) continue;
      if (!member.clientIds.has(entry.clientId) && member.clientIds.size >= MAX_AWARENESS_ENTRIES) {
        return { code: 'VALIDATION_FAILED', message: 'too many awareness clients' };
      }
      accepted.push(entry.state === null ? entry : { ...entry, state: { ...entry.state, user: member.identity } });
    }
    if (accepted.length > 0) applyAwarenessUpdate(this.awareness, encodeAwareness(accepted), member);
    return null;
  }

  applyPeerUpdate(update: Uint8Array): void {
    Y.applyUpdate(this.ydoc, update, FROM_PEER);
  }

  applyPeerAwareness(update: Uint8Array): void {
    applyAwarenessUpdate(this.awareness, update, FROM_PEER);
  }

  /** Stored state (snapshot and rows) in one transaction; a corrupt row is skipped, not fatal. */
  applyStored(updates: Uint8Array[], onBadRow: (err: unknown) => void): void {
    Y.transact(
      this.ydoc,
      () => {
        for (const update of updates) {
          try {
            Y.applyUpdate(this.ydoc, update, FROM_STORE);
          } catch (err) {
            onBadRow(err);
          }
        }
      },
      FROM_STORE,
    );
  }

  seed(update: Uint8Array): void {
    Y.applyUpdate(this.ydoc, update, FROM_SEED);
  }

  /** Replaces the estimate by the encoded size (O(document), so at most once a second). */
  private measure(): void {
    const now = Date.now();
    if (now - this.measuredAt < 1_000) return;
    this.measuredAt = now;
    this.bytes = Y.encodeStateAsUpdate(this.ydoc).length;
  }

  /** Cached digest of the delete set (see deleteSetDigest). */
  deleteDigest(): string {
    if (this.digest.version !== this.version) this.digest = { version: this.version, value: deleteSetDigest(this.ydoc) };
    return this.digest.value;
  }

  destroy(): void {
    this.members.clear();
    this.owners.clear();
    // Destroying the doc destroys its awareness (and that one's timer) too.
    this.ydoc.destroy();
  }

  private onUpdate(update: Uint8Array, origin: unknown): void {
    this.version++;
    this.bytes += update.length;
    if (this.members.size > 0) {
      const frame = updateMessage(update);
      for (const member of this.members) if (member !== origin) member.send(frame);
    }
    if (origin === FROM_PEER || origin === FROM_STORE) return;
    this.hooks.localUpdate(this, update, this.members.has(origin as DocMember) ? (origin as DocMember) : null);
  }

  private onAwareness(change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void {
    const local = this.members.has(origin as DocMember) ? (origin as DocMember) : null;
    for (const id of [...change.added, ...change.updated]) {
      if (!local) continue;
      const previous = this.owners.get(id);
      if (previous && previous !== local) previous.clientIds.delete(id);
      this.owners.set(id, local);
      local.clientIds.add(id);
    }
    for (const id of change.removed) {
      this.owners.get(id)?.clientIds.delete(id);
      this.owners.delete(id);
    }
    const changed = [...change.added, ...change.updated, ...change.removed];
    const update = encodeAwarenessUpdate(this.awareness, changed);
    // To every connection, the sender included: the stock provider counts it as a sign of life.
    const frame = awarenessMessage(update);
    for (const member of this.members) member.send(frame);
    if (origin !== FROM_PEER && origin !== 'timeout') this.hooks.localAwareness(this, update);
  }
}
