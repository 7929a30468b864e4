import { type Database, docSnapshots, docUpdates } from '@cocreate/db';
import { createTestDatabase } from '@cocreate/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { testDbKinds } from '../testing/harness.js';
import { PgDocStore } from './store.js';

/** Edits from one Yjs client, each a separate update, as a typist makes them. */
function typist(clientId: number, count: number): Uint8Array[] {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const text = doc.getText('t');
  for (let i = 0; i < count; i++) text.insert(text.length, `${clientId}:${i};`);
  doc.destroy();
  return updates;
}

function stateOf(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

describe.each(testDbKinds())('PgDocStore (%s)', (kind) => {
  let database: Database;
  let store: PgDocStore;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    store = new PgDocStore(database.db);
  });
  afterAll(() => database.close());

  it('loads the snapshot plus the unfolded rows; compaction folds and deletes exactly what it read', async () => {
    const name = `test:${kind}:fold`;
    const updates = typist(1, 10);
    await store.append(
      updates.slice(0, 6).map((update) => ({ docName: name, update, userId: null })),
      [],
    );
    const result = await store.compact(name);
    expect(result.folded).toBe(6);
    await store.append(
      updates.slice(6).map((update) => ({ docName: name, update, userId: null })),
      [],
    );
    const rows = await database.db.select().from(docUpdates).where(eq(docUpdates.docName, name));
    expect(rows).toHaveLength(4);
    const [snapshot] = await database.db.select().from(docSnapshots).where(eq(docSnapshots.docName, name));
    expect(snapshot?.size).toBe(snapshot?.state.length);
    const loaded = await store.load(name);
    expect(loaded.updates).toHaveLength(5);
    expect(stateOf(loaded.updates).getText('t').toString()).toBe(stateOf(updates).getText('t').toString());
  });

  it('compaction racing concurrent writers loses no update', async () => {
    const name = `test:${kind}:race`;
    const writers = [11, 12, 13, 14].map((id) => typist(id, 60));
    // Writers whose transactions take their seq early and commit late (as an append with its
    // contributor counts does): a compaction that deleted "everything up to seq N" would lose rows.
    const appends = writers.map(async (updates) => {
      for (let i = 0; i < updates.length; i += 3) {
        await database.db.transaction(async (tx) => {
          await tx.insert(docUpdates).values(updates.slice(i, i + 3).map((update) => ({ docName: name, update, userId: null })));
          await new Promise((r) => setTimeout(r, Math.random() * 6));
        });
      }
    });
    let compactions = 0;
    let writing = true;
    const compactor = (async () => {
      while (writing) {
        await Promise.all([store.compact(name), store.compact(name)]);
        compactions++;
      }
    })();
    await Promise.all(appends);
    writing = false;
    await compactor;
    expect(compactions).toBeGreaterThan(0);
    const expected = stateOf(writers.flat()).getText('t').toString();
    expect(
      stateOf((await store.load(name)).updates)
        .getText('t')
        .toString(),
    ).toBe(expected);
    await store.compact(name);
    expect(await database.db.select().from(docUpdates).where(eq(docUpdates.docName, name))).toHaveLength(0);
    expect(
      stateOf((await store.load(name)).updates)
        .getText('t')
        .toString(),
    ).toBe(expected);
  });

  it('folds in-memory state given as extra, and writes nothing when it adds nothing', async () => {
    const name = `test:${kind}:extra`;
    const updates = typist(21, 5);
    const memory = Y.mergeUpdates(updates);
    expect((await store.compact(name, memory)).bytes).toBeGreaterThan(0);
    const [before] = await database.db.select().from(docSnapshots).where(eq(docSnapshots.docName, name));
    const again = await store.compact(name, memory);
    expect(again.folded).toBe(0);
    const [after] = await database.db.select().from(docSnapshots).where(eq(docSnapshots.docName, name));
    expect(after?.updatedAt.getTime()).toBe(before?.updatedAt.getTime());
    expect(
      stateOf((await store.load(name)).updates)
        .getText('t')
        .toString(),
    ).toBe(stateOf(updates).getText('t').toString());
  });
});
