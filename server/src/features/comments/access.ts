import { comments, type Db } from '@cocreate/db';
import { type Action, authorize } from '@cocreate/protocol';
import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { notFound } from '../../errors.js';
import { assertAllowed, ideaAccess } from '../access.js';

/** Loads a comment and decides an action on it (the idea must be readable first). */
export async function commentAccess(db: Db, request: FastifyRequest, commentId: string, action: Action) {
  const [comment] = await db.select().from(comments).where(eq(comments.id, commentId)).limit(1);
  if (!comment) throw notFound('comment');
  const access = await ideaAccess(db, request, comment.ideaId, 'idea.read');
  const resource = {
    ...access.resource,
    ownerId: comment.authorId,
    comment: { hidden: comment.hidden, deleted: comment.deletedAt !== null },
  };
  // Moderators may delete what they may hide.
  if (action === 'comment.delete' && !authorize(access.subject, action, resource).ok && authorize(access.subject, 'comment.hide', resource).ok) {
    return { ...access, comment, resource };
  }
  assertAllowed(access.subject, action, resource, 'comment');
  return { ...access, comment, resource };
}
