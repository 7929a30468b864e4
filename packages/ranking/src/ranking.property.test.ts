import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRanked, DEFAULTS, type RankInput, type RankingFormula, rankIdeas, score, topN } from './index.js';

/** Properties of the ranking every server and client shares: a total, deterministic order. */

const FORMULAS: RankingFormula[] = ['top', 'new', 'trending', 'hot', 'wilson', 'weighted'];
const EPOCH_MS = DEFAULTS.HOT_EPOCH_SECONDS * 1000;
const LATEST = Date.UTC(2100, 0, 1);

const votes = fc.integer({ min: 0, max: 1_000_000 });
const createdAt = fc.integer({ min: EPOCH_MS, max: LATEST });
const ideaFields = fc.record({
  up: votes,
  down: votes,
  createdAt,
  weightedScore: fc.double({ noNaN: true, min: -1e9, max: 1e9 }),
});
/** Ideas with distinct ids (ids are primary keys); few distinct vote counts, so ties are common. */
const ideas = fc
  .uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(ideaFields, ideaFields.map((f) => ({ ...f, up: f.up % 3, down: f.down % 2 })))), {
    selector: ([id]) => id,
    maxLength: 40,
  })
  .map((rows) => rows.map(([id, f]): RankInput => ({ id, ...f })));
const formula = fc.constantFrom(...FORMULAS);
const now = fc.integer({ min: EPOCH_MS, max: LATEST });
const params = fc.record({ gravity: fc.double({ min: 0.1, max: 5, noNaN: true }), decayHours: fc.double({ min: 0.5, max: 8760, noNaN: true }) }, { requiredKeys: [] });

const ids = (list: readonly RankInput[]) => list.map((i) => i.id);

describe('rankIdeas', () => {
  it('is a permutation of its input, sorted by the comparator', () => {
    fc.assert(
      fc.property(ideas, formula, now, params, (list, f, t, p) => {
        const ranked = rankIdeas(list, f, t, p);
        expect([...ids(ranked)].sort()).toEqual([...ids(list)].sort());
        const cmp = compareRanked(f, t, p);
        for (let i = 1; i < ranked.length; i++) expect(cmp(ranked[i - 1]!, ranked[i]!)).toBeLessThan(0);
      }),
    );
  });

  it('is deterministic and does not depend on the order of its input', () => {
    fc.assert(
      fc.property(
        ideas.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }))),
        formula,
        now,
        params,
        ([list, shuffled], f, t, p) => {
          const once = ids(rankIdeas(list, f, t, p));
          expect(ids(rankIdeas(list, f, t, p))).toEqual(once);
          expect(ids(rankIdeas(shuffled, f, t, p))).toEqual(once);
        },
      ),
    );
  });

  it('topN is the first n of the ranking', () => {
    fc.assert(
      fc.property(ideas, formula, now, fc.integer({ min: -3, max: 50 }), (list, f, t, n) => {
        expect(ids(topN(list, f, t, n))).toEqual(ids(rankIdeas(list, f, t)).slice(0, Math.max(0, n)));
      }),
    );
  });
});

describe('compareRanked is a strict total order on distinct ids', () => {
  it('antisymmetric, transitive, and 0 only for the same idea', () => {
    const three = fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 3 }), ideaFields), { selector: ([id]) => id, minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(three, formula, now, (rows, f, t) => {
        const [a, b, c] = rows.map(([id, fields]) => ({ id, ...fields })) as [RankInput, RankInput, RankInput];
        const cmp = compareRanked(f, t);
        expect(Math.sign(cmp(a, b))).toBe(-Math.sign(cmp(b, a)));
        expect(cmp(a, b)).not.toBe(0);
        expect(cmp(a, a)).toBe(0);
        if (cmp(a, b) < 0 && cmp(b, c) < 0) expect(cmp(a, c)).toBeLessThan(0);
      }),
    );
  });
});

describe('scores move the right way with votes', () => {
  const vote = fc.record({ up: votes, down: votes, createdAt, weightedScore: fc.constant(0), id: fc.constant('x') });

  it.each(['top', 'trending', 'hot', 'wilson'] as const)('%s never falls with one more upvote, never rises with one more downvote', (f) => {
    fc.assert(
      fc.property(vote, now, params, (input, t, p) => {
        const base = score(f, input, t, p);
        expect(score(f, { ...input, up: input.up + 1 }, t, p)).toBeGreaterThanOrEqual(base);
        expect(score(f, { ...input, down: input.down + 1 }, t, p)).toBeLessThanOrEqual(base);
      }),
    );
  });

  it('top and wilson rise strictly with an upvote', () => {
    fc.assert(
      fc.property(vote, now, (input, t) => {
        expect(score('top', { ...input, up: input.up + 1 }, t)).toBeGreaterThan(score('top', input, t));
        expect(score('wilson', { ...input, up: input.up + 1 }, t)).toBeGreaterThan(score('wilson', input, t));
      }),
    );
  });

  it('new and weighted ignore raw votes; only trending reads the clock', () => {
    fc.assert(
      fc.property(vote, votes, votes, now, now, (input, up, down, t1, t2) => {
        for (const f of ['new', 'weighted'] as const) expect(score(f, { ...input, up, down }, t1)).toBe(score(f, input, t1));
        for (const f of FORMULAS.filter((x) => x !== 'trending')) expect(score(f, input, t1)).toBe(score(f, input, t2));
      }),
    );
  });

  it('wilson stays within [0, 1]', () => {
    fc.assert(
      fc.property(votes, votes, (up, down) => {
        const w = score('wilson', { id: 'x', up, down, createdAt: EPOCH_MS, weightedScore: 0 }, EPOCH_MS);
        expect(w).toBeGreaterThanOrEqual(-1e-12);
        expect(w).toBeLessThanOrEqual(1 + 1e-12);
      }),
    );
  });
});
