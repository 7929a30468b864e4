import { ideas } from '@cocreate/db';
import type { BoardRanking, IdeaSort } from '@cocreate/protocol';
import { DEFAULTS } from '@cocreate/ranking';
import { type SQL, sql } from 'drizzle-orm';

/**
 * The formulas of @cocreate/ranking as SQL, so the database can order and page a board of any size.
 * `now` is fixed per listing (it travels in the cursor), so every page of a time-decayed sort is
 * computed at the same instant. A test checks that this order equals `rankIdeas` on the same rows.
 */
export function scoreSql(sort: IdeaSort, now: number, ranking: Pick<BoardRanking, 'gravity' | 'decayHours'>): SQL<number> {
  const net = sql`(${ideas.up} - ${ideas.down})::float8`;
  // Whole milliseconds, as clients see createdAt (ISO with ms) and as RankInput.createdAt is:
  // with the stored microseconds, two ideas of the same millisecond would order differently here.
  const createdMs = sql`floor(extract(epoch from ${ideas.createdAt}) * 1000)::float8`;
  switch (sort) {
    case 'top':
      return sql<number>`${ideas.voteCount}::float8`;
    case 'new':
      return sql<number>`${createdMs}`;
    case 'trending': {
      const gravity = ranking.gravity ?? DEFAULTS.gravity;
      return sql<number>`(${net} / power(greatest(0::float8, (${now}::float8 - ${createdMs}) / 3600000.0) + 2, ${gravity}::float8))`;
    }
    case 'hot': {
      const decaySeconds = (ranking.decayHours ?? DEFAULTS.decayHours) * 3600;
      return sql<number>`(sign(${net}) * log(greatest(abs(${net}), 1::float8)) + (${createdMs} / 1000 - ${DEFAULTS.HOT_EPOCH_SECONDS}::float8) / ${decaySeconds}::float8)`;
    }
    case 'wilson': {
      const z = DEFAULTS.z;
      // n is NULL without votes, so the whole expression is NULL (then 0) instead of dividing by zero,
      // which PostgreSQL refuses for float8 even inside coalesce.
      const n = sql`nullif((${ideas.up} + ${ideas.down})::float8, 0)`;
      const p = sql`(${ideas.up}::float8 / ${n})`;
      return sql<number>`coalesce(((${p} + ${z * z}::float8 / (2 * ${n})) - ${z}::float8 * sqrt((${p} * (1 - ${p}) + ${z * z}::float8 / (4 * ${n})) / ${n})) / (1 + ${z * z}::float8 / ${n}), 0::float8)`;
    }
    case 'weighted':
      return sql<number>`${ideas.weightedScore}`;
  }
}
