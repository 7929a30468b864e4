import { boards, communities, ideas, memberships, votes } from '@cocreate/db';
import { PageQuery, ProfileIdeaView, ProfileVoteView, page } from '@cocreate/protocol';
import { and, desc, eq, or, type SQL, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { afterTimeId, decodeCursor, exactTime, pageOf, TimeIdCursor } from '../../lib/cursor.js';
import { requireAuth } from '../../plugins/auth.js';

/**
 * The signed-in member's own ideas and votes across communities (their credits are at
 * /api/me/credits). Only communities they may still read: public ones, or those they are an active
 * member of.
 */
export const profileRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app;

  const ideaColumns = {
    idea: ideas,
    board: { id: boards.id, name: boards.name },
    community: { slug: communities.slug, name: communities.name },
  };
  const readable = (userId: string): SQL =>
    or(eq(communities.visibility, 'public'), sql`exists (select 1 from ${memberships} m where m.community_id = ${communities.id} and m.user_id = ${userId} and m.status = 'active')`)!;
  const view = (r: { idea: typeof ideas.$inferSelect; board: { id: string; name: string }; community: { slug: string; name: string } }) => ({
    id: r.idea.id,
    title: r.idea.title,
    status: r.idea.status,
    up: r.idea.up,
    down: r.idea.down,
    voteCount: r.idea.voteCount,
    commentCount: r.idea.commentCount,
    mergedInto: r.idea.mergedInto,
    board: r.board,
    community: r.community,
    createdAt: r.idea.createdAt.toISOString(),
  });

  app.get('/me/ideas', { schema: { tags: ['profile'], querystring: PageQuery, response: { 200: page(ProfileIdeaView) } } }, async (request) => {
    const auth = requireAuth(request);
    const after = decodeCursor(TimeIdCursor, request.query.cursor);
    const rows = await db
      .select({ ...ideaColumns, t: exactTime(ideas.createdAt) })
      .from(ideas)
      .innerJoin(boards, eq(boards.id, ideas.boardId))
      .innerJoin(communities, eq(communities.id, ideas.communityId))
      .where(and(eq(ideas.authorId, auth.user.id), readable(auth.user.id), afterTimeId(ideas.createdAt, ideas.id, after, 'desc')))
      .orderBy(desc(ideas.createdAt), desc(ideas.id))
      .limit(request.query.limit + 1);
    const { items, nextCursor } = pageOf(rows, request.query.limit, (r) => ({ t: r.t, id: r.idea.id }));
    return { items: items.map(view), nextCursor };
  });

  app.get('/me/votes', { schema: { tags: ['profile'], querystring: PageQuery, response: { 200: page(ProfileVoteView) } } }, async (request) => {
    const auth = requireAuth(request);
    const after = decodeCursor(TimeIdCursor, request.query.cursor);
    const rows = await db
      .select({ ...ideaColumns, value: votes.value, votedAt: votes.updatedAt, t: exactTime(votes.updatedAt) })
      .from(votes)
      .innerJoin(ideas, eq(ideas.id, votes.ideaId))
      .innerJoin(boards, eq(boards.id, ideas.boardId))
      .innerJoin(communities, eq(communities.id, ideas.communityId))
      .where(
        and(
          eq(votes.userId, auth.user.id),
          readable(auth.user.id),
          // Hidden ideas stay out of sight, unless they are the member's own.
          or(eq(ideas.hidden, false), eq(ideas.authorId, auth.user.id)),
          afterTimeId(votes.updatedAt, votes.ideaId, after, 'desc'),
        ),
      )
      .orderBy(desc(votes.updatedAt), desc(votes.ideaId))
      .limit(request.query.limit + 1);
    const { items, nextCursor } = pageOf(rows, request.query.limit, (r) => ({ t: r.t, id: r.idea.id }));
    return { items: items.map((r) => ({ idea: view(r), value: r.value, votedAt: r.votedAt.toISOString() })), nextCursor };
  });
};
