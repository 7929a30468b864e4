import { describe, expect, it } from 'vitest';
import {
  compareRanked,
  DEFAULTS,
  hotScore,
  isTimeDecayed,
  newScore,
  type RankInput,
  type RankingFormula,
  rankIdeas,
  score,
  topN,
  topScore,
  trendingScore,
  weightedScore,
  wilsonLowerBound,
} from './index.js';

const HOUR = 3_600_000;
const EPOCH_MS = DEFAULTS.HOT_EPOCH_SECONDS * 1000;
const T0 = Date.UTC(2025, 0, 1);

function idea(id: string, up: number, down: number, createdAt = T0, weighted = 0): RankInput {
  return { id, up, down, createdAt, weightedScore: weighted };
}

const ALL: RankingFormula[] = ['top', 'new', 'trending', 'hot', 'wilson', 'weighted'];

describe('DEFAULTS', () => {
  it('pins the documented constants', () => {
    expect(DEFAULTS).toEqual({ gravity: 1.8, decayHours: 12.5, z: 1.96, HOT_EPOCH_SECONDS: 1134028003 });
  });
});

describe('top / new / weighted', () => {
  it('top = up - down', () => {
    expect(topScore(idea('a', 7, 3))).toBe(4); // 7 - 3
    expect(topScore(idea('a', 2, 5))).toBe(-3); // 2 - 5
  });
  it('new = createdAt', () => {
    expect(newScore(idea('a', 0, 0, 1_700_000_000_123))).toBe(1_700_000_000_123);
  });
  it('weighted = weightedScore, ignoring raw votes', () => {
    expect(weightedScore(idea('a', 100, 0, T0, 2.5))).toBe(2.5);
  });
});

describe('trending', () => {
  it('fresh idea, default gravity: 10 / (0 + 2)^1.8 = 10 / 3.4822 ≈ 2.8717', () => {
    expect(trendingScore(idea('a', 10, 0), T0)).toBeCloseTo(2.8717, 4);
  });
  it('2 h old, gravity 1: 10 / (2 + 2)^1 = 2.5; gravity 2: 10 / 4^2 = 0.625', () => {
    const x = idea('a', 12, 2); // net 10
    expect(trendingScore(x, T0 + 2 * HOUR, 1)).toBe(2.5);
    expect(trendingScore(x, T0 + 2 * HOUR, 2)).toBe(0.625);
  });
  it('6 h old, default gravity: 10 / 8^1.8 = 10 / 42.224 ≈ 0.23683', () => {
    expect(trendingScore(idea('a', 10, 0), T0 + 6 * HOUR)).toBeCloseTo(0.23683, 5);
  });
  it('decays strictly with age for positive net votes', () => {
    const x = idea('a', 10, 0);
    const scores = [0, 1, 5, 24, 240].map((h) => trendingScore(x, T0 + h * HOUR));
    for (let i = 1; i < scores.length; i++) expect(scores[i]).toBeLessThan(scores[i - 1] as number);
  });
  it('treats ideas from the future (clock skew) as age 0', () => {
    const x = idea('a', 10, 0, T0 + HOUR);
    expect(trendingScore(x, T0)).toBe(trendingScore(x, T0 + HOUR));
  });
  it('keeps the sign of net votes: -4 / (0 + 2)^1 = -2', () => {
    expect(trendingScore(idea('a', 1, 5), T0, 1)).toBe(-2);
  });
});

describe('hot', () => {
  it('+10 created exactly at the epoch: 1 * log10(10) + 0 / 45000 = 1', () => {
    expect(hotScore(idea('a', 10, 0, EPOCH_MS))).toBe(1);
  });
  it('net -10 at the epoch: -1 * log10(10) = -1; net 0 or +1: log10(1) = 0', () => {
    expect(hotScore(idea('a', 0, 10, EPOCH_MS))).toBe(-1);
    expect(hotScore(idea('a', 3, 3, EPOCH_MS))).toBe(0);
    expect(hotScore(idea('a', 1, 0, EPOCH_MS))).toBe(0);
  });
  it('+100, 12.5 h after the epoch: log10(100) + 45000 / 45000 = 3', () => {
    expect(hotScore(idea('a', 100, 0, EPOCH_MS + 12.5 * HOUR))).toBe(3);
  });
  it('one decay period later, 10x fewer votes tie: +10 @ epoch = +1 @ epoch + 12.5 h = 1', () => {
    expect(hotScore(idea('b', 1, 0, EPOCH_MS + 12.5 * HOUR))).toBe(hotScore(idea('a', 10, 0, EPOCH_MS)));
  });
  it('decayHours override: +10, 1 h after the epoch, decayHours 1: 1 + 3600 / 3600 = 2', () => {
    expect(hotScore(idea('a', 10, 0, EPOCH_MS + HOUR), 1)).toBe(2);
    // default: 1 + 3600 / 45000 = 1.08
    expect(hotScore(idea('a', 10, 0, EPOCH_MS + HOUR))).toBeCloseTo(1.08, 12);
  });
  it('is not rounded', () => {
    // 0 + 1 s / 45000 s = 2.222…e-5 (Reddit would round to 7 places)
    expect(hotScore(idea('a', 0, 0, EPOCH_MS + 1000))).toBeCloseTo(1 / 45000, 15);
  });
});

describe('wilson', () => {
  it('0 up, 0 down = 0', () => {
    expect(wilsonLowerBound(0, 0)).toBe(0);
  });
  it('no upvotes is exactly 0 however many downvotes (no rounding residue that moves with them)', () => {
    // Found by the property test: 0 up, 461,818 down came out a hair above 0 and rose with one more downvote.
    for (const down of [1, 7, 461_818, 461_819, 10_000_000]) expect(wilsonLowerBound(0, down)).toBe(0);
  });
  it('5 up, 0 down ≈ 0.5655', () => {
    // n = 5, p = 1, z² = 3.8416: z²/2n = 0.38416, z·sqrt((0 + z²/4n)/n) = 1.96·sqrt(0.038416) = 1.96·0.196 = 0.38416
    // (1 + 0.38416 − 0.38416) / (1 + 0.76832) = 1 / 1.76832 ≈ 0.565509
    expect(wilsonLowerBound(5, 0)).toBeCloseTo(0.565509, 6);
  });
  it('1 up, 0 down ≈ 0.2065', () => {
    // n = 1, p = 1: z²/2 = 1.9208, z·sqrt(z²/4) = 1.96·0.98 = 1.9208 → 1 / (1 + 3.8416) = 1 / 4.8416 ≈ 0.206543
    expect(wilsonLowerBound(1, 0)).toBeCloseTo(0.206543, 6);
  });
  it('10 up, 10 down ≈ 0.2993', () => {
    // n = 20, p = 0.5: z²/2n = 0.09604, z²/4n = 0.04802, sqrt((0.25 + 0.04802)/20) = sqrt(0.014901) ≈ 0.122070
    // (0.5 + 0.09604 − 1.96·0.122070) / (1 + 0.19208) = 0.356782 / 1.19208 ≈ 0.299294
    expect(wilsonLowerBound(10, 10)).toBeCloseTo(0.299294, 5);
  });
  it('only down votes ≈ 0 (exactly 0 up to float rounding)', () => {
    expect(wilsonLowerBound(0, 7)).toBeCloseTo(0, 12);
  });
  it('z override: z = 0 degenerates to p = up / n = 3 / 4', () => {
    expect(wilsonLowerBound(3, 1, 0)).toBe(0.75);
    // a wider interval (larger z) gives a lower bound
    expect(wilsonLowerBound(3, 1, 2.58)).toBeLessThan(wilsonLowerBound(3, 1));
  });
  it('stays within [0, 1] (up to float rounding) and is below the plain ratio', () => {
    for (let up = 0; up <= 40; up++) {
      for (let down = 0; down <= 40; down++) {
        const w = wilsonLowerBound(up, down);
        expect(w).toBeGreaterThanOrEqual(-1e-12);
        expect(w).toBeLessThanOrEqual(1);
        if (up + down > 0) expect(w).toBeLessThanOrEqual(up / (up + down) + 1e-12);
      }
    }
  });
  it('increases with up votes for fixed down, decreases with down votes for fixed up', () => {
    for (const fixed of [0, 1, 5, 30]) {
      for (let k = 0; k < 40; k++) {
        expect(wilsonLowerBound(k + 1, fixed)).toBeGreaterThan(wilsonLowerBound(k, fixed));
        if (fixed > 0) expect(wilsonLowerBound(fixed, k + 1)).toBeLessThan(wilsonLowerBound(fixed, k));
      }
    }
  });
  it('rewards confidence: 50/0 beats 5/0 although both are 100 % positive', () => {
    expect(wilsonLowerBound(50, 0)).toBeGreaterThan(wilsonLowerBound(5, 0));
  });
});

describe('score', () => {
  const x = idea('a', 12, 2, EPOCH_MS + HOUR, 4.5);
  const now = EPOCH_MS + 3 * HOUR;
  it('dispatches every formula to its function with defaults', () => {
    expect(score('top', x, now)).toBe(10);
    expect(score('new', x, now)).toBe(EPOCH_MS + HOUR);
    expect(score('trending', x, now)).toBe(10 / 4 ** 1.8); // age 2 h
    expect(score('hot', x, now)).toBe(1 + 3600 / 45000);
    expect(score('wilson', x, now)).toBe(wilsonLowerBound(12, 2));
    expect(score('weighted', x, now)).toBe(4.5);
  });
  it('applies overrides only to the formula they tune', () => {
    const params = { gravity: 1, decayHours: 1 };
    expect(score('trending', x, now, params)).toBe(2.5); // 10 / (2 + 2)^1
    expect(score('hot', x, now, params)).toBe(2); // 1 + 3600 / 3600
    expect(score('trending', x, now, { decayHours: 1 })).toBe(score('trending', x, now));
    expect(score('hot', x, now, { gravity: 1 })).toBe(score('hot', x, now));
    for (const f of ['top', 'new', 'wilson', 'weighted'] as const) {
      expect(score(f, x, now, params)).toBe(score(f, x, now));
    }
  });
  it('only trending depends on `now`', () => {
    for (const f of ALL) {
      const same = score(f, x, now) === score(f, x, now + 24 * HOUR);
      expect(same).toBe(f !== 'trending');
    }
  });
});

describe('isTimeDecayed', () => {
  it('is true exactly for trending', () => {
    // hot adds age as a constant offset per idea, so existing ideas never swap places as time passes.
    expect(ALL.filter(isTimeDecayed)).toEqual(['trending']);
  });
});

describe('ordering', () => {
  const ids = (xs: RankInput[]) => xs.map((x) => x.id);

  it('sorts by score DESC', () => {
    const items = [idea('a', 1, 0), idea('b', 9, 0), idea('c', 4, 0)];
    expect(ids(rankIdeas(items, 'top', T0))).toEqual(['b', 'c', 'a']);
  });
  it('breaks ties by id DESC', () => {
    const items = [
      idea('1f0e8c1a-0000-4000-8000-000000000001', 3, 0),
      idea('9a0e8c1a-0000-4000-8000-000000000002', 3, 0),
      idea('5c0e8c1a-0000-4000-8000-000000000003', 3, 0),
      idea('00000000-0000-4000-8000-000000000004', 4, 0),
    ];
    expect(ids(rankIdeas(items, 'top', T0))).toEqual([
      '00000000-0000-4000-8000-000000000004',
      '9a0e8c1a-0000-4000-8000-000000000002',
      '5c0e8c1a-0000-4000-8000-000000000003',
      '1f0e8c1a-0000-4000-8000-000000000001',
    ]);
  });
  it('compares ids by plain code units, not locale ("a" > "B" because 97 > 66)', () => {
    // localeCompare would put "B" after "a" and so first in DESC order
    expect(ids(rankIdeas([idea('B', 1, 0), idea('a', 1, 0)], 'top', T0))).toEqual(['a', 'B']);
  });
  it('compareRanked agrees with rankIdeas and returns 0 only for equal score and id', () => {
    const items = [idea('a', 2, 1), idea('b', 0, 0), idea('c', 5, 4), idea('d', 3, 0), idea('e', 1, 1)];
    for (const f of ALL) {
      expect(ids([...items].sort(compareRanked(f, T0)))).toEqual(ids(rankIdeas(items, f, T0)));
    }
    const cmp = compareRanked('top', T0);
    expect(cmp(idea('a', 1, 0), idea('a', 1, 0))).toBe(0);
    expect(cmp(idea('b', 1, 0), idea('a', 1, 0))).toBeLessThan(0);
    expect(cmp(idea('a', 2, 0), idea('b', 1, 0))).toBeLessThan(0);
  });
  it('rankIdeas returns a new array, keeps the input and extra fields', () => {
    const items = [{ ...idea('a', 1, 0), title: 'A' }, { ...idea('b', 2, 0), title: 'B' }];
    const ranked = rankIdeas(items, 'top', T0);
    expect(ranked).not.toBe(items);
    expect(ids(items)).toEqual(['a', 'b']);
    expect(ranked.map((x) => x.title)).toEqual(['B', 'A']);
  });
  it('trending re-ranks with time alone: a newer idea leads, then the older, more voted one overtakes', () => {
    const old = idea('old', 50, 0, T0);
    const fresh = idea('fresh', 10, 0, T0 + 10 * HOUR);
    // now = T0 + 10 h: old = 50 / 12^1.8 ≈ 0.571, fresh = 10 / 2^1.8 ≈ 2.872
    expect(ids(rankIdeas([old, fresh], 'trending', T0 + 10 * HOUR))).toEqual(['fresh', 'old']);
    // now = T0 + 100 h: old = 50 / 102^1.8 ≈ 0.0122, fresh = 10 / 92^1.8 ≈ 0.0029
    expect(ids(rankIdeas([old, fresh], 'trending', T0 + 100 * HOUR))).toEqual(['old', 'fresh']);
  });
  it('the gravity override changes the order: low gravity favours votes over freshness', () => {
    const old = idea('old', 50, 0, T0);
    const fresh = idea('fresh', 10, 0, T0 + 90 * HOUR);
    // gravity 5: old = 50 / 102^5 ≈ 4.5e-9, fresh = 10 / 12^5 ≈ 4.0e-5
    expect(ids(rankIdeas([old, fresh], 'trending', T0 + 100 * HOUR, { gravity: 5 }))).toEqual(['fresh', 'old']);
    // default 1.8: old = 50 / 102^1.8 ≈ 0.0122, fresh = 10 / 12^1.8 ≈ 0.114
    expect(ids(rankIdeas([old, fresh], 'trending', T0 + 100 * HOUR))).toEqual(['fresh', 'old']);
    // gravity 0.1: old = 50 / 102^0.1 ≈ 31.5, fresh = 10 / 12^0.1 ≈ 7.8
    expect(ids(rankIdeas([old, fresh], 'trending', T0 + 100 * HOUR, { gravity: 0.1 }))).toEqual(['old', 'fresh']);
  });
});

describe('topN', () => {
  const items = [idea('a', 1, 0), idea('b', 9, 0), idea('c', 4, 0)];
  it('returns the first n of the ranking', () => {
    expect(topN(items, 'top', T0, 2).map((x) => x.id)).toEqual(['b', 'c']);
  });
  it('handles n = 0, negative n and n beyond the length', () => {
    expect(topN(items, 'top', T0, 0)).toEqual([]);
    expect(topN(items, 'top', T0, -1)).toEqual([]);
    expect(topN(items, 'top', T0, 10).map((x) => x.id)).toEqual(['b', 'c', 'a']);
  });
});
