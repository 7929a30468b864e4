// Engine.IO v4 / Socket.IO v5 framing by hand, over one WebSocket (transport=websocket, no polling).
// Plain JavaScript with no k6 or Node imports: k6 scripts and the Node tests use the same code.
//
// Engine.IO packets (one per WebSocket text frame): 0 open {sid, pingInterval, pingTimeout, maxPayload},
// 1 close, 2 ping (the server's heartbeat; answer 3 pong), 4 message, 6 noop.
// A Socket.IO packet rides in a 4 message: 0 CONNECT [json auth], 1 DISCONNECT, 2 EVENT [ackId] json,
// 3 ACK ackId json, 4 CONNECT_ERROR json. The default namespace "/" is omitted from the frame.

/** @typedef {{ kind: 'open', sid: string, pingInterval: number, pingTimeout: number, maxPayload: number }} OpenPacket */
/** @typedef {{ kind: 'ping' } | { kind: 'pong' } | { kind: 'close' } | { kind: 'noop' }} ControlPacket */
/** @typedef {{ kind: 'connect', sid: string }} ConnectPacket */
/** @typedef {{ kind: 'connect_error', data: { code?: string, message?: string } }} ConnectErrorPacket */
/** @typedef {{ kind: 'disconnect' }} DisconnectPacket */
/** @typedef {{ kind: 'event', name: string, args: unknown[], id: number | null }} EventPacket */
/** @typedef {{ kind: 'ack', id: number, args: unknown[] }} AckPacket */
/** @typedef {{ kind: 'unknown', raw: string }} UnknownPacket */
/** @typedef {OpenPacket | ControlPacket | ConnectPacket | ConnectErrorPacket | DisconnectPacket | EventPacket | AckPacket | UnknownPacket} Packet */

/** The Engine.IO pong, sent for every server ping. */
export const PONG = '3';

/**
 * The WebSocket URL of the Socket.IO endpoint for an http(s) base URL.
 * @param {string} baseUrl e.g. http://127.0.0.1:3001
 * @returns {string}
 */
export function socketIoUrl(baseUrl) {
  return `${baseUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/socket.io/?EIO=4&transport=websocket`;
}

/**
 * The Socket.IO CONNECT packet for the default namespace, with the handshake's `auth` object.
 * @param {Record<string, unknown>} [auth] e.g. { token }
 * @returns {string}
 */
export function encodeConnect(auth) {
  return auth ? `40${JSON.stringify(auth)}` : '40';
}

/**
 * A Socket.IO EVENT packet; with an ack id, the server answers with an ACK packet of that id.
 * @param {string} name
 * @param {unknown[]} args
 * @param {number} [ackId]
 * @returns {string}
 */
export function encodeEvent(name, args, ackId) {
  return `42${ackId === undefined ? '' : ackId}${JSON.stringify([name, ...args])}`;
}

/**
 * @param {string} text
 * @returns {unknown}
 */
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch (_) {
    return undefined;
  }
}

/**
 * Decodes one WebSocket text frame from the server.
 * @param {string} frame
 * @returns {Packet}
 */
export function decode(frame) {
  const type = frame.charAt(0);
  if (type === '2') return { kind: 'ping' };
  if (type === '3') return { kind: 'pong' };
  if (type === '1') return { kind: 'close' };
  if (type === '6') return { kind: 'noop' };
  if (type === '0') {
    const open = /** @type {{ sid?: unknown, pingInterval?: unknown, pingTimeout?: unknown, maxPayload?: unknown } | undefined} */ (
      parseJson(frame.slice(1))
    );
    if (!open || typeof open.sid !== 'string') return { kind: 'unknown', raw: frame };
    return {
      kind: 'open',
      sid: open.sid,
      pingInterval: Number(open.pingInterval),
      pingTimeout: Number(open.pingTimeout),
      maxPayload: Number(open.maxPayload),
    };
  }
  if (type !== '4') return { kind: 'unknown', raw: frame };
  return decodeSocketIo(frame.slice(1));
}

/**
 * @param {string} body a Socket.IO packet (the Engine.IO message's payload)
 * @returns {Packet}
 */
function decodeSocketIo(body) {
  const type = body.charAt(0);
  let i = 1;
  // A namespace other than "/" comes first as "/name,"; these scripts use only the default one.
  if (body.charAt(i) === '/') {
    const comma = body.indexOf(',', i);
    i = comma < 0 ? body.length : comma + 1;
  }
  let digits = '';
  while (i < body.length && body.charCodeAt(i) >= 48 && body.charCodeAt(i) <= 57) digits += body.charAt(i++);
  const id = digits === '' ? null : Number(digits);
  const json = i < body.length ? parseJson(body.slice(i)) : undefined;
  if (type === '0') {
    const data = /** @type {{ sid?: unknown } | undefined} */ (json);
    return { kind: 'connect', sid: data && typeof data.sid === 'string' ? data.sid : '' };
  }
  if (type === '1') return { kind: 'disconnect' };
  if (type === '4') {
    // Socket.IO v5 sends {message, data}; the server's stable code lives in data.code.
    const err = /** @type {{ message?: unknown, data?: { code?: unknown } } | undefined} */ (json);
    /** @type {{ code?: string, message?: string }} */
    const data = {};
    if (err && typeof err.message === 'string') data.message = err.message;
    const inner = err ? err.data : undefined;
    if (inner && typeof inner.code === 'string') data.code = inner.code;
    return { kind: 'connect_error', data };
  }
  if (type === '2' && Array.isArray(json) && typeof json[0] === 'string') {
    return { kind: 'event', name: json[0], args: json.slice(1), id };
  }
  if (type === '3' && id !== null && Array.isArray(json)) return { kind: 'ack', id, args: json };
  return { kind: 'unknown', raw: `4${body}` };
}

/**
 * Whether an ack is the server's `{ok: true, …}`.
 * @param {unknown} ack
 * @returns {boolean}
 */
export function isOk(ack) {
  return typeof ack === 'object' && ack !== null && /** @type {{ ok?: unknown }} */ (ack).ok === true;
}

/**
 * One Socket.IO client session over any WebSocket: feed it every text frame with `receive`, give
 * it a `send` function. It answers pings, connects once the Engine.IO open packet arrives, numbers
 * acks and routes them, and dispatches server events. No timers: the caller owns time (k6 sockets
 * and Node sockets keep time differently).
 */
export class SocketIoSession {
  /**
   * @param {(frame: string) => void} send
   * @param {{ auth?: Record<string, unknown>,
   *           onConnect?: (sid: string) => void,
   *           onConnectError?: (data: { code?: string, message?: string }) => void,
   *           onEvent?: (name: string, args: unknown[]) => void,
   *           onDisconnect?: () => void }} [handlers]
   */
  constructor(send, handlers) {
    this.sendFrame = send;
    this.handlers = handlers || {};
    /** @type {Map<number, (response: any) => void>} */
    this.pending = new Map();
    this.nextId = 0;
    this.connected = false;
    /** @type {string | null} */
    this.sid = null;
  }

  /**
   * Handles one text frame from the server.
   * @param {string} frame
   * @returns {Packet}
   */
  receive(frame) {
    const packet = decode(frame);
    const h = this.handlers;
    switch (packet.kind) {
      case 'open':
        this.sendFrame(encodeConnect(h.auth));
        break;
      case 'ping':
        this.sendFrame(PONG);
        break;
      case 'connect':
        this.connected = true;
        this.sid = packet.sid;
        if (h.onConnect) h.onConnect(packet.sid);
        break;
      case 'connect_error':
        if (h.onConnectError) h.onConnectError(packet.data);
        break;
      case 'disconnect':
        this.connected = false;
        if (h.onDisconnect) h.onDisconnect();
        break;
      case 'ack': {
        const done = this.pending.get(packet.id);
        this.pending.delete(packet.id);
        if (done) done(packet.args[0]);
        break;
      }
      case 'event':
        if (h.onEvent) h.onEvent(packet.name, packet.args);
        break;
      default:
        break;
    }
    return packet;
  }

  /**
   * Emits an event whose ack (the server's single response object) goes to `onAck`.
   * @param {string} name
   * @param {unknown} payload
   * @param {(response: any) => void} onAck
   * @returns {number} the ack id
   */
  emit(name, payload, onAck) {
    const id = this.nextId++;
    this.pending.set(id, onAck);
    this.sendFrame(encodeEvent(name, [payload], id));
    return id;
  }

  /** How many emitted events still wait for their ack. */
  get waiting() {
    return this.pending.size;
  }
}
