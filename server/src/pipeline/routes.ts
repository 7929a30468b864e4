import { changelogCredits, changelogEntries, communities, ideas, roadmapItems, users, webhookDeliveries, webhooks } from '@cocreate/db';
import {
  BulkChangeStatusBody,
  BulkChangeStatusResult,
  ChangelogEntryView,
  ChangelogQuery,
  ChangeStatusBody,
  ChangeStatusResult,
  CreatedWebhookView,
  CreateWebhookBody,
  ExportQuery,
  Id,
  IdeaSort,
  IDEA_STATUSES,
  isStaff,
  MergeBody,
  MergePreviewView,
  MergeResult,
  MyCreditView,
  PageQuery,
  page,
  RoadmapItemView,
  RoadmapView,
  StatusChangeView,
  UpdateChangelogBody,
  UpdateRoadmapItemBody,
  UpdateWebhookBody,
  WebhookDeliveryView,
  WebhookView,
} from '@cocreate/protocol';
import { stringify } from 'csv-stringify/sync';
import { and, asc, desc, eq, gt, isNotNull, lt, ne } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, conflict, invalid, notFound } from '../errors.js';
import { assertAllowed, boardAccess, communityAccess, communityAccessById, ideaAccess } from '../features/access.js';
import { scoreSql } from '../features/ideas/sort-sql.js';
import { afterTimeId, decodeCursor, exactTime, pageOf, TimeIdCursor } from '../lib/cursor.js';
import { requireAuth } from '../plugins/auth.js';
import { enqueue } from './outbox.js';
import { changelogViews, roadmapItemsOf } from './queries.js';
import { type Actor, changeStatus, mergeIdeas, mergePreview, statusHistory } from './service.js';
import { redeliver } from './jobs.js';
import { newWebhookSecret } from './webhooks.js';

const IdeaParams = z.object({ ideaId: Id });
const SlugParams = z.object({ slug: z.string().max(64) });
const ItemParams = z.object({ itemId: Id });
const EntryParams = z.object({ entryId: Id });
const WebhookParams = z.object({ webhookId: Id });
const DeliveryParams = z.object({ deliveryId: Id });

/** Sends rows as JSON or as a CSV download (formulas escaped, so a spreadsheet never runs a cell). */
function sendExport(reply: FastifyReply, format: 'json' | 'csv', name: string, rows: Record<string, unknown>[], columns: string[]) {
  if (format === 'json') return reply.send({ items: rows });
  const csv = stringify(rows, { header: true, columns, escape_formulas: true, cast: { object: (v) => JSON.stringify(v) } });
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(csv);
}

export const pipelineRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app;

  // ---- status changes ----

  /** The live side of a status change: everyone watching the board or the idea sees it. */
  const announceStatus = (boardId: string, result: Awaited<ReturnType<typeof changeStatus>>) => {
    const { idea, change } = result;
    app.realtime.emitEvent([`board:${boardId}`, `idea:${idea.id}`], 'idea.updated', { idea: { id: idea.id, status: idea.status, version: idea.version } });
    app.realtime.emitEvent([`idea:${idea.id}`], 'idea.status_changed', { change });
    app.pipeline.nudge();
  };

  app.post(
    '/ideas/:ideaId/status',
    { schema: { tags: ['pipeline'], params: IdeaParams, body: ChangeStatusBody, response: { 200: ChangeStatusResult } } },
    async (request) => {
      const auth = requireAuth(request);
      const { idea, community, membership } = await ideaAccess(db, request, request.params.ideaId, 'idea.changeStatus');
      const { status: to, reason, from } = request.body;
      const result = await changeStatus(db, { idea, community, actor: actorOf(auth, membership), to, reason, from });
      announceStatus(idea.boardId, result);
      return { idea: { id: result.idea.id, status: result.idea.status, version: result.idea.version }, change: result.change };
    },
  );

  app.post(
    '/ideas/status',
    { schema: { tags: ['pipeline'], body: BulkChangeStatusBody, response: { 200: BulkChangeStatusResult } } },
    async (request) => {
      const auth = requireAuth(request);
      const results: z.infer<typeof BulkChangeStatusResult>['results'] = [];
      // One transaction per idea: one refused move does not undo the others.
      for (const ideaId of new Set(request.body.ideaIds)) {
        try {
          const { idea, community, membership } = await ideaAccess(db, request, ideaId, 'idea.changeStatus');
          const result = await changeStatus(db, { idea, community, actor: actorOf(auth, membership), to: request.body.status, reason: request.body.reason });
          announceStatus(idea.boardId, result);
          results.push({ ideaId, ok: true, status: result.idea.status, version: result.idea.version });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          results.push({ ideaId, ok: false, code: err.code, message: err.message });
        }
      }
      return { results };
    },
  );

  app.get(
    '/ideas/:ideaId/history',
    { schema: { tags: ['pipeline'], params: IdeaParams, response: { 200: z.object({ items: z.array(StatusChangeView) }) } } },
    async (request) => {
      const { idea } = await ideaAccess(db, request, request.params.ideaId, 'idea.read');
      return { items: await statusHistory(db, idea.id) };
    },
  );

  // ---- merging duplicates ----

  const mergeTarget = async (request: FastifyRequest, sourceId: string, targetId: string) => {
    const source = await ideaAccess(db, request, sourceId, 'idea.merge');
    if (sourceId === targetId) throw invalid('an idea cannot be merged into itself');
    const target = await ideaAccess(db, request, targetId, 'idea.read').catch((err: unknown) => {
      throw err instanceof AppError && err.code === 'NOT_FOUND' ? notFound('target idea') : err;
    });
    if (target.idea.communityId !== source.idea.communityId) throw notFound('target idea');
    if (target.idea.status === 'merged') throw conflict('the target was itself merged into another idea; merge into that one');
    return { source, target };
  };

  app.get(
    '/ideas/:ideaId/merge-preview',
    { schema: { tags: ['pipeline'], params: IdeaParams, querystring: z.strictObject({ targetId: Id }), response: { 200: MergePreviewView } } },
    async (request) => {
      requireAuth(request);
      const { source, target } = await mergeTarget(request, request.params.ideaId, request.query.targetId);
      const counts = await mergePreview(db, source.idea.id, target.idea.id);
      const brief = (i: typeof source.idea) => ({ id: i.id, title: i.title, up: i.up, down: i.down, commentCount: i.commentCount });
      return { source: brief(source.idea), target: brief(target.idea), ...counts };
    },
  );

  app.post(
    '/ideas/:ideaId/merge',
    { schema: { tags: ['pipeline'], params: IdeaParams, body: MergeBody, response: { 200: MergeResult } } },
    async (request) => {
      const auth = requireAuth(request);
      const { source } = await mergeTarget(request, request.params.ideaId, request.body.targetId);
      const merged = await mergeIdeas(db, { source: source.idea, targetId: request.body.targetId, actor: actorOf(auth, source.membership) });
      const { target } = merged;
      const s = merged.source;
      // Counters are state: they flow through the coalesced rank frames like votes do.
      app.realtime.countersChanged(target.boardId, { ideaId: target.id, up: target.up, down: target.down, version: target.version, weightedScore: target.weightedScore });
      const event = { sourceId: s.id, targetId: target.id, boardId: s.boardId, targetBoardId: target.boardId, moved: merged.moved };
      app.realtime.emitEvent([...new Set([`board:${s.boardId}`, `board:${target.boardId}`]), `idea:${s.id}`, `idea:${target.id}`], 'idea.merged', event);
      app.realtime.emitEvent([`board:${target.boardId}`, `idea:${target.id}`], 'idea.updated', {
        idea: { id: target.id, commentCount: target.commentCount, version: target.version },
      });
      for (const n of merged.notified) app.realtime.notifyUser(n.userId, { id: n.id, kind: n.kind, payload: n.payload, createdAt: n.createdAt });
      app.pipeline.nudge();
      return {
        source: { id: s.id, status: 'merged' as const, mergedInto: target.id, version: s.version },
        target: { id: target.id, up: target.up, down: target.down, voteCount: target.voteCount, commentCount: target.commentCount, version: target.version },
        moved: merged.moved,
      };
    },
  );

  // ---- roadmap ----

  app.get(
    '/communities/:slug/roadmap',
    { schema: { tags: ['pipeline'], params: SlugParams, response: { 200: RoadmapView } } },
    async (request) => {
      const { community } = await communityAccess(db, request, request.params.slug, 'community.read');
      const items = await roadmapItemsOf(db, community.id);
      return {
        community: { id: community.id, slug: community.slug, name: community.name },
        lanes: {
          planned: items.filter((i) => i.lane === 'planned'),
          in_progress: items.filter((i) => i.lane === 'in_progress'),
          shipped: items.filter((i) => i.lane === 'shipped'),
        },
      };
    },
  );

  app.get(
    '/communities/:slug/roadmap/export',
    { schema: { tags: ['pipeline'], params: SlugParams, querystring: ExportQuery } },
    async (request, reply) => {
      const { community } = await communityAccess(db, request, request.params.slug, 'community.read');
      const items = await roadmapItemsOf(db, community.id);
      const rows = items.map((i) => ({
        lane: i.lane,
        position: i.position,
        ideaId: i.ideaId,
        title: i.title,
        status: i.status,
        releaseLabel: i.releaseLabel ?? '',
        up: i.up,
        down: i.down,
        contributors: i.contributors.map((c) => c.handle).join(' '),
      }));
      return sendExport(reply, request.query.format, `${community.slug}-roadmap`, rows, ['lane', 'position', 'ideaId', 'title', 'status', 'releaseLabel', 'up', 'down', 'contributors']);
    },
  );

  app.patch(
    '/roadmap/:itemId',
    { schema: { tags: ['pipeline'], params: ItemParams, body: UpdateRoadmapItemBody, response: { 200: RoadmapItemView } } },
    async (request) => {
      requireAuth(request);
      const [item] = await db.select().from(roadmapItems).where(eq(roadmapItems.id, request.params.itemId)).limit(1);
      if (!item) throw notFound('roadmap item');
      await communityAccessById(db, request, item.communityId, 'idea.changeStatus').catch((err: unknown) => {
        throw err instanceof AppError && err.code === 'NOT_FOUND' ? notFound('roadmap item') : err;
      });
      const { after, before, releaseLabel } = request.body;
      const set: Partial<typeof roadmapItems.$inferInsert> = { updatedAt: new Date() };
      if (releaseLabel !== undefined) set.releaseLabel = releaseLabel || null;
      if (after !== undefined || before !== undefined) set.position = await positionBetween(app, item, after ?? null, before ?? null);
      await db.update(roadmapItems).set(set).where(eq(roadmapItems.id, item.id));
      const [view] = await roadmapItemsOf(db, item.communityId, item.id);
      if (!view) throw notFound('roadmap item');
      app.realtime.emitEvent([`community:${item.communityId}`], 'roadmap.item', { ideaId: item.ideaId, itemId: item.id, lane: view.lane });
      return view;
    },
  );

  app.get(
    '/boards/:boardId/ideas/export',
    {
      schema: {
        tags: ['pipeline'],
        params: z.object({ boardId: Id }),
        querystring: ExportQuery.extend({ sort: IdeaSort.optional(), status: z.enum(IDEA_STATUSES).optional() }),
      },
    },
    async (request, reply) => {
      const { board, membership } = await boardAccess(db, request, request.params.boardId, 'idea.read');
      const sort = request.query.sort ?? board.ranking.formula;
      const score = scoreSql(sort, Date.now(), board.ranking);
      const staff = membership?.status === 'active' && isStaff(membership.role);
      const rows = await db
        .select({ idea: ideas, author: users.handle, score })
        .from(ideas)
        .leftJoin(users, eq(users.id, ideas.authorId))
        .where(
          and(
            eq(ideas.boardId, board.id),
            request.query.status ? eq(ideas.status, request.query.status) : ne(ideas.status, 'merged'),
            staff ? undefined : eq(ideas.hidden, false),
          ),
        )
        .orderBy(desc(score), desc(ideas.id))
        .limit(EXPORT_LIMIT);
      const out = rows.map((r, i) => ({
        rank: i + 1,
        id: r.idea.id,
        title: r.idea.title,
        status: r.idea.status,
        up: r.idea.up,
        down: r.idea.down,
        voteCount: r.idea.voteCount,
        weightedScore: r.idea.weightedScore,
        commentCount: r.idea.commentCount,
        score: Number(r.score),
        author: r.author ?? '',
        createdAt: r.idea.createdAt.toISOString(),
      }));
      return sendExport(reply, request.query.format, `${board.slug}-${sort}`, out, RANKED_COLUMNS);
    },
  );

  // ---- changelog ----

  app.get(
    '/communities/:slug/changelog',
    { schema: { tags: ['pipeline'], params: SlugParams, querystring: ChangelogQuery, response: { 200: page(ChangelogEntryView) } } },
    async (request) => {
      const { community, subject, resource } = await communityAccess(db, request, request.params.slug, 'community.read');
      const drafts = request.query.drafts === 'true';
      if (drafts) assertAllowed(subject, 'idea.changeStatus', resource, 'community');
      const time = drafts ? changelogEntries.createdAt : changelogEntries.publishedAt;
      const after = decodeCursor(TimeIdCursor, request.query.cursor);
      const rows = await db
        .select({ e: changelogEntries, t: exactTime(time) })
        .from(changelogEntries)
        .where(
          and(
            eq(changelogEntries.communityId, community.id),
            drafts ? undefined : isNotNull(changelogEntries.publishedAt),
            afterTimeId(time, changelogEntries.id, after, 'desc'),
          ),
        )
        .orderBy(desc(time), desc(changelogEntries.id))
        .limit(request.query.limit + 1);
      const { items, nextCursor } = pageOf(rows, request.query.limit, (r) => ({ t: r.t, id: r.e.id }));
      return { items: await changelogViews(db, items.map((r) => r.e)), nextCursor };
    },
  );

  const entryAccess = async (request: FastifyRequest, entryId: string, team: boolean) => {
    const [entry] = await db.select().from(changelogEntries).where(eq(changelogEntries.id, entryId)).limit(1);
    if (!entry) throw notFound('changelog entry');
    const access = await communityAccessById(db, request, entry.communityId, 'community.read').catch((err: unknown) => {
      throw err instanceof AppError && err.code === 'NOT_FOUND' ? notFound('changelog entry') : err;
    });
    // A draft does not exist for those who may not edit it.
    const editor = access.membership?.status === 'active' && ['owner', 'admin', 'team'].includes(access.membership.role);
    if (entry.status === 'draft' && !editor) throw notFound('changelog entry');
    if (team) assertAllowed(access.subject, 'idea.changeStatus', access.resource, 'changelog entry');
    return { entry, ...access };
  };

  app.get(
    '/changelog/:entryId',
    { schema: { tags: ['pipeline'], params: EntryParams, response: { 200: ChangelogEntryView } } },
    async (request) => {
      const { entry } = await entryAccess(request, request.params.entryId, false);
      return (await changelogViews(db, [entry]))[0]!;
    },
  );

  app.patch(
    '/changelog/:entryId',
    { schema: { tags: ['pipeline'], params: EntryParams, body: UpdateChangelogBody, response: { 200: ChangelogEntryView } } },
    async (request) => {
      requireAuth(request);
      const { entry } = await entryAccess(request, request.params.entryId, true);
      const [updated] = await db
        .update(changelogEntries)
        .set({ ...request.body, updatedAt: new Date() })
        .where(eq(changelogEntries.id, entry.id))
        .returning();
      const [view] = await changelogViews(db, [updated!]);
      if (updated!.status === 'published') app.realtime.emitEvent([`community:${entry.communityId}`], 'changelog.updated', { entry: view });
      return view!;
    },
  );

  app.post(
    '/changelog/:entryId/publish',
    { schema: { tags: ['pipeline'], params: EntryParams, body: z.strictObject({}).optional(), response: { 200: ChangelogEntryView } } },
    async (request) => {
      const auth = requireAuth(request);
      const { entry } = await entryAccess(request, request.params.entryId, true);
      const published = await db.transaction(async (tx) => {
        const [row] = await tx
          .update(changelogEntries)
          .set({ status: 'published', publishedAt: new Date(), updatedAt: new Date() })
          .where(and(eq(changelogEntries.id, entry.id), eq(changelogEntries.status, 'draft')))
          .returning();
        if (!row) throw conflict('the entry is already published');
        await enqueue(tx, 'changelog.published', { entryId: row.id, communityId: row.communityId, title: row.title, ideaId: row.ideaId, actorId: auth.user.id });
        return row;
      });
      const [view] = await changelogViews(db, [published]);
      app.realtime.emitEvent([`community:${entry.communityId}`], 'changelog.published', { entry: view });
      app.pipeline.nudge();
      return view!;
    },
  );

  app.get(
    '/me/credits',
    { schema: { tags: ['pipeline'], response: { 200: z.object({ items: z.array(MyCreditView) }) } } },
    async (request) => {
      const auth = requireAuth(request);
      const rows = await db
        .select({ c: changelogCredits, e: changelogEntries, community: { slug: communities.slug, name: communities.name } })
        .from(changelogCredits)
        .innerJoin(changelogEntries, eq(changelogEntries.id, changelogCredits.entryId))
        .innerJoin(communities, eq(communities.id, changelogEntries.communityId))
        .where(and(eq(changelogCredits.userId, auth.user.id), isNotNull(changelogEntries.publishedAt)))
        .orderBy(desc(changelogEntries.publishedAt))
        .limit(500);
      return {
        items: rows.map(({ c, e, community }) => ({
          entryId: e.id,
          ideaId: e.ideaId,
          title: e.title,
          kind: c.kind,
          community,
          publishedAt: e.publishedAt!.toISOString(),
        })),
      };
    },
  );

  // ---- webhooks ----

  const webhookView = (w: typeof webhooks.$inferSelect) => ({ id: w.id, url: w.url, events: w.events, active: w.active, createdAt: w.createdAt.toISOString() });

  const webhookAccess = async (request: FastifyRequest, webhookId: string) => {
    const [hook] = await db.select().from(webhooks).where(eq(webhooks.id, webhookId)).limit(1);
    if (!hook) throw notFound('webhook');
    await communityAccessById(db, request, hook.communityId, 'community.update').catch((err: unknown) => {
      throw err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'FORBIDDEN') ? notFound('webhook') : err;
    });
    return hook;
  };

  app.post(
    '/communities/:slug/webhooks',
    { schema: { tags: ['webhooks'], params: SlugParams, body: CreateWebhookBody, response: { 201: CreatedWebhookView } } },
    async (request, reply) => {
      const auth = requireAuth(request);
      const { community } = await communityAccess(db, request, request.params.slug, 'community.update');
      const url = await app.pipeline.policy.assertUrl(request.body.url);
      const secret = newWebhookSecret();
      const [hook] = await db
        .insert(webhooks)
        .values({ communityId: community.id, url: url.toString(), secret, events: [...new Set(request.body.events)], createdBy: auth.user.id })
        .returning();
      return reply.status(201).send({ ...webhookView(hook!), secret });
    },
  );

  app.get(
    '/communities/:slug/webhooks',
    { schema: { tags: ['webhooks'], params: SlugParams, response: { 200: z.object({ items: z.array(WebhookView) }) } } },
    async (request) => {
      requireAuth(request);
      const { community } = await communityAccess(db, request, request.params.slug, 'community.update');
      const rows = await db.select().from(webhooks).where(eq(webhooks.communityId, community.id)).orderBy(asc(webhooks.createdAt));
      return { items: rows.map(webhookView) };
    },
  );

  app.patch(
    '/webhooks/:webhookId',
    { schema: { tags: ['webhooks'], params: WebhookParams, body: UpdateWebhookBody, response: { 200: WebhookView } } },
    async (request) => {
      requireAuth(request);
      const hook = await webhookAccess(request, request.params.webhookId);
      const { events, active } = request.body;
      const [updated] = await db
        .update(webhooks)
        .set({ ...(events ? { events: [...new Set(events)] } : {}), ...(active !== undefined ? { active } : {}) })
        .where(eq(webhooks.id, hook.id))
        .returning();
      return webhookView(updated!);
    },
  );

  app.delete('/webhooks/:webhookId', { schema: { tags: ['webhooks'], params: WebhookParams } }, async (request, reply) => {
    requireAuth(request);
    const hook = await webhookAccess(request, request.params.webhookId);
    await db.delete(webhooks).where(eq(webhooks.id, hook.id));
    return reply.status(204).send();
  });

  app.get(
    '/webhooks/:webhookId/deliveries',
    { schema: { tags: ['webhooks'], params: WebhookParams, querystring: PageQuery, response: { 200: page(WebhookDeliveryView) } } },
    async (request) => {
      requireAuth(request);
      const hook = await webhookAccess(request, request.params.webhookId);
      const after = decodeCursor(TimeIdCursor, request.query.cursor);
      const rows = await db
        .select({ d: webhookDeliveries, t: exactTime(webhookDeliveries.createdAt) })
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.webhookId, hook.id), afterTimeId(webhookDeliveries.createdAt, webhookDeliveries.id, after, 'desc')))
        .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
        .limit(request.query.limit + 1);
      const { items, nextCursor } = pageOf(rows, request.query.limit, (r) => ({ t: r.t, id: r.d.id }));
      return {
        items: items.map(({ d }) => ({
          id: d.id,
          webhookId: d.webhookId,
          eventId: d.eventId,
          eventType: d.eventType,
          status: d.status,
          attempts: d.attempts,
          responseStatus: d.responseStatus,
          responseBody: d.responseBody,
          nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
          deliveredAt: d.deliveredAt?.toISOString() ?? null,
          createdAt: d.createdAt.toISOString(),
        })),
        nextCursor,
      };
    },
  );

  app.post(
    '/webhooks/deliveries/:deliveryId/redeliver',
    { schema: { tags: ['webhooks'], params: DeliveryParams, body: z.strictObject({}).optional(), response: { 202: z.object({ id: z.string(), status: z.literal('pending') }) } } },
    async (request, reply) => {
      requireAuth(request);
      const [delivery] = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, request.params.deliveryId)).limit(1);
      if (!delivery) throw notFound('delivery');
      await webhookAccess(request, delivery.webhookId).catch((err: unknown) => {
        throw err instanceof AppError && err.code === 'NOT_FOUND' ? notFound('delivery') : err;
      });
      await redeliver(db, delivery.id);
      app.pipeline.nudge();
      return reply.status(202).send({ id: delivery.id, status: 'pending' as const });
    },
  );
};

const EXPORT_LIMIT = 10_000;
const RANKED_COLUMNS = ['rank', 'id', 'title', 'status', 'up', 'down', 'voteCount', 'weightedScore', 'commentCount', 'score', 'author', 'createdAt'];

/** The signed-in caller as the one who acts, from the session's user (no second read). */
function actorOf(auth: { user: { id: string; handle: string; displayName: string } }, membership: Actor['membership']): Actor {
  return { userId: auth.user.id, handle: auth.user.handle, displayName: auth.user.displayName, membership };
}

/** A position strictly between two items of the same lane (either may be an end). */
async function positionBetween(app: FastifyInstance, item: typeof roadmapItems.$inferSelect, afterId: string | null, beforeId: string | null): Promise<number> {
  const { db } = app;
  const neighbour = async (id: string) => {
    const [row] = await db.select().from(roadmapItems).where(eq(roadmapItems.id, id)).limit(1);
    if (!row || row.communityId !== item.communityId || row.lane !== item.lane || row.id === item.id) {
      throw invalid('after and before must be other items of the same lane');
    }
    return row.position;
  };
  const sameLane = and(eq(roadmapItems.communityId, item.communityId), eq(roadmapItems.lane, item.lane), ne(roadmapItems.id, item.id));
  if (afterId && beforeId) {
    const [a, b] = [await neighbour(afterId), await neighbour(beforeId)];
    if (!(a < b)) throw invalid('after must come before before');
    return (a + b) / 2;
  }
  if (afterId) {
    const a = await neighbour(afterId);
    const [next] = await db.select({ p: roadmapItems.position }).from(roadmapItems).where(and(sameLane, gt(roadmapItems.position, a))).orderBy(asc(roadmapItems.position)).limit(1);
    return next ? (a + next.p) / 2 : a + 1;
  }
  if (beforeId) {
    const b = await neighbour(beforeId);
    const [prev] = await db.select({ p: roadmapItems.position }).from(roadmapItems).where(and(sameLane, lt(roadmapItems.position, b))).orderBy(desc(roadmapItems.position)).limit(1);
    return prev ? (prev.p + b) / 2 : b - 1;
  }
  return item.position;
}
