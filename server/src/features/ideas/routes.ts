import { ideaFollowers, ideas, ideaTags, tags, users } from '@cocreate/db';
import { CreateIdeaBody, Id, isStaff, ListIdeasQuery, page, UpdateIdeaBody } from '@cocreate/protocol';
import { and, desc, eq, exists, ne, or, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden } from '../../errors.js';
import { decodeCursor, encodeCursor } from '../../lib/cursor.js';
import { userRef } from '../../lib/views.js';
import { requireAuth } from '../../plugins/auth.js';
import { audit, boardAccess, ideaAccess } from '../access.js';
import { createIdea, loadIdeaWithAuthor, setIdeaTags } from './service.js';
import { scoreSql } from './sort-sql.js';
import { IdeaView, ideaViews } from './views.js';
import { snapshotIdea } from '../../realtime/snapshots.js';

const BoardParams = z.object({ boardId: Id });
const IdeaParams = z.object({ ideaId: Id });
/** A ranked listing's cursor: the instant its scores were computed, and the last row's (score, id). */
const RankCursor = z.object({ now: z.number().int().nonnegative(), s: z.number(), id: z.uuid() });

export const ideaRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app;

  app.get(
    '/boards/:boardId/ideas',
    { schema: { tags: ['ideas'], params: BoardParams, querystring: ListIdeasQuery, response: { 200: page(IdeaView) } } },
    async (request) => {
      const { board, membership } = await boardAccess(db, request, request.params.boardId, 'idea.read');
      const q = request.query;
      const sort = q.sort ?? board.ranking.formula;
      const after = decodeCursor(RankCursor, q.cursor);
      const now = after?.now ?? Date.now();
      const score = scoreSql(sort, now, board.ranking);
      const userId = request.auth?.user.id ?? null;
      const staff = membership?.status === 'active' && isStaff(membership.role);
      const authorFilter = q.author
        ? z.uuid().safeParse(q.author).success
          ? eq(ideas.authorId, q.author)
          : eq(users.handle, q.author.toLowerCase())
        : undefined;
      const rows = await db
        .select({ idea: ideas, author: { id: users.id, handle: users.handle, displayName: users.displayName }, score })
        .from(ideas)
        .leftJoin(users, eq(users.id, ideas.authorId))
        .where(
          and(
            eq(ideas.boardId, board.id),
            q.status ? eq(ideas.status, q.status) : ne(ideas.status, 'merged'),
            // Hidden ideas are listed for staff and for their own author only.
            staff ? undefined : userId ? or(eq(ideas.hidden, false), eq(ideas.authorId, userId)) : eq(ideas.hidden, false),
            q.tag
              ? exists(
                  db
                    .select({ one: sql`1` })
                    .from(ideaTags)
                    .innerJoin(tags, eq(tags.id, ideaTags.tagId))
                    .where(and(eq(ideaTags.ideaId, ideas.id), eq(tags.name, q.tag.toLowerCase()))),
                )
              : undefined,
            authorFilter,
            q.q ? sql`${ideas.search} @@ websearch_to_tsquery('simple', ${q.q})` : undefined,
            after ? sql`(${score}, ${ideas.id}) < (${after.s}::float8, ${after.id}::uuid)` : undefined,
          ),
        )
        .orderBy(desc(score), desc(ideas.id))
        .limit(q.limit + 1);
      const pageRows = rows.slice(0, q.limit);
      const last = rows.length > q.limit ? pageRows[pageRows.length - 1] : undefined;
      const items = await ideaViews(
        db,
        pageRows.map((r) => ({ idea: r.idea, author: r.author ? userRef(r.author) : null })),
        userId,
      );
      return { items, nextCursor: last ? encodeCursor({ now, s: Number(last.score), id: last.idea.id }) : null };
    },
  );

  app.post(
    '/boards/:boardId/ideas',
    { schema: { tags: ['ideas'], params: BoardParams, body: CreateIdeaBody, response: { 201: IdeaView } } },
    async (request, reply) => {
      const auth = requireAuth(request);
      const { board } = await boardAccess(db, request, request.params.boardId, 'idea.create');
      if (board.archived) throw forbidden('the board is archived');
      const idea = await createIdea(db, {
        communityId: board.communityId,
        boardId: board.id,
        authorId: auth.user.id,
        title: request.body.title,
        body: request.body.body,
        tags: request.body.tags,
      });
      const [view] = await ideaViews(db, [await loadIdeaWithAuthor(db, idea.id)], auth.user.id);
      app.realtime.emitEvent([`board:${board.id}`], 'idea.created', { idea: { ...snapshotIdea(idea), tags: view?.tags ?? [] } });
      app.pipeline.nudge();
      return reply.status(201).send(view as IdeaView);
    },
  );

  app.get('/ideas/:ideaId', { schema: { tags: ['ideas'], params: IdeaParams, response: { 200: IdeaView } } }, async (request) => {
    await ideaAccess(db, request, request.params.ideaId, 'idea.read');
    const [view] = await ideaViews(db, [await loadIdeaWithAuthor(db, request.params.ideaId)], request.auth?.user.id ?? null);
    return view as IdeaView;
  });

  app.patch(
    '/ideas/:ideaId',
    { schema: { tags: ['ideas'], params: IdeaParams, body: UpdateIdeaBody, response: { 200: IdeaView } } },
    async (request) => {
      const auth = requireAuth(request);
      const { idea } = await ideaAccess(db, request, request.params.ideaId, 'idea.edit');
      await db.transaction(async (tx) => {
        await tx
          .update(ideas)
          .set({
            ...(request.body.title !== undefined ? { title: request.body.title } : {}),
            version: sql`${ideas.version} + 1`,
            updatedAt: new Date(),
          })
          .where(eq(ideas.id, idea.id));
        if (request.body.tags) await setIdeaTags(tx, idea.communityId, idea.id, request.body.tags);
        if (idea.authorId !== auth.user.id) {
          await audit(tx, { communityId: idea.communityId, actorId: auth.user.id, action: 'idea.edit', targetType: 'idea', targetId: idea.id, details: request.body });
        }
      });
      const [view] = await ideaViews(db, [await loadIdeaWithAuthor(db, idea.id)], auth.user.id);
      if (view) {
        const data = { idea: { id: view.id, title: view.title, tags: view.tags, version: view.version } };
        app.realtime.emitEvent([`board:${view.boardId}`, `idea:${view.id}`], 'idea.updated', data);
      }
      return view as IdeaView;
    },
  );

  const FollowResult = z.object({ following: z.boolean() });
  app.put(
    '/ideas/:ideaId/follow',
    { schema: { tags: ['ideas'], params: IdeaParams, body: z.strictObject({}), response: { 200: FollowResult } } },
    async (request) => {
      const auth = requireAuth(request);
      await ideaAccess(db, request, request.params.ideaId, 'idea.follow');
      await db.insert(ideaFollowers).values({ ideaId: request.params.ideaId, userId: auth.user.id }).onConflictDoNothing();
      return { following: true };
    },
  );
  app.delete(
    '/ideas/:ideaId/follow',
    { schema: { tags: ['ideas'], params: IdeaParams, response: { 200: FollowResult } } },
    async (request) => {
      const auth = requireAuth(request);
      await ideaAccess(db, request, request.params.ideaId, 'idea.read');
      await db.delete(ideaFollowers).where(and(eq(ideaFollowers.ideaId, request.params.ideaId), eq(ideaFollowers.userId, auth.user.id)));
      return { following: false };
    },
  );
};
