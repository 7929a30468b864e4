// The shared services a run uses: a fresh PostgreSQL database, a Redis key prefix, REST and /metrics.
import { Redis } from 'ioredis';
import postgres from 'postgres';

/** Creates a database of the run's own; returns its URL and a handle for the checks. */
export async function createDatabase(adminUrl, name) {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  return {
    name,
    url: url.toString(),
    sql,
    /** Backend processes serving the run's database right now (for their CPU time). */
    async backendPids() {
      const rows = await sql`select pid from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`;
      return rows.map((r) => r.pid);
    },
    async drop() {
      await sql.end({ timeout: 5 }).catch(() => undefined);
      const admin2 = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin2.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await admin2.end({ timeout: 5 });
      }
    },
  };
}

export async function connectRedis(url) {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
  redis.on('error', () => {});
  await redis.connect();
  const info = await redis.info('server');
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]) || null;
  return {
    redis,
    /** The redis-server's pid, when it runs on this machine (its CPU time is read from /proc). */
    pid,
    /** Deletes every key under the prefix (bounded: the run's keys are few thousand at most). */
    async dropPrefix(prefix) {
      let cursor = '0';
      for (let i = 0; i < 10_000; i++) {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length) await redis.unlink(...keys);
        cursor = next;
        if (cursor === '0') break;
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export class HttpError extends Error {}

/** One JSON call to the REST API with a bearer token. */
export async function api(base, method, path, body, token) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new HttpError(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** One sample of a Prometheus metric from a node's /metrics (the first series of that name). */
export async function scrapeMetric(base, name) {
  return (await scrapeMetrics(base)).get(name) ?? null;
}

/** Every unlabelled series of a node's /metrics (labelled ones summed per name), by name. */
export async function scrapeMetrics(base) {
  const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? ([0-9.eE+-]+|NaN|[+-]Inf)$/.exec(line);
    if (!m) continue;
    if (m[2]?.includes('le=')) continue;
    out.set(m[1], (out.get(m[1]) ?? 0) + Number(m[3]));
  }
  return out;
}

/**
 * What the run's PostgreSQL backends are doing, sampled every `everyMs` until stopped: the average
 * number of backends per state / wait event (e.g. `active Lock:transactionid`, `idle in transaction
 * Client:ClientRead` = a transaction waiting for the node to send its next statement).
 */
export function samplePgActivity(sql, dbName, everyMs = 250) {
  const counts = new Map();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const rows = await sql`
          select state, wait_event_type, wait_event, count(*)::int as n from pg_stat_activity
          where datname = ${dbName} and pid <> pg_backend_pid() and backend_type = 'client backend'
          group by 1, 2, 3`;
        samples++;
        for (const r of rows) {
          const key = `${r.state ?? '?'}${r.wait_event_type ? ` ${r.wait_event_type}:${r.wait_event}` : ''}`;
          counts.set(key, (counts.get(key) ?? 0) + r.n);
        }
      } catch {
        // a sample lost is no matter
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    const avg = {};
    for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) avg[k] = Math.round((n / Math.max(1, samples)) * 10) / 10;
    return avg;
  };
}
