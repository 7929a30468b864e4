/**
 * FLIP ("first, last, invert, play") for list rows that change places: measure where each row was
 * and where it is now, start it at the old place with a transform, and let it slide to the new one.
 */

/** For each key in both layouts that moved by at least `min` px: old position minus new. */
export function flipOffsets(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>, min = 1): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, top] of after) {
    const was = before.get(key);
    if (was === undefined) continue;
    const dy = was - top;
    if (Math.abs(dy) >= min) out.set(key, dy);
  }
  return out;
}

/** A move's duration: longer moves take a little longer, within bounds. */
export function flipDuration(dy: number): number {
  return Math.round(Math.min(450, 180 + Math.abs(dy) * 0.25));
}
