import { boards, communities, ideas, type Db } from '@cocreate/db';
import { type Action, isStaff } from '@cocreate/protocol';
import { eq } from 'drizzle-orm';
import { notFound } from '../errors.js';
import { assertAllowed, ideaResource, membershipOf, subjectOf } from '../features/access.js';

/** The same decisions as the REST routes, for a socket's user instead of a request. */

export async function boardAccessFor(db: Db, userId: string | null, boardId: string, action: Action) {
  const [row] = await db
    .select({ board: boards, community: communities })
    .from(boards)
    .innerJoin(communities, eq(communities.id, boards.communityId))
    .where(eq(boards.id, boardId))
    .limit(1);
  if (!row) throw notFound('board');
  const membership = await membershipOf(db, row.community.id, userId);
  const subject = subjectOf(userId, membership);
  assertAllowed(subject, action, { visibility: row.community.visibility }, 'board');
  const staff = membership?.status === 'active' && isStaff(membership.role);
  return { ...row, membership, subject, staff };
}

export async function ideaAccessFor(db: Db, userId: string | null, ideaId: string, action: Action) {
  const [row] = await db
    .select({ idea: ideas, community: communities })
    .from(ideas)
    .innerJoin(communities, eq(communities.id, ideas.communityId))
    .where(eq(ideas.id, ideaId))
    .limit(1);
  if (!row) throw notFound('idea');
  const membership = await membershipOf(db, row.community.id, userId);
  const subject = subjectOf(userId, membership);
  assertAllowed(subject, action, ideaResource(row.community, row.idea), 'idea');
  const staff = membership?.status === 'active' && isStaff(membership.role);
  return { ...row, membership, subject, staff };
}

/** A community's room (roadmap, changelog): whoever may read the community. */
export async function communityAccessFor(db: Db, userId: string | null, communityId: string) {
  const [community] = await db.select().from(communities).where(eq(communities.id, communityId)).limit(1);
  if (!community) throw notFound('community');
  const membership = await membershipOf(db, community.id, userId);
  assertAllowed(subjectOf(userId, membership), 'community.read', { visibility: community.visibility }, 'community');
  return { community, membership };
}
