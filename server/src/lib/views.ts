import { z } from 'zod';

/** The public face of a user, as embedded in ideas, comments and member lists. */
export const UserRef = z.object({ id: z.string(), handle: z.string(), displayName: z.string() });
export type UserRef = z.infer<typeof UserRef>;

export function userRef(row: { id: string | null; handle: string | null; displayName: string | null }): UserRef | null {
  return row.id && row.handle ? { id: row.id, handle: row.handle, displayName: row.displayName ?? row.handle } : null;
}

export const iso = (d: Date) => d.toISOString();
export const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
