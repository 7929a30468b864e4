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
/**
 * Types nested in types, counted from the root: a rich-text body needs a few dozen levels at most,
 * while recursive readers (the text extract, editors, toJSON) overflow their stacks near ten thousand.
 */
export const MAX_NESTING = 100;

export type Inspection =
  | { ok: true /** structs and deletions that would wait for missing dependencies */; pending: number }
  | { ok: false; reason: 'malformed' | 'clock' | 'subdocument' | 'nesting'; message: string };

/**
 * `known(client)` is the document's next expected clock for that client (Y.getState); `doc`, when
 * given, is the document the update is for, to measure how deep its new items would sit.
 */
export function inspectUpdate(update: Uint8Array, known: (client: number) => number, doc?: Y.Doc): Inspection {
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
  if (nestingOf(items, doc) > MAX_NESTING) return { ok: false, reason: 'nesting', message: 'the update nests types too deep' };
  return { ok: true, pending };
}

/**
 * The deepest level (1 = in a root type) at which any of `items` would be integrated, as far as it
 * can be told from the update and the document; levels it cannot tell (missing parents) count 0.
 * Iterative and linear: chains inside one update can be as long as the update.
 */
function nestingOf(items: Y.Item[], doc: Y.Doc | undefined): number {
  const byClient = new Map<number, Y.Item[]>();
  for (const item of items) {
    let list = byClient.get(item.id.client);
    if (!list) byClient.set(item.id.client, (list = []));
    list.push(item);
  }
  for (const list of byClient.values()) list.sort((a, b) => a.id.clock - b.id.clock);
  const inUpdate = (id: Y.ID): Y.Item | undefined => {
    const list = byClient.get(id.client);
    if (!list) return undefined;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const item = list[mid] as Y.Item;
      if (id.clock < item.id.clock) hi = mid - 1;
      else if (id.clock >= item.id.clock + item.length) lo = mid + 1;
      else return item;
    }
    return undefined;
  };
  const typeDepth = new Map<Y.AbstractType<unknown>, number>();
  /** The level of an item already in the document, or null. Walks at most MAX_NESTING + 2 types up. */
  const inDoc = (id: Y.ID): number | null => {
    if (!doc) return null;
    let struct: Y.Item | Y.GC;
    try {
      struct = Y.getItem(doc.store, id) as Y.Item | Y.GC;
    } catch {
      return null;
    }
    if (!(struct instanceof Y.Item) || !(struct.parent instanceof Y.AbstractType)) return null;
    const start = struct.parent as Y.AbstractType<unknown>;
    const cached = typeDepth.get(start);
    if (cached !== undefined) return cached + 1;
    let depth = 0;
    for (let t: Y.AbstractType<unknown> | null = start; t?._item && depth <= MAX_NESTING + 1; t = t._item.parent as Y.AbstractType<unknown>) depth++;
    typeDepth.set(start, depth);
    return depth + 1;
  };
  const level = new Map<Y.Item, number | null>();
  let deepest = 0;
  for (const start of items) {
    // Walk towards the root (a parent adds a level, a sibling does not) until a known level, then unwind.
    const path: { item: Y.Item; plus: number }[] = [];
    const onPath = new Set<Y.Item>();
    let base: number | null = null;
    for (let item: Y.Item | undefined = start; item; ) {
      const known = level.get(item);
      if (known !== undefined) {
        base = known;
        break;
      }
      if (onPath.has(item)) break;
      onPath.add(item);
      const parent = item.parent as unknown;
      if (typeof parent === 'string') {
        path.push({ item, plus: 0 });
        base = 1;
        break;
      }
      const isParent = parent instanceof Y.ID;
      const ref = isParent ? (parent as Y.ID) : (item.origin ?? item.rightOrigin);
      path.push({ item, plus: isParent ? 1 : 0 });
      if (!ref) break;
      const next = inUpdate(ref);
      if (!next) {
        base = inDoc(ref);
        break;
      }
      item = next;
    }
    let value = base;
    for (let i = path.length - 1; i >= 0; i--) {
      const step = path[i] as { item: Y.Item; plus: number };
      value = value === null ? null : value + step.plus;
      level.set(step.item, value);
      if (value !== null && value > deepest) deepest = value;
    }
  }
  return deepest;
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
