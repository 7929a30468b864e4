import type { IdeaStatus, MembershipStatus, Role, Visibility } from './domain.js';

/**
 * Who may do what: one pure decision over (role × action × resource state). The server calls it
 * before every change; the client calls it to decide which controls to show.
 */
export const ACTIONS = [
  'community.read',
  'community.update',
  'community.manageMembers',
  'community.decideJoinRequests',
  'community.createInvite',
  'community.readAudit',
  'board.create',
  'board.update',
  'idea.read',
  'idea.create',
  'idea.edit',
  /** Writing the idea's shared body live (/collab): every member, unlike editing the idea itself. */
  'idea.coedit',
  'idea.vote',
  'idea.follow',
  'idea.comment',
  'idea.commentOfficial',
  'idea.changeStatus',
  'idea.merge',
  'idea.hide',
  'idea.lock',
  'comment.edit',
  'comment.delete',
  'comment.hide',
  'member.ban',
] as const;
export type Action = (typeof ACTIONS)[number];

export interface Subject {
  /** null for a guest (no session). */
  userId: string | null;
  /** The actor's membership in the community of the resource, or null. */
  membership: { role: Role; status: MembershipStatus } | null;
}

export interface Resource {
  visibility: Visibility;
  /** The user who owns the target (author of the idea or comment), when it has one. */
  ownerId?: string | null;
  idea?: { status: IdeaStatus; locked: boolean; hidden: boolean };
  comment?: { hidden: boolean; deleted: boolean };
  /** For member.ban and role changes: the role of the member acted upon. */
  targetRole?: Role | null;
}

export type Decision =
  | { ok: true }
  | { ok: false; code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND'; reason: string };

const RANK: Record<Role, number> = { owner: 5, admin: 4, team: 3, moderator: 2, member: 1 };

const CAPABILITIES: Record<Role, ReadonlySet<Action>> = (() => {
  const member: Action[] = [
    'community.read',
    'idea.read',
    'idea.create',
    'idea.coedit',
    'idea.vote',
    'idea.follow',
    'idea.comment',
  ];
  const moderator: Action[] = [...member, 'idea.hide', 'idea.lock', 'comment.hide', 'member.ban', 'community.readAudit'];
  const team: Action[] = [...member, 'idea.commentOfficial', 'idea.changeStatus', 'idea.merge', 'idea.edit', 'idea.lock'];
  const admin: Action[] = [
    ...new Set([...moderator, ...team]),
    'community.update',
    'community.manageMembers',
    'community.decideJoinRequests',
    'community.createInvite',
    'board.create',
    'board.update',
  ];
  return {
    member: new Set(member),
    moderator: new Set(moderator),
    team: new Set(team),
    admin: new Set(admin),
    // Editing someone else's comment would put words in their mouth: comment.edit is the author's alone.
    owner: new Set(ACTIONS.filter((a) => a !== 'comment.edit')),
  };
})();

/** Statuses in which an idea still takes votes. */
export const VOTABLE_STATUSES: readonly IdeaStatus[] = ['open', 'under_review', 'accepted', 'planned', 'in_progress'];

const READ_ACTIONS: ReadonlySet<Action> = new Set(['community.read', 'idea.read']);
/** Actions an author may take on their own idea or comment without a staff role. */
const OWN_ACTIONS: ReadonlySet<Action> = new Set(['idea.edit', 'comment.edit', 'comment.delete']);
/** Actions that a locked idea refuses to ordinary members. */
const LOCKABLE_ACTIONS: ReadonlySet<Action> = new Set(['idea.edit', 'idea.coedit', 'idea.vote', 'idea.comment', 'comment.edit']);

function deny(code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND', reason: string): Decision {
  return { ok: false, code, reason };
}

export function roleAtLeast(role: Role, floor: Role): boolean {
  return RANK[role] >= RANK[floor];
}

export function isStaff(role: Role | null | undefined): boolean {
  return role != null && role !== 'member';
}

export function authorize(subject: Subject, action: Action, resource: Resource): Decision {
  const active = subject.membership?.status === 'active' ? subject.membership : null;
  const role = active?.role ?? null;
  const staff = isStaff(role);

  // Private communities do not exist for outsiders, so nothing about them leaks.
  if (resource.visibility === 'private' && !active) {
    return deny('NOT_FOUND', 'not found');
  }
  // Hidden ideas and comments are visible to staff and to their author only.
  const hiddenTarget = resource.idea?.hidden || resource.comment?.hidden;
  const isOwner = subject.userId != null && resource.ownerId === subject.userId;
  if (hiddenTarget && !staff && !isOwner) {
    return deny('NOT_FOUND', 'not found');
  }
  if (READ_ACTIONS.has(action)) return { ok: true };

  if (subject.userId == null) return deny('UNAUTHENTICATED', 'sign in first');
  if (subject.membership?.status === 'banned') return deny('FORBIDDEN', 'you are banned from this community');
  if (!role) return deny('FORBIDDEN', 'join the community first');

  const capable = CAPABILITIES[role].has(action) || (OWN_ACTIONS.has(action) && isOwner);
  if (!capable) return deny('FORBIDDEN', `your role (${role}) may not do this`);

  if (resource.comment?.deleted && action !== 'comment.hide') {
    return deny('FORBIDDEN', 'the comment was deleted');
  }
  const idea = resource.idea;
  if (idea) {
    if (idea.status === 'merged' && action !== 'idea.hide' && action !== 'idea.lock' && action !== 'idea.follow') {
      return deny('FORBIDDEN', 'the idea was merged into another');
    }
    if (idea.locked && LOCKABLE_ACTIONS.has(action) && !staff) {
      return deny('FORBIDDEN', 'the idea is locked');
    }
    if (action === 'idea.vote' && !VOTABLE_STATUSES.includes(idea.status)) {
      return deny('FORBIDDEN', `an idea that is ${idea.status} takes no votes`);
    }
  }
  if (action === 'member.ban' || action === 'community.manageMembers') {
    // Nobody acts on a peer or a superior; the owner is untouchable.
    const target = resource.targetRole;
    if (target && role !== 'owner' && RANK[target] >= RANK[role]) {
      return deny('FORBIDDEN', `a ${role} may not act on a ${target}`);
    }
    if (target === 'owner') return deny('FORBIDDEN', 'the owner may not be banned or demoted');
  }
  return { ok: true };
}

export function can(subject: Subject, action: Action, resource: Resource): boolean {
  return authorize(subject, action, resource).ok;
}
