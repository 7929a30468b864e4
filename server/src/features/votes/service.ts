import { boards, communities, ideas, memberships, votes, type Db } from '@cocreate/db';
import { authorize, type IdeaStatus, type VoteResult } from '@cocreate/protocol';
import { and, eq, sql } from 'drizzle-orm';
import { AppError, conflict, forbidden, notFound } from '../../errors.js';
import { type CommunityRow, type IdeaRow, ideaResource, type MembershipRow, subjectOf } from '../access.js';

/** What deciding a vote needs of its idea. */
export type VoteIdea = Pick<IdeaRow, 'id' | 'authorId' | 'status' | 'locked' | 'hidden'>;

/** Statuses that take no new votes but whose votes may still be withdrawn. */
const CLOSED_STATUSES: readonly IdeaStatus[] = ['shipped', 'declined'];

/**
 * Casting, changing and withdrawing a vote, shared by REST and the socket. The counters (up, down,
 * vote_count, weighted_score) and the version stay exact under any concurrency, and repeating a
 * vote changes nothing.
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

/**
 * Why a vote may not be written, or null: the one decision of the single-vote path and the batcher.
 * Withdrawing is a vote change and is judged as casting is (members only, not banned, not on a
 * locked or merged idea), except that a closed idea (shipped, declined) still lets a voter take
 * back what was cast.
 */
export function refuseVote(
  row: { idea: VoteIdea; community: Pick<CommunityRow, 'visibility'>; downvotes: boolean },
  membership: Pick<MembershipRow, 'role' | 'status'> | null,
  input: { userId: string; value: 1 | -1 | 0 },
): AppError | null {
  const resource = ideaResource(row.community, row.idea);
  const judged =
    input.value === 0 && resource.idea && CLOSED_STATUSES.includes(row.idea.status)
      ? { ...resource, idea: { ...resource.idea, status: 'open' as const } }
      : resource;
  const decision = authorize(subjectOf(input.userId, membership), 'idea.vote', judged);
  if (!decision.ok) return decision.code === 'NOT_FOUND' ? notFound('idea') : new AppError(decision.code, decision.reason);
  if (input.value === -1 && !row.downvotes) return forbidden('this board does not take downvotes');
  return null;
}

export async function setVote(db: Db, input: { ideaId: string; userId: string; value: 1 | -1 | 0 }): Promise<VoteOutcome> {
  // 1. Decide without locks: one read of the idea, its community, its board's downvote setting and
  //    the caller's membership.
  const [row] = await db
    .select({ idea: ideas, community: communities, downvotes: boards.downvotesEnabled, membership: memberships })
    .from(ideas)
    .innerJoin(communities, eq(communities.id, ideas.communityId))
    .innerJoin(boards, eq(boards.id, ideas.boardId))
    .leftJoin(memberships, and(eq(memberships.communityId, ideas.communityId), eq(memberships.userId, input.userId)))
    .where(eq(ideas.id, input.ideaId))
    .limit(1);
  if (!row) throw notFound('idea');
  const { idea, membership } = row;
  const refusal = refuseVote(row, membership, input);
  if (refusal) throw refusal;

  // 2. Write. One user's changes to one idea are serialised by an advisory lock on the pair, so the
  //    previous vote read here is the one replaced. The idea's counters move in one atomic UPDATE,
  //    the last statement, so the hot row stays locked for the commit only, not for the whole
  //    transaction: votes of different users on one idea no longer queue behind each other.
  return db.transaction(async (tx) => {
    // The pair's lock as cocreate_apply_votes takes it: the ids as the database spells them.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${input.userId}::uuid::text), hashtext(${idea.id}::text))`);
    const [previous] = await tx
      .select({ value: votes.value, weight: votes.weight })
      .from(votes)
      .where(and(eq(votes.ideaId, idea.id), eq(votes.userId, input.userId)))
      .limit(1);
    const oldValue = previous?.value ?? 0;
    const oldWeight = previous?.weight ?? 0;
    const result = (r: typeof idea, myVote: number, changed: boolean): VoteOutcome => ({
      ideaId: r.id,
      up: r.up,
      down: r.down,
      voteCount: r.voteCount,
      version: r.version,
      myVote,
      boardId: r.boardId,
      weightedScore: r.weightedScore,
      changed,
    });
    if (oldValue === input.value) {
      const [current] = await tx.select().from(ideas).where(eq(ideas.id, idea.id)).limit(1);
      return result(current ?? idea, oldValue, false);
    }

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
      // The decision above holds only if the idea was not locked, merged or closed meanwhile.
      .where(and(eq(ideas.id, idea.id), eq(ideas.status, idea.status), eq(ideas.locked, idea.locked), eq(ideas.hidden, idea.hidden)))
      .returning();
    if (!updated) throw conflict('the idea changed while you voted; try again');
    return result(updated, input.value, true);
  });
}
