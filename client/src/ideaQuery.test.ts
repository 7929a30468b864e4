import { describe, expect, it } from 'vitest';
import { effectiveSort, parseIdeaFilters, serializeIdeaFilters, sortOptionsFor } from './ideaQuery';

describe('idea filters in the URL', () => {
  it('parses known values and drops unknown ones', () => {
    expect(parseIdeaFilters('?sort=new&status=planned&tag=ui&q=%20dark%20')).toEqual({
      sort: 'new',
      status: 'planned',
      tag: 'ui',
      q: 'dark',
    });
    expect(parseIdeaFilters('?sort=random&status=nope&q=')).toEqual({});
  });

  it('round-trips', () => {
    const f = { sort: 'hot' as const, status: 'open' as const, q: 'a b' };
    expect(parseIdeaFilters(serializeIdeaFilters(f))).toEqual(f);
    expect(serializeIdeaFilters({})).toBe('');
  });

  it('falls back to the board formula', () => {
    expect(effectiveSort({}, 'trending')).toBe('trending');
    expect(effectiveSort({ sort: 'new' }, 'trending')).toBe('new');
    expect(effectiveSort({}, undefined)).toBe('top');
  });

  it('offers the board formula when the switch lacks it', () => {
    expect(sortOptionsFor('top').map((o) => o.value)).toEqual(['top', 'trending', 'new', 'hot', 'wilson']);
    expect(sortOptionsFor('weighted').map((o) => o.value)).toContain('weighted');
  });
});
