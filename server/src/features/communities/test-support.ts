import { auditLog, comments, communities, ideas, invites, joinRequests, memberships } from '@cocreate/db';
import { asc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp, TestUser } from '../../testing/harness.js';

/** Helpers shared by the communities and moderation test files (not used by the server). */

/** The status and error code of a response, for one exact assertion. */
export function outcome(res: LightMyRequestResponse): { status: number; code?: string } {
  const body = res.body ? (res.json() as { code?: string }) : {};
  return body.code === undefined ? { status: res.statusCode } : { status: res.statusCode, code: body.code };
}

export const E = {
  VALIDATION_FAILED: { status: 400, code: 'VALIDATION_FAILED' },
  UNAUTHENTICATED: { status: 401, code: 'UNAUTHENTICATED' },
  FORBIDDEN: { status: 403, code: 'FORBIDDEN' },
  NOT_FOUND: { status: 404, code: 'NOT_FOUND' },
  CONFLICT: { status: 409, code: 'CONFLICT' },
  PAYLOAD_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
} as const;

/**
 * Every row the routes under test may change, in a stable order: comparing two snapshots proves
 * that a refused request changed nothing at all.
 */
export async function snapshot(t: TestApp) {
  const db = t.app.db;
  return {
    communities: await db.select().from(communities).orderBy(asc(communities.id)),
    memberships: await db.select().from(memberships).orderBy(asc(memberships.communityId), asc(memberships.userId)),
    joinRequests: await db.select().from(joinRequests).orderBy(asc(joinRequests.id)),
    invites: await db.select().from(invites).orderBy(asc(invites.id)),
    ideas: await db
      .select({
        id: ideas.id,
        title: ideas.title,
        hidden: ideas.hidden,
        locked: ideas.locked,
        version: ideas.version,
        up: ideas.up,
        commentCount: ideas.commentCount,
      })
      .from(ideas)
      .orderBy(asc(ideas.id)),
    comments: await db.select({ id: comments.id, body: comments.body, hidden: comments.hidden }).from(comments).orderBy(asc(comments.id)),
    audit: await db.select({ id: auditLog.id }).from(auditLog).orderBy(asc(auditLog.id)),
  };
}

/** The community as stored, and its member count recomputed from the memberships. */
export async function counts(t: TestApp, slug: string) {
  const [c] = await t.app.db.select().from(communities).where(eq(communities.slug, slug));
  if (!c) throw new Error(`no community ${slug}`);
  const rows = await t.app.db.select().from(memberships).where(eq(memberships.communityId, c.id));
  return {
    memberCount: c.memberCount,
    active: rows.filter((m) => m.status === 'active').length,
    banned: rows.filter((m) => m.status === 'banned').length,
  };
}

export async function membershipRow(t: TestApp, slug: string, user: TestUser) {
  const [c] = await t.app.db.select().from(communities).where(eq(communities.slug, slug));
  if (!c) return null;
  const rows = await t.app.db.select().from(memberships).where(eq(memberships.communityId, c.id));
  const m = rows.find((r) => r.userId === user.id);
  return m ? { role: m.role, status: m.status } : null;
}

/** The audit actions of a community, oldest first, read as its owner. */
export async function auditActions(t: TestApp, slug: string, as: TestUser): Promise<string[]> {
  const res = await t.api('GET', `/api/communities/${slug}/audit?limit=100`, { as });
  if (res.statusCode !== 200) throw new Error(`audit failed: ${res.body}`);
  return (res.json() as { items: { action: string }[] }).items.map((i) => i.action).reverse();
}

let seq = 0;
export const uniqueSlug = (prefix = 's') => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++seq}`;

/** Creates a community directly through the API as `owner`. */
export async function createCommunity(
  t: TestApp,
  owner: TestUser,
  body: { visibility?: 'public' | 'private'; joinPolicy?: 'open' | 'request' | 'invite'; slug?: string; name?: string } = {},
) {
  const slug = body.slug ?? uniqueSlug();
  const res = await t.api('POST', '/api/communities', { as: owner, body: { name: 'A community', ...body, slug } });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.body}`);
  return { slug, id: (res.json() as { id: string }).id };
}

export async function invite(t: TestApp, slug: string, as: TestUser, body: Record<string, unknown> = {}): Promise<string> {
  const res = await t.api('POST', `/api/communities/${slug}/invites`, { as, body });
  if (res.statusCode !== 201) throw new Error(`invite failed: ${res.body}`);
  return (res.json() as { code: string }).code;
}

/** A raw JSON string body, sent as-is (the harness would otherwise serialize it). */
export const raw = (json: string) => ({ body: json, headers: { 'content-type': 'application/json' } });
