import { type Db, outbox } from '@cocreate/db';
import { and, eq, inArray, lte, sql } from 'drizzle-orm';

/**
 * The transactional outbox and its worker. A change writes its outbox rows in its own transaction;
 * workers on any number of nodes drain them. A job is claimed by moving its `run_at` one lease into
 * the future (rows picked with FOR UPDATE SKIP LOCKED, so two workers never claim the same row), then
 * handled outside any transaction. A handler's database effects commit in one transaction together
 * with marking the job done (`finish`), so they happen exactly once; effects outside the database
 * (HTTP, live pushes) happen after that commit and at least once. A worker that dies mid-job leaves
 * the row pending: another claims it when the lease runs out.
 *
 * pg-boss and graphile-worker need Node 22 and a PostgreSQL server; this runs on PGlite too.
 */

export type Topic =
  | 'idea.created'
  | 'idea.status_changed'
  | 'idea.merged'
  | 'comment.official'
  | 'changelog.published'
  | 'webhook.deliver'
  | 'digest.run';

export interface Job {
  id: number;
  topic: Topic;
  payload: Record<string, unknown>;
  /** 1 on the first try. */
  attempts: number;
}

export interface JobContext {
  /**
   * Runs `effects` and marks the job done in one transaction. Returns what `effects` returned, or
   * null when the job was already finished elsewhere (its lease ran out and another worker took it).
   */
  finish<T>(effects: (tx: Db) => Promise<T>): Promise<T | null>;
}

export interface Handler {
  handle(job: Job, ctx: JobContext): Promise<void>;
  /** Called in the transaction that marks the job dead, after its last failed attempt. */
  onDead?(tx: Db, job: Job, error: string): Promise<void>;
}

export interface WorkerOptions {
  pollMs: number;
  leaseMs: number;
  backoffMs: number;
  maxAttempts: number;
  /** Jobs claimed per pass, and run at once. */
  batch?: number;
  log?: { error(obj: unknown, msg: string): void };
}

/** Writes an outbox row; call it inside the transaction of the change it announces. */
export async function enqueue(tx: Db, topic: Topic, payload: Record<string, unknown>, delayMs = 0): Promise<void> {
  // The database's clock, like the claim's, so nodes with skewed clocks agree on what is due.
  await tx.insert(outbox).values({ topic, payload, ...(delayMs > 0 ? { runAt: sql`now() + ${delayMs}::int * interval '1 millisecond'` } : {}) });
}

/** Retry n waits base × 2^(n−1), ±50 % jitter, at most an hour. */
export function backoffMs(base: number, attempts: number): number {
  const raw = Math.min(base * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(raw * (0.5 + Math.random()));
}

export class OutboxWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(
    private readonly db: Db,
    private readonly handlers: Partial<Record<Topic, Handler>>,
    private readonly opts: WorkerOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the jobs in hand. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** A job was just written on this node: look now rather than at the next poll. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pass().finally(() => {
        this.running = null;
        const more = this.again;
        this.again = false;
        this.schedule(more ? 0 : this.opts.pollMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    try {
      // Keep going while full batches come back: a backlog drains without waiting for polls.
      while (!this.stopped && (await this.runOnce()) === (this.opts.batch ?? 8)) {
        /* next batch */
      }
    } catch (err) {
      this.opts.log?.error({ err }, 'outbox pass failed');
    }
  }

  /** Claims the due jobs (up to a batch) and runs them; returns how many it claimed. */
  async runOnce(): Promise<number> {
    const jobs = await this.claim(this.opts.batch ?? 8);
    await Promise.all(jobs.map((job) => this.run(job)));
    return jobs.length;
  }

  /** Runs passes until nothing is due (tests and shutdown); gives up after `timeoutMs`. */
  async drain(timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while ((await this.runOnce()) > 0) {
      if (Date.now() > end) throw new Error('outbox did not drain in time');
    }
  }

  private async claim(limit: number): Promise<Job[]> {
    const due = this.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.status, 'pending'), lte(outbox.runAt, sql`now()`)))
      .orderBy(outbox.runAt, outbox.id)
      .limit(limit)
      .for('update', { skipLocked: true });
    const rows = await this.db
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, runAt: sql`now() + ${this.opts.leaseMs}::int * interval '1 millisecond'` })
      .where(inArray(outbox.id, due))
      .returning({ id: outbox.id, topic: outbox.topic, payload: outbox.payload, attempts: outbox.attempts });
    return rows.map((r) => ({ ...r, topic: r.topic as Topic })).sort((a, b) => a.id - b.id);
  }

  private async run(job: Job): Promise<void> {
    const handler = this.handlers[job.topic];
    let finished = false;
    const ctx: JobContext = {
      finish: async (effects) => {
        const out = await this.db.transaction(async (tx) => {
          const done = await tx
            .update(outbox)
            .set({ status: 'done', doneAt: sql`now()`, lastError: null })
            .where(this.held(job))
            .returning({ id: outbox.id });
          // Someone else holds this job now (our lease ran out): leave it to them.
          if (done.length === 0) return { skipped: true as const };
          return { skipped: false as const, value: await effects(tx) };
        });
        finished = true;
        return out.skipped ? null : out.value;
      },
    };
    try {
      if (!handler) throw new Error(`no handler for topic ${job.topic}`);
      await handler.handle(job, ctx);
      if (!finished) await ctx.finish(async () => undefined);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.fail(job, handler, message).catch((e: unknown) => this.opts.log?.error({ err: e, job: job.id }, 'outbox failure not recorded'));
    }
  }

  /** The job is still ours: pending, and not claimed again since we took it. */
  private held(job: Job) {
    return and(eq(outbox.id, job.id), eq(outbox.status, 'pending'), eq(outbox.attempts, job.attempts));
  }

  private async fail(job: Job, handler: Handler | undefined, error: string): Promise<void> {
    const dead = job.attempts >= this.opts.maxAttempts;
    const wait = backoffMs(this.opts.backoffMs, job.attempts);
    await this.db.transaction(async (tx) => {
      const updated = await tx
        .update(outbox)
        .set({ status: dead ? 'dead' : 'pending', runAt: sql`now() + ${wait}::int * interval '1 millisecond'`, lastError: error.slice(0, 2_000) })
        .where(this.held(job))
        .returning({ id: outbox.id });
      if (dead && updated.length > 0) await handler?.onDead?.(tx, job, error);
    });
    if (dead) this.opts.log?.error({ job: job.id, topic: job.topic, error }, 'outbox job is dead after its last attempt');
  }
}
