import { describe, expect, it } from 'vitest';
import { allowed, blockFor, decide } from './permissions';
import type { CommunityView } from './types';

const community = (membership: CommunityView['membership'], visibility: CommunityView['visibility'] = 'public'): CommunityView => ({
  id: 'c',
  slug: 'acme',
  name: 'Acme',
  description: '',
  visibility,
  joinPolicy: 'open',
  memberCount: 1,
  createdAt: '2025-01-01T00:00:00Z',
  membership,
});
const idea = { status: 'open' as const, locked: false, hidden: false, author: { id: 'u2', handle: 'b', displayName: 'B' } };

describe('client permissions', () => {
  it('asks guests to log in and outsiders to join', () => {
    expect(decide({ user: null, community: community(null) }, 'idea.vote', idea)).toMatchObject({ ok: false, code: 'UNAUTHENTICATED' });
    expect(decide({ user: { id: 'u1' }, community: community(null) }, 'idea.vote', idea)).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('lets members vote and team members answer officially', () => {
    const member = { user: { id: 'u1' }, community: community({ role: 'member', status: 'active' }) };
    const team = { user: { id: 'u1' }, community: community({ role: 'team', status: 'active' }) };
    expect(allowed(member, 'idea.vote', idea)).toBe(true);
    expect(allowed(member, 'idea.commentOfficial', idea)).toBe(false);
    expect(allowed(team, 'idea.commentOfficial', idea)).toBe(true);
  });

  it('lets authors edit their own comments only', () => {
    const ctx = { user: { id: 'u1' }, community: community({ role: 'member', status: 'active' }) };
    const mine = { hidden: false, deleted: false, author: { id: 'u1', handle: 'a', displayName: 'A' } };
    const theirs = { ...mine, author: { id: 'u2', handle: 'b', displayName: 'B' } };
    expect(allowed(ctx, 'comment.edit', idea, mine)).toBe(true);
    expect(allowed(ctx, 'comment.delete', idea, theirs)).toBe(false);
  });

  it('ignores a stale membership once logged out', () => {
    expect(allowed({ user: null, community: community({ role: 'admin', status: 'active' }) }, 'board.create')).toBe(false);
  });
});

describe('blockFor', () => {
  const where = { loginHref: '/login?next=x', communityHref: '/c/acme' };
  it('explains with a way forward', () => {
    expect(blockFor({ ok: true }, 'vote', where)).toBeNull();
    expect(blockFor({ ok: false, code: 'UNAUTHENTICATED', reason: 'sign in first' }, 'vote', where)).toEqual({
      message: 'Log in to vote.',
      link: { to: '/login?next=x', label: 'Log in' },
    });
    expect(blockFor({ ok: false, code: 'FORBIDDEN', reason: 'join the community first' }, 'vote', where)?.link?.to).toBe('/c/acme');
    expect(blockFor({ ok: false, code: 'FORBIDDEN', reason: 'the idea is locked' }, 'vote', where)).toEqual({
      message: "You can't vote: the idea is locked.",
    });
  });
});
