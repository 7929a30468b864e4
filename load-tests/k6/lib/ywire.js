// The y-websocket wire format by hand, for clients that cannot run Yjs (k6). Every binary frame
// starts with a message type (varuint): 0 sync (then a sub-type: 0 step 1 with a state vector,
// 1 step 2 with an update, 2 update, each as a length-prefixed byte array), 1 awareness (one
// length-prefixed awareness update), 3 query awareness. Plain JavaScript with no k6 or Node
// imports; no TextEncoder (k6 0.46 has none).

export const MESSAGE = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 };
export const SYNC = { step1: 0, step2: 1, update: 2 };
/** The state vector of an empty document: zero clients. */
export const EMPTY_STATE_VECTOR = new Uint8Array([0]);
/** An update with no structs and an empty delete set: what an empty document sends as step 2. */
export const EMPTY_UPDATE = new Uint8Array([0, 0]);

/**
 * Appends `n` (a non-negative integer below 2^53) as a varuint: 7 bits a byte, low bits first.
 * Arithmetic rather than bit operators, so values of 2^31 and above stay positive.
 * @param {number[]} out
 * @param {number} n
 */
export function writeVarUint(out, n) {
  let rest = n;
  while (rest > 127) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
}

/**
 * Reads a varuint at `pos`.
 * @param {Uint8Array} bytes
 * @param {number} pos
 * @returns {{ value: number, pos: number }}
 */
export function readVarUint(bytes, pos) {
  let value = 0;
  let scale = 1;
  let i = pos;
  for (;;) {
    if (i >= bytes.length) throw new Error('truncated varuint');
    const b = /** @type {number} */ (bytes[i++]);
    value += (b % 128) * scale;
    if (b < 128) return { value, pos: i };
    scale *= 128;
    if (scale > Math.pow(2, 56)) throw new Error('varuint too long');
  }
}

/**
 * @param {number[]} head
 * @param {Uint8Array} payload
 * @returns {Uint8Array}
 */
function withPayload(head, payload) {
  writeVarUint(head, payload.length);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** @param {Uint8Array} stateVector */
export const syncStep1 = (stateVector) => withPayload([MESSAGE.sync, SYNC.step1], stateVector);
/** @param {Uint8Array} update */
export const syncStep2 = (update) => withPayload([MESSAGE.sync, SYNC.step2], update);
/** @param {Uint8Array} update */
export const syncUpdate = (update) => withPayload([MESSAGE.sync, SYNC.update], update);
/** @param {Uint8Array} update */
export const awareness = (update) => withPayload([MESSAGE.awareness], update);
export const queryAwareness = () => new Uint8Array([MESSAGE.queryAwareness]);

/** @typedef {{ type: 'sync', sub: 'step1' | 'step2' | 'update', payload: Uint8Array } | { type: 'awareness', payload: Uint8Array } | { type: 'queryAwareness' } | { type: 'unknown', code: number }} WireMessage */

/**
 * Decodes one binary frame.
 * @param {Uint8Array | ArrayBuffer} frame
 * @returns {WireMessage}
 */
export function decodeMessage(frame) {
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  const type = readVarUint(bytes, 0);
  if (type.value === MESSAGE.sync) {
    const sub = readVarUint(bytes, type.pos);
    const len = readVarUint(bytes, sub.pos);
    if (len.pos + len.value > bytes.length) throw new Error('truncated sync message');
    const payload = bytes.subarray(len.pos, len.pos + len.value);
    const name = sub.value === SYNC.step1 ? 'step1' : sub.value === SYNC.step2 ? 'step2' : sub.value === SYNC.update ? 'update' : null;
    if (!name) return { type: 'unknown', code: sub.value };
    return { type: 'sync', sub: name, payload };
  }
  if (type.value === MESSAGE.awareness) {
    const len = readVarUint(bytes, type.pos);
    if (len.pos + len.value > bytes.length) throw new Error('truncated awareness message');
    return { type: 'awareness', payload: bytes.subarray(len.pos, len.pos + len.value) };
  }
  if (type.value === MESSAGE.queryAwareness) return { type: 'queryAwareness' };
  return { type: 'unknown', code: type.value };
}

/**
 * The first (client, clock) of a Yjs v1 update: which edit it is, without Yjs. Updates list their
 * structs per client (count, client id, first clock, …); one client's edit comes out as one entry.
 * Returns null for an update with no structs (a pure deletion).
 * @param {Uint8Array} update
 * @returns {{ client: number, clock: number } | null}
 */
export function firstStructId(update) {
  const clients = readVarUint(update, 0);
  if (clients.value === 0) return null;
  const structs = readVarUint(update, clients.pos);
  const client = readVarUint(update, structs.pos);
  const clock = readVarUint(update, client.pos);
  return { client: client.value, clock: clock.value };
}

/**
 * The bytes as an ArrayBuffer of their own (what k6's socket.sendBinary takes).
 * @param {Uint8Array} bytes
 * @returns {ArrayBuffer}
 */
export function toArrayBuffer(bytes) {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out.buffer;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** @type {Record<string, number>} */
const B64_INDEX = {};
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charAt(i)] = i;

/**
 * Standard base64 (with or without padding) to bytes; the fixtures store updates this way.
 * @param {string} text
 * @returns {Uint8Array}
 */
export function fromBase64(text) {
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = B64_INDEX[clean.charAt(i)];
    if (v === undefined) throw new Error('invalid base64');
    acc = acc * 64 + v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const byte = Math.floor(acc / Math.pow(2, bits));
      out[o++] = byte;
      acc -= byte * Math.pow(2, bits);
    }
  }
  return out;
}
