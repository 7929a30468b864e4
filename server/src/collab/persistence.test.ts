import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Database, docSnapshots, docUpdates, ideaContributors } from '@cocreate/db';
import { createTestDatabase } from '@cocreate/db/testing';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { communityFixture, type TestApp, type TestUser, testConfig, testDbKinds, wrapTestApp } from '../testing/harness.js';
import { bodyOf, collabSettings, collabUrl, collabWorld, destroyPeers, peer, storedBody, synced, typeParagraph, until } from './testing.js';

/** Storage of documents through the app: group commit, authorship, text, compaction, unload, shutdown. */
describe.each(testDbKinds())('collab persistence (%s)', (kind) => {
  let t: TestApp;
  let url: string;
  let fx: Awaited<ReturnType<typeof communityFixture>>;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    ({ t, url, fx, alice, bob } = await collabWorld(kind, collabSettings({ idleMs: 150, textDebounceMs: 50, compactRows: 4 })));
  }, 60_000);
  afterEach(() => destroyPeers());
  afterAll(() => t.close());

  it('stores every accepted update with its author within the window, and counts contributions', async () => {
    const idea = await fx.idea(alice, 'Authors');
    const a = peer(url, idea.id, { token: alice.token });
    const b = peer(url, idea.id, { token: bob.token });
    await Promise.all([synced(a), synced(b)]);
    typeParagraph(a.doc, 'by alice');
    typeParagraph(b.doc, 'by bob');
    typeParagraph(b.doc, 'by bob again');
    // No explicit flush: the group commit stores them by itself.
    await until(async () => (await storedBody(t, `idea:${idea.id}`)).split('\n').length === 3);
    const contributors = await t.app.db.select().from(ideaContributors).where(eq(ideaContributors.ideaId, idea.id));
    const byUser = new Map(contributors.map((c) => [c.userId, c]));
    expect(byUser.get(alice.id)).toMatchObject({ role: 'author' });
    expect(byUser.get(alice.id)!.editCount).toBeGreaterThanOrEqual(1);
    expect(byUser.get(bob.id)).toMatchObject({ role: 'co_author' });
    expect(byUser.get(bob.id)!.editCount).toBeGreaterThanOrEqual(2);
    const rows = await t.app.db
      .select({ userId: docUpdates.userId })
      .from(docUpdates)
      .where(eq(docUpdates.docName, `idea:${idea.id}`));
    const authors = new Set(rows.map((r) => r.userId));
    // Compaction may already have folded some rows; whatever is left carries its author.
    for (const author of authors) expect([alice.id, bob.id]).toContain(author);
  });

  it('writes a debounced plain-text extract of the body to the idea, and so to search', async () => {
    const idea = await fx.idea(alice, 'Searchable');
    const a = peer(url, idea.id, { token: alice.token });
    await synced(a);
    typeParagraph(a.doc, 'zeppelin moustache');
    typeParagraph(a.doc, 'second paragraph');
    await until(
      async () => (await t.api('GET', `/api/ideas/${idea.id}`, { as: alice })).json().bodyText === 'zeppelin moustache\nsecond paragraph',
    );
    const found = await t.api('GET', `/api/boards/${fx.boardId}/ideas?q=zeppelin`, { as: alice });
    expect(found.json().items.map((i: { id: string }) => i.id)).toContain(idea.id);
  });

  it('compacts as rows accumulate; load is snapshot plus the rest', async () => {
    const idea = await fx.idea(alice, 'Compacted');
    const name = `idea:${idea.id}`;
    const a = peer(url, idea.id, { token: alice.token });
    await synced(a);
    for (let i = 0; i < 12; i++) {
      typeParagraph(a.doc, `line ${i}`);
      await new Promise((r) => setTimeout(r, 70));
    }
    await until(async () => (await t.app.db.select().from(docSnapshots).where(eq(docSnapshots.docName, name))).length === 1);
    await t.app.collab.writer.flush();
    expect(await storedBody(t, name)).toBe(bodyOf(a.doc));
    const left = await t.app.db.select().from(docUpdates).where(eq(docUpdates.docName, name));
    expect(left.length).toBeLessThan(12);
  });

  it('flushes and unloads an idle document, and releases its memory', async () => {
    const idea = await fx.idea(alice, 'Idle');
    const name = `idea:${idea.id}`;
    const a = peer(url, idea.id, { token: alice.token });
    await synced(a);
    typeParagraph(a.doc, 'before going idle');
    await until(() => bodyOf(t.app.collab.loaded(name)?.ydoc ?? a.doc) === 'before going idle' && t.app.collab.loaded(name) !== undefined);
    const ref = new WeakRef(t.app.collab.loaded(name)!.ydoc);
    a.destroy();
    await until(() => t.app.collab.loaded(name) === undefined);
    // Unload compacts with the in-memory state: everything is in the snapshot.
    expect(await t.app.db.select().from(docUpdates).where(eq(docUpdates.docName, name))).toHaveLength(0);
    expect(await storedBody(t, name)).toBe('before going idle');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    await until(
      () => {
        gc();
        return ref.deref() === undefined;
      },
      15_000,
      'the unloaded document is still referenced',
    );
    // And it comes back from storage.
    const b = peer(url, idea.id, { token: bob.token });
    await synced(b);
    await until(() => bodyOf(b.doc) === 'before going idle');
  });

  it('reports documents, connections, updates, persistence lag and compactions in /metrics', async () => {
    const idea = await fx.idea(alice, 'Measured');
    const a = peer(url, idea.id, { token: alice.token });
    await synced(a);
    for (let i = 0; i < 6; i++) typeParagraph(a.doc, `m${i}`);
    await until(() => t.app.collab.stats.compactions > 0 && t.app.collab.writer.queued === 0);
    const text = (await t.api('GET', '/metrics')).body;
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('cocreate_collab_documents')).toBeGreaterThanOrEqual(1);
    expect(value('cocreate_collab_connections')).toBeGreaterThanOrEqual(1);
    expect(value('cocreate_collab_updates_total')).toBeGreaterThanOrEqual(6);
    expect(value('cocreate_collab_compactions_total')).toBeGreaterThanOrEqual(1);
    expect(value('cocreate_collab_persist_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(value('cocreate_collab_rows_written_total')).toBeGreaterThanOrEqual(1);
  });

  it('revokes a live connection when its session ends', async () => {
    const idea = await fx.idea(alice, 'Revoked');
    const carol = await fx.member();
    const a = peer(url, idea.id, { token: carol.token });
    await synced(a);
    const out = await t.api('POST', '/api/auth/logout', { as: carol, body: {} });
    expect(out.statusCode).toBeLessThan(300);
    await until(() => a.closes.some((c) => c.code === 4401));
  });
});

describe.each(testDbKinds())('collab shutdown (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());

  it('flushes updates still inside the group-commit window when the app closes', async () => {
    const app = await buildApp(testConfig(collabSettings({ flushMs: 100 })), { database, redis: null });
    await app.ready();
    const t = wrapTestApp(app, kind, async () => undefined);
    const fx = await communityFixture(t);
    const alice = await fx.member();
    const idea = await fx.idea(alice, 'Shutdown');
    const a = peer(await collabUrl(app), idea.id, { token: alice.token });
    await synced(a);
    let closing: Promise<void> | undefined;
    let queuedAtClose = 0;
    // Close the app the moment the server integrates the update: it is then certainly still queued.
    app.collab.loaded(`idea:${idea.id}`)!.ydoc.on('update', () => {
      if (closing) return;
      queuedAtClose = app.collab.writer.queued;
      closing = app.close();
    });
    typeParagraph(a.doc, 'last words');
    await until(() => closing !== undefined);
    await closing;
    a.destroy();
    expect(queuedAtClose).toBeGreaterThan(0);
    const rows = await database.db
      .select()
      .from(docUpdates)
      .where(and(eq(docUpdates.docName, `idea:${idea.id}`), eq(docUpdates.userId, alice.id)));
    expect(rows.length).toBeGreaterThan(0);
  });
});
