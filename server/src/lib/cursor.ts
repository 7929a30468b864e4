import { type AnyColumn, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { invalid } from '../errors.js';

/** Opaque keyset cursors: base64url JSON, validated on the way back in. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T extends z.ZodType>(schema: T, cursor: string | undefined): z.infer<T> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // falls through to the error below
  }
  throw invalid('cursor is not valid', [{ path: 'query.cursor', message: 'not a cursor this list gave out' }]);
}

/** Cursor for lists ordered by (created_at, id): the last row's pair. */
export const TimeIdCursor = z.object({ t: z.string().datetime({ offset: true }), id: z.uuid() });

/** Splits a page fetched with limit + 1 rows into the items and the next cursor. */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (last: T) => unknown) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}

/**
 * Keyset paging over (timestamp, uuid) without losing precision. PostgreSQL keeps microseconds and a
 * JS Date only milliseconds, so a cursor made from `Date.toISOString()` skips (descending) or repeats
 * (ascending) the rows that share the last row's millisecond. Select `exactTime(col)` with the rows,
 * put it in the cursor as `t`, and compare with `afterTimeId`, which does the comparison in SQL.
 */
export const exactTime = (col: AnyColumn): SQL<string> =>
  sql<string>`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Rows strictly after the cursor in (time, id) order, ascending or descending. */
export function afterTimeId(time: AnyColumn, id: AnyColumn, after: { t: string; id: string } | undefined, dir: 'asc' | 'desc'): SQL | undefined {
  if (!after) return undefined;
  return dir === 'asc'
    ? sql`(${time}, ${id}) > (${after.t}::timestamptz, ${after.id}::uuid)`
    : sql`(${time}, ${id}) < (${after.t}::timestamptz, ${after.id}::uuid)`;
}
