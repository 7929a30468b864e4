import { describe, expect, it } from 'vitest';
import { groupCredits, reorderTarget } from './roadmap';

const lane = ['a', 'b', 'c', 'd'].map((id) => ({ id }));

describe('reorderTarget', () => {
  it('moves up between the two items above, down between the two below', () => {
    expect(reorderTarget(lane, 'c', 'up')).toEqual({ after: 'a', before: 'b' });
    expect(reorderTarget(lane, 'b', 'up')).toEqual({ after: null, before: 'a' });
    expect(reorderTarget(lane, 'b', 'down')).toEqual({ after: 'c', before: 'd' });
    expect(reorderTarget(lane, 'c', 'down')).toEqual({ after: 'd', before: null });
  });

  it('has nowhere to go at the ends or for an unknown item', () => {
    expect(reorderTarget(lane, 'a', 'up')).toBeNull();
    expect(reorderTarget(lane, 'd', 'down')).toBeNull();
    expect(reorderTarget(lane, 'x', 'up')).toBeNull();
  });
});

describe('groupCredits', () => {
  it('orders authors, co-authors, backers and leaves out empty groups', () => {
    const groups = groupCredits([
      { kind: 'backer' as const, id: '1' },
      { kind: 'author' as const, id: '2' },
      { kind: 'backer' as const, id: '3' },
    ]);
    expect(groups.map((g) => [g.label, g.people.map((p) => p.id)])).toEqual([
      ['Proposed by', ['2']],
      ['Backed by', ['1', '3']],
    ]);
  });
});
