/**
 * Presence: the server sends a room's members once (in the snapshot) and then diffs. Members are
 * keyed per connection, so one person with two tabs is two members; screens show people.
 */
import type { PresenceMember, PresenceState } from '@cocreate/protocol';

export type PresenceMap = ReadonlyMap<string, PresenceMember>;

export interface PresenceDiff {
  joined: readonly PresenceMember[];
  left: readonly string[];
  updated: readonly PresenceMember[];
}

export function presenceFromList(members: readonly PresenceMember[]): PresenceMap {
  return new Map(members.map((m) => [m.key, m]));
}

/** The members after a diff; the same map when the diff changes nothing. */
export function applyPresenceDiff(current: PresenceMap, diff: PresenceDiff): PresenceMap {
  let next: Map<string, PresenceMember> | null = null;
  const edit = () => (next ??= new Map(current));
  for (const key of diff.left) if (current.has(key)) edit().delete(key);
  for (const m of [...diff.joined, ...diff.updated]) {
    const known = (next ?? current).get(m.key);
    if (known && known.status === m.status && known.name === m.name && known.userId === m.userId) continue;
    edit().set(m.key, m);
  }
  return next ?? current;
}

export interface PresentPerson {
  userId: string;
  name: string;
  status: PresenceState;
}

const ACTIVITY: Record<PresenceState, number> = { typing: 2, viewing: 1, idle: 0 };

/**
 * One entry per person (their most active connection wins), without the viewer: people typing
 * first, then viewing, then idle, each by name.
 */
export function peopleHere(members: PresenceMap, selfUserId: string | null): PresentPerson[] {
  const byUser = new Map<string, PresentPerson>();
  for (const m of members.values()) {
    if (m.userId === selfUserId) continue;
    const known = byUser.get(m.userId);
    if (!known || ACTIVITY[m.status] > ACTIVITY[known.status]) byUser.set(m.userId, { userId: m.userId, name: m.name, status: m.status });
  }
  return [...byUser.values()].sort(
    (a, b) => ACTIVITY[b.status] - ACTIVITY[a.status] || a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId),
  );
}

/** What to tell the room about this viewer. */
export function presenceStatus(input: { typing: boolean; idle: boolean }): PresenceState {
  if (input.typing) return 'typing';
  return input.idle ? 'idle' : 'viewing';
}

/** Up to two letters for an avatar: "Ada Lovelace" → "AL", "sam" → "S". */
export function initials(name: string): string {
  const words = name
    .replace(/\(.*?\)/g, ' ')
    .split(/\s+/)
    .filter((w) => /\p{L}|\p{N}/u.test(w));
  const letters = words.slice(0, 2).map((w) => [...w.replace(/[^\p{L}\p{N}]/gu, '')][0] ?? '');
  return letters.join('').toUpperCase() || '?';
}

/** A stable hue (0–359) per user, so a person keeps their colour across screens. */
export function hueFor(userId: string): number {
  let h = 0;
  for (const ch of userId) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}
