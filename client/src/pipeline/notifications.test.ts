import { describe, expect, it } from 'vitest';
import { badgeText, describeNotification } from './notifications';

const IDEA = '22222222-2222-4222-8222-222222222222';
const OTHER = '33333333-3333-4333-8333-333333333333';

describe('describeNotification', () => {
  it('says which idea moved where, with the reason, and links to the idea', () => {
    expect(
      describeNotification('idea.status_changed', { ideaId: IDEA, title: 'Dark mode', from: 'open', to: 'accepted', reason: null }),
    ).toEqual({
      text: '“Dark mode” moved from open to accepted.',
      href: `/i/${IDEA}`,
    });
    expect(
      describeNotification('idea.status_changed', { ideaId: IDEA, title: 'X', from: 'open', to: 'declined', reason: 'out of scope' }).text,
    ).toBe('“X” moved from open to declined: out of scope');
  });

  it('links a merge to the idea that remains', () => {
    const n = describeNotification('idea.merged', { sourceId: IDEA, sourceTitle: 'Dup', targetId: OTHER, targetTitle: 'Original' });
    expect(n).toEqual({ text: '“Dup” was merged into “Original”.', href: `/i/${OTHER}` });
  });

  it('links an official reply to the comments, and a credit to its idea', () => {
    expect(describeNotification('idea.official_reply', { ideaId: IDEA, title: 'T', commentId: 'c', excerpt: 'On it' })).toEqual({
      text: 'The team replied on “T”: “On it”',
      href: `/i/${IDEA}#comments`,
    });
    expect(describeNotification('changelog.credited', { entryId: 'e', ideaId: IDEA, title: 'T' }).href).toBe(`/i/${IDEA}`);
    expect(describeNotification('changelog.credited', { entryId: 'e', ideaId: IDEA, title: 'T', communitySlug: 'demo' }).href).toBe('/c/demo/changelog');
  });

  it('summarises a digest, at most three titles', () => {
    const ideas = ['A', 'B', 'C', 'D', 'E'].map((title, i) => ({ ideaId: i === 0 ? IDEA : OTHER, title }));
    expect(describeNotification('digest', { from: '', to: '', ideas })).toEqual({
      text: 'Shipped from ideas you backed: “A”, “B”, “C” and 2 more.',
      href: `/i/${IDEA}`,
    });
    expect(describeNotification('digest', { ideas: [] }).href).toBeNull();
  });

  it('survives a payload of the wrong shape and an unknown kind', () => {
    expect(describeNotification('idea.status_changed', { title: 42, to: 'nonsense' })).toEqual({
      text: 'an idea moved from a new status to nonsense.',
      href: null,
    });
    expect(describeNotification('something.new', {})).toEqual({ text: 'Something changed on an idea you follow.', href: null });
  });
});

describe('badgeText', () => {
  it('is empty at zero and caps at 99+', () => {
    expect([0, -1, 1, 99, 100].map(badgeText)).toEqual(['', '', '1', '99', '99+']);
  });
});
