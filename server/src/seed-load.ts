import { randomBytes } from 'node:crypto';
import {
  boards,
  communities,
  ideaContributors,
  ideaFollowers,
  ideas,
  LOCKS,
  memberships,
  sessions,
  users,
  type Database,
  type Db,
} from '@cocreate/db';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, asc, count, eq, gt, inArray, like, sql } from 'drizzle-orm';
import { hashPassword } from './features/auth/passwords.js';
import { createSession } from './features/auth/sessions.js';

/**
 * Demo data sized for load tests: a public, open community `load` with a hot board (200 ideas by
 * default), a long-tail board (thousands of ideas) and thousands of member accounts, each with a
 * bearer session. Everything is inserted in batches and only what is missing is created, so a
 * second run is quick and keeps the rows (and the still-valid tokens it is handed back) it finds.
 */

export const LOAD_COMMUNITY = 'load';
export const HOT_BOARD = 'hot';
export const TAIL_BOARD = 'long-tail';

export interface LoadSeedOptions {
  users: number;
  hotIdeas: number;
  tailIdeas: number;
  /** Lifetime of the sessions created (the server's session TTL). */
  sessionTtlMs: number;
  /** Tokens from an earlier run: kept when their session is still valid for a day. */
  previousTokens?: ReadonlyMap<string, string> | undefined;
}

export interface LoadUser {
  id: string;
  handle: string;
  token: string;
}

export interface LoadData {
  community: string;
  hotBoardId: string;
  tailBoardId: string;
  /** The hot board's ideas, in a stable order (the k6 scripts' hot set is the first 20). */
  ideaIds: string[];
  /** The long-tail board's ideas, in a stable order. */
  tailIdeaIds: string[];
  users: LoadUser[];
}

const BATCH = 500;
const SESSION_CONCURRENCY = 20;
/** A reused token must stay valid at least this long; shorter ones are replaced. */
const MIN_REMAINING_MS = 24 * 60 * 60 * 1000;

export const loadHandle = (i: number) => `load_${String(i).padStart(5, '0')}`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Seeds (or completes) the load community under the seed lock, so nodes and runs never race. */
export async function seedLoad(database: Database, opts: LoadSeedOptions): Promise<LoadData> {
  if (opts.users < 1) throw new Error('seed-load: at least one user');
  return database.withAdvisoryLock(LOCKS.seed, () => seedInto(database.db, opts));
}

async function seedInto(db: Db, opts: LoadSeedOptions): Promise<LoadData> {
  const loadUsers = await ensureUsers(db, opts.users);
  const owner = loadUsers[0] as { id: string; handle: string };

  await db
    .insert(communities)
    .values({
      slug: LOAD_COMMUNITY,
      name: 'Load test community',
      description: 'Created by the load seed for k6 and the benchmarks. Its accounts and tokens belong to a local load cluster only.',
      visibility: 'public',
      joinPolicy: 'open',
      createdBy: owner.id,
    })
    .onConflictDoNothing({ target: communities.slug });
  const [community] = await db.select({ id: communities.id }).from(communities).where(eq(communities.slug, LOAD_COMMUNITY));
  if (!community) throw new Error('seed-load: community missing');

  for (const part of chunks(loadUsers, BATCH)) {
    await db
      .insert(memberships)
      .values(
        part.map((u) => ({ communityId: community.id, userId: u.id, role: u.id === owner.id ? ('owner' as const) : ('member' as const) })),
      )
      .onConflictDoNothing();
  }
  const [members] = await db.select({ n: count() }).from(memberships).where(eq(memberships.communityId, community.id));
  await db
    .update(communities)
    .set({ memberCount: members?.n ?? 0 })
    .where(eq(communities.id, community.id));

  const hotBoardId = await ensureBoard(db, community.id, HOT_BOARD, 'Hot board', 'Two hundred ideas that everyone votes on.');
  const tailBoardId = await ensureBoard(db, community.id, TAIL_BOARD, 'Long tail', 'Thousands of ideas, most of them quiet.');
  const authors = loadUsers.map((u) => u.id);
  const ideaIds = await ensureIdeas(db, {
    communityId: community.id,
    boardId: hotBoardId,
    count: opts.hotIdeas,
    title: 'Hot idea',
    authors,
  });
  const tailIdeaIds = await ensureIdeas(db, {
    communityId: community.id,
    boardId: tailBoardId,
    count: opts.tailIdeas,
    title: 'Long-tail idea',
    authors,
  });

  const tokens = await ensureSessions(db, loadUsers, opts);
  return {
    community: LOAD_COMMUNITY,
    hotBoardId,
    tailBoardId,
    ideaIds,
    tailIdeaIds,
    users: loadUsers.map((u) => ({ id: u.id, handle: u.handle, token: tokens.get(u.id) as string })),
  };
}

/** `load_00000` … in order; missing ones are inserted with one password hash shared by all. */
async function ensureUsers(db: Db, n: number): Promise<{ id: string; handle: string }[]> {
  const handles = Array.from({ length: n }, (_, i) => loadHandle(i));
  const found = new Map<string, string>();
  for (const part of chunks(handles, BATCH)) {
    for (const row of await db.select({ id: users.id, handle: users.handle }).from(users).where(inArray(users.handle, part))) {
      found.set(row.handle, row.id);
    }
  }
  const missing = handles.filter((h) => !found.has(h));
  if (missing.length > 0) {
    // Nobody signs in with it (the tokens are the credentials); one hash keeps seeding fast.
    const passwordHash = await hashPassword(`load-${encodeBase32LowerCaseNoPadding(randomBytes(16))}`);
    for (const part of chunks(missing, BATCH)) {
      const rows = await db
        .insert(users)
        .values(part.map((handle) => ({ handle, email: `${handle}@load.example`, displayName: `Load ${handle.slice(5)}`, passwordHash })))
        .onConflictDoNothing()
        .returning({ id: users.id, handle: users.handle });
      for (const row of rows) found.set(row.handle, row.id);
    }
  }
  return handles.map((handle) => {
    const id = found.get(handle);
    if (!id) throw new Error(`seed-load: user ${handle} could not be created (email taken?)`);
    return { id, handle };
  });
}

async function ensureBoard(db: Db, communityId: string, slug: string, name: string, description: string): Promise<string> {
  await db
    .insert(boards)
    .values({ communityId, slug, name, description, ranking: { formula: 'top' } })
    .onConflictDoNothing();
  const [board] = await db
    .select({ id: boards.id })
    .from(boards)
    .where(and(eq(boards.communityId, communityId), eq(boards.slug, slug)));
  if (!board) throw new Error(`seed-load: board ${slug} missing`);
  return board.id;
}

/**
 * Ideas titled `<title> 00001` …, so the order is stable; missing ones are inserted in batches with
 * what createIdea adds per idea (the author as contributor and follower, the board's idea count).
 */
async function ensureIdeas(
  db: Db,
  spec: { communityId: string; boardId: string; count: number; title: string; authors: string[] },
): Promise<string[]> {
  const titleOf = (i: number) => `${spec.title} ${String(i + 1).padStart(5, '0')}`;
  const existing = await db
    .select({ id: ideas.id, title: ideas.title })
    .from(ideas)
    .where(and(eq(ideas.boardId, spec.boardId), like(ideas.title, `${spec.title} %`)));
  const have = new Set(existing.map((r) => r.title));
  const missing = Array.from({ length: spec.count }, (_, i) => i).filter((i) => !have.has(titleOf(i)));
  for (const part of chunks(missing, BATCH)) {
    await db.transaction(async (tx) => {
      const rows = await tx
        .insert(ideas)
        .values(
          part.map((i) => ({
            communityId: spec.communityId,
            boardId: spec.boardId,
            authorId: spec.authors[i % spec.authors.length] as string,
            title: titleOf(i),
          })),
        )
        .returning({ id: ideas.id, authorId: ideas.authorId });
      const authored = rows.map((r) => ({ ideaId: r.id, userId: r.authorId as string }));
      await tx.insert(ideaContributors).values(authored.map((a) => ({ ...a, role: 'author' as const })));
      await tx.insert(ideaFollowers).values(authored);
      await tx
        .update(boards)
        .set({ ideaCount: sql`${boards.ideaCount} + ${rows.length}` })
        .where(eq(boards.id, spec.boardId));
    });
  }
  const all = await db
    .select({ id: ideas.id, title: ideas.title })
    .from(ideas)
    .where(and(eq(ideas.boardId, spec.boardId), like(ideas.title, `${spec.title} %`)))
    .orderBy(asc(ideas.title));
  const wanted = new Set(Array.from({ length: spec.count }, (_, i) => titleOf(i)));
  return all.filter((r) => wanted.has(r.title)).map((r) => r.id);
}

/** Keeps earlier tokens whose session is still good; makes bearer sessions for everyone else. */
async function ensureSessions(db: Db, loadUsers: { id: string }[], opts: LoadSeedOptions): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  const previous = opts.previousTokens ?? new Map<string, string>();
  const candidates = loadUsers.filter((u) => previous.has(u.id));
  const notBefore = new Date(Date.now() + MIN_REMAINING_MS);
  for (const part of chunks(candidates, BATCH)) {
    const ids = part.map((u) => (previous.get(u.id) as string).split('.')[0] as string);
    const alive = await db
      .select({ id: sessions.id, userId: sessions.userId })
      .from(sessions)
      .where(and(inArray(sessions.id, ids), gt(sessions.expiresAt, notBefore)));
    const aliveFor = new Set(alive.map((s) => `${s.userId}/${s.id}`));
    for (const u of part) {
      const token = previous.get(u.id) as string;
      if (aliveFor.has(`${u.id}/${token.split('.')[0]}`)) tokens.set(u.id, token);
    }
  }
  const needed = loadUsers.filter((u) => !tokens.has(u.id));
  for (const part of chunks(needed, SESSION_CONCURRENCY)) {
    const made = await Promise.all(part.map((u) => createSession(db, u.id, 'bearer', opts.sessionTtlMs)));
    for (const [i, u] of part.entries()) tokens.set(u.id, (made[i] as { token: string }).token);
  }
  return tokens;
}
