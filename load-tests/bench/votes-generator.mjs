// A load generator process of the votes benchmark (forked by votes.mjs; driven over IPC).
// It holds idle watchers (count frames and bytes, decode nothing), a few observers (decode
// `board:ranks` and note when each idea's version first shows), and voters (cast / withdraw with acks).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connectLean, pool } from './lib/eio.mjs';
import { serveCommands } from './lib/generator.mjs';
import { Histogram, now, sampler, sleep, voteWeights } from './lib/stats.mjs';

/** @type {{ boardId: string, ideaIds: string[], hot: number, hotShare: number }} */
let fixture;
/** @type {Map<string, number>} */
const ideaIndex = new Map();
let pickIdea = () => 0;

const counters = { frames: 0, bytes: 0, watcherCloses: 0 };
/** @type {import('./lib/eio.mjs').LeanSocket[]} */
const sockets = [];

/**
 * @typedef {{ node: number, up: Int32Array, down: Int32Array, version: Float64Array,
 *   seenVersions: number[][], seenAt: number[][] }} Observer
 * @type {Observer[]}
 */
const observers = [];

/** @typedef {{ socket: import('./lib/eio.mjs').LeanSocket, state: Int8Array, busy: Uint8Array }} Voter */
/** @type {Voter[][]} voters per node index */
const voters = [[], []];

const countFrame = (data) => {
  counters.frames++;
  counters.bytes += data.length;
};

function observe(observer, data) {
  counters.frames++;
  counters.bytes += data.length;
  const t = now();
  let message;
  try {
    message = JSON.parse(data.toString('utf8', 2));
  } catch {
    return;
  }
  if (message[0] !== 'board:ranks') return;
  for (const change of message[1].changes) {
    const i = ideaIndex.get(change.ideaId);
    if (i === undefined || change.version <= observer.version[i]) continue;
    observer.version[i] = change.version;
    observer.up[i] = change.up;
    observer.down[i] = change.down;
    observer.seenVersions[i].push(change.version);
    observer.seenAt[i].push(t);
  }
}

const commands = {
  init(msg) {
    fixture = msg.fixture;
    for (const [i, id] of fixture.ideaIds.entries()) ideaIndex.set(id, i);
    pickIdea = sampler(voteWeights(fixture.ideaIds.length, fixture.hot, fixture.hotShare));
    return {};
  },

  /** Connects idle watchers to one node; the first `observe` of them decode and time frames. */
  async watchers({ port, node, count, observe: observing, concurrency }) {
    const join = JSON.stringify(['board:join', { boardId: fixture.boardId, sort: 'top', limit: 200 }]);
    const onClose = () => counters.watcherCloses++;
    const errors = await pool(count, concurrency, async (i) => {
      const n = fixture.ideaIds.length;
      // Observers spread evenly over the connection order, so they sit all along each room's member list.
      const observer =
        (i * observing) % count < observing
          ? {
              node,
              up: new Int32Array(n),
              down: new Int32Array(n),
              version: new Float64Array(n),
              seenVersions: Array.from({ length: n }, () => []),
              seenAt: Array.from({ length: n }, () => []),
            }
          : null;
      const socket = await connectLean({ port, onEvent: observer ? (d) => observe(observer, d) : countFrame, onClose });
      sockets.push(socket);
      const ack = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('board:join: no ack in 20 s')), 20_000);
        socket.emitRaw(join, (text) => {
          clearTimeout(timer);
          resolve(text);
        });
      });
      if (!ack.startsWith('[{"ok":true')) throw new Error(`board:join refused: ${ack.slice(0, 200)}`);
      if (!observer) return;
      const snapshot = JSON.parse(ack)[0].snapshot;
      for (const idea of snapshot.ideas) {
        const k = ideaIndex.get(idea.id);
        if (k === undefined || idea.version <= observer.version[k]) continue;
        observer.version[k] = idea.version;
        observer.up[k] = idea.up;
        observer.down[k] = idea.down;
      }
      observers.push(observer);
    });
    return { connected: count - errors.length, errors: errors.slice(0, 5), failed: errors.length };
  },

  /** Connects authenticated voters to one node; `state` lists the ideas each has an up-vote on. */
  async voters({ port, node, list, concurrency }) {
    const n = fixture.ideaIds.length;
    const errors = await pool(list.length, concurrency, async (i) => {
      const socket = await connectLean({ port, token: list[i].token });
      sockets.push(socket);
      const state = new Int8Array(n);
      for (const k of list[i].upvoted) state[k] = 1;
      voters[node].push({ socket, state, busy: new Uint8Array(n) });
    });
    return { connected: list.length - errors.length, errors: errors.slice(0, 5), failed: errors.length };
  },

  counters() {
    return { ...counters };
  },

  /**
   * Offers `rate` votes/s for `durationMs` (open loop, spread over both nodes' voters), then waits for
   * the outstanding acks. Each vote changes state: a voter withdraws where it has voted, else casts.
   */
  async step({ rate, durationMs, ackWaitMs }) {
    const ids = fixture.ideaIds;
    const ackHist = new Histogram();
    let votes = new Float64Array(4 * Math.max(1024, Math.ceil((rate * durationMs) / 1000) + 64));
    let acked = 0;
    let sent = 0;
    let skipped = 0;
    let behind = 0;
    let outstanding = 0;
    const errors = {};
    const record = (idea, version, sentAt, node) => {
      if (4 * (acked + 1) > votes.length) {
        const grown = new Float64Array(votes.length * 2);
        grown.set(votes);
        votes = grown;
      }
      const o = 4 * acked++;
      votes[o] = idea;
      votes[o + 1] = version;
      votes[o + 2] = sentAt;
      votes[o + 3] = node;
    };
    const sendOne = () => {
      const idea = pickIdea();
      const node = voters[0].length && voters[1].length ? sent & 1 : voters[0].length ? 0 : 1;
      const pool0 = voters[node];
      let voter;
      for (let tries = 0; tries < 12; tries++) {
        const v = pool0[(Math.random() * pool0.length) | 0];
        if (!v.busy[idea]) {
          voter = v;
          break;
        }
      }
      if (!voter) {
        skipped++;
        return;
      }
      voter.busy[idea] = 1;
      sent++;
      outstanding++;
      const body =
        voter.state[idea] === 1 ? `["vote:withdraw",{"ideaId":"${ids[idea]}"}]` : `["vote:cast",{"ideaId":"${ids[idea]}","value":1}]`;
      const sentAt = now();
      voter.socket.emitRaw(body, (text) => {
        const at = now();
        outstanding--;
        voter.busy[idea] = 0;
        ackHist.add(at - sentAt);
        let ack;
        try {
          ack = JSON.parse(text)[0];
        } catch {
          errors.BAD_ACK = (errors.BAD_ACK ?? 0) + 1;
          return;
        }
        if (!ack.ok) {
          errors[ack.code] = (errors[ack.code] ?? 0) + 1;
          return;
        }
        voter.state[idea] = ack.myVote === 1 ? 1 : 0;
        record(idea, ack.version, sentAt, node);
      });
    };

    // The generator's own event-loop delay: how late it may have timed what it observed.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const cpu0 = process.cpuUsage();
    const frames0 = counters.frames;
    const bytes0 = counters.bytes;
    const started = now();
    // At most this many votes in one timer turn; what a stalled generator could not send is `behind`.
    const maxBurst = Math.max(50, Math.ceil(rate / 20));
    await new Promise((resolve) => {
      let issued = 0;
      const timer = setInterval(() => {
        const elapsed = now() - started;
        const target = Math.floor((Math.min(elapsed, durationMs) * rate) / 1000);
        let due = target - issued;
        if (due > maxBurst) {
          behind += due - maxBurst;
          issued += due - maxBurst;
          due = maxBurst;
        }
        for (let k = 0; k < due; k++) sendOne();
        issued += due;
        if (elapsed >= durationMs) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
    });
    const sendingMs = now() - started;
    loopDelay.disable();
    const frames = counters.frames - frames0;
    const bytes = counters.bytes - bytes0;
    const waitUntil = now() + ackWaitMs;
    while (outstanding > 0 && now() < waitUntil) await sleep(20);
    const cpu = process.cpuUsage(cpu0);
    return {
      sent,
      acked,
      skipped,
      behind,
      timeouts: outstanding,
      errors,
      sendingMs,
      frames,
      bytes,
      lastAckAt: now(),
      ackHist: ackHist.counts,
      votes: votes.subarray(0, 4 * acked),
      cpuUs: cpu.user + cpu.system,
      loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      loopDelayMaxMs: loopDelay.max / 1e6,
    };
  },

  /**
   * For every vote and every observer here on the OTHER node than the vote's: when did the observer
   * first show a version ≥ the vote's? Then forgets what it matched (keeps each idea's latest).
   */
  match({ votes }) {
    const hist = new Histogram();
    let unseen = 0;
    let pairs = 0;
    for (const o of observers) {
      for (let v = 0; v < votes.length; v += 4) {
        if (votes[v + 3] === o.node) continue;
        pairs++;
        const idea = votes[v];
        const version = votes[v + 1];
        const seen = o.seenVersions[idea];
        let lo = 0;
        let hi = seen.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (seen[mid] < version) lo = mid + 1;
          else hi = mid;
        }
        if (lo === seen.length) {
          unseen++;
          hist.addOverflow();
        } else {
          hist.add(o.seenAt[idea][lo] - votes[v + 2]);
        }
      }
    }
    for (const o of observers) {
      for (let i = 0; i < o.seenVersions.length; i++) {
        const n = o.seenVersions[i].length;
        if (n > 1) {
          o.seenVersions[i] = [o.seenVersions[i][n - 1]];
          o.seenAt[i] = [o.seenAt[i][n - 1]];
        }
      }
    }
    return { hist: hist.counts, unseen, pairs, observers: observers.length };
  },

  /** Every observer's view now: node, and up/down/version per idea. */
  views() {
    return {
      observers: observers.map((o) => ({ node: o.node, up: o.up, down: o.down, version: o.version })),
      ...counters,
      serverDisconnects: sockets.filter((s) => s.serverDisconnected).length,
    };
  },

  async close() {
    for (const s of sockets) s.close();
    setTimeout(() => process.exit(0), 50);
    return {};
  },
};

serveCommands('votes-generator.mjs', commands);
