import {
  changelogCredits,
  changelogEntries,
  type Db,
  ideaContributors,
  ideas,
  notifications,
  roadmapItems,
  users,
  votes,
  webhookDeliveries,
  webhooks,
} from '@cocreate/db';
import { type CreditKind, laneFor, type RoadmapLane } from '@cocreate/protocol';
import { and, desc, eq, max, ne, sql } from 'drizzle-orm';
import { resultRows } from '../lib/db-rows.js';
import { enqueue } from './outbox.js';

/**
 * The database effects of pipeline jobs. Each runs inside the transaction that marks its job done
 * and is idempotent on its own too (dedupe keys, unique rows), so a job retried after a crash
 * changes nothing twice.
 */

export interface StoredNotification {
  id: string;
  userId: string;
  kind: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

/**
 * Notifies everyone with a stake in an idea (its author, voters, commenters, followers and
 * co-authors) but the actor. In a private community only its active members hear of it; banned
 * members never do.
 */
export async function notifyAudience(
  tx: Db,
  input: { ideaId: string; actorId: string | null; kind: string; payload: Record<string, unknown>; dedupeKey: string },
): Promise<StoredNotification[]> {
  const rows = await tx.execute<{ id: string; user_id: string; created_at: string | Date }>(sql`
    insert into notifications (user_id, kind, payload, dedupe_key)
    select a.user_id, ${input.kind}, ${JSON.stringify(input.payload)}::jsonb, ${input.dedupeKey}
      from (
        select author_id as user_id from ideas where id = ${input.ideaId} and author_id is not null
        union select user_id from votes where idea_id = ${input.ideaId}
        union select author_id from comments where idea_id = ${input.ideaId} and author_id is not null and deleted_at is null
        union select user_id from idea_followers where idea_id = ${input.ideaId}
        union select user_id from idea_contributors where idea_id = ${input.ideaId}
      ) a
      join ideas i on i.id = ${input.ideaId}
      join communities c on c.id = i.community_id
      left join memberships m on m.community_id = c.id and m.user_id = a.user_id
     where a.user_id is distinct from ${input.actorId}::uuid
       and (m.status is null or m.status <> 'banned')
       and (c.visibility = 'public' or m.status = 'active')
    on conflict (user_id, dedupe_key) do nothing
    returning id, user_id, created_at`);
  return resultRows<{ id: string; user_id: string; created_at: string | Date }>(rows).map((r) => ({
    id: r.id,
    userId: r.user_id,
    kind: input.kind,
    payload: input.payload,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** Notifies the given users (credits, digests); same dedupe rule. */
export async function notifyUsers(
  tx: Db,
  userIds: string[],
  input: { kind: string; payload: Record<string, unknown>; dedupeKey: string },
): Promise<StoredNotification[]> {
  if (userIds.length === 0) return [];
  const rows = await tx
    .insert(notifications)
    .values(userIds.map((userId) => ({ userId, kind: input.kind, payload: input.payload, dedupeKey: input.dedupeKey })))
    .onConflictDoNothing({ target: [notifications.userId, notifications.dedupeKey] })
    .returning();
  return rows.map((r) => ({ id: r.id, userId: r.userId, kind: r.kind, payload: r.payload, createdAt: r.createdAt.toISOString() }));
}

export type RoadmapSync =
  | { action: 'none' }
  | { action: 'removed'; ideaId: string; communityId: string }
  | { action: 'upserted'; ideaId: string; communityId: string; itemId: string; lane: RoadmapLane };

/**
 * Puts an idea where its current status says on the roadmap: on it (in the lane of its status) or
 * off it. Reading the status now, not the one in the job, makes jobs that run late or twice converge.
 * The snapshot of text, votes and contributors is taken once, when the idea first reaches the roadmap.
 */
export async function syncRoadmap(tx: Db, ideaId: string): Promise<RoadmapSync> {
  const [idea] = await tx.select().from(ideas).where(eq(ideas.id, ideaId)).limit(1);
  if (!idea) return { action: 'none' };
  const lane = laneFor(idea.status);
  const [existing] = await tx.select().from(roadmapItems).where(eq(roadmapItems.ideaId, ideaId)).limit(1);
  if (!lane) {
    if (!existing) return { action: 'none' };
    await tx.delete(roadmapItems).where(eq(roadmapItems.id, existing.id));
    return { action: 'removed', ideaId, communityId: idea.communityId };
  }
  if (existing?.lane === lane) return { action: 'none' };
  const [last] = await tx
    .select({ position: max(roadmapItems.position) })
    .from(roadmapItems)
    .where(and(eq(roadmapItems.communityId, idea.communityId), eq(roadmapItems.lane, lane)));
  const position = (last?.position ?? 0) + 1;
  if (existing) {
    await tx.update(roadmapItems).set({ lane, position, updatedAt: new Date() }).where(eq(roadmapItems.id, existing.id));
    return { action: 'upserted', ideaId, communityId: idea.communityId, itemId: existing.id, lane };
  }
  const contributors = await contributorsOf(tx, ideaId);
  const [item] = await tx
    .insert(roadmapItems)
    .values({
      communityId: idea.communityId,
      ideaId,
      lane,
      position,
      snapshot: {
        title: idea.title,
        bodyText: idea.bodyText,
        up: idea.up,
        down: idea.down,
        voteCount: idea.voteCount,
        contributors,
        takenAt: new Date().toISOString(),
      },
    })
    .onConflictDoNothing({ target: roadmapItems.ideaId })
    .returning({ id: roadmapItems.id });
  if (!item) return { action: 'none' };
  return { action: 'upserted', ideaId, communityId: idea.communityId, itemId: item.id, lane };
}

export async function contributorsOf(tx: Db, ideaId: string) {
  return tx
    .select({ id: users.id, handle: users.handle, displayName: users.displayName, role: ideaContributors.role })
    .from(ideaContributors)
    .innerJoin(users, eq(users.id, ideaContributors.userId))
    .where(eq(ideaContributors.ideaId, ideaId))
    .orderBy(sql`case when ${ideaContributors.role} = 'author' then 0 else 1 end`, desc(ideaContributors.editCount), users.handle);
}

/** How many of the earliest, heaviest upvoters a changelog entry credits. */
export const BACKERS_CREDITED = 10;

/**
 * On shipped: a draft changelog entry crediting the idea's author, its co-authors (from their
 * document contributions) and its top backers. One per idea; a second call changes nothing.
 */
export async function draftChangelog(tx: Db, ideaId: string, actorId: string | null): Promise<string | null> {
  const [idea] = await tx.select().from(ideas).where(eq(ideas.id, ideaId)).limit(1);
  if (!idea) return null;
  const [entry] = await tx
    .insert(changelogEntries)
    .values({
      communityId: idea.communityId,
      ideaId,
      title: idea.title,
      body: idea.bodyText.slice(0, 2_000),
      createdBy: actorId,
    })
    .onConflictDoNothing({ target: changelogEntries.ideaId })
    .returning({ id: changelogEntries.id });
  if (!entry) return null;

  const credits = new Map<string, CreditKind>();
  if (idea.authorId) credits.set(idea.authorId, 'author');
  const coAuthors = await tx
    .select({ userId: ideaContributors.userId })
    .from(ideaContributors)
    .where(and(eq(ideaContributors.ideaId, ideaId), ne(ideaContributors.role, 'author')))
    .orderBy(desc(ideaContributors.editCount));
  for (const c of coAuthors) if (!credits.has(c.userId)) credits.set(c.userId, 'co_author');
  const backers = await tx
    .select({ userId: votes.userId })
    .from(votes)
    .where(and(eq(votes.ideaId, ideaId), eq(votes.value, 1)))
    .orderBy(desc(votes.weight), votes.createdAt, votes.userId)
    .limit(BACKERS_CREDITED + credits.size);
  let backed = 0;
  for (const b of backers) {
    if (backed >= BACKERS_CREDITED) break;
    if (credits.has(b.userId)) continue;
    credits.set(b.userId, 'backer');
    backed++;
  }
  if (credits.size > 0) {
    await tx
      .insert(changelogCredits)
      .values([...credits].map(([userId, kind]) => ({ entryId: entry.id, userId, kind })))
      .onConflictDoNothing();
  }
  return entry.id;
}

/**
 * Records one delivery per active webhook of the community subscribed to the event, and a job for
 * each. The (webhook, event) pair is unique, so a retried job queues nothing twice.
 */
export async function queueWebhooks(tx: Db, communityId: string, eventType: string, eventId: string, data: Record<string, unknown>): Promise<number> {
  const hooks = await tx
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(and(eq(webhooks.communityId, communityId), eq(webhooks.active, true), sql`${webhooks.events} @> ${JSON.stringify([eventType])}::jsonb`));
  if (hooks.length === 0) return 0;
  const payload = { type: eventType, timestamp: new Date().toISOString(), data };
  const created = await tx
    .insert(webhookDeliveries)
    .values(hooks.map((h) => ({ webhookId: h.id, eventId, eventType, payload })))
    .onConflictDoNothing({ target: [webhookDeliveries.webhookId, webhookDeliveries.eventId] })
    .returning({ id: webhookDeliveries.id });
  for (const d of created) await enqueue(tx, 'webhook.deliver', { deliveryId: d.id });
  return created.length;
}
