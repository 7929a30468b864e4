import { comments, type Db, ideaContributors, ideaFollowers, ideas, statusChanges, users, votes } from '@cocreate/db';
import { decideTransition, type IdeaStatus, type StatusChangeView } from '@cocreate/protocol';
import { eq, inArray, sql } from 'drizzle-orm';
import { AppError, conflict, invalid, notFound } from '../errors.js';
import { audit, type CommunityRow, type IdeaRow, type MembershipRow } from '../features/access.js';
import { pgErrorCode } from '../lib/db-errors.js';
import { affectedRows } from '../lib/db-rows.js';
import { notifyAudience, type StoredNotification } from './effects.js';
import { enqueue } from './outbox.js';

/**
 * Status changes and merges: each one transaction holding the idea's new state, its history row,
 * the audit entry and the outbox rows that tell everyone else. The workers do the rest.
 */

export interface Actor {
  userId: string;
  /** Shown on the history row the change writes. */
  handle: string;
  displayName: string;
  membership: MembershipRow | null;
}

export interface StatusChanged {
  idea: IdeaRow;
  change: StatusChangeView;
}

export async function changeStatus(
  db: Db,
  input: { idea: IdeaRow; community: CommunityRow; actor: Actor; to: IdeaStatus; reason?: string | undefined; from?: IdeaStatus | undefined },
): Promise<StatusChanged> {
  const role = input.actor.membership?.status === 'active' ? input.actor.membership.role : null;
  const reason = input.reason?.trim() || null;
  return db.transaction(async (tx) => {
    // NO KEY UPDATE, as the vote writers take it, so the two queue rather than deadlock.
    const [current] = await tx.select().from(ideas).where(eq(ideas.id, input.idea.id)).for('no key update');
    if (!current) throw notFound('idea');
    if (input.from && current.status !== input.from) {
      throw conflict(`the idea is ${current.status} now, not ${input.from}`, { status: current.status });
    }
    const decision = decideTransition(role, current.status, input.to, reason);
    if (!decision.ok) throw new AppError(decision.code, decision.reason);
    const [updated] = await tx
      .update(ideas)
      .set({ status: input.to, version: sql`${ideas.version} + 1`, updatedAt: new Date() })
      .where(eq(ideas.id, current.id))
      .returning();
    const [row] = await tx
      .insert(statusChanges)
      .values({ ideaId: current.id, fromStatus: current.status, toStatus: input.to, reason, actorId: input.actor.userId })
      .returning();
    await enqueue(tx, 'idea.status_changed', {
      ideaId: current.id,
      communityId: current.communityId,
      boardId: current.boardId,
      changeId: row!.id,
      from: current.status,
      to: input.to,
      reason,
      actorId: input.actor.userId,
    });
    await audit(tx, {
      communityId: current.communityId,
      actorId: input.actor.userId,
      action: 'idea.status',
      targetType: 'idea',
      targetId: current.id,
      details: { from: current.status, to: input.to, reason },
    });
    return {
      idea: updated!,
      change: {
        id: row!.id,
        ideaId: current.id,
        from: current.status,
        to: input.to,
        reason,
        actor: { id: input.actor.userId, handle: input.actor.handle, displayName: input.actor.displayName },
        createdAt: row!.createdAt.toISOString(),
      },
    };
  });
}

/** The history of an idea's statuses, oldest first. */
export async function statusHistory(db: Db, ideaId: string): Promise<StatusChangeView[]> {
  const rows = await db
    .select({ c: statusChanges, actor: { id: users.id, handle: users.handle, displayName: users.displayName } })
    .from(statusChanges)
    .leftJoin(users, eq(users.id, statusChanges.actorId))
    .where(eq(statusChanges.ideaId, ideaId))
    .orderBy(statusChanges.createdAt, statusChanges.id);
  return rows.map(({ c, actor }) => ({
    id: c.id,
    ideaId: c.ideaId,
    from: c.fromStatus,
    to: c.toStatus,
    reason: c.reason,
    actor: actor?.id ? actor : null,
    createdAt: c.createdAt.toISOString(),
  }));
}

export interface MergeCounts {
  votesMoving: number;
  votesDropped: number;
  commentsMoving: number;
  followersMoving: number;
}

/** What a merge would move, without moving it. */
export async function mergePreview(db: Db, sourceId: string, targetId: string): Promise<MergeCounts> {
  const [v] = await db
    .select({
      moving: sql<number>`count(*) filter (where t.user_id is null)::int`,
      dropped: sql<number>`count(*) filter (where t.user_id is not null)::int`,
    })
    .from(sql`${votes} s left join ${votes} t on t.idea_id = ${targetId} and t.user_id = s.user_id`)
    .where(sql`s.idea_id = ${sourceId}`);
  const [c] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(comments)
    .where(eq(comments.ideaId, sourceId));
  const [f] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(sql`${ideaFollowers} s`)
    .where(sql`s.idea_id = ${sourceId} and not exists (select 1 from ${ideaFollowers} t where t.idea_id = ${targetId} and t.user_id = s.user_id)`);
  return { votesMoving: v?.moving ?? 0, votesDropped: v?.dropped ?? 0, commentsMoving: c?.n ?? 0, followersMoving: f?.n ?? 0 };
}

export interface Merged {
  source: IdeaRow;
  target: IdeaRow;
  moved: { votes: number; dropped: number; comments: number; followers: number };
  /** Stored in the merge's transaction; the caller pushes them live after the commit. */
  notified: StoredNotification[];
}

/**
 * Merges a duplicate into a target: each voter's vote moves once (a voter who voted on both keeps
 * the target vote), comments and followers move, the source's author and co-authors are credited
 * on the target, the counters are recounted from the votes, and the source becomes a redirect.
 */
export async function mergeIdeas(db: Db, input: { source: IdeaRow; targetId: string; actor: Actor }): Promise<Merged> {
  if (input.source.id === input.targetId) throw invalid('an idea cannot be merged into itself');
  // Concurrent votes lock vote rows before the idea; a merge locks the ideas first. When the two
  // cross, PostgreSQL picks a victim: if it is the merge, it runs again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await mergeOnce(db, input);
    } catch (err) {
      const code = pgErrorCode(err);
      if (attempt < 5 && (code === '40P01' || code === '40001')) continue;
      throw err;
    }
  }
}

async function mergeOnce(db: Db, input: { source: IdeaRow; targetId: string; actor: Actor }): Promise<Merged> {
  return db.transaction(async (tx) => {
    const locked = await tx
      .select()
      .from(ideas)
      .where(inArray(ideas.id, [input.source.id, input.targetId]))
      .orderBy(ideas.id)
      .for('no key update');
    const source = locked.find((i) => i.id === input.source.id);
    const target = locked.find((i) => i.id === input.targetId);
    if (!source) throw notFound('idea');
    if (!target || target.communityId !== source.communityId || target.hidden) throw notFound('target idea');
    if (source.status === 'merged') throw conflict('the idea was already merged');
    if (target.status === 'merged') throw conflict('the target was itself merged into another idea; merge into that one');

    const reason = `Merged into “${target.title}”`;
    const [change] = await tx
      .insert(statusChanges)
      .values({ ideaId: source.id, fromStatus: source.status, toStatus: 'merged', reason, actorId: input.actor.userId })
      .returning();
    // Those with a stake in the duplicate hear where it went. Told here, before its votes,
    // comments and followers move, because afterwards they cannot be told apart from the target's.
    const notified = await notifyAudience(tx, {
      ideaId: source.id,
      actorId: input.actor.userId,
      kind: 'idea.merged',
      payload: { sourceId: source.id, sourceTitle: source.title, targetId: target.id, targetTitle: target.title },
      dedupeKey: `merge:${change!.id}`,
    });

    const movedVotes = await tx.execute(sql`
      insert into votes (idea_id, user_id, value, weight, created_at, updated_at)
      select ${target.id}, user_id, value, weight, created_at, now() from votes where idea_id = ${source.id}
      on conflict (idea_id, user_id) do nothing`);
    const [sourceVotes] = await tx.select({ n: sql<number>`count(*)::int` }).from(votes).where(eq(votes.ideaId, source.id));
    await tx.delete(votes).where(eq(votes.ideaId, source.id));
    const votesMoved = affectedRows(movedVotes);

    const movedComments = await tx.update(comments).set({ ideaId: target.id }).where(eq(comments.ideaId, source.id)).returning({ id: comments.id });
    const followers = await tx.execute(sql`
      insert into idea_followers (idea_id, user_id, created_at)
      select ${target.id}, user_id, created_at from idea_followers where idea_id = ${source.id}
      on conflict do nothing`);
    await tx.delete(ideaFollowers).where(eq(ideaFollowers.ideaId, source.id));
    // Both authors are credited: the source's author and co-authors become co-authors of the target.
    await tx.execute(sql`
      insert into idea_contributors (idea_id, user_id, role, edit_count, first_at, last_at)
      select ${target.id}, user_id, 'co_author', edit_count, first_at, last_at from idea_contributors where idea_id = ${source.id}
      on conflict do nothing`);
    if (source.authorId) {
      await tx
        .insert(ideaContributors)
        .values({ ideaId: target.id, userId: source.authorId, role: 'co_author' })
        .onConflictDoNothing();
    }

    const [updatedTarget] = await tx
      .update(ideas)
      .set({
        up: sql`(select count(*) from votes where idea_id = ${target.id} and value = 1)::int`,
        down: sql`(select count(*) from votes where idea_id = ${target.id} and value = -1)::int`,
        voteCount: sql`(select coalesce(sum(value), 0) from votes where idea_id = ${target.id})::int`,
        weightedScore: sql`(select coalesce(sum(value * weight), 0) from votes where idea_id = ${target.id})::float8`,
        commentCount: sql`${ideas.commentCount} + ${source.commentCount}`,
        version: sql`${ideas.version} + 1`,
        updatedAt: new Date(),
      })
      .where(eq(ideas.id, target.id))
      .returning();
    const [updatedSource] = await tx
      .update(ideas)
      .set({ status: 'merged', mergedInto: target.id, up: 0, down: 0, voteCount: 0, weightedScore: 0, commentCount: 0, version: sql`${ideas.version} + 1`, updatedAt: new Date() })
      .where(eq(ideas.id, source.id))
      .returning();
    const moved = { votes: votesMoved, dropped: (sourceVotes?.n ?? 0) - votesMoved, comments: movedComments.length, followers: affectedRows(followers) };
    await enqueue(tx, 'idea.merged', {
      sourceId: source.id,
      targetId: target.id,
      communityId: source.communityId,
      changeId: change!.id,
      from: source.status,
      actorId: input.actor.userId,
      moved,
    });
    await audit(tx, {
      communityId: source.communityId,
      actorId: input.actor.userId,
      action: 'idea.merge',
      targetType: 'idea',
      targetId: source.id,
      details: { into: target.id, ...moved },
    });
    return { source: updatedSource!, target: updatedTarget!, moved, notified };
  });
}
