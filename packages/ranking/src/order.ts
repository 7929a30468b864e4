import {
  hotScore,
  newScore,
  type RankInput,
  type RankingFormula,
  type RankingParams,
  topScore,
  trendingScore,
  weightedScore,
  wilsonLowerBound,
} from './formulas.js';

/**
 * The score of `input` under `formula` at time `now` (epoch ms; only
 * `trending` reads it). `params` override {@link DEFAULTS} for trending
 * (gravity) and hot (decayHours); other formulas ignore them.
 */
export function score(formula: RankingFormula, input: RankInput, now: number, params: RankingParams = {}): number {
  switch (formula) {
    case 'top':
      return topScore(input);
    case 'new':
      return newScore(input);
    case 'trending':
      return trendingScore(input, now, params.gravity);
    case 'hot':
      return hotScore(input, params.decayHours);
    case 'wilson':
      return wilsonLowerBound(input.up, input.down);
    case 'weighted':
      return weightedScore(input);
    default: {
      const unknown: never = formula;
      throw new RangeError(`unknown ranking formula: ${String(unknown)}`);
    }
  }
}

/** true for formulas whose order changes with time alone (trending): clients must re-rank them periodically. hot ages every idea by the same offset, so its order holds. */
export function isTimeDecayed(formula: RankingFormula): boolean {
  return formula === 'trending';
}

/** Orders by score DESC, then id DESC by plain code-unit comparison (mirrors `ORDER BY score DESC, id DESC`). */
function compareScored(sa: number, ida: string, sb: number, idb: string): number {
  if (sa > sb) return -1;
  if (sa < sb) return 1;
  if (ida > idb) return -1;
  if (ida < idb) return 1;
  return 0;
}

/**
 * A comparator for `Array.prototype.sort`: score DESC, then id DESC
 * (plain string comparison, not locale-aware).
 */
export function compareRanked(
  formula: RankingFormula,
  now: number,
  params?: RankingParams,
): (a: RankInput, b: RankInput) => number {
  return (a, b) => compareScored(score(formula, a, now, params), a.id, score(formula, b, now, params), b.id);
}

/** A new array of `items` sorted as {@link compareRanked}; the input is not mutated. Each score is computed once. */
export function rankIdeas<T extends RankInput>(
  items: readonly T[],
  formula: RankingFormula,
  now: number,
  params?: RankingParams,
): T[] {
  return items
    .map((item) => ({ item, s: score(formula, item, now, params) }))
    .sort((a, b) => compareScored(a.s, a.item.id, b.s, b.item.id))
    .map(({ item }) => item);
}

/** The first `n` items of {@link rankIdeas} (empty when n ≤ 0). */
export function topN<T extends RankInput>(
  items: readonly T[],
  formula: RankingFormula,
  now: number,
  n: number,
  params?: RankingParams,
): T[] {
  if (n <= 0) return [];
  return rankIdeas(items, formula, now, params).slice(0, n);
}
