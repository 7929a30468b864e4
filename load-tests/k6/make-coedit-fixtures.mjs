#!/usr/bin/env node
// Generates the update streams coedit.js sends (k6 cannot run Yjs): for each document, a few
// writers, each a Y.Doc of its own with a fresh random client id that writes its own paragraph in
// the idea body (the XmlFragment `default`), one Yjs update per edit. Writers start from an empty
// document, so a stream depends only on its own earlier updates and every order of arrival
// converges. Run it before every coedit run: fresh client ids make every update new to the server.
//
//   node load-tests/k6/make-coedit-fixtures.mjs [--data load-tests/k6/data/load.json]
//     [--out load-tests/k6/data/coedit.json] [--docs 20] [--writers 4] [--updates 100]
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { firstStructId } from './lib/ywire.js';

/** The idea body's field, as the server, the client and TipTap name it. */
export const BODY_FIELD = 'default';

/**
 * @typedef {{ clock: number, b64: string }} FixtureUpdate
 * @typedef {{ client: number, updates: FixtureUpdate[], text: string, endClock: number }} FixtureWriter
 * @typedef {{ ideaId: string, writers: FixtureWriter[] }} FixtureDoc
 * @typedef {{ generatedAt: string, docs: FixtureDoc[] }} Fixtures
 */

/**
 * One writer's stream: a paragraph `w<client>:` followed by words, with now and then a word
 * rewritten (a deletion and an insertion in one transaction), as typing does.
 * @param {number} updates
 * @returns {FixtureWriter}
 */
export function writerStream(updates) {
  const doc = new Y.Doc();
  // Yjs picks random 32-bit client ids; so do we, above 2^31 half of the time.
  doc.clientID = randomInt(1, 2 ** 32 - 1);
  /** @type {Uint8Array[]} */
  const out = [];
  doc.on('update', (/** @type {Uint8Array} */ u) => out.push(u));
  const paragraph = new Y.XmlElement('paragraph');
  const text = new Y.XmlText();
  doc.transact(() => {
    paragraph.insert(0, [text]);
    text.insert(0, `w${doc.clientID}:`);
    doc.getXmlFragment(BODY_FIELD).insert(0, [paragraph]);
  });
  for (let k = 1; k < updates; k++) {
    doc.transact(() => {
      if (k % 10 === 0) {
        text.delete(text.length - 1, 1);
        text.insert(text.length, `#${k}`);
      } else text.insert(text.length, ` u${k}`);
    });
  }
  const stream = out.map((u) => {
    const id = firstStructId(u);
    if (!id || id.client !== doc.clientID) throw new Error('an update without a struct of its writer');
    return { clock: id.clock, b64: Buffer.from(u).toString('base64') };
  });
  const result = { client: doc.clientID, updates: stream, text: text.toString(), endClock: Y.getState(doc.store, doc.clientID) };
  doc.destroy();
  return result;
}

/**
 * @param {{ ideaIds: string[], writers: number, updates: number }} spec
 * @returns {Fixtures}
 */
export function makeFixtures(spec) {
  return {
    generatedAt: new Date().toISOString(),
    docs: spec.ideaIds.map((ideaId) => ({ ideaId, writers: Array.from({ length: spec.writers }, () => writerStream(spec.updates)) })),
  };
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const here = dirname(fileURLToPath(import.meta.url));
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: `${here}/data/load.json` },
      out: { type: 'string', default: `${here}/data/coedit.json` },
      docs: { type: 'string', default: '20' },
      writers: { type: 'string', default: '4' },
      updates: { type: 'string', default: '100' },
    },
  });
  const load = JSON.parse(readFileSync(values.data, 'utf8'));
  const docs = Number(values.docs);
  /** @type {string[]} */
  const tail = load.tailIdeaIds;
  if (!(docs >= 1 && docs <= tail.length)) throw new Error(`--docs must be between 1 and ${tail.length}`);
  // The end of the long tail: presence-churn and handshake-flood use its beginning.
  const fixtures = makeFixtures({ ideaIds: tail.slice(-docs), writers: Number(values.writers), updates: Number(values.updates) });
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify(fixtures)}\n`);
  console.log(`${docs} documents x ${values.writers} writers x ${values.updates} updates -> ${values.out}`);
}
