// Lean co-editing clients of the coedit benchmark: raw y-websocket protocol over `ws` (no provider),
// used by the generator processes, by the main process (checkers, the 5 MB loader) and by the smoke test.
//
// The body is what TipTap edits: the XmlFragment `default`. Every editor owns one paragraph
// (an XmlElement holding an XmlText) and types into it, so its updates depend on its own items only:
// editors are write-only (they count what they receive but integrate nothing until the final
// resync), observers integrate everything and time each keystroke. A keystroke inserts one stamp,
// `<node letter><send time, ms mod 1e8> `, so an observer reads the send time from the update itself.
import { createHash } from 'node:crypto';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { Histogram, now } from './lib/stats.mjs';

export const BODY = 'default';
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const MESSAGE_AUTH = 2;
const STAMP_MOD = 1e8;
const REMOTE = Symbol('remote');

/**
 * How one server family frames the y-websocket messages. cocreate and the reference server speak
 * the plain protocol, one document per socket, named in the URL; Hocuspocus prefixes every message
 * with the document name and wants an auth message first.
 */
export const PROTOCOLS = {
  yWebsocket: {
    url: (base, docName, token) => `${base}/${docName}${token ? `?token=${encodeURIComponent(token)}` : ''}`,
    hello: () => [],
    wrap: (_docName, body) => body,
    unwrap: (data) => data,
  },
  hocuspocus: {
    url: (base) => base,
    hello: (docName, token) => {
      const e = encoding.createEncoder();
      encoding.writeVarString(e, docName);
      encoding.writeVarUint(e, MESSAGE_AUTH);
      encoding.writeVarUint(e, 0); // AuthMessageType.Token
      encoding.writeVarString(e, token ?? '');
      return [encoding.toUint8Array(e)];
    },
    wrap: (docName, body) => {
      const e = encoding.createEncoder();
      encoding.writeVarString(e, docName);
      encoding.writeUint8Array(e, body);
      return encoding.toUint8Array(e);
    },
    unwrap: (data) => {
      const d = decoding.createDecoder(data);
      decoding.readVarString(d);
      return data.subarray(d.pos);
    },
  },
};
PROTOCOLS.cocreate = PROTOCOLS.yWebsocket;

const frame = (write) => {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
};
const step1Message = (doc) =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(e, doc);
  });
const updateMessage = (update) =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    syncProtocol.writeUpdate(e, update);
  });
const awarenessMessage = (update) =>
  frame((e) => {
    encoding.writeVarUint(e, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(e, update);
  });

/** Comparable digest of a document: its state vector, its delete set and its body as XML. */
export function digestOf(doc) {
  const sv = [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort((a, b) => a[0] - b[0]);
  const ds = Y.createDeleteSetFromStructStore(doc.store);
  const dels = [...ds.clients.keys()].sort((a, b) => a - b).map((c) => `${c}:${ds.clients.get(c).map((r) => `${r.clock}+${r.len}`)}`);
  return createHash('sha1')
    .update(JSON.stringify(sv))
    .update(dels.join(';'))
    .update(doc.getXmlFragment(BODY).toString())
    .digest('base64url')
    .slice(0, 20);
}

/** Digest of the state stored updates (a snapshot and rows, in any order) add up to. */
export function digestOfUpdates(updates) {
  const doc = new Y.Doc();
  Y.transact(doc, () => {
    for (const u of updates) Y.applyUpdate(doc, u);
  });
  const out = { digest: digestOf(doc), chars: bodyChars(doc) };
  doc.destroy();
  return out;
}

/** Characters of text in the body (all paragraphs). */
export function bodyChars(doc) {
  let n = 0;
  for (const p of doc.getXmlFragment(BODY).toArray())
    if (p instanceof Y.XmlElement) for (const t of p.toArray()) if (t instanceof Y.XmlText) n += t.length;
  return n;
}

/** Latency bookkeeping of one process: all pairs, and pairs whose ends sit on different nodes. */
export class LatencyRecorder {
  constructor() {
    this.reset({ from: 0, to: 0 });
  }

  /** Keystrokes stamped inside [from, to) count; the rest (warm-up, drain) do not. */
  reset(window) {
    this.window = window;
    this.all = new Histogram();
    this.cross = new Histogram();
    this.delivered = 0;
  }

  add(sentAtMod, receivedAt, crossNode) {
    const sentAt = receivedAt - (((((receivedAt % STAMP_MOD) - sentAtMod) % STAMP_MOD) + STAMP_MOD) % STAMP_MOD);
    if (sentAt < this.window.from || sentAt >= this.window.to) return;
    const ms = receivedAt - sentAt;
    this.all.add(ms);
    if (crossNode) this.cross.add(ms);
    this.delivered++;
  }
}

/**
 * One client on one document. `role`: 'editor' types into its own paragraph and integrates nothing
 * it receives; 'observer' integrates everything and times every stamp; 'reader' only syncs (checks,
 * the 5 MB load).
 */
export class CoeditClient {
  /**
   * @param {{ base: string, protocol: keyof typeof PROTOCOLS, docName: string, token?: string, role: 'editor'|'observer'|'reader',
   *   node?: number, recorder?: LatencyRecorder, counters?: { frames: number, bytes: number } }} opts
   */
  constructor(opts) {
    this.opts = opts;
    this.proto = PROTOCOLS[opts.protocol];
    this.doc = new Y.Doc();
    this.node = opts.node ?? 0;
    this.letter = 'abcdefgh'[this.node];
    this.counters = opts.counters ?? { frames: 0, bytes: 0 };
    this.closes = [];
    this.text = null;
    this.awareness = null;
    this.keystrokes = 0;
    /** Live updates integrated (observers). */
    this.applied = 0;
    this.synced = false;
    this.waiters = [];
    this.doc.on('update', (update, origin) => {
      if (origin !== REMOTE && this.opts.role === 'editor') this.send(updateMessage(update));
    });
  }

  /** Opens the socket and resolves once the server's state has arrived (sync step 2). */
  connect(timeoutMs = 30_000) {
    const { base, docName, token } = this.opts;
    const ws = new WebSocket(this.proto.url(base, docName, token), { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    ws.binaryType = 'nodebuffer';
    this.ws = ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`${docName}: not synced in ${timeoutMs} ms`));
      }, timeoutMs);
      const fail = (why) => {
        clearTimeout(timer);
        reject(new Error(`${docName}: ${why}`));
      };
      ws.once('error', (err) => fail(err.message));
      ws.on('close', (code, reason) => {
        this.closes.push({ code, reason: reason.toString() });
        if (!this.synced) fail(`closed before sync (${code} ${reason})`);
        for (const w of this.waiters.splice(0)) w.reject(new Error(`closed (${code} ${reason})`));
      });
      ws.once('open', () => {
        for (const m of this.proto.hello(docName, token)) ws.send(m);
        this.sendRaw(step1Message(this.doc));
      });
      ws.on('message', (data) => this.receive(data));
      this.waiters.push({
        resolve: () => {
          clearTimeout(timer);
          resolve(this);
        },
        reject: (err) => fail(err.message),
      });
    });
  }

  sendRaw(body) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(this.proto.wrap(this.opts.docName, body));
  }

  send(body) {
    this.sendRaw(body);
  }

  receive(data) {
    this.counters.frames++;
    this.counters.bytes += data.length;
    let body;
    try {
      body = this.proto.unwrap(data);
    } catch {
      return;
    }
    const d = decoding.createDecoder(body);
    const type = decoding.readVarUint(d);
    if (type !== MESSAGE_SYNC) return; // awareness, auth, sync status: counted, not read
    const sub = decoding.readVarUint(d);
    if (sub === syncProtocol.messageYjsSyncStep1) {
      const sv = decoding.readVarUint8Array(d);
      this.send(
        frame((e) => {
          encoding.writeVarUint(e, MESSAGE_SYNC);
          encoding.writeVarUint(e, syncProtocol.messageYjsSyncStep2);
          encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(this.doc, sv));
        }),
      );
      return;
    }
    const update = decoding.readVarUint8Array(d);
    if (sub === syncProtocol.messageYjsSyncStep2) {
      // Editors take the server's state only when asked to (the final resync), or to start on it.
      if (this.opts.role !== 'editor' || this.wantState) Y.applyUpdate(this.doc, update, REMOTE);
      this.wantState = false;
      this.synced = true;
      for (const w of this.waiters.splice(0)) w.resolve();
      return;
    }
    if (sub !== syncProtocol.messageYjsUpdate || this.opts.role !== 'observer') return;
    const at = now();
    if (this.opts.recorder) this.time(update, at);
    Y.applyUpdate(this.doc, update, REMOTE);
    this.applied++;
  }

  time(update, at) {
    for (const struct of Y.decodeUpdate(update).structs) {
      const str = struct.content?.str;
      if (typeof str !== 'string') continue;
      for (const stamp of str.split(' ')) {
        if (stamp.length < 2) continue;
        const ms = Number(stamp.slice(1));
        if (Number.isFinite(ms)) this.opts.recorder.add(ms, at, stamp[0] !== this.letter);
      }
    }
  }

  /** Editors: creates the paragraph this editor types into. */
  startParagraph() {
    const p = new Y.XmlElement('paragraph');
    const t = new Y.XmlText();
    p.insert(0, [t]);
    const body = this.doc.getXmlFragment(BODY);
    body.insert(body.length, [p]);
    this.text = t;
  }

  /** Editors: one keystroke (one transaction, one update message), and every `cursorEvery`-th a cursor. */
  type(cursorEvery) {
    if (!this.text) this.startParagraph();
    const stamp = `${this.letter}${(now() % STAMP_MOD).toFixed(2)} `;
    this.text.insert(this.text.length, stamp);
    this.keystrokes++;
    if (cursorEvery > 0 && this.keystrokes % cursorEvery === 0) this.cursor();
  }

  cursor() {
    if (!this.awareness) {
      this.awareness = new awarenessProtocol.Awareness(this.doc);
      this.awareness.on('update', ({ added, updated, removed }, origin) => {
        if (origin === 'local')
          this.send(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed])));
      });
    }
    const head = this.text.length;
    this.awareness.setLocalStateField('cursor', { anchor: head, head });
  }

  /** Asks the server for everything this client lacks and integrates it (editors: the final check). */
  resync(timeoutMs = 30_000) {
    this.wantState = true;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.opts.docName}: resync took longer than ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
      this.sendRaw(step1Message(this.doc));
    });
  }

  /** Writes a large body in updates of at most `chunkBytes` (each one message), then waits until the server answers a sync. */
  async writeBulk(totalChars, chunkBytes, paragraphChars = 200) {
    const body = this.doc.getXmlFragment(BODY);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz ';
    let written = 0;
    let line = '';
    for (let i = 0; i < paragraphChars; i++) line += alphabet[(i * 7 + 3) % alphabet.length];
    while (written < totalChars) {
      let chunk = 0;
      Y.transact(this.doc, () => {
        while (chunk < chunkBytes && written < totalChars) {
          const p = new Y.XmlElement('paragraph');
          const text = `${written} ${line}`.slice(0, paragraphChars);
          p.insert(0, [new Y.XmlText(text)]);
          body.insert(body.length, [p]);
          chunk += text.length + 12;
          written += text.length;
        }
      });
      // Editors send their own updates from the doc's update event; the bulk writer is one.
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.resync();
    return written;
  }

  get open() {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  close() {
    this.awareness?.destroy();
    this.awareness = null;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close();
  }

  destroy() {
    this.close();
    this.doc.destroy();
  }
}

/** Connects `count` clients with bounded concurrency; returns the failures' messages. */
export async function connectAll(clients, concurrency = 20, timeoutMs = 30_000) {
  let next = 0;
  const errors = [];
  const worker = async () => {
    while (next < clients.length) {
      const c = clients[next++];
      try {
        await c.connect(timeoutMs);
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker));
  return errors;
}

/**
 * Drives editors at `perSecond` keystrokes each, phases spread evenly, from one timer; stops at `until`.
 * @returns {() => void} stop
 */
export function typeSteadily(editors, perSecond, cursorEvery, until = Number.POSITIVE_INFINITY, onType = () => {}) {
  const interval = 1000 / perSecond;
  const start = now();
  const next = editors.map((_, i) => start + (interval * i) / Math.max(1, editors.length));
  let stopped = false;
  let late = 0;
  const tick = () => {
    if (stopped) return;
    const t = now();
    if (t >= until) {
      stopped = true;
      return;
    }
    for (let i = 0; i < editors.length; i++) {
      if (next[i] > t) continue;
      if (editors[i].open) {
        editors[i].type(cursorEvery);
        onType(t);
      }
      next[i] += interval;
      // A generator that fell behind skips ahead rather than bursting (and says so).
      if (next[i] < t - interval) {
        late += Math.floor((t - next[i]) / interval);
        next[i] = t + interval * Math.random();
      }
    }
    timer = setTimeout(tick, 2);
  };
  let timer = setTimeout(tick, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
    return { late };
  };
}
