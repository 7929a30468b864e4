/** postgres.js returns the rows of a raw statement as the result itself; PGlite wraps them in `{ rows }`. */
export function resultRows<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
}

/** Rows a raw INSERT, UPDATE or DELETE touched: postgres.js says `count`, PGlite `affectedRows`. */
export function affectedRows(result: unknown): number {
  const r = result as { count?: number; affectedRows?: number };
  return Number(r.count ?? r.affectedRows ?? 0);
}
