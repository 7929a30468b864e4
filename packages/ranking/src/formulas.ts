/**
 * Pure scoring formulas for ideas. The server mirrors every formula in SQL,
 * so each function computes exactly the documented expression (no rounding,
 * no clamping) in the same order of operations.
 */

/** The ranking formulas a board may choose (same union as `@cocreate/protocol`). */
export type RankingFormula = 'top' | 'new' | 'trending' | 'hot' | 'wilson' | 'weighted';

/**
 * Per-board tuning. Missing values fall back to {@link DEFAULTS}.
 * Values are expected to be positive and finite (the API validates
 * gravity in [0.1, 5] and decayHours in [0.5, 8760]).
 */
export interface RankingParams {
  /** trending: exponent applied to the age penalty. */
  gravity?: number;
  /** hot: hours after which an idea needs ten times the net votes to rank as high. */
  decayHours?: number;
}

/** The minimal shape of an idea that can be ranked. */
export interface RankInput {
  id: string;
  up: number;
  down: number;
  weightedScore: number;
  /** Creation time, epoch milliseconds. */
  createdAt: number;
}

export const DEFAULTS = Object.freeze({
  /** trending: Hacker-News style gravity. */
  gravity: 1.8,
  /** hot: 12.5 h = 45 000 s, as Reddit. */
  decayHours: 12.5,
  /** wilson: z for a 95 % confidence interval. */
  z: 1.96,
  /** hot: Reddit's epoch, 2005-12-08T07:46:43Z, in epoch seconds. */
  HOT_EPOCH_SECONDS: 1134028003,
});

const MS_PER_HOUR = 3_600_000;

/** top = up − down */
export function topScore(input: RankInput): number {
  return input.up - input.down;
}

/** new = createdAt (epoch ms) */
export function newScore(input: RankInput): number {
  return input.createdAt;
}

/**
 * trending (Hacker-News style):
 *
 *     ageHours = max(0, (now − createdAt) / 3 600 000)
 *     trending = (up − down) / (ageHours + 2) ^ gravity
 *
 * `now` is epoch ms; gravity defaults to 1.8. Ideas "from the future"
 * (clock skew) count as age 0.
 */
export function trendingScore(input: RankInput, now: number, gravity: number = DEFAULTS.gravity): number {
  const ageHours = Math.max(0, (now - input.createdAt) / MS_PER_HOUR);
  return (input.up - input.down) / (ageHours + 2) ** gravity;
}

/**
 * hot (Reddit style), not rounded:
 *
 *     s   = up − down
 *     hot = sign(s) · log10(max(|s|, 1)) + (createdAt / 1000 − 1134028003) / (decayHours · 3600)
 *
 * decayHours defaults to 12.5 (45 000 s). Every `decayHours` of age is worth
 * one order of magnitude of net votes.
 */
export function hotScore(input: RankInput, decayHours: number = DEFAULTS.decayHours): number {
  const s = input.up - input.down;
  const order = Math.log10(Math.max(Math.abs(s), 1));
  const seconds = input.createdAt / 1000 - DEFAULTS.HOT_EPOCH_SECONDS;
  return Math.sign(s) * order + seconds / (decayHours * 3600);
}

/**
 * wilson: lower bound of the Wilson score interval (z = 1.96 → 95 %):
 *
 *     n = up + down;  0 when up = 0; otherwise, with p = up / n,
 *     wilson = (p + z²/(2n) − z · sqrt((p(1 − p) + z²/(4n)) / n)) / (1 + z²/n)
 */
export function wilsonLowerBound(up: number, down: number, z: number = DEFAULTS.z): number {
  const n = up + down;
  // Without upvotes the bound is exactly 0; the formula would leave a rounding residue of either sign
  // that moves with the number of downvotes.
  if (up === 0 || n === 0) return 0;
  const p = up / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)) / (1 + z2 / n);
}

/** weighted = weightedScore (votes weighted by member weight, computed upstream). */
export function weightedScore(input: RankInput): number {
  return input.weightedScore;
}
