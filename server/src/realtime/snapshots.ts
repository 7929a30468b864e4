import { ideas, type Db } from '@cocreate/db';
import type { PresenceMember, SnapshotIdea } from '@cocreate/protocol';
import type { IdeaSort } from '@cocreate/protocol';
import { and, desc, eq, ne } from 'drizzle-orm';
import type { BoardRow, IdeaRow } from '../features/access.js';
import { scoreSql } from '../features/ideas/sort-sql.js';

export function snapshotIdea(i: IdeaRow): SnapshotIdea {
  return {
    id: i.id,
    ideaId: i.id,
    title: i.title,
    status: i.status,
    up: i.up,
    down: i.down,
    version: i.version,
    weightedScore: i.weightedScore,
    commentCount: i.commentCount,
    createdAt: i.createdAt.toISOString(),
    authorId: i.authorId,
  };
}

/** The top N visible ideas of a board in a sort, straight from the database. */
export async function topIdeas(db: Db, board: BoardRow, sort: IdeaSort, limit: number): Promise<SnapshotIdea[]> {
  const score = scoreSql(sort, Date.now(), board.ranking);
  const rows = await db
    .select()
    .from(ideas)
    .where(and(eq(ideas.boardId, board.id), eq(ideas.hidden, false), ne(ideas.status, 'merged')))
    .orderBy(desc(score), desc(ideas.id))
    .limit(limit);
  return rows.map(snapshotIdea);
}

/**
 * A short-lived per-node cache of snapshots, so that a wave of resyncs after a failure costs one
 * query per room, not one per client.
 */
export class SnapshotCache<T> {
  private readonly entries = new Map<string, { expires: number; value: Promise<T> }>();
  constructor(private readonly ttlMs: number) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    const value = load();
    this.entries.set(key, { expires: now + this.ttlMs, value });
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > 10_000) {
      for (const [k, e] of this.entries) if (e.expires <= now) this.entries.delete(k);
    }
    return value;
  }
}

export type PresenceList = PresenceMember[];
