import type { ContributorRole } from '@cocreate/protocol';
import * as Y from 'yjs';
import type { Contribution, DocStore, UpdateRow } from './store.js';

export interface AcceptedUpdate {
  docName: string;
  ideaId: string;
  update: Uint8Array;
  /** The author; null for server-made content (the seed of a pre-existing body). */
  userId: string | null;
  role: ContributorRole;
}

interface Queued extends AcceptedUpdate {
  at: number;
}

export interface WriterOptions {
  /** The group-commit window: an update waits at most this long before its batch is written. */
  flushMs: number;
  /** Past this many unwritten bytes (the database is away), writers are turned away. */
  maxQueuedBytes: number;
  onWritten?: (docName: string, rows: number) => void;
  onError?: (err: unknown) => void;
}

const MAX_BACKOFF_MS = 5_000;

/**
 * Group commit: accepted updates queue here and are written together once per window, one row per
 * (document, author) per batch, with the authors' edit counts in the same transaction. One batch is
 * in flight at a time, so batches keep their order; a failed batch goes back to the front.
 */
export class UpdateWriter {
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  /** Totals for /metrics. */
  readonly stats = { updates: 0, rows: 0, batches: 0, errors: 0 };

  constructor(
    private readonly store: DocStore,
    private readonly options: WriterOptions,
  ) {}

  enqueue(update: AcceptedUpdate): void {
    this.queue.push({ ...update, at: Date.now() });
    this.queuedBytes += update.update.length;
    this.arm();
  }

  /** Updates accepted but not yet written. */
  get queued(): number {
    return this.queue.length;
  }

  get overloaded(): boolean {
    return this.queuedBytes > this.options.maxQueuedBytes;
  }

  /** Age of the oldest update not yet written (the persistence lag), in ms. */
  lagMs(now = Date.now()): number {
    const first = this.queue[0];
    return first ? now - first.at : 0;
  }

  /** Writes everything queued so far; resolves when it is stored, rejects when the store failed. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.inFlight) {
        await this.inFlight.catch(() => undefined);
        continue;
      }
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (this.queue.length === 0) return;
      await this.write();
    }
  }

  private arm(): void {
    if (this.timer || this.inFlight || this.queue.length === 0) return;
    const backoff = this.failures > 0 ? Math.min(this.options.flushMs * 2 ** this.failures, MAX_BACKOFF_MS) : 0;
    const wait = Math.max(backoff, this.options.flushMs - this.lagMs());
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.write().catch(() => undefined);
      },
      Math.max(0, wait),
    );
  }

  private write(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    const [rows, contributions] = rowsOf(batch);
    const run = this.store.append(rows, contributions).then(
      () => {
        this.failures = 0;
        this.queuedBytes -= batch.reduce((n, q) => n + q.update.length, 0);
        this.stats.updates += batch.length;
        this.stats.rows += rows.length;
        this.stats.batches++;
        const perDoc = new Map<string, number>();
        for (const row of rows) perDoc.set(row.docName, (perDoc.get(row.docName) ?? 0) + 1);
        for (const [docName, n] of perDoc) this.options.onWritten?.(docName, n);
      },
      (err: unknown) => {
        this.failures++;
        this.stats.errors++;
        this.queue = [...batch, ...this.queue];
        this.options.onError?.(err);
        throw err;
      },
    );
    this.inFlight = run;
    return run.finally(() => {
      this.inFlight = null;
      this.arm();
    });
  }
}

/** One row per (document, author), merged; edit counts per (idea, author). */
function rowsOf(batch: Queued[]): [UpdateRow[], Contribution[]] {
  const groups = new Map<string, { docName: string; userId: string | null; updates: Uint8Array[] }>();
  const edits = new Map<string, Contribution>();
  for (const q of batch) {
    const key = `${q.docName}\n${q.userId ?? ''}`;
    const group = groups.get(key);
    if (group) group.updates.push(q.update);
    else groups.set(key, { docName: q.docName, userId: q.userId, updates: [q.update] });
    if (!q.userId) continue;
    const ckey = `${q.ideaId}\n${q.userId}`;
    const c = edits.get(ckey);
    if (c) c.edits++;
    else edits.set(ckey, { ideaId: q.ideaId, userId: q.userId, role: q.role, edits: 1 });
  }
  const rows = [...groups.values()].map((g) => ({
    docName: g.docName,
    userId: g.userId,
    update: g.updates.length === 1 ? (g.updates[0] as Uint8Array) : Y.mergeUpdates(g.updates),
  }));
  return [rows, [...edits.values()]];
}
