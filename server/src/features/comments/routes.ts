import { comments, ideas, users } from '@cocreate/db';
import { CreateCommentBody, Id, isStaff, PageQuery, page, UpdateCommentBody } from '@cocreate/protocol';
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalid, notFound } from '../../errors.js';
import { decodeCursor, pageOf } from '../../lib/cursor.js';
import { UserRef, userRef } from '../../lib/views.js';
import { requireAuth } from '../../plugins/auth.js';
import { assertAllowed, ideaAccess } from '../access.js';
import { commentAccess } from './access.js';
import { enqueue } from '../../pipeline/outbox.js';

export const CommentView = z.object({
  id: z.string(),
  ideaId: z.string(),
  parentId: z.string().nullable(),
  body: z.string(),
  official: z.boolean(),
  hidden: z.boolean(),
  deleted: z.boolean(),
  author: UserRef.nullable(),
  createdAt: z.string(),
  editedAt: z.string().nullable(),
});

type CommentRow = typeof comments.$inferSelect;
export function commentView(c: CommentRow, author: UserRef | null) {
  const deleted = c.deletedAt !== null;
  return {
    id: c.id,
    ideaId: c.ideaId,
    parentId: c.parentId,
    body: deleted ? '' : c.body,
    official: c.official,
    hidden: c.hidden,
    deleted,
    author: deleted ? null : author,
    createdAt: c.createdAt.toISOString(),
    editedAt: c.editedAt?.toISOString() ?? null,
  };
}

const IdeaParams = z.object({ ideaId: Id });
const CommentParams = z.object({ commentId: Id });
const authorCols = { id: users.id, handle: users.handle, displayName: users.displayName };

/**
 * The listing's cursor: the last row's created_at in whole microseconds since the epoch (as stored;
 * a JS Date would drop the microseconds and page the same rows again) and its id.
 */
const CommentCursor = z.object({ us: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), id: z.uuid() });
const createdUs = sql<string>`(extract(epoch from ${comments.createdAt}) * 1000000)::bigint::text`;

export const commentRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app;

  app.get(
    '/ideas/:ideaId/comments',
    { schema: { tags: ['comments'], params: IdeaParams, querystring: PageQuery, response: { 200: page(CommentView) } } },
    async (request) => {
      const { idea, membership } = await ideaAccess(db, request, request.params.ideaId, 'idea.read');
      const userId = request.auth?.user.id ?? null;
      const staff = membership?.status === 'active' && isStaff(membership.role);
      const after = decodeCursor(CommentCursor, request.query.cursor);
      const { limit } = request.query;
      // Oldest first, so a reply always follows its parent and a client can thread page by page.
      const rows = await db
        .select({ c: comments, a: authorCols, us: createdUs })
        .from(comments)
        .leftJoin(users, eq(users.id, comments.authorId))
        .where(
          and(
            eq(comments.ideaId, idea.id),
            staff ? undefined : userId ? or(eq(comments.hidden, false), eq(comments.authorId, userId)) : eq(comments.hidden, false),
            after
              ? sql`(${comments.createdAt}, ${comments.id}) > (to_timestamp(0) + ${after.us}::bigint * interval '1 microsecond', ${after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(comments.createdAt), asc(comments.id))
        .limit(limit + 1);
      const { items, nextCursor } = pageOf(rows, limit, (r) => ({ us: Number(r.us), id: r.c.id }));
      return { items: items.map((r) => commentView(r.c, r.a ? userRef(r.a) : null)), nextCursor };
    },
  );

  app.post(
    '/ideas/:ideaId/comments',
    { schema: { tags: ['comments'], params: IdeaParams, body: CreateCommentBody, response: { 201: CommentView } } },
    async (request, reply) => {
      const auth = requireAuth(request);
      const { idea, subject, resource, membership } = await ideaAccess(db, request, request.params.ideaId, 'idea.comment');
      if (request.body.official) assertAllowed(subject, 'idea.commentOfficial', resource);
      let parentId: string | null = null;
      if (request.body.parentId) {
        const [parent] = await db
          .select({ id: comments.id, parentId: comments.parentId, hidden: comments.hidden, authorId: comments.authorId })
          .from(comments)
          .where(and(eq(comments.id, request.body.parentId), eq(comments.ideaId, idea.id)))
          .limit(1);
        // A hidden comment does not exist for those who may not see it: no replies under it either.
        const visible = parent && (!parent.hidden || parent.authorId === auth.user.id || (membership?.status === 'active' && isStaff(membership.role)));
        if (!parent || !visible) throw invalid('parentId is not a comment on this idea', [{ path: 'body.parentId', message: 'unknown comment' }]);
        // Threads are one level deep: a reply to a reply joins its thread.
        parentId = parent.parentId ?? parent.id;
      }
      const created = await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(comments)
          .values({ ideaId: idea.id, authorId: auth.user.id, parentId, body: request.body.body, official: request.body.official ?? false })
          .returning();
        const [counts] = await tx
          .update(ideas)
          .set({ commentCount: sql`${ideas.commentCount} + 1`, version: sql`${ideas.version} + 1` })
          .where(eq(ideas.id, idea.id))
          .returning({ commentCount: ideas.commentCount, version: ideas.version });
        if (row?.official) {
          await enqueue(tx, 'comment.official', { commentId: row.id, ideaId: idea.id, communityId: idea.communityId, actorId: auth.user.id, body: row.body });
        }
        return row && counts ? { row, counts } : undefined;
      });
      if (!created) throw new Error('insert returned nothing');
      const view = commentView(created.row, { id: auth.user.id, handle: auth.user.handle, displayName: auth.user.displayName });
      app.realtime.emitEvent([`idea:${idea.id}`], 'comment.created', { comment: view });
      app.realtime.emitEvent([`board:${idea.boardId}`, `idea:${idea.id}`], 'idea.updated', { idea: { id: idea.id, ...created.counts } });
      if (created.row.official) app.pipeline.nudge();
      return reply.status(201).send(view);
    },
  );

  app.patch(
    '/comments/:commentId',
    { schema: { tags: ['comments'], params: CommentParams, body: UpdateCommentBody, response: { 200: CommentView } } },
    async (request) => {
      requireAuth(request);
      const { comment } = await commentAccess(db, request, request.params.commentId, 'comment.edit');
      const [row] = await db
        .update(comments)
        .set({ body: request.body.body, editedAt: new Date() })
        .where(and(eq(comments.id, comment.id), isNull(comments.deletedAt)))
        .returning();
      if (!row) throw notFound('comment');
      const [author] = row.authorId ? await db.select(authorCols).from(users).where(eq(users.id, row.authorId)) : [];
      const view = commentView(row, author ? userRef(author) : null);
      // A hidden comment stays out of the room: only staff and its author may see it.
      if (!row.hidden) app.realtime.emitEvent([`idea:${row.ideaId}`], 'comment.updated', { comment: view });
      return view;
    },
  );

  app.delete('/comments/:commentId', { schema: { tags: ['comments'], params: CommentParams } }, async (request, reply) => {
    requireAuth(request);
    const { comment } = await commentAccess(db, request, request.params.commentId, 'comment.delete');
    const counts = await db.transaction(async (tx) => {
      // Soft delete: the thread keeps its shape, the words are gone.
      const removed = await tx
        .update(comments)
        .set({ deletedAt: new Date(), body: '' })
        .where(and(eq(comments.id, comment.id), isNull(comments.deletedAt)))
        .returning({ id: comments.id });
      if (removed.length === 0) return undefined;
      const [row] = await tx
        .update(ideas)
        .set({ commentCount: sql`${ideas.commentCount} - 1`, version: sql`${ideas.version} + 1` })
        .where(eq(ideas.id, comment.ideaId))
        .returning({ commentCount: ideas.commentCount, version: ideas.version, boardId: ideas.boardId });
      return row;
    });
    if (counts) {
      app.realtime.emitEvent([`idea:${comment.ideaId}`], 'comment.deleted', { commentId: comment.id, ideaId: comment.ideaId });
      app.realtime.emitEvent([`board:${counts.boardId}`, `idea:${comment.ideaId}`], 'idea.updated', {
        idea: { id: comment.ideaId, commentCount: counts.commentCount, version: counts.version },
      });
    }
    return reply.status(204).send();
  });
};
