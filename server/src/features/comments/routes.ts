import { comments, ideas, users } from '@cocreate/db';
import { CreateCommentBody, Id, isStaff, PageQuery, page, UpdateCommentBody } from '@cocreate/protocol';
import { and, asc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalid, notFound } from '../../errors.js';
import { decodeCursor, pageOf, TimeIdCursor } from '../../lib/cursor.js';
import { UserRef, userRef } from '../../lib/views.js';
import { requireAuth } from '../../plugins/auth.js';
import { assertAllowed, ideaAccess } from '../access.js';
import { commentAccess } from './access.js';

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

export const commentRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app;

  app.get(
    '/ideas/:ideaId/comments',
    { schema: { tags: ['comments'], params: IdeaParams, querystring: PageQuery, response: { 200: page(CommentView) } } },
    async (request) => {
      const { idea, membership } = await ideaAccess(db, request, request.params.ideaId, 'idea.read');
      const userId = request.auth?.user.id ?? null;
      const staff = membership?.status === 'active' && isStaff(membership.role);
      const after = decodeCursor(TimeIdCursor, request.query.cursor);
      const { limit } = request.query;
      // Oldest first, so a reply always follows its parent and a client can thread page by page.
      const rows = await db
        .select({ c: comments, a: authorCols })
        .from(comments)
        .leftJoin(users, eq(users.id, comments.authorId))
        .where(
          and(
            eq(comments.ideaId, idea.id),
            staff ? undefined : userId ? or(eq(comments.hidden, false), eq(comments.authorId, userId)) : eq(comments.hidden, false),
            after ? or(gt(comments.createdAt, new Date(after.t)), and(eq(comments.createdAt, new Date(after.t)), gt(comments.id, after.id))) : undefined,
          ),
        )
        .orderBy(asc(comments.createdAt), asc(comments.id))
        .limit(limit + 1);
      const { items, nextCursor } = pageOf(rows, limit, (r) => ({ t: r.c.createdAt.toISOString(), id: r.c.id }));
      return { items: items.map((r) => commentView(r.c, r.a ? userRef(r.a) : null)), nextCursor };
    },
  );

  app.post(
    '/ideas/:ideaId/comments',
    { schema: { tags: ['comments'], params: IdeaParams, body: CreateCommentBody, response: { 201: CommentView } } },
    async (request, reply) => {
      const auth = requireAuth(request);
      const { idea, subject, resource } = await ideaAccess(db, request, request.params.ideaId, 'idea.comment');
      if (request.body.official) assertAllowed(subject, 'idea.commentOfficial', resource);
      let parentId: string | null = null;
      if (request.body.parentId) {
        const [parent] = await db
          .select({ id: comments.id, parentId: comments.parentId })
          .from(comments)
          .where(and(eq(comments.id, request.body.parentId), eq(comments.ideaId, idea.id)))
          .limit(1);
        if (!parent) throw invalid('parentId is not a comment on this idea', [{ path: 'body.parentId', message: 'unknown comment' }]);
        // Threads are one level deep: a reply to a reply joins its thread.
        parentId = parent.parentId ?? parent.id;
      }
      const created = await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(comments)
          .values({ ideaId: idea.id, authorId: auth.user.id, parentId, body: request.body.body, official: request.body.official ?? false })
          .returning();
        await tx
          .update(ideas)
          .set({ commentCount: sql`${ideas.commentCount} + 1`, version: sql`${ideas.version} + 1` })
          .where(eq(ideas.id, idea.id));
        return row;
      });
      if (!created) throw new Error('insert returned nothing');
      return reply.status(201).send(commentView(created, { id: auth.user.id, handle: auth.user.handle, displayName: auth.user.displayName }));
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
      const [author] = await db.select(authorCols).from(users).where(eq(users.id, row.authorId ?? ''));
      return commentView(row, author ? userRef(author) : null);
    },
  );

  app.delete('/comments/:commentId', { schema: { tags: ['comments'], params: CommentParams } }, async (request, reply) => {
    requireAuth(request);
    const { comment } = await commentAccess(db, request, request.params.commentId, 'comment.delete');
    await db.transaction(async (tx) => {
      // Soft delete: the thread keeps its shape, the words are gone.
      const removed = await tx
        .update(comments)
        .set({ deletedAt: new Date(), body: '' })
        .where(and(eq(comments.id, comment.id), isNull(comments.deletedAt)))
        .returning({ id: comments.id });
      if (removed.length > 0) {
        await tx
          .update(ideas)
          .set({ commentCount: sql`${ideas.commentCount} - 1`, version: sql`${ideas.version} + 1` })
          .where(eq(ideas.id, comment.ideaId));
      }
    });
    return reply.status(204).send();
  });
};
