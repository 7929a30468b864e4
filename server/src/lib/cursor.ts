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
