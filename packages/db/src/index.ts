import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.js';

export * from './schema.js';
export { schema };

export type Schema = typeof schema;
/** A database or a transaction: both drivers give this shape. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface DbConfig {
  /** postgres://… — when absent, PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite's data directory; absent means in memory. */
  dataDir?: string | undefined;
  /** postgres.js pool size. */
  poolSize?: number | undefined;
}

export interface Database {
  db: Db;
  driver: 'pglite' | 'postgres';
  /** Applies the committed migrations under an advisory lock, so nodes starting together do not race. */
  migrate(): Promise<void>;
  /** Runs fn while holding a session-level advisory lock (one node at a time, cluster-wide). */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  /** Answers whether the database responds. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle', import.meta.url));
/** Advisory lock keys used by cocreate (one namespace, so they never collide). */
export const LOCKS = { migrate: 7_240_001, seed: 7_240_002 } as const;

export async function createDb(config: DbConfig): Promise<Database> {
  if (config.databaseUrl) return createPostgres(config.databaseUrl, config.poolSize ?? 10);
  return createPglite(config.dataDir);
}

async function createPglite(dataDir: string | undefined): Promise<Database> {
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  // PGlite is one connection in one process; a queue keeps lock holders from interleaving.
  let chain: Promise<unknown> = Promise.resolve();
  const withAdvisoryLock = <T>(_key: number, fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };
  return {
    db,
    driver: 'pglite',
    migrate: () =>
      withAdvisoryLock(LOCKS.migrate, () =>
        migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER }),
      ),
    withAdvisoryLock,
    ping: async () => {
      await client.query('select 1');
      return true;
    },
    close: () => client.close(),
  };
}

async function createPostgres(url: string, poolSize: number): Promise<Database> {
  const client = postgres(url, { max: poolSize, onnotice: () => undefined, connect_timeout: 10 });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  const withAdvisoryLock = async <T>(key: number, fn: () => Promise<T>): Promise<T> => {
    // The lock lives on one reserved connection; the work runs on the pool.
    const conn = await client.reserve();
    try {
      await conn`select pg_advisory_lock(${key})`;
      try {
        return await fn();
      } finally {
        await conn`select pg_advisory_unlock(${key})`;
      }
    } finally {
      conn.release();
    }
  };
  return {
    db,
    driver: 'postgres',
    migrate: () =>
      withAdvisoryLock(LOCKS.migrate, () =>
        migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER }),
      ),
    withAdvisoryLock,
    ping: async () => {
      await db.execute(sql`select 1`);
      return true;
    },
    close: () => client.end({ timeout: 5 }),
  };
}
