import { randomBytes } from 'node:crypto';
import type { FanOut } from '@cocreate/fanout';
import * as Y from 'yjs';
import type { CollabAccess } from './authorize.js';
import { plainText, seedUpdate } from './body.js';
import { CollabDoc, type DocMember } from './doc.js';
import { PeerExchange } from './peers.js';
import type { DocStore } from './store.js';
import { UpdateWriter } from './writer.js';

export interface ManagerOptions {
  idleMs: number;
  flushMs: number;
  maxDocBytes: number;
  maxPendingBytes: number;
  compactRows: number;
  syncIntervalMs: number;
  textDebounceMs: number;
  nodeId: string;
}

export interface ManagerLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Writer queue past which writers are turned away (1013) until the database catches up. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

interface Slot {
  doc: CollabDoc;
  unsubscribe: () => void;
  idleTimer: NodeJS.Timeout | null;
  textTimer: NodeJS.Timeout | null;
  textDirtySince: number;
  rowsSinceCompaction: number;
  compacting: Promise<void> | null;
}

/**
 * The node's open documents: loading (subscribe to the channel first, then read the store, so no
 * message falls between), the hooks that store and publish local changes, compaction, the
 * debounced body text, and unloading a document some time after its last connection left.
 */
/** A peer silent for this many sync intervals (it announces every one) is taken for gone. */
const PEER_SILENCE_INTERVALS = 3;

export class DocManager {
  private readonly slots = new Map<string, Slot>();
  private readonly loading = new Map<string, Promise<Slot>>();
  private readonly unloading = new Map<string, Promise<void>>();
  readonly writer: UpdateWriter;
  readonly peers: PeerExchange;
  readonly stats = { updates: 0, compactions: 0, compactionErrors: 0, loads: 0, unloads: 0 };
  private readonly syncTimer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly store: DocStore,
    fanout: FanOut,
    private readonly options: ManagerOptions,
    private readonly log: ManagerLog,
  ) {
    this.writer = new UpdateWriter(store, {
      flushMs: options.flushMs,
      maxQueuedBytes: MAX_QUEUED_BYTES,
      onWritten: (docName, rows) => this.written(docName, rows),
      onError: (err) => log.error({ err }, 'collab: writing updates failed; retrying'),
    });
    this.peers = new PeerExchange(fanout, `${options.nodeId}:${randomBytes(4).toString('hex')}`, (err, what) =>
      log.warn({ err }, `collab: bad ${what}`),
    );
    fanout.onResync(() => {
      // Spread over a second: after a Redis outage every node reloads every document it holds.
      for (const name of [...this.slots.keys()]) setTimeout(() => void this.reload(name), Math.random() * 1_000).unref();
    });
    this.syncTimer = setInterval(() => {
      for (const slot of this.slots.values()) {
        this.peers.announce(slot.doc);
        // A peer that relayed updates here and went silent may have died inside its write window:
        // store this node's copy, which holds what it relayed (DESIGN: nothing relayed is lost
        // while one node that has it lives).
        if (this.peers.goneWriters(slot.doc, options.syncIntervalMs * PEER_SILENCE_INTERVALS).length > 0 && !slot.compacting) {
          slot.compacting = this.compact(slot, true).finally(() => {
            slot.compacting = null;
          });
        }
      }
    }, options.syncIntervalMs);
    this.syncTimer.unref();
  }

  get documents(): number {
    return this.slots.size;
  }

  get connections(): number {
    let n = 0;
    for (const slot of this.slots.values()) n += slot.doc.members.size;
    return n;
  }

  /** The loaded document, for tests and metrics. */
  loaded(docName: string): CollabDoc | undefined {
    return this.slots.get(docName)?.doc;
  }

  /** Opens (loading if needed) the document and adds the member to it. */
  async join(access: CollabAccess, member: DocMember & { attach(doc: CollabDoc): void }): Promise<CollabDoc> {
    const slot = await this.open(access);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
    member.attach(slot.doc);
    return slot.doc;
  }

  leave(doc: CollabDoc, member: DocMember): void {
    doc.leave(member);
    const slot = this.slots.get(doc.name);
    if (slot?.doc === doc) this.idleCheck(slot);
  }

  /** Reads what other nodes stored since this node loaded (after a fan-out outage): a full reload, deduplicated by Yjs. */
  async reload(docName: string): Promise<void> {
    const slot = this.slots.get(docName);
    if (!slot) return;
    try {
      const stored = await this.store.load(slot.doc.name);
      if (this.slots.get(slot.doc.name) !== slot) return;
      slot.doc.applyStored(stored.updates, (err) => this.log.error({ err, doc: slot.doc.name }, 'collab: unreadable stored row'));
    } catch (err) {
      this.log.warn({ err, doc: slot.doc.name }, 'collab: reload failed');
    }
    this.peers.announce(slot.doc);
  }

  /** Flushes everything and unloads every document (shutdown). Connections must be closed first. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.syncTimer);
    await Promise.allSettled([...this.loading.values()]);
    await Promise.allSettled([...this.unloading.values()]);
    for (const slot of this.slots.values()) this.clearTimers(slot);
    await this.flushWrites();
    await Promise.allSettled([...this.slots.values()].map((slot) => this.saveText(slot)));
    for (const slot of this.slots.values()) this.destroy(slot);
  }

  private async open(access: CollabAccess): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new Error('collab is shutting down');
      const pendingUnload = this.unloading.get(access.docName);
      if (pendingUnload) {
        await pendingUnload;
        continue;
      }
      const slot = this.slots.get(access.docName);
      if (slot) return slot;
      let loading = this.loading.get(access.docName);
      if (!loading) {
        loading = this.load(access).finally(() => this.loading.delete(access.docName));
        this.loading.set(access.docName, loading);
      }
      return await loading;
    }
  }

  private async load(access: CollabAccess): Promise<Slot> {
    const role = (userId: string | null) => (userId !== null && userId === access.idea.authorId ? 'author' : 'co_author');
    const doc = new CollabDoc(
      access.docName,
      access.ideaId,
      access.idea.authorId,
      { maxDocBytes: this.options.maxDocBytes, maxPendingBytes: this.options.maxPendingBytes },
      {
        localUpdate: (d, update, author) => {
          this.stats.updates++;
          this.peers.publishUpdate(d, update);
          this.writer.enqueue({
            docName: d.name,
            ideaId: d.ideaId,
            update,
            userId: author?.userId ?? null,
            role: role(author?.userId ?? null),
          });
          if (author) this.textChanged(d);
        },
        localAwareness: (d, update) => this.peers.publishAwareness(d, update),
      },
    );
    const channel = this.peers.subscribe(doc);
    let stored: { updates: Uint8Array[]; bytes: number };
    try {
      stored = await this.store.load(access.docName);
    } catch (err) {
      channel.unsubscribe();
      doc.destroy();
      throw err;
    }
    doc.applyStored(stored.updates, (err) => this.log.error({ err, doc: doc.name }, 'collab: unreadable stored row'));
    if (stored.updates.length === 0) {
      // A body typed before the document existed becomes its first paragraphs (same bytes on every node).
      const seed = seedUpdate(access.docName, access.idea.bodyText);
      if (seed) doc.seed(seed);
    }
    const slot: Slot = {
      doc,
      unsubscribe: channel.unsubscribe,
      idleTimer: null,
      textTimer: null,
      textDirtySince: 0,
      rowsSinceCompaction: 0,
      compacting: null,
    };
    this.slots.set(doc.name, slot);
    this.stats.loads++;
    channel.ready();
    this.peers.announce(doc);
    return slot;
  }

  private idleCheck(slot: Slot): void {
    if (slot.doc.members.size > 0 || slot.idleTimer || this.closed) return;
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = null;
      if (slot.doc.members.size > 0 || this.unloading.has(slot.doc.name)) return;
      const done = this.unload(slot).finally(() => this.unloading.delete(slot.doc.name));
      this.unloading.set(slot.doc.name, done);
    }, this.options.idleMs);
    slot.idleTimer.unref();
  }

  /**
   * Flush, write the text, and compact with this node's in-memory state included: that also
   * stores what this node got from a peer that died before its own write.
   */
  private async unload(slot: Slot): Promise<void> {
    this.clearTimers(slot);
    await this.flushWrites();
    await this.saveText(slot);
    await slot.compacting;
    await this.compact(slot, true);
    this.destroy(slot);
    this.stats.unloads++;
  }

  private destroy(slot: Slot): void {
    this.clearTimers(slot);
    slot.unsubscribe();
    slot.doc.destroy();
    if (this.slots.get(slot.doc.name) === slot) this.slots.delete(slot.doc.name);
  }

  private clearTimers(slot: Slot): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    if (slot.textTimer) clearTimeout(slot.textTimer);
    slot.idleTimer = null;
    slot.textTimer = null;
  }

  private async flushWrites(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.writer.flush();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  }

  private written(docName: string, rows: number): void {
    const slot = this.slots.get(docName);
    if (!slot) return;
    slot.rowsSinceCompaction += rows;
    if (slot.rowsSinceCompaction >= this.options.compactRows && !slot.compacting) {
      slot.compacting = this.compact(slot, false).finally(() => {
        slot.compacting = null;
      });
    }
  }

  private async compact(slot: Slot, withMemory: boolean): Promise<void> {
    try {
      const extra = withMemory ? Y.encodeStateAsUpdate(slot.doc.ydoc) : undefined;
      const result = await this.store.compact(slot.doc.name, extra);
      slot.rowsSinceCompaction = 0;
      if (result.folded > 0 || withMemory) this.stats.compactions++;
      // The snapshot's size is the best estimate of the document's (deleted content is gone from it).
      if (result.folded > 0 || withMemory) slot.doc.bytes = result.bytes;
    } catch (err) {
      this.stats.compactionErrors++;
      this.log.warn({ err, doc: slot.doc.name }, 'collab: compaction failed; the rows stay and are read on load');
    }
  }

  private textChanged(doc: CollabDoc): void {
    const slot = this.slots.get(doc.name);
    if (!slot || slot.doc !== doc) return;
    const now = Date.now();
    if (slot.textDirtySince === 0) slot.textDirtySince = now;
    if (slot.textTimer) clearTimeout(slot.textTimer);
    // Debounced, but continuous typing still gets written every few debounce periods.
    const wait = Math.max(0, Math.min(this.options.textDebounceMs, slot.textDirtySince + 5 * this.options.textDebounceMs - now));
    slot.textTimer = setTimeout(() => {
      slot.textTimer = null;
      void this.saveText(slot);
    }, wait);
    slot.textTimer.unref();
  }

  private async saveText(slot: Slot): Promise<void> {
    if (slot.textDirtySince === 0) return;
    slot.textDirtySince = 0;
    try {
      await this.store.saveBodyText(slot.doc.ideaId, plainText(slot.doc.ydoc));
    } catch (err) {
      this.log.warn({ err, doc: slot.doc.name }, 'collab: saving the body text failed');
    }
  }
}
