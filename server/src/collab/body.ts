import { createHash } from 'node:crypto';
import * as Y from 'yjs';

/**
 * The idea body as TipTap keeps it: the XmlFragment `default` of paragraphs, headings and lists.
 * Here: its plain text for lists and search, and the seed that turns a body typed before the
 * document existed (ideas.body_text) into paragraphs.
 */

import { IDEA_BODY_FRAGMENT } from '@cocreate/protocol';

export const BODY_FIELD = IDEA_BODY_FRAGMENT;
/** bodyText feeds the search index; beyond this it is cut. */
export const MAX_BODY_TEXT_CHARS = 100_000;

export function plainText(doc: Y.Doc, limit = MAX_BODY_TEXT_CHARS): string {
  const lines: string[] = [];
  let current = '';
  let size = 0;
  const walk = (node: unknown): void => {
    if (size > limit) return;
    if (node instanceof Y.XmlText) {
      for (const op of node.toDelta() as Array<{ insert?: unknown }>) {
        if (typeof op.insert === 'string') {
          current += op.insert;
          size += op.insert.length;
        }
      }
      return;
    }
    // Anything else in the fragment (a hook, or content a client forced into it) has no text.
    if (!(node instanceof Y.XmlElement || node instanceof Y.XmlFragment)) return;
    if (node instanceof Y.XmlElement && node.nodeName === 'hardBreak') {
      current += '\n';
      return;
    }
    for (const child of node.toArray()) walk(child);
    // Every element that holds text is a block of its own (paragraph, heading, list item, code).
    if (node instanceof Y.XmlElement && current !== '') {
      lines.push(current);
      current = '';
    }
  };
  walk(doc.getXmlFragment(BODY_FIELD));
  if (current !== '') lines.push(current);
  return lines.join('\n').slice(0, limit);
}

/** A client id that every node derives alike, so two nodes seeding the same body write identical structs. */
export function seedClientId(docName: string): number {
  return createHash('sha256').update(`seed:${docName}`).digest().readUInt32BE(0);
}

/**
 * The body text as paragraphs, made by a fixed client id with a fixed sequence of operations: the
 * same bytes on every node, which Yjs merges as one.
 */
export function seedUpdate(docName: string, text: string): Uint8Array | null {
  const paragraphs = text.replace(/\r\n?/g, '\n').split('\n');
  if (text.trim() === '') return null;
  const doc = new Y.Doc({ gc: true });
  doc.clientID = seedClientId(docName);
  try {
    const fragment = doc.getXmlFragment(BODY_FIELD);
    doc.transact(() => {
      fragment.insert(
        0,
        paragraphs.map((line) => {
          const p = new Y.XmlElement('paragraph');
          if (line !== '') p.insert(0, [new Y.XmlText(line)]);
          return p;
        }),
      );
    });
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}
