import { boards } from '@cocreate/db';
import { CreateBoardBody, Id, PageQuery, page, RankingSettings, UpdateBoardBody } from '@cocreate/protocol';
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { conflict } from '../../errors.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { afterTimeId, decodeCursor, exactTime, pageOf, TimeIdCursor } from '../../lib/cursor.js';
import { requireAuth } from '../../plugins/auth.js';
import { audit, type BoardRow, boardAccess, communityAccess } from '../access.js';

export const BoardView = z.object({
  id: z.string(),
  communityId: z.string(),
  communitySlug: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  ranking: RankingSettings,
  downvotesEnabled: z.boolean(),
  archived: z.boolean(),
  ideaCount: z.number(),
  createdAt: z.string(),
});

export function boardView(b: BoardRow, communitySlug: string) {
  return {
    id: b.id,
    communityId: b.communityId,
    communitySlug,
    slug: b.slug,
    name: b.name,
    description: b.description,
    ranking: b.ranking,
    downvotesEnabled: b.downvotesEnabled,
    archived: b.archived,
    ideaCount: b.ideaCount,
    createdAt: b.createdAt.toISOString(),
  };
}

/** A URL slug from a board name: "Feature Ideas!" → "feature-ideas". */
export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return s.length >= 3 ? s : `board-${s || 'x'}`.slice(0, 48);
}

const SlugParams = z.object({ slug: z.string().max(64) });
const BoardParams = z.object({ boardId: Id });

export const boardRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app;

  app.get(
    '/communities/:slug/boards',
    { schema: { tags: ['boards'], params: SlugParams, querystring: PageQuery, response: { 200: page(BoardView) } } },
    async (request) => {
      const { community } = await communityAccess(db, request, request.params.slug, 'community.read');
      const after = decodeCursor(TimeIdCursor, request.query.cursor);
      const { limit } = request.query;
      const rows = await db
        .select({ b: boards, t: exactTime(boards.createdAt) })
        .from(boards)
        .where(and(eq(boards.communityId, community.id), afterTimeId(boards.createdAt, boards.id, after, 'asc')))
        .orderBy(asc(boards.createdAt), asc(boards.id))
        .limit(limit + 1);
      const { items, nextCursor } = pageOf(rows, limit, (r) => ({ t: r.t, id: r.b.id }));
      return { items: items.map((r) => boardView(r.b, community.slug)), nextCursor };
    },
  );

  app.post(
    '/communities/:slug/boards',
    { schema: { tags: ['boards'], params: SlugParams, body: CreateBoardBody, response: { 201: BoardView } } },
    async (request, reply) => {
      const auth = requireAuth(request);
      const { community } = await communityAccess(db, request, request.params.slug, 'board.create');
      const body = request.body;
      try {
        const board = await db.transaction(async (tx) => {
          const [row] = await tx
            .insert(boards)
            .values({
              communityId: community.id,
              slug: body.slug ?? slugify(body.name),
              name: body.name,
              description: body.description ?? '',
              ranking: body.ranking ?? { formula: 'top' },
              downvotesEnabled: body.downvotesEnabled ?? false,
            })
            .returning();
          if (!row) throw new Error('insert returned nothing');
          await audit(tx, { communityId: community.id, actorId: auth.user.id, action: 'board.create', targetType: 'board', targetId: row.id });
          return row;
        });
        return reply.status(201).send(boardView(board, community.slug));
      } catch (err) {
        if (isUniqueViolation(err)) throw conflict('a board with that slug exists', [{ path: 'body.slug', message: 'already taken' }]);
        throw err;
      }
    },
  );

  app.get('/boards/:boardId', { schema: { tags: ['boards'], params: BoardParams, response: { 200: BoardView } } }, async (request) => {
    const { board, community } = await boardAccess(db, request, request.params.boardId, 'community.read');
    return boardView(board, community.slug);
  });

  app.patch(
    '/boards/:boardId',
    { schema: { tags: ['boards'], params: BoardParams, body: UpdateBoardBody, response: { 200: BoardView } } },
    async (request) => {
      const auth = requireAuth(request);
      const { board, community } = await boardAccess(db, request, request.params.boardId, 'board.update');
      const updated = await db.transaction(async (tx) => {
        const [row] = await tx.update(boards).set({ ...request.body, updatedAt: new Date() }).where(eq(boards.id, board.id)).returning();
        await audit(tx, { communityId: community.id, actorId: auth.user.id, action: 'board.update', targetType: 'board', targetId: board.id, details: request.body });
        return row ?? board;
      });
      return boardView(updated, community.slug);
    },
  );
};
