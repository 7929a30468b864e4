// The clients of the failure drills, in the drill's own process (a few dozen; no generator processes):
// Socket.IO voters and watchers over raw Engine.IO frames that fail over to the other node and resync
// as a real client does, and y-websocket editors that reconnect and resend their whole state like the
// stock provider. Each notes what it saw: acks, errors by code, reconnects, resyncs, time to recover.
import * as Y from 'yjs';
import { CoeditClient } from './coedit-clients.mjs';
import { connectLean } from './lib/eio.mjs';
import { now, sleep } from './lib/stats.mjs';

const jitter = (lo, hi) => lo + Math.random() * (hi - lo);

/** What one client saw during one drill. */
export function freshSeen() {
  return { acked: 0, errors: {}, noAck: 0, reconnects: 0, resyncs: 0, recoverMs: [], frames: 0, nodes: new Set() };
}

/**
 * A voter (bearer token) or a watcher (guest, joined to the board) that reconnects on its own: first to
 * the node it was on, then to the other, with jittered backoff, for up to `giveUpMs`.
 */
export class DrillSocket {
  /**
   * @param {{ role: 'voter'|'watcher', name: string, ports: number[], node: number, token?: string, boardId: string,
   *   ideaIds: string[], userId?: string }} opts
   */
  constructor(opts) {
    this.opts = opts;
    this.node = opts.node;
    this.socket = null;
    this.closedByUs = false;
    this.recovering = false;
    this.pendingResync = 0;
    this.seen = freshSeen();
    /** Watchers: ideaId → { up, down, version }, the highest version wins. */
    this.view = new Map();
    /** Voters: idea index → 1 (has an up-vote), 0 (none), undefined (unknown after a failure). */
    this.state = new Map();
    this.busy = new Set();
  }

  get connected() {
    return this.socket !== null && !this.recovering;
  }

  async connect() {
    const { ports, token } = this.opts;
    this.socket = await connectLean({
      port: ports[this.node],
      token,
      onEvent: (data) => this.onEvent(data),
      onClose: () => this.onClose(),
      timeoutMs: 5000,
    });
    this.seen.nodes.add('AB'[this.node]);
    if (this.opts.role === 'watcher')
      this.applySnapshot(await this.ask('board:join', { boardId: this.opts.boardId, sort: 'top', limit: 200 }));
  }

  ask(event, payload, timeoutMs = 10_000) {
    return this.socket.ask(event, payload, timeoutMs);
  }

  applySnapshot(ack) {
    if (!ack?.ok) throw new Error(`snapshot refused: ${JSON.stringify(ack).slice(0, 200)}`);
    for (const idea of ack.snapshot.ideas) this.apply(idea.id, idea.up, idea.down, idea.version);
  }

  apply(ideaId, up, down, version) {
    const cur = this.view.get(ideaId);
    if (cur && cur.version >= version) return;
    this.view.set(ideaId, { up, down, version });
  }

  onEvent(data) {
    this.seen.frames++;
    let msg;
    try {
      msg = JSON.parse(data.toString('utf8', 2));
    } catch {
      return;
    }
    if (msg[0] === 'board:ranks' && this.opts.role === 'watcher') {
      for (const c of msg[1].changes) this.apply(c.ideaId, c.up, c.down, c.version);
    } else if (msg[0] === 'resync' && this.opts.role === 'watcher') {
      // The server lost messages (Redis trouble): ask for a snapshot after its jitter.
      const t0 = now();
      this.pendingResync++;
      setTimeout(async () => {
        try {
          if (this.socket && !this.recovering) {
            this.applySnapshot(await this.ask('room:resync', { room: `board:${this.opts.boardId}` }));
            this.seen.resyncs++;
            this.seen.recoverMs.push(now() - t0);
          }
        } catch (err) {
          this.seen.errors[`resync: ${err.message}`] = (this.seen.errors[`resync: ${err.message}`] ?? 0) + 1;
        } finally {
          this.pendingResync--;
        }
      }, msg[1]?.afterMs ?? 0);
    }
  }

  onClose() {
    if (this.closedByUs || this.recovering) return;
    this.recovering = true;
    const dead = this.socket;
    this.socket = null;
    // Votes in flight on the dead socket get no ack: their outcome is unknown.
    for (const answer of dead?.acks.values() ?? []) answer(null);
    dead?.acks.clear();
    this.state.clear();
    void this.recover(now());
  }

  async recover(t0, giveUpMs = 30_000) {
    this.seen.reconnects++;
    for (let attempt = 0; now() - t0 < giveUpMs && !this.closedByUs; attempt++) {
      await sleep(jitter(100, 400));
      // The node it was on first, then the other one.
      if (attempt % 2 === 1) this.node = 1 - this.node;
      try {
        await this.connect();
        this.recovering = false;
        this.seen.recoverMs.push(now() - t0);
        return;
      } catch {
        this.socket?.close();
        this.socket = null;
      }
    }
    this.failed = true;
  }

  close() {
    this.closedByUs = true;
    this.socket?.close();
  }
}

/** Vote bookkeeping shared by all voters of a drill: every attempt, and the last one per (voter, idea). */
export class VoteLedger {
  constructor() {
    /** `${userId} ${ideaIndex}` → { acked, myVote } of the last attempt */
    this.last = new Map();
    /** idea index → highest acked version */
    this.maxAcked = new Map();
    this.attempts = 0;
    this.outstanding = 0;
    /** The slowest ack, and how many took a second or more (a paused database shows here). */
    this.slowestAckMs = 0;
    this.acksOverOneSecond = 0;
  }

  /** One vote from `voter` on idea `i`: withdraw where it has voted, else cast. */
  vote(voter, i, ideaId) {
    const key = `${voter.opts.userId} ${i}`;
    const withdraw = voter.state.get(i) === 1;
    this.attempts++;
    this.outstanding++;
    voter.busy.add(i);
    const entry = { acked: false, myVote: null };
    this.last.set(key, entry);
    const sentOn = voter.socket;
    const sentAt = now();
    let settled = false;
    const timer = setTimeout(() => answer(null), 15_000);
    /** @param {string | null} text the raw ack, or null: no ack (the socket died, or 15 s passed) */
    const answer = (text) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.outstanding--;
      voter.busy.delete(i);
      if (text === null) {
        voter.seen.noAck++;
        voter.state.delete(i);
        return;
      }
      let ack;
      try {
        ack = JSON.parse(text)[0];
      } catch {
        ack = { ok: false, code: 'BAD_ACK' };
      }
      if (!ack.ok) {
        voter.seen.errors[ack.code] = (voter.seen.errors[ack.code] ?? 0) + 1;
        voter.state.delete(i);
        return;
      }
      const ms = now() - sentAt;
      this.slowestAckMs = Math.max(this.slowestAckMs, ms);
      if (ms >= 1000) this.acksOverOneSecond++;
      voter.seen.acked++;
      entry.acked = true;
      entry.myVote = ack.myVote;
      voter.state.set(i, ack.myVote === 1 ? 1 : 0);
      this.maxAcked.set(i, Math.max(this.maxAcked.get(i) ?? 0, ack.version));
    };
    sentOn.emit(withdraw ? 'vote:withdraw' : 'vote:cast', withdraw ? { ideaId } : { ideaId, value: 1 }, answer);
  }
}

/**
 * Votes at `rate` per second from the connected voters, ideas uniform over [from, ideaIds.length),
 * a voter never with two votes on one idea in flight. `narrow(from)` moves the lower bound (the drills
 * stop voting on the first half once the fault is over). Returns { stop, narrow }.
 */
export function storm(voters, ledger, ideaIds, rate) {
  const start = now();
  let issued = 0;
  let skipped = 0;
  let from = 0;
  const timer = setInterval(() => {
    const due = Math.floor(((now() - start) * rate) / 1000) - issued;
    for (let k = 0; k < due; k++) {
      issued++;
      const i = from + Math.floor(Math.random() * (ideaIds.length - from));
      const ready = voters.filter((v) => v.connected && !v.busy.has(i));
      if (!ready.length) {
        skipped++;
        continue;
      }
      ledger.vote(ready[Math.floor(Math.random() * ready.length)], i, ideaIds[i]);
    }
  }, 10);
  return {
    narrow(lowest) {
      from = lowest;
    },
    stop() {
      clearInterval(timer);
      return { issued, skipped };
    },
  };
}

/**
 * A y-websocket editor that types into its own paragraph and, when its socket closes, reconnects (its
 * node first, then the other) and resends its whole state, as the stock provider does.
 */
export class DrillEditor {
  /** @param {{ name: string, bases: string[], node: number, docName: string, token: string }} opts */
  constructor(opts) {
    this.opts = opts;
    this.node = opts.node;
    this.seen = freshSeen();
    this.client = null;
    this.recovering = false;
    this.closedByUs = false;
    this.keystrokes = 0;
  }

  get open() {
    return !this.recovering && this.client?.open;
  }

  async connect(carry) {
    const client = new CoeditClient({
      base: this.opts.bases[this.node],
      protocol: 'cocreate',
      docName: this.opts.docName,
      token: this.opts.token,
      role: 'editor',
      node: this.node,
    });
    await client.connect(5000);
    // The whole state it had, sent as one update (the doc's update handler sends it).
    if (carry) Y.applyUpdate(client.doc, Y.encodeStateAsUpdate(carry), 'carry');
    client.ws.on('close', () => this.onClose());
    this.client = client;
    this.seen.nodes.add('AB'[this.node]);
  }

  type() {
    if (!this.open) return;
    this.client.type(0);
    this.keystrokes++;
  }

  onClose() {
    if (this.closedByUs || this.recovering) return;
    this.recovering = true;
    void this.recover(now());
  }

  async recover(t0, giveUpMs = 30_000) {
    this.seen.reconnects++;
    const old = this.client.doc;
    for (let attempt = 0; now() - t0 < giveUpMs && !this.closedByUs; attempt++) {
      await sleep(jitter(100, 400));
      if (attempt % 2 === 1) this.node = 1 - this.node;
      try {
        await this.connect(old);
        this.recovering = false;
        this.seen.recoverMs.push(now() - t0);
        return;
      } catch {
        // next attempt
      }
    }
    this.failed = true;
  }

  close() {
    this.closedByUs = true;
    this.client?.destroy();
  }
}
