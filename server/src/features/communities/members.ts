import { auditLog, communities, type Db, invites, joinRequests, memberships, users } from '@cocreate/db';
import { BanBody, CreateInviteBody, Id, MEMBERSHIP_STATUSES, PageQuery, page, ROLES, roleAtLeast, SetRoleBody } from '@cocreate/protocol';
import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { conflict, forbidden, notFound } from '../../errors.js';
import { afterTimeId, decodeCursor, exactTime, pageOf, TimeIdCursor } from '../../lib/cursor.js';
import { UserRef, userRef } from '../../lib/views.js';
import { requireAuth } from '../../plugins/auth.js';
import { assertAllowed, audit, communityAccess, membershipOf } from '../access.js';
import { addMember, hashInviteCode, newInviteCode } from './membership-service.js';

const SlugParams = z.object({ slug: z.string().max(64) });
const MemberParams = SlugParams.extend({ userId: Id });
const RequestParams = SlugParams.extend({ requestId: Id });
const MemberView = z.object({
  user: UserRef,
  role: z.enum(ROLES),
  status: z.enum(MEMBERSHIP_STATUSES),
  joinedAt: z.string(),
});
const JoinRequestView = z.object({ id: z.string(), user: UserRef, message: z.string(), createdAt: z.string() });
const AuditView = z.object({
  id: z.number(),
  actor: UserRef.nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string(),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

/** The target's membership, read while holding the community's row lock (join and leave take it too). */
async function lockedTarget(tx: Db, communityId: string, userId: string) {
  await tx.select({ id: communities.id }).from(communities).where(eq(communities.id, communityId)).for('update');
  return membershipOf(tx, communityId, userId);
}

export const memberRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app;

  app.get(
    '/communities/:slug/members',
    { schema: { tags: ['members'], params: SlugParams, querystring: PageQuery, response: { 200: page(MemberView) } } },
    async (request) => {
      const { community, membership } = await communityAccess(db, request, request.params.slug, 'community.read');
      const staff = membership?.status === 'active' && membership.role !== 'member';
      const after = decodeCursor(TimeIdCursor, request.query.cursor);
      const { limit } = request.query;
      const rows = await db
        .select({ m: memberships, u: { id: users.id, handle: users.handle, displayName: users.displayName }, t: exactTime(memberships.joinedAt) })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(
          and(
            eq(memberships.communityId, community.id),
            staff ? undefined : eq(memberships.status, 'active'),
            afterTimeId(memberships.joinedAt, memberships.userId, after, 'asc'),
          ),
        )
        .orderBy(asc(memberships.joinedAt), asc(memberships.userId))
        .limit(limit + 1);
      const { items, nextCursor } = pageOf(rows, limit, (r) => ({ t: r.t, id: r.m.userId }));
      return {
        items: items.map((r) => ({ user: r.u, role: r.m.role, status: r.m.status, joinedAt: r.m.joinedAt.toISOString() })),
        nextCursor,
      };
    },
  );

  app.patch(
    '/communities/:slug/members/:userId',
    { schema: { tags: ['members'], params: MemberParams, body: SetRoleBody, response: { 200: MemberView.omit({ user: true }) } } },
    async (request) => {
      const auth = requireAuth(request);
      const { community, membership, subject, resource } = await communityAccess(db, request, request.params.slug, 'community.read');
      // The right itself first, so that a caller without it learns nothing about the target.
      assertAllowed(subject, 'community.manageMembers', resource);
      const role = request.body.role;
      // Nobody grants a role at or above their own, except the owner.
      if (membership?.role !== 'owner' && roleAtLeast(role, membership?.role ?? 'member')) {
        throw forbidden(`a ${membership?.role ?? 'member'} may not grant the ${role} role`);
      }
      return db.transaction(async (tx) => {
        const target = await lockedTarget(tx, community.id, request.params.userId);
        if (!target) throw notFound('member');
        assertAllowed(subject, 'community.manageMembers', { ...resource, targetRole: target.role });
        // A banned user holds no role (the ban reset it); there is nothing to promote.
        if (target.status === 'banned') throw conflict('that member is banned');
        const [row] = await tx
          .update(memberships)
          .set({ role })
          .where(and(eq(memberships.communityId, community.id), eq(memberships.userId, target.userId)))
          .returning();
        if (!row) throw notFound('member');
        await audit(tx, { communityId: community.id, actorId: auth.user.id, action: 'member.role', targetType: 'user', targetId: target.userId, details: { from: target.role, to: role } });
        return { role: row.role, status: row.status, joinedAt: row.joinedAt.toISOString() };
      });
    },
  );

  app.post(
    '/communities/:slug/members/:userId/ban',
    { schema: { tags: ['moderation'], params: MemberParams, body: BanBody } },
    async (request, reply) => {
      const auth = requireAuth(request);
      const { community, subject, resource } = await communityAccess(db, request, request.params.slug, 'community.read');
      assertAllowed(subject, 'member.ban', resource);
      await db.transaction(async (tx) => {
        // Read under the community lock (as join and leave do): two bans, or a ban and a leave, at
        // once must not both count the member out.
        const target = await lockedTarget(tx, community.id, request.params.userId);
        assertAllowed(subject, 'member.ban', { ...resource, targetRole: target?.role ?? 'member' });
        if (request.params.userId === auth.user.id) throw conflict('you cannot ban yourself');
        if (target?.status === 'banned') return;
        if (target) {
          await tx
            .update(memberships)
            .set({ status: 'banned', role: 'member', bannedReason: request.body.reason ?? null })
            .where(and(eq(memberships.communityId, community.id), eq(memberships.userId, target.userId)));
          await tx.update(communities).set({ memberCount: sql`${communities.memberCount} - 1` }).where(eq(communities.id, community.id));
        } else {
          const [user] = await tx.select({ id: users.id }).from(users).where(eq(users.id, request.params.userId));
          if (!user) throw notFound('user');
          // A pre-emptive ban: the row exists so that joining later is refused.
          await tx.insert(memberships).values({ communityId: community.id, userId: user.id, status: 'banned', bannedReason: request.body.reason ?? null });
        }
        await audit(tx, { communityId: community.id, actorId: auth.user.id, action: 'member.ban', targetType: 'user', targetId: request.params.userId, details: { reason: request.body.reason ?? null } });
      });
      // The banned user's live connections close on every node; on return, the community refuses them.
      app.realtime.revokeSessions(request.params.userId, null, 'banned');
      return reply.status(204).send();
    },
  );

  app.delete(
    '/communities/:slug/members/:userId/ban',
    { schema: { tags: ['moderation'], params: MemberParams } },
    async (request, reply) => {
      const auth = requireAuth(request);
      const { community, subject, resource } = await communityAccess(db, request, request.params.slug, 'community.read');
      assertAllowed(subject, 'member.ban', { ...resource, targetRole: 'member' });
      await db.transaction(async (tx) => {
        // Lifting a ban removes the row: the user is then an outsider who may join again under the
        // community's policy. Turning it back into an active membership would let a moderator make
        // anyone a member (even of a private community) with a pre-emptive ban and an unban.
        const lifted = await tx
          .delete(memberships)
          .where(and(eq(memberships.communityId, community.id), eq(memberships.userId, request.params.userId), eq(memberships.status, 'banned')))
          .returning({ userId: memberships.userId });
        if (lifted.length === 0) return;
        await audit(tx, { communityId: community.id, actorId: auth.user.id, action: 'member.unban', targetType: 'user', targetId: request.params.userId });
      });
      return reply.status(204).send();
    },
  );

  app.get(
    '/communities/:slug/join-requests',
    { schema: { tags: ['members'], params: SlugParams, querystring: PageQuery, response: { 200: page(JoinRequestView) } } },
    async (request) => {
      const { community } = await communityAccess(db, request, request.params.slug, 'community.decideJoinRequests');
      const after = decodeCursor(TimeIdCursor, request.query.cursor);
      const { limit } = request.query;
      const rows = await db
        .select({ r: joinRequests, u: { id: users.id, handle: users.handle, displayName: users.displayName }, t: exactTime(joinRequests.createdAt) })
        .from(joinRequests)
        .innerJoin(users, eq(users.id, joinRequests.userId))
        .where(
          and(
            eq(joinRequests.communityId, community.id),
            eq(joinRequests.status, 'pending'),
            afterTimeId(joinRequests.createdAt, joinRequests.id, after, 'asc'),
          ),
        )
        .orderBy(asc(joinRequests.createdAt), asc(joinRequests.id))
        .limit(limit + 1);
      const { items, nextCursor } = pageOf(rows, limit, (r) => ({ t: r.t, id: r.r.id }));
      return {
        items: items.map((r) => ({ id: r.r.id, user: r.u, message: r.r.message, createdAt: r.r.createdAt.toISOString() })),
        nextCursor,
      };
    },
  );

  app.post(
    '/communities/:slug/join-requests/:requestId/:decision',
    {
      schema: {
        tags: ['members'],
        params: RequestParams.extend({ decision: z.enum(['approve', 'reject']) }),
        body: z.strictObject({}),
        response: { 200: z.object({ id: z.string(), status: z.enum(['approved', 'rejected']) }) },
      },
    },
    async (request) => {
      const auth = requireAuth(request);
      const { community } = await communityAccess(db, request, request.params.slug, 'community.decideJoinRequests');
      const status = request.params.decision === 'approve' ? ('approved' as const) : ('rejected' as const);
      return db.transaction(async (tx) => {
        const [decided] = await tx
          .update(joinRequests)
          .set({ status, decidedBy: auth.user.id, decidedAt: new Date() })
          .where(and(eq(joinRequests.id, request.params.requestId), eq(joinRequests.communityId, community.id), eq(joinRequests.status, 'pending')))
          .returning();
        if (!decided) throw notFound('pending join request');
        if (status === 'approved') {
          const existing = await membershipOf(tx, community.id, decided.userId);
          if (existing?.status === 'banned') throw conflict('that user is banned; lift the ban first');
          await addMember(tx, community.id, decided.userId, 'member');
        }
        await audit(tx, { communityId: community.id, actorId: auth.user.id, action: `join_request.${status}`, targetType: 'user', targetId: decided.userId });
        return { id: decided.id, status };
      });
    },
  );

  app.post(
    '/communities/:slug/invites',
    {
      schema: {
        tags: ['members'],
        params: SlugParams,
        body: CreateInviteBody,
        response: { 201: z.object({ id: z.string(), code: z.string(), role: z.string(), maxUses: z.number(), expiresAt: z.string() }) },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const { community } = await communityAccess(db, request, request.params.slug, 'community.createInvite');
      const code = newInviteCode();
      const expiresAt = new Date(Date.now() + (request.body.expiresInHours ?? 24 * 7) * 3_600_000);
      const [invite] = await db
        .insert(invites)
        .values({
          communityId: community.id,
          codeHash: hashInviteCode(code),
          role: request.body.role ?? 'member',
          maxUses: request.body.maxUses ?? 1,
          expiresAt,
          createdBy: auth.user.id,
        })
        .returning();
      if (!invite) throw new Error('insert returned nothing');
      await audit(db, { communityId: community.id, actorId: auth.user.id, action: 'invite.create', targetType: 'invite', targetId: invite.id });
      // The code is shown once; only its hash is stored.
      return reply.status(201).send({ id: invite.id, code, role: invite.role, maxUses: invite.maxUses, expiresAt: expiresAt.toISOString() });
    },
  );

  app.get(
    '/communities/:slug/audit',
    {
      schema: {
        tags: ['moderation'],
        params: SlugParams,
        querystring: PageQuery,
        response: { 200: page(AuditView) },
      },
    },
    async (request) => {
      const { community } = await communityAccess(db, request, request.params.slug, 'community.readAudit');
      const after = decodeCursor(z.object({ id: z.number().int() }), request.query.cursor);
      const { limit } = request.query;
      const rows = await db
        .select({ a: auditLog, u: { id: users.id, handle: users.handle, displayName: users.displayName } })
        .from(auditLog)
        .leftJoin(users, eq(users.id, auditLog.actorId))
        .where(and(eq(auditLog.communityId, community.id), after ? lt(auditLog.id, after.id) : undefined))
        .orderBy(desc(auditLog.id))
        .limit(limit + 1);
      const { items, nextCursor } = pageOf(rows, limit, (r) => ({ id: r.a.id }));
      return {
        items: items.map((r) => ({
          id: r.a.id,
          actor: r.u ? userRef(r.u) : null,
          action: r.a.action,
          targetType: r.a.targetType,
          targetId: r.a.targetId,
          details: r.a.details,
          createdAt: r.a.createdAt.toISOString(),
        })),
        nextCursor,
      };
    },
  );
};
