export {
  DEFAULTS,
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
export { compareRanked, isTimeDecayed, rankIdeas, score, topN } from './order.js';
