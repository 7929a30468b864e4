// The VU side of the shim: k6's blocking calls (ws.connect, http.*, sleep) made synchronous on a
// worker thread. The main thread owns the real sockets and fetches; it posts every event to this
// worker's port and bumps a shared counter, on which the worker sleeps with Atomics.wait.
import { receiveMessageOnPort, workerData } from 'node:worker_threads';

/** @type {{ port: import('node:worker_threads').MessagePort, signal: Int32Array }} */
const io = { port: workerData.port, signal: new Int32Array(workerData.signal) };
/** Messages received but not yet taken, in order. */
/** @type {any[]} */
const inbox = [];
let nextId = 1;

export const newId = () => nextId++;

/** @param {any} message */
export function post(message) {
  io.port.postMessage(message);
}

function drain() {
  for (;;) {
    const m = receiveMessageOnPort(io.port);
    if (!m) return;
    inbox.push(m.message);
  }
}

/**
 * Takes the first message matching `match`, waiting up to `timeoutMs` (Infinity: for ever).
 * @param {(m: any) => boolean} match
 * @param {number} timeoutMs
 * @returns {any | undefined}
 */
export function take(match, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(io.signal, 0);
    drain();
    const i = inbox.findIndex(match);
    if (i >= 0) return inbox.splice(i, 1)[0];
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    Atomics.wait(io.signal, 0, seen, Number.isFinite(left) ? left : undefined);
  }
}

/**
 * A request answered by the main thread with `{ reply: id, … }`.
 * @param {Record<string, unknown>} message
 */
export function call(message) {
  const id = newId();
  post({ ...message, id });
  return take((m) => m.reply === id, Number.POSITIVE_INFINITY);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** @param {number} ms */
export function block(ms) {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/** A sample of a custom or built-in metric. */
/**
 * @param {string} name
 * @param {string} type
 * @param {number} value
 * @param {Record<string, string> | undefined} tags
 */
export function sample(name, type, value, tags) {
  post({ op: 'metric', name, type, value, tags });
}
