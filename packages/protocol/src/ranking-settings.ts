/** The ranking formulas a board may choose (the formulas themselves live in @cocreate/ranking). */
export const RANKING_FORMULAS = ['top', 'new', 'trending', 'hot', 'wilson', 'weighted'] as const;
export type RankingFormula = (typeof RANKING_FORMULAS)[number];
export interface BoardRanking {
  formula: RankingFormula;
  gravity?: number;
  /** hot: hours after which an idea needs ten times the votes to rank as high. */
  decayHours?: number;
}
