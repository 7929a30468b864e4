import { notifications } from '@cocreate/db';
import { Id, PageQuery, page } from '@cocreate/protocol';
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { afterTimeId, decodeCursor, exactTime, pageOf, TimeIdCursor } from '../../lib/cursor.js';
import { requireAuth } from '../../plugins/auth.js';

const NotificationView = z.object({
  id: z.string(),
  kind: z.string(),
  payload: z.record(z.string(), z.unknown()),
  read: z.boolean(),
  createdAt: z.string(),
});

/** The caller's stored notifications, newest first (the pipeline writes them). */
export const notificationRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app;
  app.get(
    '/notifications',
    { schema: { tags: ['notifications'], querystring: PageQuery.extend({ unread: z.enum(['true', 'false']).optional() }), response: { 200: page(NotificationView) } } },
    async (request) => {
      const auth = requireAuth(request);
      const after = decodeCursor(TimeIdCursor, request.query.cursor);
      const { limit } = request.query;
      const rows = await db
        .select({ n: notifications, t: exactTime(notifications.createdAt) })
        .from(notifications)
        .where(
          and(
            eq(notifications.userId, auth.user.id),
            request.query.unread === 'true' ? isNull(notifications.readAt) : undefined,
            afterTimeId(notifications.createdAt, notifications.id, after, 'desc'),
          ),
        )
        .orderBy(desc(notifications.createdAt), desc(notifications.id))
        .limit(limit + 1);
      const { items, nextCursor } = pageOf(rows, limit, (r) => ({ t: r.t, id: r.n.id }));
      return {
        items: items.map(({ n }) => ({ id: n.id, kind: n.kind, payload: n.payload, read: n.readAt !== null, createdAt: n.createdAt.toISOString() })),
        nextCursor,
      };
    },
  );

  app.get(
    '/notifications/unread-count',
    { schema: { tags: ['notifications'], response: { 200: z.object({ count: z.number() }) } } },
    async (request) => {
      const auth = requireAuth(request);
      const [row] = await db
        .select({ count: sql<number>`count(*)::int` })
        .from(notifications)
        .where(and(eq(notifications.userId, auth.user.id), isNull(notifications.readAt)));
      return { count: row?.count ?? 0 };
    },
  );

  app.post(
    '/notifications/read',
    { schema: { tags: ['notifications'], body: z.strictObject({ ids: z.array(Id).max(500).optional() }), response: { 200: z.object({ updated: z.number() }) } } },
    async (request) => {
      const auth = requireAuth(request);
      const ids = request.body.ids;
      const rows = await db
        .update(notifications)
        .set({ readAt: new Date() })
        .where(and(eq(notifications.userId, auth.user.id), isNull(notifications.readAt), ids ? inArray(notifications.id, ids) : undefined))
        .returning({ id: notifications.id });
      return { updated: rows.length };
    },
  );
};
