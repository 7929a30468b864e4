import { boards, communities, ideas, memberships, type Db } from '@cocreate/db';
import { and, eq, sql } from 'drizzle-orm';
import { AppError, notFound } from '../../errors.js';
import { resultRows } from '../../lib/db-rows.js';
import { refuseVote, setVote, type VoteOutcome } from './service.js';

export interface VoteRequest {
  ideaId: string;
  userId: string;
  value: 1 | -1 | 0;
}

const pairKey = (v: VoteRequest) => `${v.ideaId}|${v.userId}`;

interface Pending extends VoteRequest {
  resolve: (outcome: VoteOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit of votes: requests that arrive while a batch is being written wait for the next
 * one, and each batch costs the same three statements however many votes it holds: two reads to
 * decide (ideas with their community and board, the voters' memberships), then one call of
 * `cocreate_apply_votes` (migration 0001) that locks the (user, idea) pairs and the ideas in a fixed
 * order, reads the previous votes, writes the votes and the counters, and answers what each vote
 * changed. Every vote is acknowledged only after its batch commits, with its own counts and
 * version, as if the votes had been applied one by one in arrival order. A batch of which nothing
 * was written (an idea closed or locked since the decision, a deadlock) is retried vote by vote
 * through the single-vote path, so one bad vote never fails its neighbours.
 */
export class VoteBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;
  /** The (idea, user) pairs of the batches being written: their later votes wait for them. */
  private readonly busyPairs = new Set<string>();
  private closed = false;
  /** For metrics and tests: batches written, the largest one, and batches that fell back. */
  readonly stats = { batches: 0, largest: 0, fallbacks: 0 };

  constructor(
    private readonly db: Db,
    private readonly options: {
      enabled?: boolean;
      maxBatch?: number;
      /**
       * Batches written at once (default 1). More let the next batch be read and locked while one
       * waits for its commit; on the 2-core benchmark machine two cost PostgreSQL more CPU (smaller
       * batches) for no lower latency, so one is the default (VOTE_BATCHES_IN_FLIGHT).
       */
      concurrency?: number;
      onFallback?: (err: unknown) => void;
      /** A batch that failed after its commit (its votes are refused, not replayed). */
      onFailure?: (err: unknown) => void;
    } = {},
  ) {}

  submit(request: VoteRequest): Promise<VoteOutcome> {
    if (this.closed) return Promise.reject(new AppError('UNAVAILABLE', 'shutting down'));
    // Switched off (VOTE_GROUP_COMMIT=false): every vote is its own short transaction.
    if (this.options.enabled === false) return setVote(this.db, request);
    return new Promise((resolve, reject) => {
      // Ids as the database spells them (UUIDs accept upper case): one pair, one key, one lock.
      this.queue.push({ ...request, ideaId: request.ideaId.toLowerCase(), userId: request.userId.toLowerCase(), resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  }

  /** Starts batches while fewer than `concurrency` are being written and some queued vote may go. */
  private pump(): void {
    while (this.inFlight < (this.options.concurrency ?? 1) && this.queue.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.inFlight++;
      void this.write(batch)
        .catch((err: unknown) => this.options.onFailure?.(err))
        .finally(() => {
          this.inFlight--;
          for (const p of batch) this.busyPairs.delete(pairKey(p));
          this.pump();
        });
    }
  }

  /**
   * The next batch, in arrival order: up to maxBatch votes whose (idea, user) pair is in no batch
   * being written. A pair that must wait keeps all its later votes waiting too, so one user's votes
   * on one idea are always applied in the order they came.
   */
  private take(): Pending[] {
    const max = this.options.maxBatch ?? 200;
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const waiting = new Set<string>();
    for (const p of this.queue) {
      const key = pairKey(p);
      if (batch.length < max && !this.busyPairs.has(key) && !waiting.has(key)) batch.push(p);
      else {
        rest.push(p);
        waiting.add(key);
      }
    }
    this.queue = rest;
    for (const p of batch) this.busyPairs.add(pairKey(p));
    return batch;
  }

  private async write(batch: Pending[]): Promise<void> {
    this.stats.batches++;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    let results: (VoteOutcome | Error | undefined)[];
    try {
      results = await this.writeBatch(batch);
    } catch (err) {
      if (!(err instanceof BatchNotWritten)) {
        // Failed after its commit (an answer that could not be read): replaying would report the
        // votes as unchanged; they are refused instead, and a client that votes again is answered
        // with the stored state.
        for (const p of batch) p.reject(new AppError('INTERNAL', 'the vote batch failed; vote again'));
        this.options.onFailure?.(err);
        return;
      }
      this.stats.fallbacks++;
      this.options.onFallback?.(err.cause);
      // Nothing of the batch was written (a row changed under us, a deadlock): one by one instead.
      for (const p of batch) await setVote(this.db, p).then(p.resolve, p.reject);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i];
      if (r instanceof Error) p.reject(r);
      else if (r) p.resolve(r);
      else p.reject(new AppError('INTERNAL', 'the vote was not written'));
    });
  }

  private async writeBatch(batch: Pending[]): Promise<(VoteOutcome | Error | undefined)[]> {
    const ideaIds = [...new Set(batch.map((b) => b.ideaId))];
    const userIds = [...new Set(batch.map((b) => b.userId))];
    // The two reads of the decision go out together (the memberships are found through the ideas),
    // each with one array parameter, so their statements are the same whatever the batch holds.
    const anyIdea = sql`${ideas.id} = any(${pgArray(ideaIds)}::uuid[])`;
    const decision = Promise.all([
      this.db
        .select({
          idea: { id: ideas.id, authorId: ideas.authorId, status: ideas.status, locked: ideas.locked, hidden: ideas.hidden },
          community: { id: communities.id, visibility: communities.visibility },
          downvotes: boards.downvotesEnabled,
        })
        .from(ideas)
        .innerJoin(communities, eq(communities.id, ideas.communityId))
        .innerJoin(boards, eq(boards.id, ideas.boardId))
        .where(anyIdea),
      this.db
        .selectDistinct({
          communityId: memberships.communityId,
          userId: memberships.userId,
          role: memberships.role,
          status: memberships.status,
          voteWeight: memberships.voteWeight,
        })
        .from(memberships)
        .innerJoin(ideas, eq(ideas.communityId, memberships.communityId))
        .where(and(anyIdea, sql`${memberships.userId} = any(${pgArray(userIds)}::uuid[])`)),
    ]);
    const [rows, members] = await decision.catch((err: unknown) => {
      throw new BatchNotWritten(err);
    });
    const byIdea = new Map(rows.map((r) => [r.idea.id, r]));
    const memberOf = new Map(members.map((m) => [`${m.communityId}|${m.userId}`, m]));

    // Decide each vote exactly as the single-vote path does.
    const results: (VoteOutcome | Error | undefined)[] = batch.map(() => undefined);
    const accepted: Pending[] = [];
    const acceptedAt: number[] = [];
    const weights: number[] = [];
    for (const [i, b] of batch.entries()) {
      const row = byIdea.get(b.ideaId);
      const membership = row ? (memberOf.get(`${row.community.id}|${b.userId}`) ?? null) : null;
      const refusal = row ? refuseVote(row, membership, b) : notFound('idea');
      if (refusal) results[i] = refusal;
      else {
        accepted.push(b);
        acceptedAt.push(i);
        weights.push(membership?.voteWeight ?? 1);
      }
    }
    if (accepted.length === 0) return results;

    // One call writes the batch (see the migration that defines cocreate_apply_votes): it takes the
    // locks, replays the votes in arrival order against the stored ones, writes the votes and the
    // counters, and fails as a whole if an idea changed since the decision above.
    const guarded = [...new Set(accepted.map((b) => b.ideaId))].map((id) => byIdea.get(id)!.idea);
    const call = this.db.execute(sql`select cocreate_apply_votes(
        ${pgArray(accepted.map((b) => b.ideaId))}::uuid[],
        ${pgArray(accepted.map((b) => b.userId))}::uuid[],
        ${pgArray(accepted.map((b) => b.value))}::smallint[],
        ${pgArray(weights)}::float8[],
        ${pgArray(guarded.map((g) => g.id))}::uuid[],
        ${pgArray(guarded.map((g) => g.status))}::text[],
        ${pgArray(guarded.map((g) => g.locked))}::boolean[],
        ${pgArray(guarded.map((g) => g.hidden))}::boolean[]) as r`);
    const [answer] = resultRows<{ r: BatchAnswer | string }>(
      await call.catch((err: unknown) => {
        throw new BatchNotWritten(err);
      }),
    );
    if (!answer) throw new AppError('INTERNAL', 'the vote batch returned nothing');
    const { steps, ideas: after } = (typeof answer.r === 'string' ? JSON.parse(answer.r) : answer.r) as BatchAnswer;

    // Each vote's own answer: the counts and version right after it, in arrival order. The counters
    // before the batch are the ones after it minus everything the batch changed.
    const running = new Map<string, { up: number; down: number; weighted: number; version: number; boardId: string }>();
    for (const [id, up, down, weighted, version, boardId] of after) {
      running.set(id, { up, down, weighted, version: Number(version), boardId });
    }
    for (const [ord, changed, up, down, weighted] of steps) {
      const r = running.get(accepted[ord - 1]!.ideaId);
      if (!changed || !r) continue;
      r.up -= up;
      r.down -= down;
      r.weighted -= weighted;
      r.version -= 1;
    }
    for (const [ord, changed, up, down, weighted] of steps) {
      const b = accepted[ord - 1]!;
      const r = running.get(b.ideaId);
      if (!r) {
        // Deleted after the decision: a withdrawal that found nothing to withdraw (a cast fails the
        // foreign key, and with it the whole call).
        results[acceptedAt[ord - 1]!] = notFound('idea');
        continue;
      }
      if (changed) {
        r.up += up;
        r.down += down;
        r.weighted += weighted;
        r.version += 1;
      }
      results[acceptedAt[ord - 1]!] = {
        ideaId: b.ideaId,
        up: r.up,
        down: r.down,
        voteCount: r.up - r.down,
        version: r.version,
        myVote: b.value,
        boardId: r.boardId,
        weightedScore: r.weighted,
        changed,
      };
    }
    return results;
  }
}

/** The call of cocreate_apply_votes failed, so nothing of the batch was written. */
class BatchNotWritten extends Error {
  constructor(override readonly cause: unknown) {
    super('the vote batch was not written', { cause });
  }
}

/** What cocreate_apply_votes answers: per vote [ord (1-based), changed, up, down, weighted], per idea its counters after. */
interface BatchAnswer {
  steps: [number, boolean, number, number, number][];
  ideas: [string, number, number, number, string, string][];
}

/** A PostgreSQL array literal of plain values, sent as one text parameter and cast by the statement. */
export function pgArray(values: readonly (string | number | boolean)[]): string {
  return `{${values.map((v) => (typeof v === 'string' ? `"${v.replace(/["\\]/g, '\\$&')}"` : String(v))).join(',')}}`;
}
