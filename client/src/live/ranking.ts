/**
 * The board's order, computed in the browser with the same formulas the server's SQL mirrors
 * (@cocreate/ranking), so rows move as counts change and trending ages without any traffic.
 */
import type { BoardRanking, IdeaSort } from '@cocreate/protocol';
import { isTimeDecayed, type RankInput, type RankingParams, rankIdeas } from '@cocreate/ranking';

export interface Rankable {
  id: string;
  up: number;
  down: number;
  weightedScore: number;
  /** ISO timestamp, as the API sends it. */
  createdAt: string;
}

/** How often a time-decayed sort (trending) is re-ranked while nothing else changes. */
export const RERANK_EVERY_MS = 30_000;

export function rankingParams(ranking: Pick<BoardRanking, 'gravity' | 'decayHours'> | undefined): RankingParams {
  const params: RankingParams = {};
  if (ranking?.gravity !== undefined) params.gravity = ranking.gravity;
  if (ranking?.decayHours !== undefined) params.decayHours = ranking.decayHours;
  return params;
}

/** The ideas in the sort's order at `now` (a new array; ties broken by id as the server does). */
export function rankBoard<T extends Rankable>(items: readonly T[], sort: IdeaSort, now: number, params: RankingParams = {}): T[] {
  const inputs: (RankInput & { item: T })[] = items.map((item) => ({
    id: item.id,
    up: item.up,
    down: item.down,
    weightedScore: item.weightedScore,
    createdAt: Date.parse(item.createdAt) || 0,
    item,
  }));
  return rankIdeas(inputs, sort, now, params).map((x) => x.item);
}

/** Whether the order changes with time alone, so the board needs a clock. */
export function needsClock(sort: IdeaSort): boolean {
  return isTimeDecayed(sort);
}

/** True when two lists hold the same ideas in the same order (to keep a memoised order). */
export function sameOrder(a: readonly { id: string }[], b: readonly { id: string }[]): boolean {
  return a.length === b.length && a.every((x, i) => x.id === b[i]?.id);
}
