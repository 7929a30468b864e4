/**
 * Live changes to ideas, merged by version. Every change to an idea row bumps its `version`, so a
 * value read at a higher version is newer, wherever it came from (REST answer, snapshot, rank
 * frame, event) and in whatever order it arrived. Live messages carry only some fields, so each
 * field remembers the version it was read at: a rank frame at v12 must not undo a title read at
 * v13, nor hide a comment count read at v11 that the frame does not carry.
 */
import type { IdeaStatus, RankChange, SnapshotIdea } from '@cocreate/protocol';
import type { IdeaView } from '../types';

/** The idea fields that live traffic (or the user's own vote) may change. */
export const LIVE_FIELDS = [
  'up',
  'down',
  'voteCount',
  'weightedScore',
  'commentCount',
  'title',
  'tags',
  'status',
  'hidden',
  'locked',
  'myVote',
] as const;
export type LiveField = (typeof LIVE_FIELDS)[number];
export type LivePatch = Partial<Pick<IdeaView, LiveField>>;
export type LiveIdeaFields = Pick<IdeaView, LiveField | 'version'>;

/** Per field: the newest value seen and the version it was read at. */
export type IdeaOverlay = { readonly [K in LiveField]?: { readonly value: IdeaView[K]; readonly version: number } };

const sameValue = (a: unknown, b: unknown) =>
  a === b || (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]));

/**
 * The overlay after a patch read at `version`: each field keeps the value of the highest version
 * (a tie keeps what is there). Returns `current` itself when nothing changed.
 */
export function patchOverlay(current: IdeaOverlay | undefined, patch: LivePatch, version: number): IdeaOverlay {
  const base: IdeaOverlay = current ?? {};
  let next: Record<string, { value: unknown; version: number }> | null = null;
  for (const field of LIVE_FIELDS) {
    if (!(field in patch)) continue;
    const value = patch[field];
    if (value === undefined) continue;
    const known = base[field];
    if (known && known.version >= version) continue;
    next ??= { ...(base as Record<string, { value: unknown; version: number }>) };
    next[field] = { value, version };
  }
  return next ? (next as IdeaOverlay) : base;
}

/** The highest version in an overlay (0 when empty). */
export function overlayVersion(overlay: IdeaOverlay | undefined): number {
  let max = 0;
  if (!overlay) return max;
  for (const field of LIVE_FIELDS) max = Math.max(max, overlay[field]?.version ?? 0);
  return max;
}

/**
 * An idea as loaded (read at `idea.version`) with every overlay field that is newer. Returns the
 * same object when the overlay adds nothing, so memoised children do not re-render.
 */
export function mergeIdea<T extends LiveIdeaFields>(idea: T, overlay: IdeaOverlay | undefined): T {
  if (!overlay) return idea;
  let out: T | null = null;
  let version = idea.version;
  for (const field of LIVE_FIELDS) {
    const entry = overlay[field];
    if (!entry || entry.version <= idea.version) continue;
    version = Math.max(version, entry.version);
    if (sameValue(idea[field], entry.value)) continue;
    out ??= { ...idea };
    (out as Record<string, unknown>)[field] = entry.value;
  }
  if (version !== idea.version) {
    out ??= { ...idea };
    out.version = version;
  }
  return out ?? idea;
}

/** The patch a rank frame carries: counters only (the net count follows from them). */
export function rankPatch(change: RankChange): LivePatch {
  const patch: LivePatch = { up: change.up, down: change.down, voteCount: change.up - change.down };
  if (change.weightedScore !== undefined) patch.weightedScore = change.weightedScore;
  return patch;
}

/** The patch a snapshot row carries. */
export function snapshotPatch(idea: SnapshotIdea): LivePatch {
  return {
    ...rankPatch(idea),
    commentCount: idea.commentCount,
    title: idea.title,
    status: idea.status as IdeaStatus,
  };
}

/**
 * The patch in an `idea.updated` / `idea.moderated` event's `data.idea`: whichever known fields it
 * has, with their types checked (the payload is `unknown` on the wire). Null without an id and a
 * numeric version, since an unversioned change cannot be ordered.
 */
export function eventPatch(data: unknown): { id: string; version: number; patch: LivePatch } | null {
  const idea = (data as { idea?: Record<string, unknown> } | null)?.idea;
  if (!idea || typeof idea.id !== 'string' || typeof idea.version !== 'number') return null;
  const patch: LivePatch = {};
  if (typeof idea.title === 'string') patch.title = idea.title;
  if (Array.isArray(idea.tags) && idea.tags.every((t) => typeof t === 'string')) patch.tags = idea.tags as string[];
  if (typeof idea.commentCount === 'number') patch.commentCount = idea.commentCount;
  if (typeof idea.status === 'string') patch.status = idea.status as IdeaStatus;
  if (typeof idea.hidden === 'boolean') patch.hidden = idea.hidden;
  if (typeof idea.locked === 'boolean') patch.locked = idea.locked;
  if (typeof idea.up === 'number' && typeof idea.down === 'number') {
    patch.up = idea.up;
    patch.down = idea.down;
    patch.voteCount = idea.up - idea.down;
  }
  if (typeof idea.weightedScore === 'number') patch.weightedScore = idea.weightedScore;
  return { id: idea.id, version: idea.version, patch };
}
