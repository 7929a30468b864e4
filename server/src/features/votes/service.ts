import { boards, communities, ideas, votes, type Db } from '@cocreate/db';
import type { IdeaStatus, VoteResult } from '@cocreate/protocol';
import { and, eq, sql } from 'drizzle-orm';
import { forbidden, notFound } from '../../errors.js';
import { assertAllowed, ideaResource, membershipOf, subjectOf } from '../access.js';

/** Statuses that take no new votes but whose votes may still be withdrawn. */
const CLOSED_STATUSES: readonly IdeaStatus[] = ['shipped', 'declined'];

/**
 * Casting, changing and withdrawing a vote: one transaction that locks the idea's row, so the
 * counters (up, down, vote_count, weighted_score) and the version stay exact under any
 * concurrency, and repeating a vote changes nothing. Shared by REST and, later, the socket.
 */
/** A vote's result, plus what the live layer needs: the board, the weighted score, whether anything changed. */
export interface VoteOutcome extends VoteResult {
  boardId: string;
  weightedScore: number;
  changed: boolean;
}

export const toVoteResult = ({ ideaId, up, down, voteCount, version, myVote }: VoteOutcome): VoteResult => ({
  ideaId,
  up,
  down,
  voteCount,
  version,
  myVote,
});

export async function setVote(db: Db, input: { ideaId: string; userId: string; value: 1 | -1 | 0 }): Promise<VoteOutcome> {
  return db.transaction(async (tx) => {
    const [idea] = await tx.select().from(ideas).where(eq(ideas.id, input.ideaId)).for('update').limit(1);
    if (!idea) throw notFound('idea');
    const [community] = await tx.select().from(communities).where(eq(communities.id, idea.communityId)).limit(1);
    if (!community) throw notFound('idea');
    const membership = await membershipOf(tx, idea.communityId, input.userId);
    const resource = ideaResource(community, idea);
    // Withdrawing is a vote change and is judged as casting is (members only, not banned, not on a
    // locked or merged idea), except that a closed idea (shipped, declined) still lets a voter take
    // back what was cast.
    const judged =
      input.value === 0 && resource.idea && CLOSED_STATUSES.includes(idea.status) ? { ...resource, idea: { ...resource.idea, status: 'open' as const } } : resource;
    assertAllowed(subjectOf(input.userId, membership), 'idea.vote', judged, 'idea');
    if (input.value === -1) {
      const [board] = await tx.select({ downvotes: boards.downvotesEnabled }).from(boards).where(eq(boards.id, idea.boardId));
      if (!board?.downvotes) throw forbidden('this board does not take downvotes');
    }
    const [previous] = await tx
      .select()
      .from(votes)
      .where(and(eq(votes.ideaId, idea.id), eq(votes.userId, input.userId)))
      .limit(1);
    const oldValue = previous?.value ?? 0;
    const oldWeight = previous?.weight ?? 0;
    const result = (row: typeof idea, myVote: number, changed: boolean): VoteOutcome => ({
      ideaId: row.id,
      up: row.up,
      down: row.down,
      voteCount: row.voteCount,
      version: row.version,
      myVote,
      boardId: row.boardId,
      weightedScore: row.weightedScore,
      changed,
    });
    if (oldValue === input.value) return result(idea, oldValue, false);

    const weight = membership?.voteWeight ?? 1;
    if (input.value === 0) {
      await tx.delete(votes).where(and(eq(votes.ideaId, idea.id), eq(votes.userId, input.userId)));
    } else {
      await tx
        .insert(votes)
        .values({ ideaId: idea.id, userId: input.userId, value: input.value, weight })
        .onConflictDoUpdate({ target: [votes.ideaId, votes.userId], set: { value: input.value, weight, updatedAt: new Date() } });
    }
    const upDelta = (input.value === 1 ? 1 : 0) - (oldValue === 1 ? 1 : 0);
    const downDelta = (input.value === -1 ? 1 : 0) - (oldValue === -1 ? 1 : 0);
    const weightedDelta = input.value * (input.value === 0 ? 0 : weight) - oldValue * oldWeight;
    const [updated] = await tx
      .update(ideas)
      .set({
        up: sql`${ideas.up} + ${upDelta}`,
        down: sql`${ideas.down} + ${downDelta}`,
        voteCount: sql`${ideas.voteCount} + ${upDelta - downDelta}`,
        weightedScore: sql`${ideas.weightedScore} + ${weightedDelta}::float8`,
        version: sql`${ideas.version} + 1`,
      })
      .where(eq(ideas.id, idea.id))
      .returning();
    if (!updated) throw notFound('idea');
    return result(updated, input.value, true);
  });
}

