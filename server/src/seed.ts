import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { boards, comments, communities, ideas, LOCKS, memberships, users, type Database, type Db } from '@cocreate/db';
import type { IdeaStatus, Role } from '@cocreate/protocol';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { eq, sql } from 'drizzle-orm';
import { hashPassword } from './features/auth/passwords.js';
import { createIdea } from './features/ideas/service.js';
import { setVote } from './features/votes/service.js';

export interface DemoLogin {
  role: Role;
  email: string;
  password: string;
}

const PEOPLE: { handle: string; name: string; role: Role }[] = [
  { handle: 'olivia', name: 'Olivia (owner)', role: 'owner' },
  { handle: 'tomas', name: 'Tomás (product team)', role: 'team' },
  { handle: 'maya', name: 'Maya (moderator)', role: 'moderator' },
  { handle: 'sam', name: 'Sam', role: 'member' },
  { handle: 'lena', name: 'Lena', role: 'member' },
  { handle: 'kofi', name: 'Kofi', role: 'member' },
];

const BOARDS = [
  { slug: 'product', name: 'Product ideas', description: 'What should the next model do better?', formula: 'top' as const, downvotes: false },
  { slug: 'accessories', name: 'Accessories', description: 'Racks, chargers, covers and everything around the product.', formula: 'trending' as const, downvotes: true },
  { slug: 'app', name: 'Companion app', description: 'Ideas for the mobile and web app.', formula: 'hot' as const, downvotes: false },
];

const IDEAS: { board: number; by: number; title: string; body: string; tags: string[]; voters: number[]; status?: IdeaStatus; comments?: [number, string, boolean?][] }[] = [
  { board: 0, by: 3, title: 'Heated steering wheel as an option on the base trim', body: 'Winters are long here; the option is only on the top trim today.', tags: ['comfort', 'winter'], voters: [0, 1, 2, 4, 5], comments: [[4, 'Yes please, and heated seats in the back row too.'], [1, 'We are looking at this for next year\'s trims.', true]] },
  { board: 0, by: 4, title: 'Physical buttons for climate control', body: 'Touchscreens are hard to use while driving. Bring back real knobs.', tags: ['safety', 'ux'], voters: [0, 2, 3, 5], status: 'under_review', comments: [[5, 'Volume knob too!']] },
  { board: 0, by: 5, title: 'Over-the-air updates for the infotainment maps', body: 'Map updates should not need a dealer visit.', tags: ['software'], voters: [3, 4], status: 'planned' },
  { board: 0, by: 3, title: 'A frunk drain that does not clog with leaves', body: '', tags: ['design'], voters: [4] },
  { board: 0, by: 2, title: 'Configurable regenerative braking strength', body: 'Three levels plus a one-pedal mode.', tags: ['driving'], voters: [0, 3, 4, 5], status: 'accepted' },
  { board: 1, by: 4, title: 'Roof rack that fits without tools', body: 'Click-in rails would make weekend trips so much easier.', tags: ['outdoor'], voters: [3, 5], comments: [[3, 'Please make it quiet at highway speed.']] },
  { board: 1, by: 5, title: 'Portable charger with a type 2 and a schuko plug', body: '', tags: ['charging'], voters: [3, 4, 0] },
  { board: 1, by: 3, title: 'Dog-friendly boot liner', body: 'Washable, with a bumper flap.', tags: ['pets'], voters: [4] },
  { board: 2, by: 5, title: 'Pre-condition the cabin from a calendar event', body: 'Warm the car ten minutes before my first meeting.', tags: ['app', 'comfort'], voters: [3, 4, 1] },
  { board: 2, by: 4, title: 'Share a digital key with a friend for a day', body: '', tags: ['app', 'sharing'], voters: [3, 5, 2], status: 'in_progress' },
  { board: 2, by: 3, title: 'Trip cost estimate with the current electricity price', body: 'Use my home tariff and public charger prices.', tags: ['app', 'charging'], voters: [5] },
];

/**
 * Seeds the public demo community once (under an advisory lock, so nodes starting together make
 * one). Returns the demo logins (kept in DATA_DIR/demo-logins.json for later starts), or null.
 */
export async function seedDemo(database: Database, opts: { dataDir?: string | undefined }): Promise<DemoLogin[] | null> {
  const file = opts.dataDir ? join(opts.dataDir, 'demo-logins.json') : undefined;
  return database.withAdvisoryLock(LOCKS.seed, async () => {
    const db = database.db;
    const [existing] = await db.select({ id: communities.id }).from(communities).where(eq(communities.slug, 'demo')).limit(1);
    if (existing) {
      if (!file) return null;
      return JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) as DemoLogin[] | null;
    }
    const logins = await seedInto(db);
    if (file) {
      await mkdir(opts.dataDir as string, { recursive: true });
      await writeFile(file, JSON.stringify(logins, null, 2), { mode: 0o600 });
    }
    return logins;
  });
}

async function seedInto(db: Db): Promise<DemoLogin[]> {
  const logins: DemoLogin[] = [];
  const userIds: string[] = [];
  for (const p of PEOPLE) {
    const password = `demo-${encodeBase32LowerCaseNoPadding(randomBytes(8))}`;
    const email = `${p.handle}@demo.example`;
    const [user] = await db
      .insert(users)
      .values({ email, handle: p.handle, displayName: p.name, passwordHash: await hashPassword(password) })
      .onConflictDoUpdate({ target: users.email, set: { updatedAt: new Date() } })
      .returning({ id: users.id });
    if (!user) throw new Error('seed: user insert failed');
    userIds.push(user.id);
    logins.push({ role: p.role, email, password });
  }
  const [community] = await db
    .insert(communities)
    .values({
      slug: 'demo',
      name: 'Demo Motors community',
      description: 'A public demo community: propose ideas, vote, comment, and watch them move through the roadmap.',
      visibility: 'public',
      joinPolicy: 'open',
      memberCount: PEOPLE.length,
      createdBy: userIds[0],
    })
    .returning();
  if (!community) throw new Error('seed: community insert failed');
  await db.insert(memberships).values(PEOPLE.map((p, i) => ({ communityId: community.id, userId: userIds[i] as string, role: p.role })));
  const boardIds: string[] = [];
  for (const b of BOARDS) {
    const [row] = await db
      .insert(boards)
      .values({ communityId: community.id, slug: b.slug, name: b.name, description: b.description, ranking: { formula: b.formula }, downvotesEnabled: b.downvotes })
      .returning({ id: boards.id });
    if (!row) throw new Error('seed: board insert failed');
    boardIds.push(row.id);
  }
  for (const spec of IDEAS) {
    const idea = await createIdea(db, {
      communityId: community.id,
      boardId: boardIds[spec.board] as string,
      authorId: userIds[spec.by] as string,
      title: spec.title,
      body: spec.body,
      tags: spec.tags,
    });
    for (const v of spec.voters) await setVote(db, { ideaId: idea.id, userId: userIds[v] as string, value: 1 });
    for (const [by, body, official] of spec.comments ?? []) {
      await db.insert(comments).values({ ideaId: idea.id, authorId: userIds[by] as string, body, official: official ?? false });
      await db.update(ideas).set({ commentCount: sql`${ideas.commentCount} + 1`, version: sql`${ideas.version} + 1` }).where(eq(ideas.id, idea.id));
    }
    if (spec.status) await db.update(ideas).set({ status: spec.status }).where(eq(ideas.id, idea.id));
  }
  return logins;
}
