// coedit: y-websocket clients editing idea bodies together. k6 cannot run Yjs, so the updates come
// from fixture files made ahead of time by make-coedit-fixtures.mjs (one stream per writer, each
// with its own client id); this script sends them as y-websocket update frames to
// /collab/idea:<id>?token=… and times their arrival at the other writers of the same document.
// Writers of one document are spread over the nodes, so half the deliveries cross nodes.
// Convergence is checked afterwards from Node: verify-coedit.mjs.
//
// How update-to-peer latency is measured across VUs (separate runtimes, no shared memory, one
// clock): every send follows a schedule all VUs know. setup() fixes a start time; writer s of a
// document sends its update k at start + stagger(document, s) + k / UPDATE_RATE. A receiver reads the
// (client id, clock) of each update frame it gets (the first struct of a Yjs update, no Yjs
// needed), looks up which writer and which k that is in the fixtures, and takes now - its
// scheduled time. A writer that falls behind its schedule would inflate that figure, so each
// writer also reports how late it sent (coedit_send_lag_ms): read the latency only when that lag is small.
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import { Counter, Rate, Trend } from 'k6/metrics';
import ws from 'k6/ws';
import { envList, envNumber, loadMeta, nodesFor } from './lib/load.js';
import {
  decodeMessage,
  EMPTY_STATE_VECTOR,
  EMPTY_UPDATE,
  firstStructId,
  fromBase64,
  syncStep1,
  syncStep2,
  syncUpdate,
  toArrayBuffer,
} from './lib/ywire.js';

const DATA_FILE = __ENV.LOAD_DATA || './data/load.json';
const FIXTURES = __ENV.COEDIT_FIXTURES || './data/coedit.json';
// Small (boards, hot ideas, base URLs): one copy per VU. The long lists are SharedArrays, read an element at a time.
const META = new SharedArray('load-meta', () => [loadMeta(JSON.parse(open(DATA_FILE)))])[0];
const users = /** @type {LoadUser[]} */ (new SharedArray('load-users', () => JSON.parse(open(DATA_FILE)).users));
/** @typedef {{ ideaId: string, writers: { client: number, updates: { clock: number, b64: string }[] }[] }} FixtureDoc */
const docs = /** @type {FixtureDoc[]} */ (new SharedArray('coedit-docs', () => JSON.parse(open(FIXTURES)).docs));

const UPDATE_RATE = envNumber(__ENV, 'UPDATE_RATE', 5); // updates per second per writer
const RAMP_S = envNumber(__ENV, 'RAMP_S', 20); // documents start one after another over this time
const DRAIN_S = envNumber(__ENV, 'DRAIN_S', 5); // wait for the last deliveries
const CONNECT_S = 5; // time for every VU to connect before the first scheduled update

const first = docs[0];
if (!first) throw new Error(`${FIXTURES} has no documents: run make-coedit-fixtures.mjs`);
const WRITERS = first.writers.length;
const UPDATES = /** @type {{ updates: unknown[] }} */ (first.writers[0]).updates.length;
const VUS = docs.length * WRITERS;
const RUN_S = CONNECT_S + RAMP_S + UPDATES / UPDATE_RATE + DRAIN_S;

export const options = {
  scenarios: {
    writers: {
      executor: 'per-vu-iterations',
      vus: VUS,
      iterations: 1,
      maxDuration: `${Math.ceil(RUN_S + 30)}s`,
    },
  },
  thresholds: {
    coedit_update_to_peer_ms: ['p(99)<=250'],
    coedit_delivered: ['rate>0.99'],
    coedit_refused: ['count==0'],
    coedit_send_lag_ms: ['p(99)<=50'],
  },
};

const toPeerMs = new Trend('coedit_update_to_peer_ms', true);
const sendLagMs = new Trend('coedit_send_lag_ms', true);
const delivered = new Rate('coedit_delivered');
const refused = new Counter('coedit_refused');
const updatesSent = new Counter('coedit_updates_sent');
const updatesReceived = new Counter('coedit_updates_received');

export function setup() {
  if (VUS > users.length) throw new Error(`${VUS} writers but the load data has ${users.length} users`);
  return { startAt: Date.now() + CONNECT_S * 1000 };
}

/**
 * When writer `slot` of document `d` sends its update `k`.
 * @param {number} startAt @param {number} d @param {number} slot @param {number} k
 */
function scheduled(startAt, d, slot, k) {
  const gap = 1000 / UPDATE_RATE;
  return startAt + (docs.length > 1 ? (d * RAMP_S * 1000) / docs.length : 0) + (slot * gap) / WRITERS + k * gap;
}

/** @param {{ startAt: number }} data */
export default function (data) {
  const m = META;
  const vu = exec.vu.idInTest;
  const d = Math.floor((vu - 1) / WRITERS) % docs.length;
  const slot = (vu - 1) % WRITERS;
  const doc = /** @type {FixtureDoc} */ (docs[d]);
  const me = /** @type {FixtureDoc['writers'][number]} */ (doc.writers[slot]);
  const user = users[vu - 1];
  // Writers of one document alternate between the nodes.
  const { home } = nodesFor(envList(__ENV, 'BASE_URLS', m.baseUrls), slot + 1);
  const url = `${home.replace(/^http/, 'ws')}/collab/idea:${doc.ideaId}?token=${encodeURIComponent(user.token)}`;

  /** (client:clock) of every other writer's update -> [slot, k]. */
  /** @type {Record<string, number[]>} */
  const index = {};
  doc.writers.forEach((w, s) => {
    if (s === slot) return;
    w.updates.forEach((u, k) => {
      index[`${w.client}:${u.clock}`] = [s, k];
    });
  });
  /** @type {Record<string, boolean>} */
  const got = {};
  const frames = me.updates.map((u) => toArrayBuffer(syncUpdate(fromBase64(u.b64))));
  const endAt = scheduled(data.startAt, d, WRITERS - 1, UPDATES - 1) + DRAIN_S * 1000;
  let closedByUs = false;

  ws.connect(url, { tags: { role: 'writer' } }, (socket) => {
    socket.on('open', () => {
      // What a provider does: ask for the document, and answer the server's step 1.
      socket.sendBinary(toArrayBuffer(syncStep1(EMPTY_STATE_VECTOR)));
    });
    socket.on('binaryMessage', (frame) => {
      const msg = decodeMessage(frame);
      if (msg.type === 'sync' && msg.sub === 'step1') socket.sendBinary(toArrayBuffer(syncStep2(EMPTY_UPDATE)));
      if (msg.type !== 'sync' || msg.sub !== 'update') return;
      const id = firstStructId(msg.payload);
      if (!id) return;
      const key = `${id.client}:${id.clock}`;
      const at = index[key];
      if (!at || got[key]) return;
      got[key] = true;
      updatesReceived.add(1);
      toPeerMs.add(Date.now() - scheduled(data.startAt, d, /** @type {number} */ (at[0]), /** @type {number} */ (at[1])));
    });
    socket.on('close', (code) => {
      if (!closedByUs) {
        refused.add(1, { code: String(code) });
        console.error(`idea:${doc.ideaId}: the server closed the connection with ${code}`);
      }
    });

    /** @param {number} k */
    const sendNext = (k) => {
      if (k >= frames.length) return;
      const due = scheduled(data.startAt, d, slot, k);
      socket.setTimeout(
        () => {
          sendLagMs.add(Math.max(0, Date.now() - due));
          socket.sendBinary(/** @type {ArrayBuffer} */ (frames[k]));
          updatesSent.add(1);
          sendNext(k + 1);
        },
        Math.max(0, due - Date.now()),
      );
    };
    sendNext(0);

    socket.setTimeout(
      () => {
        for (const key of Object.keys(index)) delivered.add(got[key] === true);
        closedByUs = true;
        socket.close();
      },
      Math.max(0, endAt - Date.now()),
    );
  });
}
