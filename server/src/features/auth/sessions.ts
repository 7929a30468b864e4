import { randomBytes } from 'node:crypto';
import { sessions, users, type Db } from '@cocreate/db';
import type { SessionKind } from '@cocreate/protocol';
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, lt, ne } from 'drizzle-orm';

/**
 * Sessions as Lucia's guide recommends since the package's deprecation: the token is
 * `<id>.<secret>`, both random; the database keeps the id and SHA-256(secret) only, and the secret
 * is compared in constant time. Expiry slides: a session used in the second half of its life is
 * extended by a full TTL.
 */

export interface SessionUser {
  id: string;
  email: string;
  handle: string;
  displayName: string;
  createdAt: Date;
}
export interface Session {
  id: string;
  userId: string;
  kind: SessionKind;
  expiresAt: Date;
}

const TOKEN_RE = /^([a-z2-7]{24})\.([a-z2-7]{39})$/;

function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

export async function createSession(db: Db, userId: string, kind: SessionKind, ttlMs: number) {
  const id = encodeBase32LowerCaseNoPadding(randomBytes(15));
  const secret = encodeBase32LowerCaseNoPadding(randomBytes(24));
  const expiresAt = new Date(Date.now() + ttlMs);
  await db.insert(sessions).values({ id, secretHash: hashSecret(secret), userId, kind, expiresAt });
  return { token: `${id}.${secret}`, session: { id, userId, kind, expiresAt } satisfies Session };
}

export async function validateSessionToken(
  db: Db,
  token: string,
  ttlMs: number,
): Promise<{ session: Session; user: SessionUser } | null> {
  const match = TOKEN_RE.exec(token);
  if (!match) return null;
  const [, id, secret] = match as unknown as [string, string, string];
  const rows = await db
    .select({
      id: sessions.id,
      secretHash: sessions.secretHash,
      kind: sessions.kind,
      expiresAt: sessions.expiresAt,
      user: { id: users.id, email: users.email, handle: users.handle, displayName: users.displayName, createdAt: users.createdAt },
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, id))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  if (!constantTimeEqual(new Uint8Array(row.secretHash), hashSecret(secret))) return null;
  const now = Date.now();
  if (row.expiresAt.getTime() <= now) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return null;
  }
  let expiresAt = row.expiresAt;
  if (expiresAt.getTime() - now < ttlMs / 2) {
    expiresAt = new Date(now + ttlMs);
    await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, id));
  }
  return { session: { id, userId: row.user.id, kind: row.kind, expiresAt }, user: row.user };
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every session of a user, or every one but `keep`. Returns the ids ended. */
export async function invalidateUserSessions(db: Db, userId: string, keep?: string): Promise<string[]> {
  const where = keep ? and(eq(sessions.userId, userId), ne(sessions.id, keep)) : eq(sessions.userId, userId);
  const rows = await db.delete(sessions).where(where).returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

export async function deleteExpiredSessions(db: Db): Promise<number> {
  const rows = await db.delete(sessions).where(lt(sessions.expiresAt, new Date())).returning({ id: sessions.id });
  return rows.length;
}
