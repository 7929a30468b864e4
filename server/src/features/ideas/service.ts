import { boards, ideaContributors, ideaFollowers, ideas, ideaTags, tags, users, type Db } from '@cocreate/db';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { notFound } from '../../errors.js';
import { userRef } from '../../lib/views.js';
import type { IdeaWithAuthor } from './views.js';
import { enqueue } from '../../pipeline/outbox.js';

/** Replaces an idea's tags, creating community tags on first use. */
export async function setIdeaTags(tx: Db, communityId: string, ideaId: string, names: string[]): Promise<void> {
  const unique = [...new Set(names)];
  await tx.delete(ideaTags).where(eq(ideaTags.ideaId, ideaId));
  if (unique.length === 0) return;
  await tx.insert(tags).values(unique.map((name) => ({ communityId, name }))).onConflictDoNothing();
  const rows = await tx.select({ id: tags.id }).from(tags).where(and(eq(tags.communityId, communityId), inArray(tags.name, unique)));
  await tx.insert(ideaTags).values(rows.map((t) => ({ ideaId, tagId: t.id }))).onConflictDoNothing();
}

export async function createIdea(
  db: Db,
  input: { communityId: string; boardId: string; authorId: string; title: string; body?: string | undefined; tags?: string[] | undefined },
) {
  return db.transaction(async (tx) => {
    const [idea] = await tx
      .insert(ideas)
      .values({ communityId: input.communityId, boardId: input.boardId, authorId: input.authorId, title: input.title, bodyText: input.body ?? '' })
      .returning();
    if (!idea) throw new Error('insert returned nothing');
    await tx.insert(ideaContributors).values({ ideaId: idea.id, userId: input.authorId, role: 'author' });
    await tx.insert(ideaFollowers).values({ ideaId: idea.id, userId: input.authorId });
    if (input.tags?.length) await setIdeaTags(tx, input.communityId, idea.id, input.tags);
    await tx.update(boards).set({ ideaCount: sql`${boards.ideaCount} + 1` }).where(eq(boards.id, input.boardId));
    await enqueue(tx, 'idea.created', {
      ideaId: idea.id,
      communityId: idea.communityId,
      idea: { id: idea.id, boardId: idea.boardId, title: idea.title, authorId: idea.authorId, createdAt: idea.createdAt.toISOString() },
    });
    return idea;
  });
}

export async function loadIdeaWithAuthor(db: Db, ideaId: string): Promise<IdeaWithAuthor> {
  const [row] = await db
    .select({ idea: ideas, author: { id: users.id, handle: users.handle, displayName: users.displayName } })
    .from(ideas)
    .leftJoin(users, eq(users.id, ideas.authorId))
    .where(eq(ideas.id, ideaId))
    .limit(1);
  if (!row) throw notFound('idea');
  return { idea: row.idea, author: row.author ? userRef(row.author) : null };
}
