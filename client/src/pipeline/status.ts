/** Pure helpers for status moves, history and bulk results. */
import { type IdeaStatus, nextStatuses, type Role, TRANSITIONS, type Transition } from '@cocreate/protocol';
import { statusLabel } from '../format';
import type { BulkResult, StatusChangeView } from './api';

/** The moves a member with `role` may make from `status`; none without an active membership. */
export function movesFor(membership: { role: Role; status: string } | null | undefined, status: IdeaStatus): Transition[] {
  return membership?.status === 'active' ? nextStatuses(membership.role, status) : [];
}

/** Every status `role` may move some idea to: the choices of a bulk change (the server checks each idea). */
export function bulkTargets(role: Role | null | undefined): IdeaStatus[] {
  if (!role) return [];
  const out: IdeaStatus[] = [];
  for (const t of TRANSITIONS) if (t.roles.includes(role) && !out.includes(t.to)) out.push(t.to);
  return out;
}

/** Whether moving to `to` needs a reason from any of the given statuses (a bulk change asks once). */
export function reasonNeeded(role: Role, from: readonly IdeaStatus[], to: IdeaStatus): boolean {
  return from.some((f) => nextStatuses(role, f).some((t) => t.to === to && t.needsReason));
}

/** A history with one more change: in time order, each change once (REST and live may both bring it). */
export function addChange(history: readonly StatusChangeView[], change: StatusChangeView): StatusChangeView[] {
  if (history.some((c) => c.id === change.id)) return [...history];
  return [...history, change].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/** "3 moved to Planned; 1 not moved" for a bulk answer. */
export function summarizeBulk(results: readonly BulkResult[], to: IdeaStatus): string {
  const ok = results.filter((r) => r.ok).length;
  const failed = results.length - ok;
  const parts = [];
  if (ok > 0) parts.push(`${ok} moved to ${statusLabel(to)}`);
  if (failed > 0) parts.push(`${failed} not moved`);
  return parts.length ? `${parts.join('; ')}.` : 'Nothing to change.';
}
