#!/usr/bin/env node
// After a coedit run: every node must hold the same document, containing every writer's whole
// stream. For each document of the fixtures it syncs a fresh Y.Doc from every node (y-websocket
// sync step 1 / step 2 over a bare WebSocket) and checks that
//   - the documents from all nodes are identical (state vector and body),
//   - each writer's client id has reached its last clock (no update lost),
//   - each writer's paragraph reads exactly as the writer wrote it.
// It retries for a while (cross-node exchange is eventually consistent), then prints one JSON line
// and exits 1 if any document did not converge.
//
//   node load-tests/k6/verify-coedit.mjs [--data load-tests/k6/data/load.json]
//     [--fixtures load-tests/k6/data/coedit.json] [--base-urls http://127.0.0.1:3001,…] [--timeout-ms 15000]
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { decodeMessage, EMPTY_STATE_VECTOR, syncStep1 } from './lib/ywire.js';
import { BODY_FIELD } from './make-coedit-fixtures.mjs';

/**
 * The document as one node holds it.
 * @param {string} base http(s) base URL
 * @param {string} ideaId
 * @param {string} token
 * @returns {Promise<Y.Doc>}
 */
export function fetchDoc(base, ideaId, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/collab/idea:${ideaId}?token=${encodeURIComponent(token)}`);
    ws.binaryType = 'arraybuffer';
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`${base}: no sync step 2 for idea:${ideaId}`));
    }, 10_000);
    ws.on('open', () => ws.send(syncStep1(EMPTY_STATE_VECTOR)));
    ws.on('message', (/** @type {ArrayBuffer} */ data) => {
      const msg = decodeMessage(data);
      if (msg.type !== 'sync' || msg.sub !== 'step2') return;
      clearTimeout(timer);
      const doc = new Y.Doc();
      Y.applyUpdate(doc, msg.payload);
      ws.close();
      resolve(doc);
    });
    ws.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${base}: closed with ${code} before sync step 2 for idea:${ideaId}`));
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * The text of each paragraph of the body, keyed by its `w<client>:` prefix.
 * @param {Y.Doc} doc
 */
function paragraphs(doc) {
  /** @type {Map<string, string>} */
  const out = new Map();
  for (const node of doc.getXmlFragment(BODY_FIELD).toArray()) {
    if (!(node instanceof Y.XmlElement)) continue;
    const text = node
      .toArray()
      .map((c) => (c instanceof Y.XmlText ? c.toString() : ''))
      .join('');
    const m = /^w(\d+):/.exec(text);
    if (m) out.set(m[1], text);
  }
  return out;
}

/**
 * Problems with one document across nodes (empty when it converged).
 * @param {import('./make-coedit-fixtures.mjs').FixtureDoc} fixture
 * @param {Y.Doc[]} copies one per node
 * @returns {string[]}
 */
export function docProblems(fixture, copies) {
  /** @type {string[]} */
  const problems = [];
  const [firstCopy, ...others] = copies;
  if (!firstCopy) return ['no copies'];
  const sv = Buffer.from(Y.encodeStateVector(firstCopy)).toString('base64');
  const body = firstCopy.getXmlFragment(BODY_FIELD).toString();
  others.forEach((c, i) => {
    if (Buffer.from(Y.encodeStateVector(c)).toString('base64') !== sv) problems.push(`node ${i + 2} has another state vector than node 1`);
    else if (c.getXmlFragment(BODY_FIELD).toString() !== body) problems.push(`node ${i + 2} shows another body than node 1`);
  });
  const texts = paragraphs(firstCopy);
  for (const w of fixture.writers) {
    const clock = Y.getState(firstCopy.store, w.client);
    if (clock < w.endClock) problems.push(`writer ${w.client}: clock ${clock} of ${w.endClock} (updates missing)`);
    else if (texts.get(String(w.client)) !== w.text) problems.push(`writer ${w.client}: paragraph differs from what it wrote`);
  }
  return problems;
}

/**
 * Checks every document of the fixtures on every node, retrying until `timeoutMs`.
 * @param {{ fixtures: import('./make-coedit-fixtures.mjs').Fixtures, baseUrls: string[], token: string, timeoutMs?: number }} opts
 */
export async function verifyCoedit(opts) {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  /** @type {Record<string, string[]>} */
  let problems = {};
  for (;;) {
    problems = {};
    for (const fixture of opts.fixtures.docs) {
      const copies = await Promise.all(opts.baseUrls.map((b) => fetchDoc(b, fixture.ideaId, opts.token)));
      const p = docProblems(fixture, copies);
      for (const c of copies) c.destroy();
      if (p.length > 0) problems[fixture.ideaId] = p;
    }
    if (Object.keys(problems).length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const docs = opts.fixtures.docs.length;
  const failed = Object.keys(problems).length;
  return { scenario: 'coedit-verify', docs, nodes: opts.baseUrls.length, converged: failed === 0, failed, problems };
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const here = dirname(fileURLToPath(import.meta.url));
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: `${here}/data/load.json` },
      fixtures: { type: 'string', default: `${here}/data/coedit.json` },
      'base-urls': { type: 'string' },
      'timeout-ms': { type: 'string', default: '15000' },
    },
  });
  const load = JSON.parse(readFileSync(values.data, 'utf8'));
  const fixtures = JSON.parse(readFileSync(values.fixtures, 'utf8'));
  const baseUrls = values['base-urls'] ? values['base-urls'].split(',') : load.baseUrls;
  const report = await verifyCoedit({ fixtures, baseUrls, token: load.users[0].token, timeoutMs: Number(values['timeout-ms']) });
  console.log(JSON.stringify(report));
  process.exit(report.converged ? 0 : 1);
}
