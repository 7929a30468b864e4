// handshake-flood: bursts of guest, bad-token, malformed and foreign-Origin handshakes on Socket.IO
// and on /collab, while a set of authenticated voters keeps voting. The server must answer every
// bad handshake with the right code (Socket.IO connect_error data.code; /collab close code) or
// shed it as RATE_LIMITED, and keep serving the voters.
//
// Expected answers (DESIGN.md "Errors"; RATE_LIMITED is always acceptable: it is the shedding):
//   Socket.IO  no credentials      -> connected as a guest       bad token   -> UNAUTHENTICATED
//              auth.token a number -> VALIDATION_FAILED          foreign Origin -> FORBIDDEN
//   /collab    no credentials      -> open, read-only (step 1)   bad token   -> close 4401
//              bad document name   -> close 4400                 foreign Origin -> close 4403
//   RATE_LIMITED: connect_error code RATE_LIMITED / close 1013.
import { check, sleep } from 'k6';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import ws from 'k6/ws';
import { isOk, SocketIoSession, socketIoUrl } from './lib/engineio.js';
import { envList, envNumber, loadMeta, nodesFor } from './lib/load.js';
import { syncStep2, EMPTY_UPDATE, decodeMessage, toArrayBuffer } from './lib/ywire.js';

const DATA_FILE = __ENV.LOAD_DATA || './data/load.json';
// Small (boards, hot ideas, base URLs): one copy per VU. The long lists are SharedArrays, read an element at a time.
const META = new SharedArray('load-meta', () => [loadMeta(JSON.parse(open(DATA_FILE)))])[0];
const tail = /** @type {string[]} */ (new SharedArray('load-tail', () => JSON.parse(open(DATA_FILE)).tailIdeaIds));
const users = /** @type {LoadUser[]} */ (new SharedArray('load-users', () => JSON.parse(open(DATA_FILE)).users));

const VOTERS = envNumber(__ENV, 'VOTERS', 50);
const VOTES_PER_VOTER_S = envNumber(__ENV, 'VOTER_RATE', 2);
const FLOOD_RATE = envNumber(__ENV, 'FLOOD_RATE', 200); // bad handshakes per second at the peak, per transport
const RAMP_S = envNumber(__ENV, 'RAMP_S', 20);
const HOLD_S = envNumber(__ENV, 'HOLD_S', 40);
const ANSWER_TIMEOUT_MS = envNumber(__ENV, 'ANSWER_TIMEOUT_MS', 5000);
const FOREIGN_ORIGIN = __ENV.FOREIGN_ORIGIN || 'http://evil.example';
const FLOOD_START_S = 5;
const TOTAL_S = FLOOD_START_S + RAMP_S + HOLD_S + 5;
const BAD_TOKEN = `${'a'.repeat(24)}.${'b'.repeat(39)}`;

/**
 * @param {string} kind
 * @returns {Record<string, string>}
 */
const originHeader = (kind) => (kind === 'foreign-origin' ? { Origin: FOREIGN_ORIGIN } : {});

/** @param {string} exec */
const flood = (exec) => ({
  executor: 'ramping-arrival-rate',
  exec,
  startTime: `${FLOOD_START_S}s`,
  startRate: 0,
  timeUnit: '1s',
  preAllocatedVUs: Math.max(10, Math.ceil(FLOOD_RATE / 4)),
  maxVUs: Math.max(50, FLOOD_RATE * 2),
  stages: [
    { duration: `${RAMP_S}s`, target: FLOOD_RATE },
    { duration: `${HOLD_S}s`, target: FLOOD_RATE },
  ],
});

export const options = {
  scenarios: {
    voters: { executor: 'constant-vus', exec: 'voter', vus: VOTERS, duration: `${TOTAL_S}s`, gracefulStop: '15s' },
    flood_socketio: flood('floodSocketIo'),
    flood_collab: flood('floodCollab'),
  },
  thresholds: {
    flood_answered_right: ['rate>0.999'],
    voter_vote_ok: ['rate>0.999'],
    voter_ack_ms: ['p(99)<=250'],
    voter_dropped: ['count==0'],
    voter_connected: ['rate==1'],
  },
};

const answeredRight = new Rate('flood_answered_right');
const answerMs = new Trend('flood_answer_ms', true);
const outcomes = new Counter('flood_outcomes');
const shed = new Counter('flood_shed');
const voteOk = new Rate('voter_vote_ok');
const ackMs = new Trend('voter_ack_ms', true);
const dropped = new Counter('voter_dropped');
const voterConnected = new Rate('voter_connected');

export function setup() {
  if (VOTERS > users.length) throw new Error(`VOTERS=${VOTERS} but the load data has ${users.length} users`);
  return { endAt: Date.now() + TOTAL_S * 1000 };
}

/** A voter: connects with its token, joins the hot board and toggles its vote on one idea. */
/** @param {{ endAt: number }} data */
export function voter(data) {
  const m = META;
  const vu = exec.vu.idInTest;
  // The last accounts, so a vote-storm run alongside uses other users.
  const user = users[users.length - 1 - ((vu - 1) % users.length)];
  const { home } = nodesFor(envList(__ENV, 'BASE_URLS', m.baseUrls), vu);
  const ideaId = /** @type {string} */ (m.ideaIds[vu % m.ideaIds.length]);
  if (Date.now() > data.endAt - 2000) {
    sleep(Math.max(0, (data.endAt - Date.now()) / 1000));
    return;
  }
  let closing = false;
  ws.connect(socketIoUrl(home), { tags: { role: 'voter' } }, (socket) => {
    let held = 0;
    const sio = new SocketIoSession((f) => socket.send(f), {
      auth: { token: user.token },
      onConnect: () => {
        voterConnected.add(true);
        sio.emit('board:join', { boardId: m.hotBoardId, sort: 'top', limit: 20 }, (ack) => {
          if (!isOk(ack)) console.error(`board:join refused: ${JSON.stringify(ack)}`);
        });
        socket.setInterval(() => {
          if (closing || sio.waiting > 0) return;
          const t0 = Date.now();
          const cast = held === 0;
          sio.emit(cast ? 'vote:cast' : 'vote:withdraw', cast ? { ideaId, value: 1 } : { ideaId }, (ack) => {
            ackMs.add(Date.now() - t0);
            voteOk.add(isOk(ack));
            if (isOk(ack)) held = ack.myVote;
            else console.warn(`vote refused during the flood: ${JSON.stringify(ack)}`);
          });
        }, 1000 / VOTES_PER_VOTER_S);
      },
      onConnectError: (err) => {
        voterConnected.add(false);
        console.error(`voter connect_error ${err.code}: ${err.message}`);
        closing = true;
        socket.close();
      },
    });
    socket.on('message', (f) => sio.receive(f));
    socket.on('close', () => {
      if (!closing) dropped.add(1);
    });
    socket.setTimeout(
      () => {
        closing = true;
        // Leave the idea as it was: withdraw a vote still held.
        if (held === 1) sio.emit('vote:withdraw', { ideaId }, () => socket.close());
        else socket.close();
        socket.setTimeout(() => socket.close(), 3000);
      },
      Math.max(0, data.endAt - Date.now()),
    );
  });
}

const SIO_KINDS = ['guest', 'bad-token', 'bad-auth', 'foreign-origin'];
/** @type {Record<string, string[]>} */
const SIO_EXPECTED = {
  guest: ['connected', 'RATE_LIMITED'],
  'bad-token': ['UNAUTHENTICATED', 'RATE_LIMITED'],
  'bad-auth': ['VALIDATION_FAILED', 'RATE_LIMITED'],
  'foreign-origin': ['FORBIDDEN', 'RATE_LIMITED'],
};

/** One bad (or guest) Socket.IO handshake; the answer must be the expected one. */
export function floodSocketIo() {
  const m = META;
  const kind = /** @type {string} */ (SIO_KINDS[exec.scenario.iterationInTest % SIO_KINDS.length]);
  const { home } = nodesFor(envList(__ENV, 'BASE_URLS', m.baseUrls), exec.scenario.iterationInTest + 1);
  const user = users[exec.scenario.iterationInTest % users.length];
  /** @type {Record<string, unknown> | undefined} */
  let auth;
  if (kind === 'bad-token') auth = { token: BAD_TOKEN };
  else if (kind === 'bad-auth') auth = { token: 12345 };
  else if (kind === 'foreign-origin') auth = { token: user.token };
  const params = { headers: originHeader(kind), tags: { role: 'flood', kind } };
  attempt('socket.io', kind, socketIoUrl(home), params, /** @type {string[]} */ (SIO_EXPECTED[kind]), (socket, done) => {
    const sio = new SocketIoSession((f) => socket.send(f), {
      ...(auth ? { auth } : {}),
      onConnect: () => done('connected'),
      onConnectError: (err) => done(err.code || 'connect_error without code'),
    });
    socket.on('message', (f) => sio.receive(f));
    socket.on('close', () => done('closed before an answer'));
  });
}

const COLLAB_KINDS = ['guest', 'bad-token', 'bad-doc', 'foreign-origin'];
/** @type {Record<string, string[]>} */
const COLLAB_EXPECTED = {
  guest: ['open', '1013'],
  'bad-token': ['4401', '1013'],
  'bad-doc': ['4400', '1013'],
  'foreign-origin': ['4403', '1013'],
};

/** One bad (or guest) /collab upgrade; the answer must be the expected close code. */
export function floodCollab() {
  const m = META;
  const kind = /** @type {string} */ (COLLAB_KINDS[exec.scenario.iterationInTest % COLLAB_KINDS.length]);
  const { home } = nodesFor(envList(__ENV, 'BASE_URLS', m.baseUrls), exec.scenario.iterationInTest + 1);
  const user = users[exec.scenario.iterationInTest % users.length];
  const ideaId = tail[exec.scenario.iterationInTest % tail.length];
  const doc = kind === 'bad-doc' ? 'not-a-document' : `idea:${ideaId}`;
  let query = '';
  if (kind === 'bad-token') query = `?token=${BAD_TOKEN}`;
  else if (kind === 'foreign-origin' || kind === 'bad-doc') query = `?token=${user.token}`;
  const url = `${home.replace(/^http/, 'ws')}/collab/${doc}${query}`;
  const params = { headers: originHeader(kind), tags: { role: 'flood', kind, name: '/collab' } };
  attempt('collab', kind, url, params, /** @type {string[]} */ (COLLAB_EXPECTED[kind]), (socket, done) => {
    socket.on('binaryMessage', (frame) => {
      const msg = decodeMessage(frame);
      // A guest is let in read-only: the server opens with its sync step 1.
      if (msg.type === 'sync' && msg.sub === 'step1') {
        socket.sendBinary(toArrayBuffer(syncStep2(EMPTY_UPDATE)));
        done('open');
      }
    });
    socket.on('close', (code) => done(String(code)));
  });
}

/**
 * One handshake: `listen` wires the socket and calls `done` with the server's answer (the first
 * one counts); no answer within ANSWER_TIMEOUT_MS is an answer too, and a wrong one.
 * @param {string} transport
 * @param {string} kind
 * @param {string} url
 * @param {import('k6/ws').Params} params
 * @param {string[]} expected
 * @param {(socket: import('k6/ws').Socket, done: (outcome: string) => void) => void} listen
 */
function attempt(transport, kind, url, params, expected, listen) {
  const t0 = Date.now();
  /** @type {string | null} */
  let outcome = null;
  ws.connect(url, params, (socket) => {
    /** @param {string} o */
    const done = (o) => {
      if (outcome !== null) return;
      outcome = o;
      answerMs.add(Date.now() - t0, { transport, kind });
      socket.close();
    };
    listen(socket, done);
    socket.setTimeout(() => done('no answer'), ANSWER_TIMEOUT_MS);
  });
  record(transport, kind, outcome === null ? 'no answer' : outcome, expected);
}

/**
 * @param {string} transport
 * @param {string} kind
 * @param {string} outcome
 * @param {string[]} expected
 */
function record(transport, kind, outcome, expected) {
  const right = expected.indexOf(outcome) >= 0;
  answeredRight.add(right, { transport, kind });
  outcomes.add(1, { transport, kind, outcome });
  if (outcome === 'RATE_LIMITED' || outcome === '1013') shed.add(1, { transport });
  if (!right) console.warn(`${transport} ${kind}: got "${outcome}", expected one of ${expected.join(', ')}`);
  check(outcome, { [`${transport} ${kind} answered as expected`]: () => right });
}

export default function () {
  floodSocketIo();
}
