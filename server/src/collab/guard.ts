import { createHash } from 'node:crypto';
import * as Y from 'yjs';

/**
 * Checks a client's Yjs update against the document before it is applied. Random bytes rarely get
 * past Yjs's decoder, but valid updates can still be hostile: structs whose dependencies never
 * arrive wait in the document's pending set forever (and every later update retries them), and one
 * tiny struct can push a client's clock towards 2^53, after which that client cannot edit.
 */

/** How far one update may move a client's clock past what the document knows. */
export const MAX_CLOCK_JUMP = 2 ** 31;
/** No honest client comes near this many inserted characters under one client id. */
export const MAX_CLOCK = 2 ** 40;

export type Inspection =
  | { ok: true /** structs and deletions that would wait for missing dependencies */; pending: number }
  | { ok: false; reason: 'malformed' | 'clock' | 'subdocument'; message: string };

/** `known(client)` is the document's next expected clock for that client (Y.getState). */
export function inspectUpdate(update: Uint8Array, known: (client: number) => number): Inspection {
  let decoded: { structs: Array<Y.Item | Y.GC | Y.Skip>; ds: { clients: Map<number, Array<{ clock: number; len: number }>> } };
  try {
    decoded = Y.decodeUpdate(update) as typeof decoded;
  } catch {
    return { ok: false, reason: 'malformed', message: 'the update does not decode' };
  }
  // Where each client's run of structs, contiguous with the document, ends.
  const reach = new Map<number, number>();
  const broken = new Set<number>();
  const items: Y.Item[] = [];
  let pending = 0;
  for (const struct of decoded.structs) {
    const { client, clock } = struct.id;
    const end = clock + struct.length;
    const base = known(client);
    if (!Number.isSafeInteger(end) || end > MAX_CLOCK || end - base > MAX_CLOCK_JUMP) {
      return { ok: false, reason: 'clock', message: 'the update moves a clock out of bounds' };
    }
    if (struct instanceof Y.Item && struct.content instanceof Y.ContentDoc) {
      return { ok: false, reason: 'subdocument', message: 'sub-documents are not allowed' };
    }
    if (struct instanceof Y.Skip) {
      broken.add(client);
      continue;
    }
    const at = reach.get(client) ?? base;
    if (!broken.has(client) && clock <= at) {
      reach.set(client, Math.max(at, end));
      if (struct instanceof Y.Item) items.push(struct);
    } else {
      broken.add(client);
      pending++;
    }
  }
  const available = (client: number) => Math.max(known(client), reach.get(client) ?? 0);
  const present = (id: Y.ID | null) => id === null || id.clock < available(id.client);
  for (const item of items) {
    // A decoded item's parent is a root type's name (string), an item's id, or null (copied from an origin).
    const parent = item.parent as unknown;
    if (!present(item.origin) || !present(item.rightOrigin) || (parent instanceof Y.ID && !present(parent))) pending++;
  }
  for (const [client, deletes] of decoded.ds.clients) {
    const end = available(client);
    for (const range of deletes) {
      const last = range.clock + range.len;
      if (!Number.isSafeInteger(last) || last - end > MAX_CLOCK_JUMP) {
        return { ok: false, reason: 'clock', message: 'the update deletes out of bounds' };
      }
      if (last > end) pending++;
    }
  }
  return { ok: true, pending };
}

/** Bytes a document holds in structs and deletions waiting for dependencies. */
export function pendingBytes(doc: Y.Doc): number {
  return (doc.store.pendingStructs?.update.length ?? 0) + (doc.store.pendingDs?.length ?? 0);
}

/** Drops what waits for dependencies (never stored: only integrated changes are written). */
export function dropPending(doc: Y.Doc): void {
  doc.store.pendingStructs = null;
  doc.store.pendingDs = null;
}

/**
 * A digest of the document's delete set. State vectors say nothing about deletions, so nodes
 * compare this too: equal vectors with different digests mean a lost delete-only update. The set
 * is canonical (maximal runs per client, sorted), so equal documents give equal digests.
 */
export function deleteSetDigest(doc: Y.Doc): string {
  const ds = Y.createDeleteSetFromStructStore(doc.store);
  const hash = createHash('sha1');
  for (const client of [...ds.clients.keys()].sort((a, b) => a - b)) {
    hash.update(`${client}:`);
    for (const range of ds.clients.get(client) ?? []) hash.update(`${range.clock}+${range.len},`);
  }
  return hash.digest('base64url').slice(0, 16);
}
