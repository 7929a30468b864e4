import { describe, expect, it } from 'vitest';
import { needsClock, rankBoard, rankingParams, sameOrder } from './ranking';

const HOUR = 3_600_000;
const now = Date.parse('2025-06-01T12:00:00.000Z');
const idea = (id: string, up: number, down: number, hoursAgo: number) => ({
  id,
  up,
  down,
  weightedScore: up - down,
  createdAt: new Date(now - hoursAgo * HOUR).toISOString(),
});

describe('rankBoard', () => {
  it('orders by net votes for top, ties broken by id descending like the SQL', () => {
    const items = [idea('a', 1, 0, 1), idea('b', 5, 1, 1), idea('c', 1, 0, 2)];
    expect(rankBoard(items, 'top', now).map((i) => i.id)).toEqual(['b', 'c', 'a']);
  });

  it('re-ranks when a count changes', () => {
    const items = [idea('a', 3, 0, 1), idea('b', 2, 0, 1)];
    expect(rankBoard(items, 'top', now).map((i) => i.id)).toEqual(['a', 'b']);
    const voted = [idea('a', 3, 0, 1), idea('b', 4, 0, 1)];
    expect(rankBoard(voted, 'top', now).map((i) => i.id)).toEqual(['b', 'a']);
  });

  it('lets trending age: the same counts rank differently as time passes', () => {
    // "old" has more votes but is older; early on it leads, a day later the young one does.
    const items = [idea('old', 10, 0, 10), idea('young', 3, 0, 0)];
    const at = (t: number) => rankBoard(items, 'trending', t).map((i) => i.id);
    expect(at(now)).toEqual(['young', 'old']);
    expect(at(now - 9 * HOUR)[0]).toBe('old');
    expect(needsClock('trending')).toBe(true);
    expect(needsClock('top')).toBe(false);
  });

  it('honours the board’s own parameters and keeps the input untouched', () => {
    const items = [idea('old', 10, 0, 10), idea('young', 3, 0, 0)];
    const copy = [...items];
    expect(rankBoard(items, 'trending', now, rankingParams({ gravity: 0.1 }))[0]?.id).toBe('old');
    expect(items).toEqual(copy);
    expect(rankingParams(undefined)).toEqual({});
    expect(rankingParams({ gravity: 1.2, decayHours: 3 })).toEqual({ gravity: 1.2, decayHours: 3 });
  });

  it('new sorts by creation time and sameOrder compares by id', () => {
    const items = [idea('a', 9, 0, 5), idea('b', 0, 0, 1)];
    const ranked = rankBoard(items, 'new', now);
    expect(ranked.map((i) => i.id)).toEqual(['b', 'a']);
    expect(sameOrder(ranked, [{ id: 'b' }, { id: 'a' }])).toBe(true);
    expect(sameOrder(ranked, items)).toBe(false);
  });
});
