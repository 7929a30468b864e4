import type { RankChange } from '@cocreate/fanout';
import type { BoardRanking, IdeaSort } from '@cocreate/protocol';
import { type RankInput, topN } from '@cocreate/ranking';

/** What a node keeps in memory of one board's visible ideas, to know every window's top N. */
export interface IdeaCounters extends RankInput {
  version: number;
}

export interface WindowGroup {
  key: string;
  sort: IdeaSort;
  limit: number;
  members: Set<string>;
  /** The ideas in the window after the last frame. */
  top: Set<string>;
}

/**
 * One board on one node: an index of its visible ideas' counters, and the windows (sort × first N)
 * its local sockets show. Sockets with the same window share a group (its members are the sockets
 * the hub writes the window's frame to), so each frame is encoded once per window, not once per
 * socket. A frame carries the changed ideas that are in the window before or after the change (so a
 * client sees ideas enter and leave), nothing else.
 */
export class BoardHub {
  readonly index = new Map<string, IdeaCounters>();
  private readonly groups = new Map<string, WindowGroup>();
  private readonly socketGroup = new Map<string, WindowGroup>();

  constructor(
    readonly boardId: string,
    public ranking: BoardRanking,
  ) {}

  load(rows: IdeaCounters[]): void {
    for (const row of rows) {
      const known = this.index.get(row.id);
      if (!known || row.version >= known.version) this.index.set(row.id, row);
    }
  }

  /** An idea left the visible set (hidden, merged). */
  remove(ideaId: string): void {
    this.index.delete(ideaId);
  }

  join(socketId: string, sort: IdeaSort, limit: number, now: number): WindowGroup {
    this.leave(socketId);
    const key = `${sort}:${limit}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { key, sort, limit, members: new Set(), top: this.topIds(sort, limit, now) };
      this.groups.set(key, group);
    }
    group.members.add(socketId);
    this.socketGroup.set(socketId, group);
    return group;
  }

  leave(socketId: string): WindowGroup | undefined {
    const group = this.socketGroup.get(socketId);
    if (!group) return undefined;
    this.socketGroup.delete(socketId);
    group.members.delete(socketId);
    if (group.members.size === 0) this.groups.delete(group.key);
    return group;
  }

  /** Every local socket and its window (to carry them over to a reloaded index). */
  memberships(): [string, WindowGroup][] {
    return [...this.socketGroup];
  }

  groupOf(socketId: string): WindowGroup | undefined {
    return this.socketGroup.get(socketId);
  }

  get socketCount(): number {
    return this.socketGroup.size;
  }

  /** Applies changes (highest version wins) and returns, per window, the changes it must see. */
  applyAndFrame(changes: RankChange[], now: number): { group: WindowGroup; changes: RankChange[] }[] {
    const fresh: RankChange[] = [];
    for (const change of changes) {
      const known = this.index.get(change.ideaId);
      if (known && change.version <= known.version) continue;
      this.index.set(change.ideaId, {
        id: change.ideaId,
        up: change.up,
        down: change.down,
        version: change.version,
        weightedScore: change.weightedScore ?? known?.weightedScore ?? change.up - change.down,
        createdAt: known?.createdAt ?? now,
      });
      fresh.push(change);
    }
    if (fresh.length === 0) return [];
    const frames: { group: WindowGroup; changes: RankChange[] }[] = [];
    for (const group of this.groups.values()) {
      const before = group.top;
      const after = this.topIds(group.sort, group.limit, now);
      group.top = after;
      const relevant = fresh.filter((c) => before.has(c.ideaId) || after.has(c.ideaId));
      if (relevant.length > 0) frames.push({ group, changes: relevant });
    }
    return frames;
  }

  topIds(sort: IdeaSort, limit: number, now: number): Set<string> {
    const params = { gravity: this.ranking.gravity, decayHours: this.ranking.decayHours };
    return new Set(topN([...this.index.values()], sort, now, limit, params).map((i) => i.id));
  }
}
