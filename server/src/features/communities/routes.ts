import { communities, memberships } from '@cocreate/db';
import { CreateCommunityBody, JoinBody, PageQuery, page, UpdateCommunityBody } from '@cocreate/protocol';
import { and, desc, eq, isNotNull, or, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { conflict } from '../../errors.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { afterTimeId, decodeCursor, exactTime, pageOf, TimeIdCursor } from '../../lib/cursor.js';
import { requireAuth } from '../../plugins/auth.js';
import { audit, communityAccess } from '../access.js';
import { joinCommunity, leaveCommunity } from './membership-service.js';
import { memberRoutes } from './members.js';
import { CommunityView, communityView } from './views.js';

const SlugParams = z.object({ slug: z.string().max(64) });

export const communityRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app;

  app.get(
    '/communities',
    { schema: { tags: ['communities'], querystring: PageQuery, response: { 200: page(CommunityView) } } },
    async (request) => {
      const { limit } = request.query;
      const after = decodeCursor(TimeIdCursor, request.query.cursor);
      const userId = request.auth?.user.id ?? null;
      // Public communities, and private ones the caller is an active member of.
      const rows = await db
        .select({ c: communities, m: memberships, t: exactTime(communities.createdAt) })
        .from(communities)
        .leftJoin(
          memberships,
          and(eq(memberships.communityId, communities.id), userId ? eq(memberships.userId, userId) : sql`false`),
        )
        .where(
          and(
            or(eq(communities.visibility, 'public'), and(isNotNull(memberships.userId), eq(memberships.status, 'active'))),
            afterTimeId(communities.createdAt, communities.id, after, 'desc'),
          ),
        )
        .orderBy(desc(communities.createdAt), desc(communities.id))
        .limit(limit + 1);
      const { items, nextCursor } = pageOf(rows, limit, (r) => ({ t: r.t, id: r.c.id }));
      return { items: items.map((r) => communityView(r.c, r.m)), nextCursor };
    },
  );

  app.post(
    '/communities',
    { schema: { tags: ['communities'], body: CreateCommunityBody, response: { 201: CommunityView } } },
    async (request, reply) => {
      const auth = requireAuth(request);
      const body = request.body;
      try {
        const result = await db.transaction(async (tx) => {
          const [community] = await tx
            .insert(communities)
            .values({
              slug: body.slug,
              name: body.name,
              description: body.description ?? '',
              visibility: body.visibility ?? 'public',
              joinPolicy: body.joinPolicy ?? 'open',
              memberCount: 1,
              createdBy: auth.user.id,
            })
            .returning();
          if (!community) throw new Error('insert returned nothing');
          const [membership] = await tx
            .insert(memberships)
            .values({ communityId: community.id, userId: auth.user.id, role: 'owner' })
            .returning();
          await audit(tx, { communityId: community.id, actorId: auth.user.id, action: 'community.create', targetType: 'community', targetId: community.id });
          return communityView(community, membership ?? null);
        });
        return reply.status(201).send(result);
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw conflict('that slug is taken', [{ path: 'body.slug', message: 'already taken' }]);
        }
        throw err;
      }
    },
  );

  app.get(
    '/communities/:slug',
    { schema: { tags: ['communities'], params: SlugParams, response: { 200: CommunityView } } },
    async (request) => {
      const { community, membership } = await communityAccess(db, request, request.params.slug, 'community.read');
      return communityView(community, membership);
    },
  );

  app.patch(
    '/communities/:slug',
    { schema: { tags: ['communities'], params: SlugParams, body: UpdateCommunityBody, response: { 200: CommunityView } } },
    async (request) => {
      const auth = requireAuth(request);
      const { community, membership } = await communityAccess(db, request, request.params.slug, 'community.update');
      const updated = await db.transaction(async (tx) => {
        const [row] = await tx
          .update(communities)
          .set({ ...request.body, updatedAt: new Date() })
          .where(eq(communities.id, community.id))
          .returning();
        await audit(tx, { communityId: community.id, actorId: auth.user.id, action: 'community.update', targetType: 'community', targetId: community.id, details: request.body });
        return row ?? community;
      });
      return communityView(updated, membership);
    },
  );

  app.post(
    '/communities/:slug/join',
    {
      schema: {
        tags: ['communities'],
        params: SlugParams,
        body: JoinBody,
        response: { 200: z.object({ status: z.enum(['joined', 'pending']), community: CommunityView }) },
      },
    },
    async (request) => joinCommunity(app, request, request.params.slug, request.body),
  );

  app.post(
    '/communities/:slug/leave',
    { schema: { tags: ['communities'], params: SlugParams, body: z.strictObject({}) } },
    async (request, reply) => {
      await leaveCommunity(app, request, request.params.slug);
      return reply.status(204).send();
    },
  );

  await app.register(memberRoutes);
};
