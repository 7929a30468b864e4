/** Pure helpers of the roadmap screen. */
import type { RoadmapLane } from '@cocreate/protocol';

export const LANE_LABELS: Record<RoadmapLane, string> = { planned: 'Planned', in_progress: 'In progress', shipped: 'Shipped' };

/**
 * The `{after, before}` that moves item `id` one place up or down its lane (items in lane order),
 * or null at the lane's end. `after` is the item it will follow, `before` the one it will precede.
 */
export function reorderTarget(
  lane: readonly { id: string }[],
  id: string,
  direction: 'up' | 'down',
): { after: string | null; before: string | null } | null {
  const i = lane.findIndex((x) => x.id === id);
  if (i < 0) return null;
  if (direction === 'up') {
    if (i === 0) return null;
    return { after: lane[i - 2]?.id ?? null, before: (lane[i - 1] as { id: string }).id };
  }
  if (i === lane.length - 1) return null;
  return { after: (lane[i + 1] as { id: string }).id, before: lane[i + 2]?.id ?? null };
}

/** Credits grouped for display: authors, then co-authors, then backers. */
export function groupCredits<T extends { kind: 'author' | 'co_author' | 'backer' }>(
  credits: readonly T[],
): { kind: T['kind']; label: string; people: T[] }[] {
  const order = [
    ['author', 'Proposed by'],
    ['co_author', 'Co-written by'],
    ['backer', 'Backed by'],
  ] as const;
  return order.map(([kind, label]) => ({ kind, label, people: credits.filter((c) => c.kind === kind) })).filter((g) => g.people.length > 0);
}
