import type { IdeaStatus, Role, RoadmapLane } from './domain.js';

/**
 * The roadmap workflow: which status moves exist, and who may make them. One explicit table,
 * read by the server before every change and by the client to offer only the moves that will work.
 *
 *   open → under_review → accepted → planned → in_progress → shipped
 *   any open-ended status → declined (with a reason); declined → open (reconsidered)
 *
 * `merged` is never a target here: merging is its own operation (votes, comments and followers
 * move), and a merged idea is final.
 */
export interface Transition {
  from: IdeaStatus;
  to: IdeaStatus;
  /** Roles that may make this move. */
  roles: readonly Role[];
  /** The move must say why (shown to the idea's followers). */
  needsReason?: boolean;
}

const TEAM: readonly Role[] = ['owner', 'admin', 'team'];
const ADMINS: readonly Role[] = ['owner', 'admin'];

export const TRANSITIONS: readonly Transition[] = [
  { from: 'open', to: 'under_review', roles: TEAM },
  { from: 'open', to: 'accepted', roles: TEAM },
  { from: 'open', to: 'declined', roles: TEAM, needsReason: true },
  { from: 'under_review', to: 'open', roles: TEAM },
  { from: 'under_review', to: 'accepted', roles: TEAM },
  { from: 'under_review', to: 'declined', roles: TEAM, needsReason: true },
  { from: 'accepted', to: 'planned', roles: TEAM },
  { from: 'accepted', to: 'under_review', roles: TEAM },
  { from: 'accepted', to: 'declined', roles: TEAM, needsReason: true },
  { from: 'planned', to: 'in_progress', roles: TEAM },
  { from: 'planned', to: 'accepted', roles: TEAM },
  { from: 'planned', to: 'declined', roles: TEAM, needsReason: true },
  { from: 'in_progress', to: 'shipped', roles: TEAM },
  { from: 'in_progress', to: 'planned', roles: TEAM },
  { from: 'in_progress', to: 'declined', roles: TEAM, needsReason: true },
  // Taking back a release is rarer and louder: admins only, and say why.
  { from: 'shipped', to: 'in_progress', roles: ADMINS, needsReason: true },
  { from: 'declined', to: 'open', roles: TEAM },
  { from: 'declined', to: 'under_review', roles: TEAM },
];

export type TransitionDecision =
  | { ok: true; transition: Transition }
  | { ok: false; code: 'FORBIDDEN' | 'CONFLICT' | 'VALIDATION_FAILED'; reason: string };

/** Whether `role` may move an idea from `from` to `to`, given the reason it supplies. */
export function decideTransition(role: Role | null, from: IdeaStatus, to: IdeaStatus, reason?: string | null): TransitionDecision {
  if (from === to) return { ok: false, code: 'CONFLICT', reason: `the idea is already ${to}` };
  if (from === 'merged') return { ok: false, code: 'CONFLICT', reason: 'the idea was merged into another' };
  if (to === 'merged') return { ok: false, code: 'VALIDATION_FAILED', reason: 'merge ideas with the merge operation' };
  const transition = TRANSITIONS.find((t) => t.from === from && t.to === to);
  if (!transition) return { ok: false, code: 'CONFLICT', reason: `an idea that is ${from} cannot move to ${to}` };
  if (!role || !transition.roles.includes(role)) {
    return { ok: false, code: 'FORBIDDEN', reason: `your role (${role ?? 'none'}) may not move an idea from ${from} to ${to}` };
  }
  if (transition.needsReason && !reason?.trim()) return { ok: false, code: 'VALIDATION_FAILED', reason: `moving to ${to} needs a reason` };
  return { ok: true, transition };
}

/** The moves `role` may make from `from`, for the client's status menu. */
export function nextStatuses(role: Role | null, from: IdeaStatus): Transition[] {
  return role ? TRANSITIONS.filter((t) => t.from === from && t.roles.includes(role)) : [];
}

/** Statuses that put an idea on the public roadmap. */
export const ROADMAP_STATUSES: readonly IdeaStatus[] = ['accepted', 'planned', 'in_progress', 'shipped'];

/** The roadmap lane of an idea in `status`, or null when it is not on the roadmap. An accepted idea waits in `planned`. */
export function laneFor(status: IdeaStatus): RoadmapLane | null {
  switch (status) {
    case 'accepted':
    case 'planned':
      return 'planned';
    case 'in_progress':
      return 'in_progress';
    case 'shipped':
      return 'shipped';
    default:
      return null;
  }
}

/** Events that webhooks may subscribe to; every one is also what the outbox carries. */
export const WEBHOOK_EVENTS = ['idea.created', 'idea.status_changed', 'idea.merged', 'comment.official', 'changelog.published'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
