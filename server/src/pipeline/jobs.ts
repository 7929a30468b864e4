import { changelogCredits, communities, type Db, ideas, outbox, webhookDeliveries, webhooks } from '@cocreate/db';
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { resultRows } from '../lib/db-rows.js';
import type { RealtimeHub } from '../realtime/hub.js';
import {
  draftChangelog,
  notifyAudience,
  notifyUsers,
  queueWebhooks,
  type RoadmapSync,
  type StoredNotification,
  syncRoadmap,
} from './effects.js';
import { enqueue, type Handler, type Topic } from './outbox.js';
import { type AddressPolicy, attemptDelivery, signMessage } from './webhooks.js';

/** What the job handlers need from the node they run on. */
export interface JobEnv {
  db: Db;
  realtime: RealtimeHub;
  policy: AddressPolicy;
  webhookTimeoutMs: number;
  digestIntervalMs: number;
  log: FastifyBaseLogger;
}

/** After the commit: tell the users live, and the community's room about its roadmap. */
function announce(env: JobEnv, notified: StoredNotification[], roadmap: RoadmapSync[]): void {
  for (const n of notified) env.realtime.notifyUser(n.userId, { id: n.id, kind: n.kind, payload: n.payload, createdAt: n.createdAt });
  for (const r of roadmap) {
    if (r.action === 'upserted') env.realtime.emitEvent([`community:${r.communityId}`], 'roadmap.item', { ideaId: r.ideaId, itemId: r.itemId, lane: r.lane });
    if (r.action === 'removed') env.realtime.emitEvent([`community:${r.communityId}`], 'roadmap.removed', { ideaId: r.ideaId });
  }
}

interface IdeaJobPayload {
  ideaId: string;
  communityId: string;
  changeId: string;
  from: string;
  to: string;
  reason: string | null;
  actorId: string | null;
}

export function jobHandlers(env: JobEnv): Partial<Record<Topic, Handler>> {
  const titleOf = async (tx: Db, ideaId: string) => (await tx.select({ title: ideas.title }).from(ideas).where(eq(ideas.id, ideaId)))[0]?.title ?? '';

  return {
    'idea.created': {
      async handle(job, ctx) {
        const p = job.payload as { ideaId: string; communityId: string; idea: Record<string, unknown> };
        await ctx.finish((tx) => queueWebhooks(tx, p.communityId, 'idea.created', `idea.created:${p.ideaId}`, p.idea));
      },
    },

    'idea.status_changed': {
      async handle(job, ctx) {
        const p = job.payload as unknown as IdeaJobPayload;
        const out = await ctx.finish(async (tx) => {
          const title = await titleOf(tx, p.ideaId);
          const roadmap = await syncRoadmap(tx, p.ideaId);
          const notified = await notifyAudience(tx, {
            ideaId: p.ideaId,
            actorId: p.actorId,
            kind: 'idea.status_changed',
            payload: { ideaId: p.ideaId, title, from: p.from, to: p.to, reason: p.reason },
            dedupeKey: `status:${p.changeId}`,
          });
          const changelogId = p.to === 'shipped' ? await draftChangelog(tx, p.ideaId, p.actorId) : null;
          await queueWebhooks(tx, p.communityId, 'idea.status_changed', `idea.status_changed:${p.changeId}`, {
            ideaId: p.ideaId,
            title,
            from: p.from,
            to: p.to,
            reason: p.reason,
          });
          return { roadmap, notified, changelogId };
        });
        if (!out) return;
        announce(env, out.notified, [out.roadmap]);
        if (out.changelogId) env.realtime.emitEvent([`community:${p.communityId}`], 'changelog.drafted', { entryId: out.changelogId, ideaId: p.ideaId });
      },
    },

    'idea.merged': {
      // The merge notified the duplicate's audience in its own transaction; here, the roadmap and webhooks.
      async handle(job, ctx) {
        const p = job.payload as { sourceId: string; targetId: string; communityId: string; changeId: string; moved: Record<string, number> };
        const roadmap = await ctx.finish(async (tx) => {
          const synced = [await syncRoadmap(tx, p.sourceId), await syncRoadmap(tx, p.targetId)];
          await queueWebhooks(tx, p.communityId, 'idea.merged', `idea.merged:${p.changeId}`, {
            sourceId: p.sourceId,
            targetId: p.targetId,
            moved: p.moved,
          });
          return synced;
        });
        if (roadmap) announce(env, [], roadmap);
      },
    },

    'comment.official': {
      async handle(job, ctx) {
        const p = job.payload as { commentId: string; ideaId: string; communityId: string; actorId: string; body: string };
        const out = await ctx.finish(async (tx) => {
          const title = await titleOf(tx, p.ideaId);
          const notified = await notifyAudience(tx, {
            ideaId: p.ideaId,
            actorId: p.actorId,
            kind: 'idea.official_reply',
            payload: { ideaId: p.ideaId, title, commentId: p.commentId, excerpt: p.body.slice(0, 280) },
            dedupeKey: `official:${p.commentId}`,
          });
          await queueWebhooks(tx, p.communityId, 'comment.official', `comment.official:${p.commentId}`, {
            ideaId: p.ideaId,
            commentId: p.commentId,
            body: p.body,
          });
          return notified;
        });
        if (out) announce(env, out, []);
      },
    },

    'changelog.published': {
      async handle(job, ctx) {
        const p = job.payload as { entryId: string; communityId: string; title: string; ideaId: string | null };
        const out = await ctx.finish(async (tx) => {
          const credits = await tx.select().from(changelogCredits).where(eq(changelogCredits.entryId, p.entryId));
          const [community] = await tx.select({ slug: communities.slug }).from(communities).where(eq(communities.id, p.communityId));
          const notified = await notifyUsers(
            tx,
            credits.map((c) => c.userId),
            {
              kind: 'changelog.credited',
              payload: { entryId: p.entryId, ideaId: p.ideaId, title: p.title, communitySlug: community?.slug ?? null },
              dedupeKey: `credit:${p.entryId}`,
            },
          );
          await queueWebhooks(tx, p.communityId, 'changelog.published', `changelog.published:${p.entryId}`, {
            entryId: p.entryId,
            ideaId: p.ideaId,
            title: p.title,
            credits: credits.map((c) => ({ userId: c.userId, kind: c.kind })),
          });
          return notified;
        });
        if (out) announce(env, out, []);
      },
    },

    'webhook.deliver': {
      async handle(job, ctx) {
        const { deliveryId } = job.payload as { deliveryId: string };
        const [row] = await env.db
          .select({ d: webhookDeliveries, w: webhooks })
          .from(webhookDeliveries)
          .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
          .where(eq(webhookDeliveries.id, deliveryId));
        // Gone (webhook deleted) or switched off: nothing to send.
        if (!row?.w.active || row.d.status === 'delivered') return;
        const request = signMessage(row.w.secret, `msg_${row.d.id}`, JSON.stringify(row.d.payload));
        let result: Awaited<ReturnType<typeof attemptDelivery>>;
        try {
          result = await attemptDelivery(new URL(row.w.url), request, env.policy, env.webhookTimeoutMs);
        } catch (err) {
          result = { ok: false, status: null, detail: err instanceof Error ? err.message : String(err) };
        }
        const outcome = { responseStatus: result.status, responseBody: result.detail, attempts: sql`${webhookDeliveries.attempts} + 1` };
        if (result.ok) {
          await ctx.finish((tx) =>
            tx.update(webhookDeliveries).set({ ...outcome, status: 'delivered', deliveredAt: new Date(), nextAttemptAt: null }).where(eq(webhookDeliveries.id, deliveryId)),
          );
          return;
        }
        await env.db.update(webhookDeliveries).set({ ...outcome, status: 'failed' }).where(eq(webhookDeliveries.id, deliveryId));
        throw new Error(result.status ? `receiver answered ${result.status}` : result.detail);
      },
      async onDead(tx, job) {
        const { deliveryId } = job.payload as { deliveryId: string };
        await tx.update(webhookDeliveries).set({ status: 'dead', nextAttemptAt: null }).where(eq(webhookDeliveries.id, deliveryId));
      },
    },

    'digest.run': {
      async handle(job, ctx) {
        const { period } = job.payload as { period: number };
        const end = new Date(period * env.digestIntervalMs);
        const start = new Date(end.getTime() - env.digestIntervalMs);
        const out = await ctx.finish((tx) => writeDigests(tx, period, start, end));
        if (out) announce(env, out, []);
      },
    },
  };
}

/**
 * One notification per member whose upvoted ideas shipped in [start, end): "what shipped from
 * ideas you backed". The dedupe key is the period, so a digest is written once however often the
 * job runs.
 */
export async function writeDigests(tx: Db, period: number, start: Date, end: Date): Promise<StoredNotification[]> {
  const rows = await tx.execute<{ id: string; user_id: string; payload: Record<string, unknown>; created_at: string | Date }>(sql`
    insert into notifications (user_id, kind, payload, dedupe_key)
    select v.user_id, 'digest', jsonb_build_object('from', ${start.toISOString()}::text, 'to', ${end.toISOString()}::text,
             'ideas', jsonb_agg(jsonb_build_object('ideaId', i.id, 'title', i.title) order by s.created_at)), ${`digest:${period}`}
      from status_changes s
      join ideas i on i.id = s.idea_id and i.status = 'shipped'
      join votes v on v.idea_id = i.id and v.value = 1
      join communities c on c.id = i.community_id
      left join memberships m on m.community_id = c.id and m.user_id = v.user_id
     where s.to_status = 'shipped' and s.created_at >= ${start.toISOString()}::timestamptz and s.created_at < ${end.toISOString()}::timestamptz
       and (m.status is null or m.status <> 'banned')
       and (c.visibility = 'public' or m.status = 'active')
     group by v.user_id
    on conflict (user_id, dedupe_key) do nothing
    returning id, user_id, payload, created_at`);
  return resultRows<{ id: string; user_id: string; payload: Record<string, unknown>; created_at: string | Date }>(rows).map((r) => ({
    id: r.id,
    userId: r.user_id,
    kind: 'digest',
    payload: r.payload,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/**
 * Makes sure the digest of the period that just ended is queued once. Any node may call it; two
 * racing nodes may both queue it, which the digest's dedupe key makes harmless.
 */
export async function scheduleDigest(db: Db, intervalMs: number, now = Date.now()): Promise<boolean> {
  const period = Math.floor(now / intervalMs);
  const [existing] = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.topic, 'digest.run'), sql`(${outbox.payload} ->> 'period')::bigint = ${period}`))
    .limit(1);
  if (existing) return false;
  await enqueue(db, 'digest.run', { period });
  return true;
}

/** Queues a delivery again (manual redeliver), with the same message id. */
export async function redeliver(db: Db, deliveryId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(webhookDeliveries).set({ status: 'pending', nextAttemptAt: null }).where(eq(webhookDeliveries.id, deliveryId));
    await enqueue(tx, 'webhook.deliver', { deliveryId, manual: true });
  });
}

