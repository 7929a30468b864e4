import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { createDb, type Database } from './index.js';

/** Which database the test suite runs on: PGlite in memory, or a fresh database on a real PostgreSQL. */
export type TestDbKind = 'pglite' | 'postgres';

export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A migrated, isolated database for one test file: PGlite in memory, or a new database created on
 * the PostgreSQL server and dropped by `close()`.
 */
export async function createTestDatabase(kind: TestDbKind): Promise<Database & { url?: string }> {
  if (kind === 'pglite') {
    const database = await createDb({});
    await database.migrate();
    return database;
  }
  const name = `cocreate_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  const database = await createDb({ databaseUrl: url.toString(), poolSize: 10 });
  await database.migrate();
  return {
    ...database,
    url: url.toString(),
    close: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** The kinds this run covers: TEST_DB=pglite|postgres picks one; by default both. */
export function testDbKinds(): TestDbKind[] {
  const only = process.env.TEST_DB;
  if (only === 'pglite' || only === 'postgres') return [only];
  return ['pglite', 'postgres'];
}
