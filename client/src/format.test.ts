import { describe, expect, it } from 'vitest';
import { parseTags, personName, plural, relativeTime, slugify, statusLabel, tagProblem } from './format';

describe('labels', () => {
  it('reads statuses and counts', () => {
    expect(statusLabel('under_review')).toBe('Under review');
    expect(statusLabel('in_progress')).toBe('In progress');
    expect(plural(1, 'idea')).toBe('1 idea');
    expect(plural(1200, 'idea')).toBe('1,200 ideas');
    expect(plural(2, 'reply', 'replies')).toBe('2 replies');
  });

  it('names people', () => {
    expect(personName(null)).toBe('Deleted user');
    expect(personName({ displayName: ' ', handle: 'ana' })).toBe('@ana');
    expect(personName({ displayName: 'Ana', handle: 'ana' })).toBe('Ana');
  });
});

describe('relativeTime', () => {
  const now = Date.parse('2025-06-10T12:00:00Z');
  it('formats the past and near future', () => {
    expect(relativeTime('2025-06-10T11:59:50Z', now)).toBe('just now');
    expect(relativeTime('2025-06-10T11:55:00Z', now)).toBe('5 minutes ago');
    expect(relativeTime('2025-06-10T09:00:00Z', now)).toBe('3 hours ago');
    expect(relativeTime('2025-06-09T12:00:00Z', now)).toBe('yesterday');
    expect(relativeTime('2025-05-20T12:00:00Z', now)).toBe('3 weeks ago');
    expect(relativeTime('2023-06-10T12:00:00Z', now)).toBe('2 years ago');
    expect(relativeTime('2025-06-10T14:00:00Z', now)).toBe('in 2 hours');
  });

  it('returns nothing for junk', () => {
    expect(relativeTime('not a date', now)).toBe('');
  });
});

describe('tags', () => {
  it('parses comma-separated input', () => {
    expect(parseTags(' UI, dark  mode ,ui,, ')).toEqual(['ui', 'dark mode']);
    expect(parseTags('')).toEqual([]);
  });

  it('explains what the server would refuse', () => {
    expect(tagProblem(['ui', 'dark-mode', 'café_2'])).toBeNull();
    expect(tagProblem(['a/b'])).toMatch(/letters, digits/);
    expect(tagProblem(['x'.repeat(33)])).toMatch(/longer than 32/);
    expect(tagProblem(Array.from({ length: 11 }, (_, i) => `t${i}`))).toMatch(/at most 10/);
  });
});

describe('slugify', () => {
  it('makes a valid slug from a name', () => {
    expect(slugify('My Cool Product!')).toBe('my-cool-product');
    expect(slugify('  Ça va? Crème brûlée ')).toBe('ca-va-creme-brulee');
    expect(slugify('---')).toBe('');
    expect(slugify(`${'a'.repeat(47)} b`, 48)).toBe('a'.repeat(47));
  });
});
