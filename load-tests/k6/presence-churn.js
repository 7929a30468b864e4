// presence-churn: sessions arrive at a ramping rate, join the long-tail board and a few ideas (with
// heartbeats: presence:set every few seconds), then leave, some cleanly and some by dropping the
// connection. Observers sit in the busiest idea rooms and check that every member they saw join is
// seen leaving. Measures presence-diff latency and that leaves are seen.
//
// How latency is measured: the server sends a room's presence:diff to every socket in the room,
// the one that caused it included, so a session times its own join (idea:join sent -> the diff
// listing its user as joined) and its own status change (presence:set sent -> the diff listing it
// as updated) on one clock. Leaves are checked by the observers, without timing: at the end each
// observer asks for a snapshot (room:resync), and every member it saw join that is no longer
// present must have come with a `left` diff.
import { sleep } from 'k6';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import ws from 'k6/ws';
import { isOk, SocketIoSession, socketIoUrl } from './lib/engineio.js';
import { envList, envNumber, loadMeta, nodesFor } from './lib/load.js';

const DATA_FILE = __ENV.LOAD_DATA || './data/load.json';
// Small (boards, hot ideas, base URLs): one copy per VU. The long lists are SharedArrays, read an element at a time.
const META = new SharedArray('load-meta', () => [loadMeta(JSON.parse(open(DATA_FILE)))])[0];
const tail = /** @type {string[]} */ (new SharedArray('load-tail', () => JSON.parse(open(DATA_FILE)).tailIdeaIds));
const users = /** @type {LoadUser[]} */ (new SharedArray('load-users', () => JSON.parse(open(DATA_FILE)).users));

const SESSION_RATE = envNumber(__ENV, 'SESSION_RATE', 20); // new sessions per second at the peak
const RAMP_S = envNumber(__ENV, 'RAMP_S', 30);
const HOLD_S = envNumber(__ENV, 'HOLD_S', 60);
const IDEAS_PER_SESSION = envNumber(__ENV, 'IDEAS_PER_SESSION', 3);
const STAY_S = envNumber(__ENV, 'STAY_S', 6); // time spent in each idea room
const HEARTBEAT_S = envNumber(__ENV, 'HEARTBEAT_S', 2);
const BUSY_IDEAS = envNumber(__ENV, 'BUSY_IDEAS', 20); // sessions pick among the first N long-tail ideas
const OBSERVERS = envNumber(__ENV, 'OBSERVERS', 10);
const DROP_SHARE = envNumber(__ENV, 'DROP_SHARE', 0.2); // sessions that end by dropping the connection
const SETTLE_S = 5;
const TOTAL_S = RAMP_S + HOLD_S;
const SESSION_S = IDEAS_PER_SESSION * STAY_S + 5;

export const options = {
  scenarios: {
    observers: {
      executor: 'constant-vus',
      exec: 'observer',
      vus: OBSERVERS,
      duration: `${TOTAL_S + SESSION_S + SETTLE_S + 10}s`,
      gracefulStop: '20s',
    },
    churn: {
      executor: 'ramping-arrival-rate',
      exec: 'session',
      startTime: '3s',
      startRate: 0,
      timeUnit: '1s',
      preAllocatedVUs: Math.max(10, Math.ceil(SESSION_RATE * SESSION_S * 1.2)),
      maxVUs: Math.max(20, Math.ceil(SESSION_RATE * SESSION_S * 2)),
      stages: [
        { duration: `${RAMP_S}s`, target: SESSION_RATE },
        { duration: `${HOLD_S}s`, target: SESSION_RATE },
      ],
      gracefulStop: `${SESSION_S + 5}s`,
    },
  },
  thresholds: {
    presence_join_ms: ['p(99)<=250'],
    presence_update_ms: ['p(99)<=250'],
    presence_leave_seen: ['rate>0.999'],
    presence_diff_missing: ['rate<0.001'],
    presence_ack_failed: ['rate<0.001'],
    sio_connected: ['rate>0.99'],
  },
};

const joinMs = new Trend('presence_join_ms', true);
const updateMs = new Trend('presence_update_ms', true);
const leaveSeen = new Rate('presence_leave_seen');
const diffMissing = new Rate('presence_diff_missing');
const ackFailed = new Rate('presence_ack_failed');
const sioConnected = new Rate('sio_connected');
const diffsReceived = new Counter('presence_diffs');
const sessionsDone = new Counter('presence_sessions');

const DIFF_TIMEOUT_MS = 5000;

export function setup() {
  if (tail.length < BUSY_IDEAS) throw new Error(`BUSY_IDEAS=${BUSY_IDEAS} but the long tail has ${tail.length} ideas`);
  return { endAt: Date.now() + (TOTAL_S + SESSION_S + SETTLE_S + 3) * 1000 };
}

/** @typedef {{ key: string, userId: string, name: string, status: string }} Member */
/** @typedef {{ room: string, joined: Member[], left: string[], updated: Member[] }} Diff */

/** One churning session: board, a few ideas with heartbeats, then a clean leave or a dropped socket. */
export function session() {
  const m = META;
  const vu = exec.vu.idInTest;
  // Observers use the first accounts; sessions take the others.
  const user = users[OBSERVERS + ((vu - 1) % (users.length - OBSERVERS))];
  const { home } = nodesFor(envList(__ENV, 'BASE_URLS', m.baseUrls), vu + exec.vu.iterationInScenario);
  const drop = Math.random() < DROP_SHARE;

  ws.connect(socketIoUrl(home), { tags: { role: 'session' } }, (socket) => {
    /** Own diffs awaited: room -> kind -> sent time. */
    /** @type {Record<string, { kind: 'joined' | 'updated', t0: number, status?: string }>} */
    const awaited = {};
    /** @param {string} room @param {'joined' | 'updated'} kind @param {string} [status] */
    const expectDiff = (room, kind, status) => {
      awaited[room] = { kind, t0: Date.now(), status };
    };
    /** @param {unknown} ack */
    const acked = (ack) => {
      ackFailed.add(!isOk(ack));
      if (!isOk(ack)) console.warn(`refused: ${JSON.stringify(ack)}`);
    };

    const sio = new SocketIoSession((f) => socket.send(f), {
      auth: { token: user.token },
      onConnect: () => {
        sioConnected.add(true);
        sio.emit('board:join', { boardId: m.tailBoardId, sort: 'new', limit: 20 }, acked);
        visit(0);
      },
      onConnectError: (err) => {
        sioConnected.add(false);
        console.error(`connect_error ${err.code}: ${err.message}`);
        socket.close();
      },
      onEvent: (name, args) => {
        if (name !== 'presence:diff') return;
        diffsReceived.add(1);
        const diff = /** @type {Diff} */ (args[0]);
        const want = awaited[diff.room];
        if (!want) return;
        const list = want.kind === 'joined' ? diff.joined : diff.updated;
        for (const member of list) {
          if (member.userId === user.id && (want.status === undefined || member.status === want.status)) {
            (want.kind === 'joined' ? joinMs : updateMs).add(Date.now() - want.t0);
            diffMissing.add(false);
            delete awaited[diff.room];
            return;
          }
        }
      },
    });

    // Diffs that never came.
    socket.setInterval(() => {
      const now = Date.now();
      for (const room of Object.keys(awaited)) {
        const want = awaited[room];
        if (want && now - want.t0 > DIFF_TIMEOUT_MS) {
          diffMissing.add(true);
          delete awaited[room];
        }
      }
    }, 1000);

    /** @param {number} n */
    const visit = (n) => {
      if (n >= IDEAS_PER_SESSION) return finish();
      const ideaId = tail[Math.floor(Math.random() * BUSY_IDEAS)];
      const room = `idea:${ideaId}`;
      expectDiff(room, 'joined');
      sio.emit('idea:join', { ideaId }, acked);
      let beat = 0;
      const heartbeat = () => {
        beat++;
        if (beat * HEARTBEAT_S >= STAY_S) {
          sio.emit('idea:leave', { ideaId }, (ack) => {
            acked(ack);
            visit(n + 1);
          });
          return;
        }
        const status = beat % 2 === 1 ? 'typing' : 'viewing';
        if (!awaited[room]) expectDiff(room, 'updated', status);
        sio.emit('presence:set', { room, status }, acked);
        socket.setTimeout(heartbeat, HEARTBEAT_S * 1000);
      };
      socket.setTimeout(heartbeat, HEARTBEAT_S * 1000);
    };

    const finish = () => {
      sessionsDone.add(1, { ended: drop ? 'dropped' : 'clean' });
      // A dropped session closes without leaving: the server must clear its presence itself.
      if (drop) return socket.close();
      sio.emit('board:leave', { boardId: m.tailBoardId }, () => socket.close());
    };

    socket.on('message', (f) => sio.receive(f));
    socket.setTimeout(() => socket.close(), (SESSION_S + 10) * 1000);
  });
}

/** An observer: sits in the busy idea rooms and checks that every member seen joining is seen leaving. */
/** @param {{ endAt: number }} data */
export function observer(data) {
  const m = META;
  const vu = exec.vu.idInTest;
  const user = users[(vu - 1) % OBSERVERS];
  const { home } = nodesFor(envList(__ENV, 'BASE_URLS', m.baseUrls), vu);
  if (Date.now() > data.endAt - 5000) {
    sleep(Math.max(0, (data.endAt - Date.now()) / 1000));
    return;
  }
  const rooms = Array.from({ length: BUSY_IDEAS }, (_, i) => /** @type {string} */ (tail[i]));
  ws.connect(socketIoUrl(home), { tags: { role: 'observer' } }, (socket) => {
    /** Per room: member key -> 'in' | 'left'. */
    /** @type {Record<string, Record<string, string>>} */
    const seen = {};
    const sio = new SocketIoSession((f) => socket.send(f), {
      auth: { token: user.token },
      onConnect: () => {
        sioConnected.add(true);
        for (const ideaId of rooms) {
          seen[`idea:${ideaId}`] = {};
          sio.emit('idea:join', { ideaId }, (ack) => {
            ackFailed.add(!isOk(ack));
            if (!isOk(ack)) return;
            for (const p of ack.snapshot.presence) if (p.userId !== user.id) mark(`idea:${ideaId}`, p.key, 'in', true);
          });
        }
      },
      onConnectError: (err) => {
        sioConnected.add(false);
        console.error(`observer connect_error ${err.code}: ${err.message}`);
        socket.close();
      },
      onEvent: (name, args) => {
        if (name !== 'presence:diff') return;
        const diff = /** @type {Diff} */ (args[0]);
        for (const p of diff.joined) if (p.userId !== user.id) mark(diff.room, p.key, 'in');
        for (const key of diff.left) mark(diff.room, key, 'left');
      },
    });
    /**
     * Diffs of one room arrive in order, so the latest wins; a snapshot only adds members not yet
     * heard of (it may be older than a diff that overtook its ack).
     * @param {string} room @param {string} key @param {string} state @param {boolean} [fromSnapshot]
     */
    const mark = (room, key, state, fromSnapshot) => {
      const r = seen[room];
      if (r && !(fromSnapshot && r[key] !== undefined)) r[key] = state;
    };

    // After the churn has stopped and settled: who is still in each room? Everyone else must have
    // been seen leaving.
    socket.setTimeout(
      () => {
        let pending = rooms.length;
        for (const ideaId of rooms) {
          const room = `idea:${ideaId}`;
          sio.emit('room:resync', { room }, (ack) => {
            ackFailed.add(!isOk(ack));
            if (isOk(ack)) {
              /** @type {Record<string, boolean>} */
              const present = {};
              for (const p of ack.snapshot.presence) present[p.key] = true;
              const r = seen[room] || {};
              for (const key of Object.keys(r)) {
                if (r[key] === 'left') leaveSeen.add(true);
                else if (!present[key]) {
                  leaveSeen.add(false);
                  console.warn(`${room}: member ${key} is gone but no left diff was seen`);
                }
              }
            }
            if (--pending === 0) socket.close();
          });
        }
      },
      Math.max(0, data.endAt - Date.now()),
    );
    socket.on('message', (f) => sio.receive(f));
  });
  sleep(Math.max(0, (data.endAt + 5000 - Date.now()) / 1000));
}

export default function () {
  session();
}
