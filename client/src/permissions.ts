/** Adapters from API views to the shared `authorize` decision, so screens show only what works. */
import { authorize, type Action, type Decision, type Resource, type Subject } from '@cocreate/protocol';
import type { CommentView, CommunityView, IdeaView, UserView } from './types';

export function subjectOf(user: Pick<UserView, 'id'> | null, community: Pick<CommunityView, 'membership'> | null): Subject {
  return { userId: user?.id ?? null, membership: user ? (community?.membership ?? null) : null };
}

export function resourceOf(
  community: Pick<CommunityView, 'visibility'>,
  idea?: Pick<IdeaView, 'status' | 'locked' | 'hidden' | 'author'> | null,
  comment?: Pick<CommentView, 'hidden' | 'deleted' | 'author'> | null,
): Resource {
  const r: Resource = { visibility: community.visibility };
  if (idea) {
    r.idea = { status: idea.status, locked: idea.locked, hidden: idea.hidden };
    r.ownerId = idea.author?.id ?? null;
  }
  if (comment) {
    r.comment = { hidden: comment.hidden, deleted: comment.deleted };
    r.ownerId = comment.author?.id ?? null;
  }
  return r;
}

export interface PermissionContext {
  user: Pick<UserView, 'id'> | null;
  community: CommunityView;
}

export function decide(
  ctx: PermissionContext,
  action: Action,
  idea?: Parameters<typeof resourceOf>[1],
  comment?: Parameters<typeof resourceOf>[2],
): Decision {
  return authorize(subjectOf(ctx.user, ctx.community), action, resourceOf(ctx.community, idea, comment));
}

export function allowed(...args: Parameters<typeof decide>): boolean {
  return decide(...args).ok;
}

/** Why a control would not work, in words, with where to go to fix it. */
export interface Block {
  message: string;
  link?: { to: string; label: string };
}

export function blockFor(
  decision: Decision,
  what: string,
  where: { loginHref: string; communityHref: string },
): Block | null {
  if (decision.ok) return null;
  if (decision.code === 'UNAUTHENTICATED') {
    return { message: `Log in to ${what}.`, link: { to: where.loginHref, label: 'Log in' } };
  }
  if (decision.reason === 'join the community first') {
    return { message: `Join the community to ${what}.`, link: { to: where.communityHref, label: 'Join' } };
  }
  return { message: `You can't ${what}: ${decision.reason}.` };
}
