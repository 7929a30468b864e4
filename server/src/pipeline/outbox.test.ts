import { createDb, type Database, outbox } from '@cocreate/db';
import { createTestDatabase } from '@cocreate/db/testing';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKinds } from '../testing/harness.js';
import { backoffMs, enqueue, type Handler, OutboxWorker } from './outbox.js';

const opts = { pollMs: 20, leaseMs: 60_000, backoffMs: 5, maxAttempts: 3 };

describe.each(testDbKinds())('outbox worker on %s', (kind) => {
  let test: Awaited<ReturnType<typeof createTestDatabase>>;
  const others: Database[] = [];
  beforeAll(async () => {
    test = await createTestDatabase(kind);
  });
  afterAll(async () => {
    for (const d of others) await d.close();
    await test.close();
  });
  const db = () => test.db;
  /** On PostgreSQL a second pool, as a second node would have; PGlite has one connection. */
  const secondDb = async () => {
    if (kind !== 'postgres') return db();
    const d = await createDb({ databaseUrl: test.url, poolSize: 4 });
    others.push(d);
    return d.db;
  };

  const jobsOf = async (ids: string[]) => {
    const rows = await db().select().from(outbox).where(eq(outbox.topic, 'digest.run'));
    return rows.filter((r) => ids.includes(String(r.payload.tag)));
  };

  it('runs every job exactly once with two workers draining at the same time', async () => {
    const tags = Array.from({ length: 60 }, (_, i) => `once-${i}`);
    for (const tag of tags) await enqueue(db(), 'digest.run', { tag });
    const effects = new Map<string, number>();
    const handler: Handler = {
      async handle(job, ctx) {
        await new Promise((r) => setTimeout(r, Math.random() * 5));
        await ctx.finish(async () => {
          const tag = String(job.payload.tag);
          effects.set(tag, (effects.get(tag) ?? 0) + 1);
        });
      },
    };
    const a = new OutboxWorker(db(), { 'digest.run': handler }, { ...opts, batch: 5 });
    const b = new OutboxWorker(await secondDb(), { 'digest.run': handler }, { ...opts, batch: 5 });
    await Promise.all([a.drain(), b.drain()]);
    expect([...effects.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect(effects.size).toBe(tags.length);
    expect((await jobsOf(tags)).every((j) => j.status === 'done' && j.attempts === 1)).toBe(true);
  });

  it('gives a job whose worker died another run once its lease is over, and the late worker changes nothing', async () => {
    await enqueue(db(), 'digest.run', { tag: 'lease' });
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    let lateFinish: unknown = 'not called';
    const hanging = new OutboxWorker(
      db(),
      {
        'digest.run': {
          async handle(job, ctx) {
            if (job.payload.tag !== 'lease') return;
            await stuck; // a worker that stops answering mid-job
            lateFinish = await ctx.finish(async () => 'late');
          },
        },
      },
      { ...opts, leaseMs: 300 },
    );
    const first = hanging.runOnce();
    await new Promise((r) => setTimeout(r, 50));
    const ran: number[] = [];
    const rescuer = new OutboxWorker(
      await secondDb(),
      { 'digest.run': { handle: async (job, ctx) => void (await ctx.finish(async () => ran.push(job.attempts))) } },
      { ...opts, leaseMs: 300 },
    );
    expect(await rescuer.runOnce()).toBe(0); // still leased
    await new Promise((r) => setTimeout(r, 400));
    await rescuer.drain();
    expect(ran).toEqual([2]);
    release();
    await first;
    expect(lateFinish).toBeNull();
    const [job] = await jobsOf(['lease']);
    expect(job).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('retries a failing job with backoff, then marks it dead and tells its handler', async () => {
    await enqueue(db(), 'digest.run', { tag: 'fails' });
    const attempts: number[] = [];
    const dead: string[] = [];
    const worker = new OutboxWorker(
      db(),
      {
        'digest.run': {
          async handle(job) {
            if (job.payload.tag !== 'fails') return;
            attempts.push(job.attempts);
            throw new Error(`boom ${job.attempts}`);
          },
          async onDead(_tx, job, error) {
            dead.push(`${job.payload.tag}: ${error}`);
          },
        },
      },
      opts,
    );
    for (let i = 0; i < 50 && dead.length === 0; i++) {
      await worker.runOnce();
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(attempts).toEqual([1, 2, 3]);
    expect(dead).toEqual(['fails: boom 3']);
    const [job] = await jobsOf(['fails']);
    expect(job).toMatchObject({ status: 'dead', attempts: 3, lastError: 'boom 3' });
  });

  it('polls on its own once started, and stops cleanly', async () => {
    const seen: string[] = [];
    const worker = new OutboxWorker(db(), { 'digest.run': { handle: async (job) => void seen.push(String(job.payload.tag)) } }, opts);
    worker.start();
    await enqueue(db(), 'digest.run', { tag: 'polled' });
    for (let i = 0; i < 200 && !seen.includes('polled'); i++) await new Promise((r) => setTimeout(r, 10));
    await worker.stop();
    expect(seen).toContain('polled');
    const rows = await db().select().from(outbox).where(inArray(outbox.status, ['pending']));
    expect(rows.filter((r) => r.payload.tag === 'polled')).toEqual([]);
  });
});

describe('backoff', () => {
  it('doubles per attempt with jitter and stays under an hour', () => {
    for (let n = 1; n <= 30; n++) {
      const ms = backoffMs(1_000, n);
      const nominal = Math.min(1_000 * 2 ** (n - 1), 3_600_000);
      expect(ms).toBeGreaterThanOrEqual(nominal * 0.5);
      expect(ms).toBeLessThanOrEqual(nominal * 1.5);
    }
  });
});
