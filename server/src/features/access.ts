import { auditLog, boards, communities, ideas, memberships, type Db } from '@cocreate/db';
import { type Action, authorize, type Resource, type Subject } from '@cocreate/protocol';
import { and, eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { AppError, notFound } from '../errors.js';

/**
 * Loading a resource and deciding access in one step, so no route forgets either. Every decision
 * goes through the one pure `authorize` of @cocreate/protocol.
 */

export type CommunityRow = typeof communities.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;
export type BoardRow = typeof boards.$inferSelect;
export type IdeaRow = typeof ideas.$inferSelect;

export function assertAllowed(subject: Subject, action: Action, resource: Resource, what = 'resource'): void {
  const decision = authorize(subject, action, resource);
  if (decision.ok) return;
  if (decision.code === 'NOT_FOUND') throw notFound(what);
  throw new AppError(decision.code, decision.reason);
}

export async function membershipOf(db: Db, communityId: string, userId: string | null): Promise<MembershipRow | null> {
  if (!userId) return null;
  const [row] = await db
    .select()
    .from(memberships)
    .where(and(eq(memberships.communityId, communityId), eq(memberships.userId, userId)))
    .limit(1);
  return row ?? null;
}

export function subjectOf(userId: string | null, membership: Pick<MembershipRow, 'role' | 'status'> | null): Subject {
  return { userId, membership: membership ? { role: membership.role, status: membership.status } : null };
}

export interface CommunityAccess {
  community: CommunityRow;
  membership: MembershipRow | null;
  subject: Subject;
  resource: Resource;
}

export async function communityAccess(db: Db, request: FastifyRequest, slug: string, action: Action): Promise<CommunityAccess> {
  const [community] = await db.select().from(communities).where(eq(communities.slug, slug)).limit(1);
  if (!community) throw notFound('community');
  return accessTo(db, request, community, action);
}

export async function communityAccessById(db: Db, request: FastifyRequest, communityId: string, action: Action) {
  const [community] = await db.select().from(communities).where(eq(communities.id, communityId)).limit(1);
  if (!community) throw notFound('community');
  return accessTo(db, request, community, action);
}

async function accessTo(db: Db, request: FastifyRequest, community: CommunityRow, action: Action): Promise<CommunityAccess> {
  const userId = request.auth?.user.id ?? null;
  const membership = await membershipOf(db, community.id, userId);
  const subject = subjectOf(userId, membership);
  const resource: Resource = { visibility: community.visibility };
  assertAllowed(subject, action, resource, 'community');
  return { community, membership, subject, resource };
}

export async function boardAccess(db: Db, request: FastifyRequest, boardId: string, action: Action) {
  const [board] = await db.select().from(boards).where(eq(boards.id, boardId)).limit(1);
  if (!board) throw notFound('board');
  const access = await communityAccessById(db, request, board.communityId, 'community.read').catch((err: unknown) => {
    throw err instanceof AppError && err.code === 'NOT_FOUND' ? notFound('board') : err;
  });
  assertAllowed(access.subject, action, access.resource, 'board');
  return { ...access, board };
}

export function ideaResource(
  community: Pick<CommunityRow, 'visibility'>,
  idea: Pick<IdeaRow, 'authorId' | 'status' | 'locked' | 'hidden'>,
): Resource {
  return {
    visibility: community.visibility,
    ownerId: idea.authorId,
    idea: { status: idea.status, locked: idea.locked, hidden: idea.hidden },
  };
}

export async function ideaAccess(db: Db, request: FastifyRequest, ideaId: string, action: Action) {
  const [idea] = await db.select().from(ideas).where(eq(ideas.id, ideaId)).limit(1);
  if (!idea) throw notFound('idea');
  const [community] = await db.select().from(communities).where(eq(communities.id, idea.communityId)).limit(1);
  if (!community) throw notFound('idea');
  const userId = request.auth?.user.id ?? null;
  const membership = await membershipOf(db, community.id, userId);
  const subject = subjectOf(userId, membership);
  const resource = ideaResource(community, idea);
  assertAllowed(subject, action, resource, 'idea');
  return { idea, community, membership, subject, resource };
}

export async function audit(
  db: Db,
  entry: { communityId: string; actorId: string | null; action: string; targetType: string; targetId: string; details?: Record<string, unknown> },
): Promise<void> {
  await db.insert(auditLog).values({ ...entry, details: entry.details ?? {} });
}
