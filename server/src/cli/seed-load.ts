import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '@cocreate/db';
import { ConfigError, loadConfig } from '../config.js';
import { type LoadData, seedLoad } from '../seed-load.js';

/**
 * `node server/dist/cli/seed-load.js --out load-tests/k6/data/load.json [--users 2000]
 * [--hot-ideas 200] [--tail-ideas 5000] [--base-urls http://127.0.0.1:3001,http://127.0.0.1:3002]`:
 * migrates, seeds the load community (only what is missing) and writes the file the k6 scripts
 * read. The tokens in that file are live credentials of this (local, load-test) database: keep the
 * file out of version control and never point this at a production database.
 */
const USAGE = 'usage: seed-load --out <file> [--users N] [--hot-ideas N] [--tail-ideas N] [--base-urls url,url]';

const positive = (name: string, raw: string | undefined, fallback: number): number => {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new ConfigError(`--${name} must be an integer from 1 to 1000000 (got ${raw})`);
  return n;
};

try {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      users: { type: 'string' },
      'hot-ideas': { type: 'string' },
      'tail-ideas': { type: 'string' },
      'base-urls': { type: 'string' },
    },
  });
  if (!values.out) throw new ConfigError(USAGE);
  const config = loadConfig();
  const previous = JSON.parse(await readFile(values.out, 'utf8').catch(() => 'null')) as (LoadData & { baseUrls: string[] }) | null;
  const previousTokens = new Map((previous?.users ?? []).map((u) => [u.id, u.token] as const));

  const started = performance.now();
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 10 });
  try {
    await database.migrate();
    const data = await seedLoad(database, {
      users: positive('users', values.users, 2000),
      hotIdeas: positive('hot-ideas', values['hot-ideas'], 200),
      tailIdeas: positive('tail-ideas', values['tail-ideas'], 5000),
      sessionTtlMs: config.sessionTtlMs,
      previousTokens,
    });
    const baseUrls = (values['base-urls'] ?? `http://127.0.0.1:${config.port}`).split(',').filter(Boolean);
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, `${JSON.stringify({ baseUrls, ...data })}\n`, { mode: 0o600 });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `load data ready in ${seconds}s: community "${data.community}", ${data.ideaIds.length} hot ideas, ${data.tailIdeaIds.length} long-tail ideas, ${data.users.length} users with bearer tokens -> ${values.out}`,
    );
  } finally {
    await database.close();
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
