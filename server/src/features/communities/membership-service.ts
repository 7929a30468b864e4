import { createHash, randomBytes } from 'node:crypto';
import { communities, invites, joinRequests, memberships, type Db } from '@cocreate/db';
import type { Role } from '@cocreate/protocol';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, count, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { conflict, forbidden, notFound } from '../../errors.js';
import { requireAuth } from '../../plugins/auth.js';
import { audit, membershipOf } from '../access.js';
import { communityView } from './views.js';

export const hashInviteCode = (code: string) => createHash('sha256').update(code).digest('hex');
export const newInviteCode = () => encodeBase32LowerCaseNoPadding(randomBytes(20));

/** Makes a user an active member (inside a transaction), keeping member_count exact. */
export async function addMember(tx: Db, communityId: string, userId: string, role: Role): Promise<void> {
  const inserted = await tx
    .insert(memberships)
    .values({ communityId, userId, role })
    .onConflictDoNothing()
    .returning({ userId: memberships.userId });
  if (inserted.length > 0) {
    await tx.update(communities).set({ memberCount: sql`${communities.memberCount} + 1` }).where(eq(communities.id, communityId));
  }
}

export async function joinCommunity(
  app: FastifyInstance,
  request: FastifyRequest,
  slug: string,
  body: { message?: string | undefined; inviteCode?: string | undefined },
) {
  const auth = requireAuth(request);
  const userId = auth.user.id;
  return app.db.transaction(async (tx) => {
    const [community] = await tx.select().from(communities).where(eq(communities.slug, slug)).for('update').limit(1);
    if (!community) throw notFound('community');
    const existing = await membershipOf(tx, community.id, userId);
    const view = async (status: 'joined' | 'pending') => {
      const [fresh] = await tx.select().from(communities).where(eq(communities.id, community.id));
      return { status, community: communityView(fresh ?? community, await membershipOf(tx, community.id, userId)) };
    };
    if (existing?.status === 'banned') {
      // A private community stays invisible to the banned (they may never have been members).
      throw community.visibility === 'private' ? notFound('community') : forbidden('you are banned from this community');
    }
    if (existing) return view('joined');

    if (body.inviteCode) {
      const [invite] = await tx
        .select()
        .from(invites)
        .where(
          and(
            eq(invites.codeHash, hashInviteCode(body.inviteCode)),
            eq(invites.communityId, community.id),
            isNull(invites.revokedAt),
            gt(invites.expiresAt, new Date()),
            lt(invites.uses, invites.maxUses),
          ),
        )
        .for('update')
        .limit(1);
      // An unknown code for a private community must not reveal that the community exists.
      if (!invite) throw community.visibility === 'private' ? notFound('community') : forbidden('the invite code is not valid');
      await tx.update(invites).set({ uses: sql`${invites.uses} + 1` }).where(eq(invites.id, invite.id));
      await addMember(tx, community.id, userId, invite.role);
      await audit(tx, { communityId: community.id, actorId: userId, action: 'member.join', targetType: 'user', targetId: userId, details: { via: 'invite', inviteId: invite.id } });
      return view('joined');
    }
    if (community.visibility === 'private') throw notFound('community');
    if (community.joinPolicy === 'invite') throw forbidden('this community joins by invitation only');
    if (community.joinPolicy === 'request') {
      await tx
        .insert(joinRequests)
        .values({ communityId: community.id, userId, message: body.message ?? '' })
        .onConflictDoNothing();
      return view('pending');
    }
    await addMember(tx, community.id, userId, 'member');
    await audit(tx, { communityId: community.id, actorId: userId, action: 'member.join', targetType: 'user', targetId: userId, details: { via: 'open' } });
    return view('joined');
  });
}

export async function leaveCommunity(app: FastifyInstance, request: FastifyRequest, slug: string): Promise<void> {
  const auth = requireAuth(request);
  await app.db.transaction(async (tx) => {
    const [community] = await tx.select().from(communities).where(eq(communities.slug, slug)).for('update').limit(1);
    if (!community) throw notFound('community');
    const membership = await membershipOf(tx, community.id, auth.user.id);
    if (!membership) {
      if (community.visibility === 'private') throw notFound('community');
      return;
    }
    // A ban outlives leaving; otherwise leaving and rejoining would lift it.
    if (membership.status === 'banned') {
      throw community.visibility === 'private' ? notFound('community') : forbidden('you are banned from this community');
    }
    if (membership.role === 'owner') {
      const [owners] = await tx
        .select({ n: count() })
        .from(memberships)
        .where(and(eq(memberships.communityId, community.id), eq(memberships.role, 'owner'), eq(memberships.status, 'active')));
      if ((owners?.n ?? 0) <= 1) throw conflict('the last owner cannot leave; make someone else owner first');
    }
    await tx.delete(memberships).where(and(eq(memberships.communityId, community.id), eq(memberships.userId, auth.user.id)));
    await tx.update(communities).set({ memberCount: sql`${communities.memberCount} - 1` }).where(eq(communities.id, community.id));
    await audit(tx, { communityId: community.id, actorId: auth.user.id, action: 'member.leave', targetType: 'user', targetId: auth.user.id });
  });
}
