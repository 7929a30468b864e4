// A lean Socket.IO client: raw Engine.IO v4 frames over `ws`, nothing decoded that need not be.
//   server → `0{sid,…}` on open; client → `40` or `40{"token":…}`; server → `40{sid}` or `44{…}` (refused)
//   server ping `2` → client pong `3`; client event `42<id>["name",payload]` → ack `43<id>[response]`
//   server event `42["name",payload]`; server-side disconnect `41`.
import WebSocket from 'ws';

const C_0 = 0x30;
const C_1 = 0x31;
const C_2 = 0x32;
const C_3 = 0x33;
const C_4 = 0x34;

export class LeanSocket {
  /**
   * @param {WebSocket} ws
   * @param {(data: Buffer) => void} onEvent called with the raw frame of every server event (`42…`)
   */
  constructor(ws, onEvent) {
    this.ws = ws;
    this.onEvent = onEvent;
    this.nextAck = 0;
    /** @type {Map<number, (payload: string) => void>} */
    this.acks = new Map();
    this.closed = false;
    this.serverDisconnected = false;
  }

  /** Sends an already encoded event body (`["name",payload]`) and calls back with the raw ack text. */
  emitRaw(body, onAck) {
    const id = this.nextAck++;
    this.acks.set(id, onAck);
    this.ws.send(`42${id}${body}`);
  }

  emit(event, payload, onAck) {
    this.emitRaw(JSON.stringify([event, payload]), onAck);
  }

  /** Resolves with the parsed first ack argument, or rejects after `timeoutMs`. */
  ask(event, payload, timeoutMs = 15_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${event}: no ack in ${timeoutMs} ms`)), timeoutMs);
      this.emit(event, payload, (text) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(text)[0]);
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  /** @param {Buffer} data */
  handle(data) {
    const c0 = data[0];
    if (c0 === C_4) {
      const c1 = data[1];
      if (c1 === C_2) {
        this.onEvent(data);
      } else if (c1 === C_3) {
        const text = data.toString('utf8', 2);
        const open = text.indexOf('[');
        const id = Number(text.slice(0, open));
        const cb = this.acks.get(id);
        if (cb) {
          this.acks.delete(id);
          cb(text.slice(open));
        }
      } else if (c1 === C_1) {
        this.serverDisconnected = true;
      }
    } else if (c0 === C_2) {
      this.ws.send('3');
    } else if (c0 === C_1) {
      this.serverDisconnected = true;
    }
  }

  close() {
    this.closed = true;
    this.ws.terminate();
  }
}

/**
 * Opens a WebSocket to a node and completes the Socket.IO connect, as a guest or with a bearer token.
 * @param {{ port: number, token?: string, onEvent?: (data: Buffer) => void, onClose?: (s: LeanSocket) => void, timeoutMs?: number }} options
 * @returns {Promise<LeanSocket>}
 */
export function connectLean({ port, token, onEvent = () => {}, onClose, timeoutMs = 15_000 }) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: timeoutMs,
    });
    const socket = new LeanSocket(ws, onEvent);
    let settled = false;
    const fail = (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`connect: no answer in ${timeoutMs} ms`)), timeoutMs);
    ws.on('error', fail);
    ws.on('close', () => {
      if (!settled) fail(new Error('connect: closed by the server'));
      else if (!socket.closed) onClose?.(socket);
    });
    ws.on('message', function connecting(data) {
      const c0 = data[0];
      if (c0 === C_0) {
        ws.send(token ? `40${JSON.stringify({ token })}` : '40');
      } else if (c0 === C_4 && data[1] === C_0) {
        settled = true;
        clearTimeout(timer);
        ws.off('message', connecting);
        ws.on('message', (d) => socket.handle(d));
        resolve(socket);
      } else if (c0 === C_4 && data[1] === C_4) {
        fail(new Error(`connect refused: ${data.toString('utf8', 2)}`));
      } else if (c0 === C_2) {
        ws.send('3');
      }
    });
  });
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at once; collects failures. */
export async function pool(count, concurrency, task) {
  let next = 0;
  const errors = [];
  const worker = async () => {
    while (next < count) {
      const i = next++;
      try {
        await task(i);
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return errors;
}
