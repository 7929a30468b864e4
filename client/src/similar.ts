/**
 * "Similar ideas" for the composer, on top of the list API's full-text `q` (PostgreSQL's
 * websearch syntax over the 'simple' configuration: whole words, no stemming, every word required).
 * Requiring every word finds nothing once a title has a word the existing idea lacks, so the
 * query asks for any of the title's significant words, and the answers are ranked here by how
 * many of those words each idea's title shares.
 */

/** Words too common to say anything about similarity (the 'simple' configuration keeps them). */
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by can could do for from get has have how i if in into is it its let make me more my no not of ' +
    'on or our should so than that the their them then there these they this to too us use was we were what when where which ' +
    'while who why will with would you your all any add allow also able'
  ).split(' '),
);

/** The shortest title that is worth a search. */
export const MIN_SIMILAR_CHARS = 3;
const MAX_WORDS = 8;

/** The title's significant words, lower case, in order, each once. */
export function significantWords(title: string): string[] {
  const words = title.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out: string[] = [];
  for (const w of words) {
    if (w.length < 3 || STOP_WORDS.has(w) || out.includes(w)) continue;
    out.push(w);
    if (out.length === MAX_WORDS) break;
  }
  return out;
}

/** The `q` to send for a title being typed, or null when there is nothing worth searching yet. */
export function similarityQuery(title: string): string | null {
  if (title.trim().length < MIN_SIMILAR_CHARS) return null;
  const words = significantWords(title);
  // websearch_to_tsquery reads a bare `or` between words as OR; the words hold no other operator.
  return words.length ? words.join(' or ') : null;
}

/** How many of the title's words start a word of the idea's title (so "steer" meets "steering"). */
export function sharedWords(words: readonly string[], ideaTitle: string): number {
  const theirs = ideaTitle.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.filter((w) => theirs.some((t) => t.startsWith(w) || (t.length >= 4 && w.startsWith(t)))).length;
}

/**
 * The ideas most like the title: most shared title words first, then most votes; an idea that
 * matched only in its body (the search covers both) still counts, after those.
 */
export function rankSimilar<T extends { id: string; title: string; voteCount: number }>(title: string, ideas: readonly T[], max = 5): T[] {
  const words = significantWords(title);
  if (words.length === 0) return [];
  return ideas
    .map((idea, index) => ({ idea, index, shared: sharedWords(words, idea.title) }))
    .sort((a, b) => b.shared - a.shared || b.idea.voteCount - a.idea.voteCount || a.index - b.index)
    .slice(0, max)
    .map((r) => r.idea);
}
