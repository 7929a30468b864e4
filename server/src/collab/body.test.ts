import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { BODY_FIELD, plainText, seedUpdate } from './body.js';

describe('the idea body', () => {
  it('extracts plain text: one line per block, marks dropped, hard breaks kept', () => {
    const doc = new Y.Doc();
    const fragment = doc.getXmlFragment(BODY_FIELD);
    const heading = new Y.XmlElement('heading');
    const title = new Y.XmlText();
    heading.insert(0, [title]);
    const list = new Y.XmlElement('bulletList');
    const item = new Y.XmlElement('listItem');
    const para = new Y.XmlElement('paragraph');
    const itemText = new Y.XmlText();
    para.insert(0, [itemText]);
    item.insert(0, [para]);
    list.insert(0, [item]);
    const p2 = new Y.XmlElement('paragraph');
    const t2 = new Y.XmlText();
    p2.insert(0, [t2, new Y.XmlElement('hardBreak'), new Y.XmlText('after break')]);
    fragment.insert(0, [heading, list, p2]);
    title.insert(0, 'Title');
    itemText.insert(0, 'bold', { bold: true });
    itemText.insert(4, ' point');
    t2.insert(0, 'before');
    expect(plainText(doc)).toBe('Title\nbold point\nbefore\nafter break');
  });

  it('seeds the same bytes on every node, so two seeds merge into one body', () => {
    const a = seedUpdate('idea:x', 'one\ntwo')!;
    const b = seedUpdate('idea:x', 'one\ntwo')!;
    expect(a).toEqual(b);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, a);
    Y.applyUpdate(doc, b);
    expect(plainText(doc)).toBe('one\ntwo');
    expect(seedUpdate('idea:x', '  ')).toBeNull();
  });
});
