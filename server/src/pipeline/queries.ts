import { changelogCredits, type changelogEntries, type Db, ideaContributors, ideas, roadmapItems, users } from '@cocreate/db';
import type { ChangelogEntryView, CreditKind, RoadmapItemView } from '@cocreate/protocol';
import { and, asc, eq, inArray } from 'drizzle-orm';

/** Read models of the pipeline: the roadmap's lanes and changelog entries with their credits. */

export async function roadmapItemsOf(db: Db, communityId: string, onlyItemId?: string): Promise<RoadmapItemView[]> {
  const rows = await db
    .select({ item: roadmapItems, idea: { title: ideas.title, status: ideas.status, up: ideas.up, down: ideas.down, boardId: ideas.boardId } })
    .from(roadmapItems)
    .innerJoin(ideas, eq(ideas.id, roadmapItems.ideaId))
    .where(and(eq(roadmapItems.communityId, communityId), eq(ideas.hidden, false), onlyItemId ? eq(roadmapItems.id, onlyItemId) : undefined))
    .orderBy(asc(roadmapItems.lane), asc(roadmapItems.position), asc(roadmapItems.id));
  const ids = rows.map((r) => r.item.ideaId);
  const people = ids.length
    ? await db
        .select({ ideaId: ideaContributors.ideaId, id: users.id, handle: users.handle, displayName: users.displayName, role: ideaContributors.role })
        .from(ideaContributors)
        .innerJoin(users, eq(users.id, ideaContributors.userId))
        .where(inArray(ideaContributors.ideaId, ids))
        .orderBy(ideaContributors.firstAt)
    : [];
  const byIdea = new Map<string, RoadmapItemView['contributors']>();
  for (const p of people) {
    const list = byIdea.get(p.ideaId) ?? [];
    list.push({ id: p.id, handle: p.handle, displayName: p.displayName, role: p.role });
    byIdea.set(p.ideaId, list);
  }
  return rows.map(({ item, idea }) => ({
    id: item.id,
    ideaId: item.ideaId,
    boardId: idea.boardId,
    title: idea.title,
    status: idea.status,
    lane: item.lane,
    position: item.position,
    releaseLabel: item.releaseLabel,
    up: idea.up,
    down: idea.down,
    contributors: byIdea.get(item.ideaId) ?? [],
    snapshot: item.snapshot,
    updatedAt: item.updatedAt.toISOString(),
  }));
}

export async function changelogViews(db: Db, entries: (typeof changelogEntries.$inferSelect)[]): Promise<ChangelogEntryView[]> {
  const ids = entries.map((e) => e.id);
  const credits = ids.length
    ? await db
        .select({ entryId: changelogCredits.entryId, kind: changelogCredits.kind, id: users.id, handle: users.handle, displayName: users.displayName })
        .from(changelogCredits)
        .innerJoin(users, eq(users.id, changelogCredits.userId))
        .where(inArray(changelogCredits.entryId, ids))
    : [];
  const order: Record<CreditKind, number> = { author: 0, co_author: 1, backer: 2 };
  return entries.map((e) => ({
    id: e.id,
    communityId: e.communityId,
    ideaId: e.ideaId,
    title: e.title,
    body: e.body,
    status: e.status,
    publishedAt: e.publishedAt?.toISOString() ?? null,
    credits: credits
      .filter((c) => c.entryId === e.id)
      .sort((a, b) => order[a.kind] - order[b.kind] || a.handle.localeCompare(b.handle))
      .map((c) => ({ id: c.id, handle: c.handle, displayName: c.displayName, kind: c.kind })),
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  }));
}
