import { newId, post, sample, take } from './bridge.mjs';

/** An exception in a socket handler ends the iteration, as in k6; the runner counts it. */
export class HandlerError extends Error {}

/**
 * k6/ws `connect`: blocks until the socket is closed, running its handlers and timers meanwhile.
 * @param {string} url
 * @param {any} paramsOrFn
 * @param {(socket: any) => void} [maybeFn]
 */
function connect(url, paramsOrFn, maybeFn) {
  const fn = typeof paramsOrFn === 'function' ? paramsOrFn : /** @type {(s: any) => void} */ (maybeFn);
  const params = typeof paramsOrFn === 'function' ? {} : paramsOrFn || {};
  const id = newId();
  /** @type {Record<string, ((...a: any[]) => void)[]>} */
  const handlers = {};
  /** @type {{ at: number, fn: () => void, every?: number }[]} */
  let timers = [];
  let opened = false;
  let closed = false;
  const socket = {
    /** @param {string} event @param {(...a: any[]) => void} handler */
    on(event, handler) {
      (handlers[event] = handlers[event] || []).push(handler);
    },
    /** @param {string} data */
    send(data) {
      if (!closed) post({ op: 'ws-send', socket: id, data });
    },
    /** @param {ArrayBuffer} data */
    sendBinary(data) {
      if (!closed) post({ op: 'ws-send', socket: id, data: new Uint8Array(data).slice(), binary: true });
    },
    /** @param {number} [code] */
    close(code) {
      if (!closed) post({ op: 'ws-close', socket: id, code: code || 1001 });
    },
    ping() {},
    /** @param {() => void} f @param {number} ms */
    setTimeout(f, ms) {
      timers.push({ at: Date.now() + ms, fn: f });
    },
    /** @param {() => void} f @param {number} ms */
    setInterval(f, ms) {
      timers.push({ at: Date.now() + ms, fn: f, every: Math.max(1, ms) });
    },
  };
  /** @param {string} event @param {...any} args */
  const emit = (event, ...args) => {
    for (const h of handlers[event] || []) {
      try {
        h(...args);
      } catch (err) {
        throw new HandlerError(`${event} handler: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
  };
  post({ op: 'ws-open', socket: id, url, headers: params.headers || {} });
  fn(socket);
  while (!closed) {
    const next = timers.reduce((min, t) => Math.min(min, t.at), Number.POSITIVE_INFINITY);
    const m = take((x) => x.socket === id && x.event !== undefined, Math.max(0, next - Date.now()));
    if (m) {
      if (m.event === 'open') {
        opened = true;
        emit('open');
      } else if (m.event === 'message') {
        sample('ws_msgs_received', 'counter', 1, undefined);
        emit('message', m.data);
      } else if (m.event === 'binary') {
        sample('ws_msgs_received', 'counter', 1, undefined);
        const bytes = /** @type {Uint8Array} */ (m.data);
        emit('binaryMessage', bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      } else if (m.event === 'error') {
        emit('error', { error: () => m.message });
      } else if (m.event === 'close') {
        closed = true;
        timers = [];
        emit('close', m.code);
      }
      continue;
    }
    const now = Date.now();
    const due = timers.filter((t) => t.at <= now);
    timers = timers.filter((t) => t.at > now);
    for (const t of due) {
      if (t.every) timers.push({ ...t, at: now + t.every });
      try {
        t.fn();
      } catch (err) {
        throw new HandlerError(`timer: ${err instanceof Error ? err.stack : String(err)}`);
      }
      if (closed) break;
    }
  }
  return { url, status: opened ? 101 : 0, headers: {}, body: '', error: '' };
}

export default { connect };
