// vote-storm: voters on the hot board cast and withdraw votes at a target rate with the hot-set
// distribution of DESIGN.md (90% on 20 ideas, Zipf-like; the rest spread), over Socket.IO spoken
// by hand. Measures vote-ack latency and vote-to-visible latency (the vote's version arriving in
// a board:ranks frame), and at the end checks the counts against the REST API.
//
// How vote-to-visible is measured: k6 VUs are separate JavaScript runtimes without shared memory,
// so each voter also watches. Its own socket is in the board room like everyone else's, and the
// server coalesces ranks per tick into one frame for the whole room: the first board:ranks frame
// carrying the idea at a version >= the version in the vote's ack is the moment every member of
// that room on that node can see the vote. A share of the votes (CROSS_NODE_SHARE) is sent over
// REST to the other node instead, and the same socket times when it shows up here: that is the
// cross-node path (vote on node B, visible on node A through Redis).
//
// How counts are checked: each voter reads its own votes over REST when it starts, and before it
// disconnects it restores them (casting or withdrawing what it changed), waiting for the acks. The
// acks thus imply that the board ends as it began: teardown reads every idea's counts over REST
// and compares them with what setup read.
import { check, sleep } from 'k6';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import ws from 'k6/ws';
import { isOk, SocketIoSession, socketIoUrl } from './lib/engineio.js';
import { listBoardIdeas } from './lib/k6-rest.js';
import { bearer, envList, envNumber, hotSetPicker, loadMeta, nodesFor, poissonGapMs } from './lib/load.js';

const DATA_FILE = __ENV.LOAD_DATA || './data/load.json';
// Small (boards, hot ideas, base URLs): one copy per VU. The long lists are SharedArrays, read an element at a time.
const META = new SharedArray('load-meta', () => [loadMeta(JSON.parse(open(DATA_FILE)))])[0];
const users = /** @type {LoadUser[]} */ (new SharedArray('load-users', () => JSON.parse(open(DATA_FILE)).users));

const VOTERS = envNumber(__ENV, 'VOTERS', 200);
const VOTE_RATE = envNumber(__ENV, 'VOTE_RATE', 200); // votes per second, all voters together
const RAMP_S = envNumber(__ENV, 'RAMP_S', 30);
const HOLD_S = envNumber(__ENV, 'HOLD_S', 60);
const WINDOW = envNumber(__ENV, 'WINDOW', 200); // board:join limit; must cover the board for ranks_missed to mean anything
const CROSS_NODE_SHARE = envNumber(__ENV, 'CROSS_NODE_SHARE', 0.05);
const VISIBLE_TIMEOUT_MS = envNumber(__ENV, 'VISIBLE_TIMEOUT_MS', 5000);
/** The most a voter takes to restore its votes after the last stage. */
const CLEANUP_S = 10;

export const options = {
  scenarios: {
    voters: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: `${RAMP_S}s`, target: VOTERS },
        { duration: `${HOLD_S}s`, target: VOTERS },
      ],
      gracefulRampDown: `${CLEANUP_S + 20}s`,
      gracefulStop: `${CLEANUP_S + 20}s`,
    },
  },
  thresholds: {
    vote_ack_ms: ['p(99)<=50'],
    vote_visible_ms: ['p(99)<=250'],
    vote_visible_cross_ms: ['p(99)<=250'],
    vote_failed: ['rate<0.001'],
    ranks_missed: ['rate<0.001'],
    sio_connected: ['rate>0.99'],
    cleanup_failed: ['count==0'],
    counts_exact: ['rate==1'],
  },
  setupTimeout: '120s',
  teardownTimeout: '120s',
};

const ackMs = new Trend('vote_ack_ms', true);
const visibleMs = new Trend('vote_visible_ms', true);
const visibleCrossMs = new Trend('vote_visible_cross_ms', true);
const restVoteMs = new Trend('vote_rest_ms', true);
const voteFailed = new Rate('vote_failed');
const ranksMissed = new Rate('ranks_missed');
const sioConnected = new Rate('sio_connected');
const votesAcked = new Counter('votes_acked');
const rankFrames = new Counter('ranks_frames');
const cleanupFailed = new Counter('cleanup_failed');
const countsExact = new Rate('counts_exact');

/** @typedef {{ up: number, down: number }} Counts */

export function setup() {
  const m = META;
  if (VOTERS > users.length)
    throw new Error(`VOTERS=${VOTERS} but the load data has ${users.length} users (npm run cluster with LOAD_USERS)`);
  const base = envList(__ENV, 'BASE_URLS', m.baseUrls)[0];
  /** @type {Record<string, Counts>} */
  const initial = {};
  for (const i of listBoardIdeas(base, m.hotBoardId)) initial[i.id] = { up: i.up, down: i.down };
  return { initial, endAt: Date.now() + (RAMP_S + HOLD_S) * 1000 };
}

/** The votes this VU's user held when the VU first started: restored before every disconnect. */
/** @type {Record<string, number> | null} */
let origin = null;

/** @param {{ initial: Record<string, Counts>, endAt: number }} data */
export default function (data) {
  const m = META;
  const vu = exec.vu.idInTest;
  const user = users[(vu - 1) % users.length];
  const baseUrls = envList(__ENV, 'BASE_URLS', m.baseUrls);
  const { home, other } = nodesFor(baseUrls, vu);
  // Votes flow until the scenario's end; the restore runs in its graceful stop (CLEANUP_S + 20 s).
  const stopAt = data.endAt;
  if (Date.now() >= stopAt - 2000) {
    sleep(Math.max(0, (stopAt - Date.now()) / 1000));
    return;
  }

  /** @type {Record<string, number>} */
  const mine = {};
  for (const i of listBoardIdeas(home, m.hotBoardId, user.token)) mine[i.id] = i.myVote;
  if (origin === null) origin = Object.assign({}, mine);
  const goal = /** @type {Record<string, number>} */ (origin);

  const ideaIds = m.ideaIds;
  const pick = hotSetPicker(ideaIds.length);
  const perVoterRate = VOTE_RATE / VOTERS;
  /** Versions seen in ranks frames, per idea: the latest few with their arrival time. */
  /** @type {Record<string, { v: number, at: number }[]>} */
  const seen = {};
  /** Votes waiting to become visible. */
  /** @type {Record<string, { v: number, t0: number, cross: boolean }[]>} */
  const waiting = {};
  /** Ideas with a vote in flight (the next vote on an idea waits for the previous one's ack). */
  /** @type {Record<string, boolean>} */
  const busy = {};
  let stopping = false;
  let cleanedUp = false;

  /** @param {string} ideaId @param {number} v @param {number} t0 @param {boolean} cross */
  const expectVisible = (ideaId, v, t0, cross) => {
    const frames = seen[ideaId] || [];
    for (const f of frames) {
      if (f.v >= v) {
        (cross ? visibleCrossMs : visibleMs).add(Math.max(0, f.at - t0));
        ranksMissed.add(false);
        return;
      }
    }
    (waiting[ideaId] = waiting[ideaId] || []).push({ v, t0, cross });
  };

  /** @param {{ ideaId: string, up: number, down: number, version: number }} c @param {number} at */
  const applyRank = (c, at) => {
    const frames = (seen[c.ideaId] = seen[c.ideaId] || []);
    frames.push({ v: c.version, at });
    if (frames.length > 16) frames.shift();
    const list = waiting[c.ideaId];
    if (!list) return;
    waiting[c.ideaId] = list.filter((w) => {
      if (w.v > c.version) return true;
      (w.cross ? visibleCrossMs : visibleMs).add(Math.max(0, at - w.t0));
      ranksMissed.add(false);
      return false;
    });
  };

  const res = ws.connect(socketIoUrl(home), { tags: { node: home } }, (socket) => {
    const sio = new SocketIoSession((f) => socket.send(f), {
      auth: { token: user.token },
      onConnect: () => {
        sioConnected.add(true);
        sio.emit('board:join', { boardId: m.hotBoardId, sort: 'top', limit: WINDOW }, (ack) => {
          if (!isOk(ack)) {
            console.error(`board:join refused: ${JSON.stringify(ack)}`);
            socket.close();
            return;
          }
          const now = Date.now();
          for (const i of ack.snapshot.ideas) applyRank({ ideaId: i.id, up: i.up, down: i.down, version: i.version }, now);
          scheduleVote();
        });
      },
      onConnectError: (err) => {
        sioConnected.add(false);
        console.error(`connect_error ${err.code}: ${err.message}`);
        socket.close();
      },
      onEvent: (name, args) => {
        if (name !== 'board:ranks') return;
        const now = Date.now();
        rankFrames.add(1);
        const frame = /** @type {{ changes: { ideaId: string, up: number, down: number, version: number }[] }} */ (args[0]);
        for (const c of frame.changes) applyRank(c, now);
      },
    });

    const vote = () => {
      const ideaId = /** @type {string} */ (ideaIds[pick(Math.random())]);
      if (busy[ideaId]) return;
      const value = mine[ideaId] === 1 ? 0 : 1;
      send(ideaId, value, Math.random() < CROSS_NODE_SHARE && other !== home);
    };

    /** @param {string} ideaId @param {number} value @param {boolean} viaRest */
    const send = (ideaId, value, viaRest) => {
      busy[ideaId] = true;
      const t0 = Date.now();
      if (viaRest) {
        // Blocks this VU's loop for one request: fine for a small share of the votes.
        const url = `${other}/api/ideas/${ideaId}/vote`;
        const params = { headers: bearer(user.token), tags: { name: 'vote over REST' } };
        const r = value === 1 ? http.put(url, '{}', params) : http.del(url, null, params);
        busy[ideaId] = false;
        restVoteMs.add(Date.now() - t0);
        const ok = r.status === 200;
        voteFailed.add(!ok);
        if (!ok) return;
        const body = /** @type {{ myVote: number, version: number }} */ (r.json());
        const changed = mine[ideaId] !== body.myVote;
        mine[ideaId] = body.myVote;
        votesAcked.add(1);
        if (changed) expectVisible(ideaId, body.version, t0, true);
        return;
      }
      const event = value === 1 ? 'vote:cast' : 'vote:withdraw';
      sio.emit(event, value === 1 ? { ideaId, value: 1 } : { ideaId }, (ack) => {
        busy[ideaId] = false;
        ackMs.add(Date.now() - t0);
        const ok = isOk(ack);
        voteFailed.add(!ok);
        if (!ok) {
          console.warn(`${event} refused: ${JSON.stringify(ack)}`);
          return;
        }
        const changed = mine[ideaId] !== ack.myVote;
        mine[ideaId] = ack.myVote;
        votesAcked.add(1);
        if (changed && !stopping) expectVisible(ideaId, ack.version, t0, false);
      });
    };

    const scheduleVote = () => {
      if (stopping) return;
      socket.setTimeout(
        () => {
          if (stopping) return;
          vote();
          scheduleVote();
        },
        poissonGapMs(perVoterRate, Math.random()),
      );
    };

    // Votes that never became visible count as missed.
    socket.setInterval(() => {
      const now = Date.now();
      for (const ideaId of Object.keys(waiting)) {
        waiting[ideaId] = (waiting[ideaId] || []).filter((w) => {
          if (now - w.t0 < VISIBLE_TIMEOUT_MS) return true;
          ranksMissed.add(true);
          return false;
        });
      }
    }, 1000);

    // Stop voting, let the votes in flight be acked (two votes on one idea must not race), restore
    // this user's votes, wait for those acks, leave.
    const deadline = stopAt + (CLEANUP_S - 2) * 1000;
    /** @param {() => void} then */
    const whenAcked = (then) => {
      if (sio.waiting === 0 || Date.now() > deadline) then();
      else socket.setTimeout(() => whenAcked(then), 20);
    };
    const cleanup = () => {
      stopping = true;
      whenAcked(() => {
        // A few at a time: a voter may hold dozens of votes, more than a socket's event burst.
        const restore = ideaIds.filter((id) => (mine[id] || 0) !== (goal[id] || 0));
        const pump = () => {
          while (restore.length > 0 && sio.waiting < 8) {
            const ideaId = /** @type {string} */ (restore.shift());
            send(ideaId, goal[ideaId] || 0, false);
          }
          if (restore.length > 0 && Date.now() < deadline) socket.setTimeout(pump, 20);
          else
            whenAcked(() => {
              cleanedUp = ideaIds.every((id) => (mine[id] || 0) === (goal[id] || 0));
              socket.close();
            });
        };
        pump();
      });
    };
    socket.setTimeout(cleanup, Math.max(0, stopAt - Date.now()));

    socket.on('message', (frame) => sio.receive(frame));
    socket.on('error', (e) => console.error(`socket error: ${e.error()}`));
  });

  check(res, { 'socket.io upgrade is 101': (r) => Boolean(r) && r.status === 101 });
  if (!cleanedUp) {
    cleanupFailed.add(1);
    // The next iteration reads the votes again and restores them at its end.
    sleep(1);
  }
}

/** @param {{ initial: Record<string, Counts> }} data */
export function teardown(data) {
  const m = META;
  // Let the last ticks and group commits land.
  sleep(2);
  for (const base of envList(__ENV, 'BASE_URLS', m.baseUrls)) {
    const final = listBoardIdeas(base, m.hotBoardId);
    let wrong = 0;
    for (const i of final) {
      const before = data.initial[i.id] || { up: 0, down: 0 };
      const exact = before.up === i.up && before.down === i.down;
      countsExact.add(exact);
      if (!exact && wrong++ < 5)
        console.error(`${base}: idea ${i.id} has up=${i.up} down=${i.down}, the acks imply up=${before.up} down=${before.down}`);
    }
    check(wrong, { [`counts on ${base} equal what the acks imply`]: (n) => n === 0 });
  }
}
