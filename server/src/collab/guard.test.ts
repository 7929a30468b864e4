import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { deleteSetDigest, inspectUpdate, MAX_CLOCK_JUMP, MAX_NESTING } from './guard.js';

/** Every update a client makes, one by one. */
function record(doc: Y.Doc): Uint8Array[] {
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  return out;
}
const knownBy = (doc: Y.Doc) => (client: number) => Y.getState(doc.store, client);

describe('inspectUpdate', () => {
  it('passes an update that follows the document, with nothing pending', () => {
    const server = new Y.Doc();
    const client = new Y.Doc();
    const updates = record(client);
    client.getText('t').insert(0, 'hello');
    client.getText('t').insert(5, ' world');
    Y.applyUpdate(server, updates[0]!);
    expect(inspectUpdate(updates[1]!, knownBy(server))).toEqual({ ok: true, pending: 0 });
  });

  it('counts structs after a gap, and items whose origin the document lacks, as pending', () => {
    const server = new Y.Doc();
    const a = new Y.Doc();
    const ua = record(a);
    a.getText('t').insert(0, 'abc');
    a.getText('t').insert(3, 'def');
    // The second update of `a` without its first: a clock gap.
    expect(inspectUpdate(ua[1]!, knownBy(server))).toMatchObject({ ok: true, pending: 1 });
    // Another client typing after a's text: its item's origin is a's struct, unknown to the server.
    const b = new Y.Doc();
    Y.applyUpdate(b, ua[0]!);
    const ub = record(b);
    b.getText('t').insert(3, 'X');
    expect(inspectUpdate(ub[0]!, knownBy(server))).toMatchObject({ ok: true, pending: 1 });
    // With a's first update, both are fine.
    Y.applyUpdate(server, ua[0]!);
    expect(inspectUpdate(ub[0]!, knownBy(server))).toEqual({ ok: true, pending: 0 });
  });

  it('counts a deletion of content the document does not have as pending', () => {
    const a = new Y.Doc();
    const ua = record(a);
    a.getText('t').insert(0, 'abc');
    a.getText('t').delete(0, 2);
    expect(inspectUpdate(ua[1]!, knownBy(new Y.Doc()))).toMatchObject({ ok: true, pending: 1 });
  });

  it('refuses clocks pushed far beyond what the document knows, and sub-documents', () => {
    const doc = new Y.Doc();
    doc.clientID = 99;
    const updates = record(doc);
    doc.getText('t').insert(0, 'x');
    // The same struct seen by a document that believes client 99 is far behind it: a jump past the bound.
    expect(inspectUpdate(updates[0]!, () => -MAX_CLOCK_JUMP - 10)).toMatchObject({ ok: false, reason: 'clock' });
    const withSub = new Y.Doc();
    const subUpdates = record(withSub);
    withSub.getMap('m').set('sub', new Y.Doc());
    expect(inspectUpdate(subUpdates[0]!, () => 0)).toMatchObject({ ok: false, reason: 'subdocument' });
  });

  it('refuses bytes that do not decode', () => {
    expect(inspectUpdate(new Uint8Array([9, 200, 1]), () => 0)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

/** Elements nested `depth` levels deep under `under` (or the body), as one update of `doc`. */
function nest(doc: Y.Doc, depth: number, under?: Y.XmlElement): { update: Uint8Array; deepest: Y.XmlElement } {
  const updates = record(doc);
  let parent: Y.XmlFragment | Y.XmlElement = under ?? doc.getXmlFragment('default');
  doc.transact(() => {
    for (let i = 0; i < depth; i++) {
      const el = new Y.XmlElement('blockquote');
      parent.insert(0, [el]);
      parent = el;
    }
    parent.insert(0, [new Y.XmlText('deep')]);
  });
  return { update: Y.mergeUpdates(updates), deepest: parent as Y.XmlElement };
}

describe('inspectUpdate: nesting', () => {
  it('refuses types nested past the limit in one update, without overflowing its own stack', () => {
    // n elements, then the XmlText inside the deepest, then its characters: n + 2 levels.
    expect(inspectUpdate(nest(new Y.Doc(), MAX_NESTING - 2).update, () => 0)).toEqual({ ok: true, pending: 0 });
    expect(inspectUpdate(nest(new Y.Doc(), MAX_NESTING - 1).update, () => 0)).toMatchObject({ ok: false, reason: 'nesting' });
    // Deep enough to break a recursive reader (the text extract overflows near 10,000).
    expect(inspectUpdate(nest(new Y.Doc(), 20_000).update, () => 0)).toMatchObject({ ok: false, reason: 'nesting' });
  });

  it('counts the levels the document already has', () => {
    const client = new Y.Doc();
    const server = new Y.Doc();
    const base = nest(client, MAX_NESTING - 12);
    Y.applyUpdate(server, base.update);
    const shallow = nest(client, 5, base.deepest);
    expect(inspectUpdate(shallow.update, knownBy(server), server)).toEqual({ ok: true, pending: 0 });
    Y.applyUpdate(server, shallow.update);
    // Typing beside the deepest text (no new level) stays fine.
    const typed = record(client);
    (shallow.deepest.get(0) as Y.XmlText).insert(0, 'more ');
    expect(inspectUpdate(typed[0]!, knownBy(server), server)).toEqual({ ok: true, pending: 0 });
    Y.applyUpdate(server, typed[0]!);
    // Five levels more would pass the limit, counted from what the server holds.
    const deeper = nest(client, 6, shallow.deepest);
    expect(inspectUpdate(deeper.update, knownBy(server), server)).toMatchObject({ ok: false, reason: 'nesting' });
    expect(inspectUpdate(deeper.update, knownBy(server))).toMatchObject({ ok: true });
  });

  it('takes long runs of siblings as one level', () => {
    const doc = new Y.Doc();
    const updates = record(doc);
    const fragment = doc.getXmlFragment('default');
    doc.transact(() => {
      for (let i = 0; i < 5_000; i++) {
        const p = new Y.XmlElement('paragraph');
        p.insert(0, [new Y.XmlText(`line ${i}`)]);
        fragment.insert(fragment.length, [p]);
      }
    });
    expect(inspectUpdate(Y.mergeUpdates(updates), () => 0)).toEqual({ ok: true, pending: 0 });
  });
});

describe('deleteSetDigest', () => {
  it('is the same for equal documents whatever the batching, and differs when a deletion is missing', () => {
    const source = new Y.Doc();
    const updates = record(source);
    const text = source.getText('t');
    text.insert(0, 'hello brave new world');
    text.delete(6, 6);
    text.insert(0, '>> ');
    text.delete(0, 1);
    const oneByOne = new Y.Doc();
    for (const u of updates) Y.applyUpdate(oneByOne, u);
    const merged = new Y.Doc();
    Y.applyUpdate(merged, Y.mergeUpdates(updates));
    expect(deleteSetDigest(oneByOne)).toBe(deleteSetDigest(source));
    expect(deleteSetDigest(merged)).toBe(deleteSetDigest(source));
    const missingLast = new Y.Doc();
    for (const u of updates.slice(0, -1)) Y.applyUpdate(missingLast, u);
    expect(Y.encodeStateVector(missingLast)).toEqual(Y.encodeStateVector(source));
    expect(deleteSetDigest(missingLast)).not.toBe(deleteSetDigest(source));
  });
});
