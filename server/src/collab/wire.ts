import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

/**
 * The y-websocket wire format: every frame starts with a message type (varuint); sync messages
 * carry a sub-type and one length-prefixed payload (y-protocols/sync); awareness carries one
 * length-prefixed awareness update (y-protocols/awareness).
 */
export { COLLAB_MESSAGE as MESSAGE, COLLAB_SYNC as SYNC } from '@cocreate/protocol';
import { COLLAB_MESSAGE as MESSAGE, COLLAB_SYNC as SYNC } from '@cocreate/protocol';

export type ClientMessage =
  | { kind: 'step1'; stateVector: Uint8Array }
  | { kind: 'step2'; update: Uint8Array }
  | { kind: 'update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'queryAwareness' };

export class MalformedMessage extends Error {
  override name = 'MalformedMessage';
}

/** Awareness entries a single connection may speak for (one provider has one; tabs sharing a socket are rare). */
export const MAX_AWARENESS_ENTRIES = 8;
/** Largest awareness state (JSON) we relay: cursors and names, not documents. */
export const MAX_AWARENESS_STATE_CHARS = 8 * 1024;

/**
 * Parses one client frame. lib0 does not bound-check length prefixes, so the frame is copied into
 * its own buffer (an overrun then throws instead of reading a neighbour in Node's buffer pool) and
 * must be consumed exactly.
 */
export function parseClientMessage(frame: Uint8Array): ClientMessage {
  const bytes = new Uint8Array(frame);
  const d = decoding.createDecoder(bytes);
  const message = read(bytes, d, () => {
    const type = decoding.readVarUint(d);
    if (type === MESSAGE.sync) {
      const sub = decoding.readVarUint(d);
      const payload = decoding.readVarUint8Array(d);
      if (sub === SYNC.step1) return { kind: 'step1', stateVector: payload } as const;
      if (sub === SYNC.step2) return { kind: 'step2', update: payload } as const;
      if (sub === SYNC.update) return { kind: 'update', update: payload } as const;
      throw new MalformedMessage(`unknown sync message ${sub}`);
    }
    if (type === MESSAGE.awareness) return { kind: 'awareness', update: decoding.readVarUint8Array(d) } as const;
    if (type === MESSAGE.queryAwareness) return { kind: 'queryAwareness' } as const;
    throw new MalformedMessage(`unknown message type ${type}`);
  });
  if (d.pos !== bytes.length) throw new MalformedMessage('trailing bytes after the message');
  return message;
}

function read<T>(bytes: Uint8Array, d: decoding.Decoder, fn: () => T): T {
  try {
    const value = fn();
    if (d.pos > bytes.length) throw new MalformedMessage('truncated message');
    return value;
  } catch (err) {
    if (err instanceof MalformedMessage) throw err;
    throw new MalformedMessage('truncated or invalid message');
  }
}

function frame(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

export const syncStep1Message = (doc: Y.Doc) =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE.sync);
    encoding.writeVarUint(e, SYNC.step1);
    encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
  });

/** What the peer with `stateVector` lacks. Throws on a state vector that does not decode. */
export const syncStep2Message = (doc: Y.Doc, stateVector: Uint8Array) =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE.sync);
    encoding.writeVarUint(e, SYNC.step2);
    encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc, stateVector));
  });

export const updateMessage = (update: Uint8Array) =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE.sync);
    encoding.writeVarUint(e, SYNC.update);
    encoding.writeVarUint8Array(e, update);
  });

export const awarenessMessage = (awarenessUpdate: Uint8Array) =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE.awareness);
    encoding.writeVarUint8Array(e, awarenessUpdate);
  });

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: Record<string, unknown> | null;
}

/** Decodes an awareness update (y-protocols layout) with limits; throws MalformedMessage. */
export function decodeAwareness(update: Uint8Array): AwarenessEntry[] {
  const bytes = new Uint8Array(update);
  const d = decoding.createDecoder(bytes);
  const entries = read(bytes, d, () => {
    const count = decoding.readVarUint(d);
    if (count > MAX_AWARENESS_ENTRIES) throw new MalformedMessage('too many awareness entries');
    const out: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(d);
      const clock = decoding.readVarUint(d);
      const json = decoding.readVarString(d);
      if (d.pos > bytes.length) throw new MalformedMessage('truncated awareness entry');
      if (clientId > 0xffffffff || json.length > MAX_AWARENESS_STATE_CHARS) throw new MalformedMessage('awareness entry out of bounds');
      const state: unknown = JSON.parse(json);
      if (state !== null && (typeof state !== 'object' || Array.isArray(state)))
        throw new MalformedMessage('awareness state must be an object or null');
      out.push({ clientId, clock, state: state as Record<string, unknown> | null });
    }
    return out;
  });
  if (d.pos !== bytes.length) throw new MalformedMessage('trailing bytes after the awareness update');
  return entries;
}

export function encodeAwareness(entries: AwarenessEntry[]): Uint8Array {
  return frame((e) => {
    encoding.writeVarUint(e, entries.length);
    for (const entry of entries) {
      encoding.writeVarUint(e, entry.clientId);
      encoding.writeVarUint(e, entry.clock);
      encoding.writeVarString(e, JSON.stringify(entry.state));
    }
  });
}
