import { boards, communities, ideas, memberships, votes, type Db } from '@cocreate/db';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { AppError, conflict, notFound } from '../../errors.js';
import { resultRows } from '../../lib/db-rows.js';
import { refuseVote, setVote, type VoteOutcome } from './service.js';

export interface VoteRequest {
  ideaId: string;
  userId: string;
  value: 1 | -1 | 0;
}

interface Pending extends VoteRequest {
  resolve: (outcome: VoteOutcome) => void;
  reject: (err: unknown) => void;
}

const pairKey = (ideaId: string, userId: string) => `${ideaId}|${userId}`;

/**
 * Group commit of votes: requests that arrive while a batch is being written wait for the next
 * one, and each batch is one transaction with a fixed number of statements however many votes it
 * holds (read ideas and memberships, lock the (user, idea) pairs in a fixed order, read the
 * previous votes, write the votes, lock and update the ideas in a fixed order). Every vote is still
 * acknowledged only after its batch commits, with its own counts and version, as if the votes had
 * been applied one by one in arrival order. A batch that fails for any reason is retried vote by
 * vote through the single-vote path, so one bad vote never fails its neighbours.
 */
export class VoteBatcher {
  private queue: Pending[] = [];
  private running = false;
  private closed = false;
  /** For metrics and tests: batches written, the largest one, and batches that fell back. */
  readonly stats = { batches: 0, largest: 0, fallbacks: 0 };

  constructor(
    private readonly db: Db,
    private readonly options: { enabled?: boolean; maxBatch?: number; onFallback?: (err: unknown) => void } = {},
  ) {}

  submit(request: VoteRequest): Promise<VoteOutcome> {
    if (this.closed) return Promise.reject(new AppError('UNAVAILABLE', 'shutting down'));
    // Switched off: every vote is its own short transaction (the default).
    if (this.options.enabled === false) return setVote(this.db, request);
    return new Promise((resolve, reject) => {
      this.queue.push({ ...request, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await new Promise((r) => setTimeout(r, 5));
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch ?? 500);
        if (batch.length === 1) {
          const [only] = batch as [Pending];
          await setVote(this.db, only).then(only.resolve, only.reject);
          continue;
        }
        this.stats.batches++;
        this.stats.largest = Math.max(this.stats.largest, batch.length);
        try {
          const results = await this.writeBatch(batch);
          batch.forEach((p, i) => {
            const r = results[i];
            if (r instanceof Error) p.reject(r);
            else if (r) p.resolve(r);
            else p.reject(new AppError('INTERNAL', 'the vote was not written'));
          });
        } catch (err) {
          this.stats.fallbacks++;
          this.options.onFallback?.(err);
          // The batch as a whole failed (a deadlock, a row changed under us): one by one instead.
          for (const p of batch) await setVote(this.db, p).then(p.resolve, p.reject);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async writeBatch(batch: Pending[]): Promise<(VoteOutcome | Error | undefined)[]> {
    const ideaIds = [...new Set(batch.map((b) => b.ideaId))];
    const userIds = [...new Set(batch.map((b) => b.userId))];
    const rows = await this.db
      .select({ idea: ideas, community: communities, downvotes: boards.downvotesEnabled })
      .from(ideas)
      .innerJoin(communities, eq(communities.id, ideas.communityId))
      .innerJoin(boards, eq(boards.id, ideas.boardId))
      .where(inArray(ideas.id, ideaIds));
    const byIdea = new Map(rows.map((r) => [r.idea.id, r]));
    const communityIds = [...new Set(rows.map((r) => r.community.id))];
    const members = communityIds.length
      ? await this.db
          .select()
          .from(memberships)
          .where(and(inArray(memberships.communityId, communityIds), inArray(memberships.userId, userIds)))
      : [];
    const memberOf = new Map(members.map((m) => [`${m.communityId}|${m.userId}`, m]));

    // Decide each vote exactly as the single-vote path does.
    const results: (VoteOutcome | Error | undefined)[] = batch.map(() => undefined);
    const accepted: number[] = [];
    const decide = (b: Pending): AppError | null => {
      const row = byIdea.get(b.ideaId);
      if (!row) return notFound('idea');
      return refuseVote(row, memberOf.get(`${row.community.id}|${b.userId}`) ?? null, b);
    };
    for (const [i, b] of batch.entries()) {
      const refusal = decide(b);
      if (refusal) results[i] = refusal;
      else accepted.push(i);
    }
    if (accepted.length === 0) return results;

    return this.db.transaction(async (tx) => {
      const pairs = [...new Set(accepted.map((i) => pairKey(batch[i]!.ideaId, batch[i]!.userId)))].sort();
      const pairIdeas = pairs.map((p) => p.split('|')[0] as string);
      const pairUsers = pairs.map((p) => p.split('|')[1] as string);
      // One user's changes to one idea are serialised with every other writer (other nodes too); the
      // fixed order keeps two batches from waiting on each other.
      const lockRows = sql.join(
        pairs.map((_, n) => sql`(${pairUsers[n]}::text, ${pairIdeas[n]}::text, ${n}::int)`),
        sql`, `,
      );
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(v.u), hashtext(v.i)) from (values ${lockRows}) as v(u, i, n) order by v.n`);
      const previous = await tx
        .select({ ideaId: votes.ideaId, userId: votes.userId, value: votes.value, weight: votes.weight })
        .from(votes)
        .where(and(inArray(votes.ideaId, [...new Set(pairIdeas)]), inArray(votes.userId, [...new Set(pairUsers)])));
      const state = new Map<string, { value: number; weight: number }>();
      for (const p of previous) state.set(pairKey(p.ideaId, p.userId), { value: p.value, weight: p.weight });

      // Apply in arrival order, in memory: each vote's deltas, and the final row of each pair.
      const steps: { index: number; ideaId: string; up: number; down: number; weighted: number; myVote: number; changed: boolean }[] = [];
      const finalRows = new Map<string, { ideaId: string; userId: string; value: number; weight: number }>();
      for (const i of accepted) {
        const b = batch[i]!;
        const key = pairKey(b.ideaId, b.userId);
        const old = state.get(key) ?? { value: 0, weight: 0 };
        const community = byIdea.get(b.ideaId)!.community.id;
        const weight = memberOf.get(`${community}|${b.userId}`)?.voteWeight ?? 1;
        if (old.value === b.value) {
          steps.push({ index: i, ideaId: b.ideaId, up: 0, down: 0, weighted: 0, myVote: old.value, changed: false });
          continue;
        }
        const up = (b.value === 1 ? 1 : 0) - (old.value === 1 ? 1 : 0);
        const down = (b.value === -1 ? 1 : 0) - (old.value === -1 ? 1 : 0);
        const weighted = b.value * (b.value === 0 ? 0 : weight) - old.value * old.weight;
        steps.push({ index: i, ideaId: b.ideaId, up, down, weighted, myVote: b.value, changed: true });
        state.set(key, { value: b.value, weight: b.value === 0 ? 0 : weight });
        finalRows.set(key, { ideaId: b.ideaId, userId: b.userId, value: b.value, weight });
      }
      const upserts = [...finalRows.values()].filter((r) => r.value !== 0);
      const deletes = [...finalRows.values()].filter((r) => r.value === 0);
      if (upserts.length) {
        await tx
          .insert(votes)
          .values(upserts.map((r) => ({ ideaId: r.ideaId, userId: r.userId, value: r.value, weight: r.weight })))
          .onConflictDoUpdate({
            target: [votes.ideaId, votes.userId],
            set: { value: sql`excluded.value`, weight: sql`excluded.weight`, updatedAt: new Date() },
          });
      }
      if (deletes.length) {
        const gone = sql.join(
          deletes.map((d) => sql`(${d.ideaId}::uuid, ${d.userId}::uuid)`),
          sql`, `,
        );
        await tx.delete(votes).where(sql`(${votes.ideaId}, ${votes.userId}) in (${gone})`);
      }

      // Totals per idea; the ideas are locked in a fixed order, last, so hot rows are held briefly.
      const totals = new Map<string, { up: number; down: number; weighted: number; changes: number }>();
      for (const s of steps) {
        if (!s.changed) continue;
        const t = totals.get(s.ideaId) ?? { up: 0, down: 0, weighted: 0, changes: 0 };
        t.up += s.up;
        t.down += s.down;
        t.weighted += s.weighted;
        t.changes += 1;
        totals.set(s.ideaId, t);
      }
      const touched = [...new Set(steps.map((s) => s.ideaId))].sort();
      // NO KEY UPDATE, like the UPDATE itself: it does not conflict with the KEY SHARE locks that the
      // votes' foreign keys take on ideas, which FOR UPDATE did (and deadlocked on).
      await tx.select({ id: ideas.id }).from(ideas).where(inArray(ideas.id, touched)).orderBy(ideas.id).for('no key update');
      // One statement for every changed idea, each guarded: the decision above holds only if the
      // idea was not locked, merged, hidden or closed meanwhile.
      const after = new Map<string, { up: number; down: number; weightedScore: number; version: number; boardId: string }>();
      const changedIds = touched.filter((id) => totals.has(id));
      if (changedIds.length > 0) {
        const values = sql.join(
          changedIds.map((id) => {
            const t = totals.get(id)!;
            const read = byIdea.get(id)!.idea;
            return sql`(${id}::uuid, ${t.up}::int, ${t.down}::int, ${t.weighted}::float8, ${t.changes}::int, ${read.status}::text, ${read.locked}::boolean, ${read.hidden}::boolean)`;
          }),
          sql`, `,
        );
        const updated = resultRows<{ id: string; up: number; down: number; weighted_score: number; version: number | string; board_id: string }>(
          await tx.execute(sql`
            update ${ideas} as i
               set up = i.up + v.up, down = i.down + v.down, vote_count = i.vote_count + v.up - v.down,
                   weighted_score = i.weighted_score + v.w, version = i.version + v.n
              from (values ${values}) as v(id, up, down, w, n, status, locked, hidden)
             where i.id = v.id and i.status = v.status and i.locked = v.locked and i.hidden = v.hidden
            returning i.id, i.up, i.down, i.weighted_score, i.version, i.board_id`),
        );
        // The decision above no longer holds for some idea: the whole batch goes again, vote by vote.
        if (updated.length !== changedIds.length) throw conflict('an idea changed while its votes were written');
        for (const r of updated) {
          after.set(r.id, { up: Number(r.up), down: Number(r.down), weightedScore: Number(r.weighted_score), version: Number(r.version), boardId: r.board_id });
        }
      }
      const unchangedIds = touched.filter((id) => !totals.has(id));
      if (unchangedIds.length > 0) {
        const rows = await tx
          .select({ id: ideas.id, up: ideas.up, down: ideas.down, weightedScore: ideas.weightedScore, version: ideas.version, boardId: ideas.boardId })
          .from(ideas)
          .where(inArray(ideas.id, unchangedIds));
        for (const r of rows) after.set(r.id, r);
      }

      // Each vote's own answer: the counts and version right after it, in arrival order.
      const running = new Map<string, { up: number; down: number; weighted: number; version: number }>();
      for (const [ideaId, row] of after) {
        const t = totals.get(ideaId) ?? { up: 0, down: 0, weighted: 0, changes: 0 };
        running.set(ideaId, { up: row.up - t.up, down: row.down - t.down, weighted: row.weightedScore - t.weighted, version: row.version - t.changes });
      }
      for (const s of steps) {
        const r = running.get(s.ideaId)!;
        if (s.changed) {
          r.up += s.up;
          r.down += s.down;
          r.weighted += s.weighted;
          r.version += 1;
        }
        const row = after.get(s.ideaId)!;
        results[s.index] = {
          ideaId: s.ideaId,
          up: r.up,
          down: r.down,
          voteCount: r.up - r.down,
          version: r.version,
          myVote: s.myVote,
          boardId: row.boardId,
          weightedScore: r.weighted,
          changed: s.changed,
        };
      }
      return results;
    });
  }
}
