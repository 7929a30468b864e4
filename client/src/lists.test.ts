import { describe, expect, it } from 'vitest';
import { buildThreads, mergeById, replaceById } from './lists';
import type { CommentView } from './types';

const c = (id: string, parentId: string | null = null): CommentView => ({
  id,
  ideaId: 'i',
  parentId,
  body: id,
  official: false,
  hidden: false,
  deleted: false,
  author: null,
  createdAt: '2025-01-01T00:00:00Z',
  editedAt: null,
});

describe('mergeById', () => {
  it('appends new items and drops repeats', () => {
    expect(mergeById([{ id: 'a' }, { id: 'b' }], [{ id: 'b' }, { id: 'c' }, { id: 'c' }])).toEqual([
      { id: 'a' },
      { id: 'b' },
      { id: 'c' },
    ]);
  });

  it('replaces by id', () => {
    expect(replaceById([{ id: 'a', v: 1 }, { id: 'b', v: 1 }], { id: 'b', v: 2 })).toEqual([
      { id: 'a', v: 1 },
      { id: 'b', v: 2 },
    ]);
  });
});

describe('buildThreads', () => {
  it('groups replies under their parent, in order', () => {
    const threads = buildThreads([c('1'), c('2'), c('3', '1'), c('4', '2'), c('5', '1')]);
    expect(threads.map((t) => [t.comment.id, t.replies.map((r) => r.id)])).toEqual([
      ['1', ['3', '5']],
      ['2', ['4']],
    ]);
  });

  it('flattens deeper replies into the top-level thread', () => {
    const threads = buildThreads([c('1'), c('2', '1'), c('3', '2')]);
    expect(threads).toHaveLength(1);
    expect(threads[0]?.replies.map((r) => r.id)).toEqual(['2', '3']);
  });

  it('keeps orphans as their own thread', () => {
    expect(buildThreads([c('9', 'missing')]).map((t) => t.comment.id)).toEqual(['9']);
  });
});
