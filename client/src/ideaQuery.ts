/** The board's filters live in the URL (`?sort=new&status=open&q=dark`) so they survive reloads. */
import { IDEA_STATUSES, type IdeaSort, type IdeaStatus, type RankingFormula } from '@cocreate/protocol';

/** The sorts offered by the switch, in display order. */
export const SORT_OPTIONS: ReadonlyArray<{ value: IdeaSort; label: string; hint: string }> = [
  { value: 'top', label: 'Top', hint: 'Most votes' },
  { value: 'trending', label: 'Trending', hint: 'Gaining votes right now' },
  { value: 'new', label: 'New', hint: 'Most recent first' },
  { value: 'hot', label: 'Hot', hint: 'Votes, weighted towards recent ideas' },
  { value: 'wilson', label: 'Best', hint: 'Highest share of positive votes, with confidence' },
];
const ALL_SORTS: ReadonlySet<string> = new Set(['top', 'new', 'trending', 'hot', 'wilson', 'weighted']);

export interface IdeaFilters {
  sort?: IdeaSort;
  status?: IdeaStatus;
  tag?: string;
  q?: string;
}

export function parseIdeaFilters(search: string): IdeaFilters {
  const p = new URLSearchParams(search);
  const out: IdeaFilters = {};
  const sort = p.get('sort');
  if (sort && ALL_SORTS.has(sort)) out.sort = sort as IdeaSort;
  const status = p.get('status');
  if (status && (IDEA_STATUSES as readonly string[]).includes(status)) out.status = status as IdeaStatus;
  const tag = p.get('tag')?.trim();
  if (tag) out.tag = tag.slice(0, 32);
  const q = p.get('q')?.trim();
  if (q) out.q = q.slice(0, 200);
  return out;
}

export function serializeIdeaFilters(f: IdeaFilters): string {
  const p = new URLSearchParams();
  if (f.sort) p.set('sort', f.sort);
  if (f.status) p.set('status', f.status);
  if (f.tag) p.set('tag', f.tag);
  if (f.q?.trim()) p.set('q', f.q.trim());
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The sort in effect: the URL's, else the board's own ranking formula. */
export function effectiveSort(filters: IdeaFilters, boardFormula: RankingFormula | undefined): IdeaSort {
  return filters.sort ?? boardFormula ?? 'top';
}

/** The switch's options, plus the board's formula when it is not one of them (e.g. weighted). */
export function sortOptionsFor(boardFormula: RankingFormula | undefined) {
  if (!boardFormula || SORT_OPTIONS.some((o) => o.value === boardFormula)) return SORT_OPTIONS;
  const label = boardFormula.charAt(0).toUpperCase() + boardFormula.slice(1);
  return [...SORT_OPTIONS, { value: boardFormula, label, hint: "This board's own ranking" }];
}
