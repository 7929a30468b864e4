import { describe, expect, it } from 'vitest';
import { flipDuration, flipOffsets } from './flip';

describe('flipOffsets', () => {
  it('returns how far each moved row must be pushed back to its old place', () => {
    const before = new Map([
      ['a', 0],
      ['b', 100],
      ['c', 200],
    ]);
    const after = new Map([
      ['b', 0],
      ['a', 100],
      ['c', 200.4],
      ['d', 300],
    ]);
    expect(flipOffsets(before, after)).toEqual(
      new Map([
        ['b', 100],
        ['a', -100],
      ]),
    );
  });

  it('is empty on first layout', () => {
    expect(flipOffsets(new Map(), new Map([['a', 0]])).size).toBe(0);
  });

  it('scales the duration with the distance, within bounds', () => {
    expect(flipDuration(0)).toBe(180);
    expect(flipDuration(-400)).toBe(280);
    expect(flipDuration(10_000)).toBe(450);
  });
});
