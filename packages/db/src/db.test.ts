import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Database, docUpdates, LOCKS, MIGRATIONS_FOLDER } from './index.js';
import { boards, communities, ideas, users, votes } from './schema.js';
import { createTestDatabase, TEST_POSTGRES_URL, testDbKinds } from './testing.js';

describe.each(testDbKinds())('the data layer on %s', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(() => database.close());

  it('creates every table of the data model', async () => {
    const rows = (await database.db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`)) as unknown;
    const list = (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { table_name: string }[];
    expect(list.map((r) => r.table_name)).toEqual(
      [
        'audit_log', 'boards', 'changelog_credits', 'changelog_entries', 'comments', 'communities', 'doc_snapshots', 'doc_updates',
        'idea_contributors', 'idea_followers', 'idea_tags', 'ideas', 'invites', 'join_requests', 'memberships', 'notifications',
        'outbox', 'roadmap_items', 'sessions', 'status_changes', 'tags', 'users', 'votes', 'webhook_deliveries', 'webhooks',
      ].sort(),
    );
  });

  it('migrating again is a no-op', async () => {
    await database.migrate();
    await database.migrate();
  });

  it('round-trips bytes and keeps counters consistent by constraint', async () => {
    const db = database.db;
    const [u] = await db.insert(users).values({ email: 'x@y.z', handle: 'x', displayName: 'X', passwordHash: 'h' }).returning();
    const [c] = await db.insert(communities).values({ slug: 'c1', name: 'C' }).returning();
    const [b] = await db.insert(boards).values({ communityId: c!.id, slug: 'b', name: 'B' }).returning();
    const [i] = await db.insert(ideas).values({ communityId: c!.id, boardId: b!.id, authorId: u!.id, title: 'T', bodyText: 'hello world' }).returning();
    const bytes = new Uint8Array([0, 1, 2, 254, 255]);
    const [row] = await db.insert(docUpdates).values({ docName: `idea:${i!.id}`, update: bytes, userId: u!.id }).returning();
    const [back] = await db.select().from(docUpdates).where(eq(docUpdates.seq, row!.seq));
    expect([...new Uint8Array(back!.update)]).toEqual([0, 1, 2, 254, 255]);
    // vote_count must equal up - down; a vote's value is +1 or -1.
    await expect(db.update(ideas).set({ up: 1 }).where(eq(ideas.id, i!.id))).rejects.toThrow();
    await expect(db.insert(votes).values({ ideaId: i!.id, userId: u!.id, value: 2 })).rejects.toThrow();
    // The search column is derived from title and body.
    const found = await db.select({ id: ideas.id }).from(ideas).where(sql`${ideas.search} @@ websearch_to_tsquery('simple', 'hello')`);
    expect(found.map((f) => f.id)).toEqual([i!.id]);
  });

  it('serialises work under an advisory lock', async () => {
    const order: string[] = [];
    const task = (name: string, ms: number) =>
      database.withAdvisoryLock(LOCKS.seed, async () => {
        order.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`${name}:end`);
      });
    await Promise.all([task('a', 60), task('b', 10)]);
    // Whichever takes the lock first, the two never overlap.
    const first = order[0]?.split(':')[0];
    const second = first === 'a' ? 'b' : 'a';
    expect(order).toEqual([`${first}:start`, `${first}:end`, `${second}:start`, `${second}:end`]);
  });
});

const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };

describe.skipIf(!testDbKinds().includes('postgres'))('migrations on PostgreSQL', () => {
  it('lets several nodes start together: one migrates, the others wait and find it done', async () => {
    const name = `cocreate_test_${randomBytes(6).toString('hex')}`;
    const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(TEST_POSTGRES_URL);
    url.pathname = `/${name}`;
    const nodes = await Promise.all([1, 2, 3, 4].map(() => createDb({ databaseUrl: url.toString(), poolSize: 3 })));
    try {
      await Promise.all(nodes.map((n) => n.migrate()));
      const applied = await nodes[0]!.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      // Each migration once, whatever the number of nodes that raced to apply them.
      expect((applied as unknown as { n: number }[])[0]!.n).toBe(journal.entries.length);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
