import { ideaFollowers, ideaTags, tags, votes, type Db } from '@cocreate/db';
import { IDEA_STATUSES, ideaDocName } from '@cocreate/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { UserRef } from '../../lib/views.js';
import type { IdeaRow } from '../access.js';

export const IdeaView = z.object({
  id: z.string(),
  boardId: z.string(),
  communityId: z.string(),
  title: z.string(),
  bodyText: z.string(),
  status: z.enum(IDEA_STATUSES),
  up: z.number(),
  down: z.number(),
  voteCount: z.number(),
  weightedScore: z.number(),
  commentCount: z.number(),
  version: z.number(),
  hidden: z.boolean(),
  locked: z.boolean(),
  mergedInto: z.string().nullable(),
  tags: z.array(z.string()),
  author: UserRef.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  docName: z.string(),
  myVote: z.number(),
  following: z.boolean(),
});
export type IdeaView = z.infer<typeof IdeaView>;

export interface IdeaWithAuthor {
  idea: IdeaRow;
  author: UserRef | null;
}

/** Adds tags and the caller's own vote and follow to a batch of ideas, in three queries. */
export async function ideaViews(db: Db, rows: IdeaWithAuthor[], userId: string | null): Promise<IdeaView[]> {
  const ids = rows.map((r) => r.idea.id);
  if (ids.length === 0) return [];
  const [tagRows, voteRows, followRows] = await Promise.all([
    db.select({ ideaId: ideaTags.ideaId, name: tags.name }).from(ideaTags).innerJoin(tags, eq(tags.id, ideaTags.tagId)).where(inArray(ideaTags.ideaId, ids)),
    userId
      ? db.select({ ideaId: votes.ideaId, value: votes.value }).from(votes).where(and(eq(votes.userId, userId), inArray(votes.ideaId, ids)))
      : Promise.resolve([]),
    userId
      ? db.select({ ideaId: ideaFollowers.ideaId }).from(ideaFollowers).where(and(eq(ideaFollowers.userId, userId), inArray(ideaFollowers.ideaId, ids)))
      : Promise.resolve([]),
  ]);
  const tagsOf = new Map<string, string[]>();
  for (const t of tagRows) tagsOf.set(t.ideaId, [...(tagsOf.get(t.ideaId) ?? []), t.name]);
  const voteOf = new Map(voteRows.map((v) => [v.ideaId, v.value]));
  const followed = new Set(followRows.map((f) => f.ideaId));
  return rows.map(({ idea, author }) => ({
    id: idea.id,
    boardId: idea.boardId,
    communityId: idea.communityId,
    title: idea.title,
    bodyText: idea.bodyText,
    status: idea.status,
    up: idea.up,
    down: idea.down,
    voteCount: idea.voteCount,
    weightedScore: idea.weightedScore,
    commentCount: idea.commentCount,
    version: idea.version,
    hidden: idea.hidden,
    locked: idea.locked,
    mergedInto: idea.mergedInto,
    tags: (tagsOf.get(idea.id) ?? []).sort(),
    author,
    createdAt: idea.createdAt.toISOString(),
    updatedAt: idea.updatedAt.toISOString(),
    docName: ideaDocName(idea.id),
    myVote: voteOf.get(idea.id) ?? 0,
    following: followed.has(idea.id),
  }));
}
