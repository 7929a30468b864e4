import { comments, ideas } from '@cocreate/db';
import { HideBody, Id, LockBody } from '@cocreate/protocol';
import { eq, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAuth } from '../../plugins/auth.js';
import { audit, ideaAccess } from '../access.js';
import { commentAccess } from '../comments/access.js';

const IdeaParams = z.object({ ideaId: Id });
const CommentParams = z.object({ commentId: Id });
const IdeaFlags = z.object({ id: z.string(), hidden: z.boolean(), locked: z.boolean(), version: z.number() });

/** Hide and lock, each one audited. Bans live with the members routes. */
export const moderationRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app;

  for (const flag of ['hide', 'lock'] as const) {
    app.post(
      `/ideas/:ideaId/${flag}`,
      { schema: { tags: ['moderation'], params: IdeaParams, body: flag === 'hide' ? HideBody : LockBody, response: { 200: IdeaFlags } } },
      async (request) => {
        const auth = requireAuth(request);
        const { idea } = await ideaAccess(db, request, request.params.ideaId, flag === 'hide' ? 'idea.hide' : 'idea.lock');
        const body = request.body as { hidden?: boolean; locked?: boolean; reason?: string };
        const value = flag === 'hide' ? { hidden: Boolean(body.hidden) } : { locked: Boolean(body.locked) };
        const updated = await db.transaction(async (tx) => {
          const [row] = await tx
            .update(ideas)
            .set({ ...value, version: sql`${ideas.version} + 1`, updatedAt: new Date() })
            .where(eq(ideas.id, idea.id))
            .returning();
          await audit(tx, { communityId: idea.communityId, actorId: auth.user.id, action: `idea.${flag}`, targetType: 'idea', targetId: idea.id, details: { ...value, reason: body.reason ?? null } });
          return row ?? idea;
        });
        // Moderation shows live: a hidden idea leaves boards (an unhidden one comes back with its
        // counters and age), a locked one turns read-only.
        const flags = { id: updated.id, hidden: updated.hidden, locked: updated.locked, version: updated.version };
        app.realtime.emitEvent([`board:${idea.boardId}`, `idea:${idea.id}`], 'idea.moderated', {
          idea: { ...flags, up: updated.up, down: updated.down, weightedScore: updated.weightedScore, createdAt: updated.createdAt.toISOString() },
        });
        return flags;
      },
    );
  }

  app.post(
    '/comments/:commentId/hide',
    { schema: { tags: ['moderation'], params: CommentParams, body: HideBody, response: { 200: z.object({ id: z.string(), hidden: z.boolean() }) } } },
    async (request) => {
      const auth = requireAuth(request);
      const { comment, idea } = await commentAccess(db, request, request.params.commentId, 'comment.hide');
      return db.transaction(async (tx) => {
        await tx.update(comments).set({ hidden: request.body.hidden }).where(eq(comments.id, comment.id));
        await audit(tx, { communityId: idea.communityId, actorId: auth.user.id, action: 'comment.hide', targetType: 'comment', targetId: comment.id, details: { hidden: request.body.hidden, reason: request.body.reason ?? null } });
        return { id: comment.id, hidden: request.body.hidden };
      }).then((result) => {
        app.realtime.emitEvent([`idea:${idea.id}`], 'comment.moderated', { comment: result });
        return result;
      });
    },
  );
};
