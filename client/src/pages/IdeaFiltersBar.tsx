import { IDEA_STATUSES, type IdeaSort, type IdeaStatus, type RankingFormula } from '@cocreate/protocol';
import { type FormEvent, useEffect, useState } from 'react';
import { statusLabel } from '../format';
import { type IdeaFilters, sortOptionsFor } from '../ideaQuery';

interface Props {
  filters: IdeaFilters;
  sort: IdeaSort;
  boardFormula: RankingFormula;
  onChange: (next: IdeaFilters) => void;
}

/** Sort switch, status filter, text search and the active tag. */
export function IdeaFiltersBar({ filters, sort, boardFormula, onChange }: Props) {
  const [q, setQ] = useState(filters.q ?? '');
  useEffect(() => setQ(filters.q ?? ''), [filters.q]);

  const search = (e: FormEvent) => {
    e.preventDefault();
    onChange({ ...filters, q: q.trim() || undefined });
  };

  return (
    <div className="filters">
      <fieldset className="segmented">
        <legend className="visually-hidden">Sort ideas</legend>
        {sortOptionsFor(boardFormula).map((o) => (
          <button
            key={o.value}
            type="button"
            aria-pressed={sort === o.value}
            title={o.hint}
            onClick={() => onChange({ ...filters, sort: o.value === boardFormula ? undefined : o.value })}
          >
            {o.label}
          </button>
        ))}
      </fieldset>
      <div className="filter-row">
        <div className="field field-inline">
          <label htmlFor="idea-status">Status</label>
          <select
            id="idea-status"
            value={filters.status ?? ''}
            onChange={(e) => onChange({ ...filters, status: (e.target.value || undefined) as IdeaStatus | undefined })}
          >
            <option value="">All statuses</option>
            {IDEA_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
        {/* biome-ignore lint/a11y/useSemanticElements: <search> is not yet announced everywhere */}
        <form role="search" className="search" onSubmit={search}>
          <label htmlFor="idea-search" className="visually-hidden">
            Search ideas
          </label>
          <input
            id="idea-search"
            type="search"
            placeholder="Search ideas"
            maxLength={200}
            value={q}
            onChange={(e) => {
              setQ(e.target.value);
              // Clearing the box (e.g. with its × button) clears the search.
              if (e.target.value === '' && filters.q) onChange({ ...filters, q: undefined });
            }}
          />
          <button type="submit" className="btn">
            Search
          </button>
        </form>
      </div>
      {filters.tag && (
        <p className="active-filter">
          Tagged <span className="tag">#{filters.tag}</span>{' '}
          <button type="button" className="link-button" onClick={() => onChange({ ...filters, tag: undefined })}>
            Remove tag filter
          </button>
        </p>
      )}
    </div>
  );
}
