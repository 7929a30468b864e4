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
 * query per room, not one per client. An entry serves only sockets that were already in the room
 * when it was read (`notBefore`): a socket that joined later could otherwise get a snapshot older
 * than its membership and miss the frames and events published in between.
 */
export class SnapshotCache<T> {
  private readonly entries = new Map<string, { readAt: number; value: Promise<T> }>();
  constructor(private readonly ttlMs: number) {}

  /** `notBefore` and the read times are `performance.now()` values (sub-millisecond, monotonic). */
  get(key: string, notBefore: number, load: () => Promise<T>): Promise<T> {
    const now = performance.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.readAt < this.ttlMs && hit.readAt >= notBefore) return hit.value;
    const value = load();
    this.entries.set(key, { readAt: now, value });
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > 10_000) {
      for (const [k, e] of this.entries) if (now - e.readAt >= this.ttlMs) this.entries.delete(k);
    }
    return value;
  }
}

export type PresenceList = PresenceMember[];
