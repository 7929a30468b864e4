import { describe, expect, it } from 'vitest';
import type { CommentView } from '../types';
import { applyCommentChange, CommentLedger, commentChange, needsReload } from './comments';

const comment = (id: string, extra: Partial<CommentView> = {}): CommentView => ({
  id,
  ideaId: 'i',
  parentId: null,
  body: `body ${id}`,
  official: false,
  hidden: false,
  deleted: false,
  author: { id: 'u1', handle: 'ada', displayName: 'Ada' },
  createdAt: '2025-01-01T00:00:00.000Z',
  editedAt: null,
  ...extra,
});
const all = { appendNew: true, seesHidden: () => false };

describe('CommentLedger', () => {
  it('counts a comment once whether the REST answer or the event comes first', () => {
    const a = new CommentLedger();
    expect(a.created('c1')).toBe(1);
    expect(a.created('c1')).toBe(0);
    expect(a.deleted('c1')).toBe(-1);
    expect(a.deleted('c1')).toBe(0);
  });

  it('does not count comments that came with the list', () => {
    const l = new CommentLedger();
    l.seen([comment('c1'), comment('c2', { deleted: true })]);
    expect(l.created('c1')).toBe(0);
    expect(l.deleted('c2')).toBe(0);
    expect(l.deleted('c1')).toBe(-1);
    // A comment never loaded (another page) still moves the count when deleted.
    expect(l.deleted('c9')).toBe(-1);
  });
});

describe('commentChange', () => {
  it('reads the four comment events and rejects others', () => {
    expect(commentChange({ type: 'comment.created', data: { comment: comment('c1') } })).toMatchObject({ kind: 'created' });
    expect(commentChange({ type: 'comment.updated', data: { comment: comment('c1') } })).toMatchObject({ kind: 'updated' });
    expect(commentChange({ type: 'comment.deleted', data: { commentId: 'c1', ideaId: 'i' } })).toEqual({
      kind: 'deleted',
      commentId: 'c1',
    });
    expect(commentChange({ type: 'comment.moderated', data: { comment: { id: 'c1', hidden: true } } })).toEqual({
      kind: 'moderated',
      commentId: 'c1',
      hidden: true,
    });
    expect(commentChange({ type: 'idea.updated', data: {} })).toBeNull();
    expect(commentChange({ type: 'comment.created', data: { comment: { id: 1 } } })).toBeNull();
    expect(commentChange({ type: 'comment.deleted', data: null })).toBeNull();
  });
});

describe('applyCommentChange', () => {
  it('appends a new comment once, and only when the list is complete', () => {
    const items = [comment('c1')];
    const once = applyCommentChange(items, { kind: 'created', comment: comment('c2') }, all);
    expect(once.map((c) => c.id)).toEqual(['c1', 'c2']);
    expect(applyCommentChange(once, { kind: 'created', comment: comment('c2') }, all)).toBe(once);
    expect(applyCommentChange(items, { kind: 'created', comment: comment('c2') }, { ...all, appendNew: false })).toBe(items);
  });

  it('replaces edited comments, keeps its hidden flag, and ignores unknown ones', () => {
    const items = [comment('c1', { hidden: true })];
    const edited = applyCommentChange(items, { kind: 'updated', comment: comment('c1', { body: 'new', editedAt: 'x' }) }, all);
    expect(edited[0]).toMatchObject({ body: 'new', editedAt: 'x', hidden: true });
    expect(applyCommentChange(items, { kind: 'updated', comment: comment('zz') }, all)).toBe(items);
  });

  it('marks deleted comments as the server shows them', () => {
    const items = [comment('c1')];
    const after = applyCommentChange(items, { kind: 'deleted', commentId: 'c1' }, all);
    expect(after[0]).toMatchObject({ deleted: true, body: '' });
    expect(applyCommentChange(after, { kind: 'deleted', commentId: 'c1' }, all)).toBe(after);
  });

  it('hides a comment from members, flags it for staff, and shows it again', () => {
    const items = [comment('c1'), comment('c2')];
    const hide = { kind: 'moderated', commentId: 'c1', hidden: true } as const;
    expect(applyCommentChange(items, hide, all).map((c) => c.id)).toEqual(['c2']);
    const staff = applyCommentChange(items, hide, { ...all, seesHidden: () => true });
    expect(staff[0]?.hidden).toBe(true);
    const shown = applyCommentChange(staff, { kind: 'moderated', commentId: 'c1', hidden: false }, all);
    expect(shown[0]?.hidden).toBe(false);
    expect(needsReload(items, { kind: 'moderated', commentId: 'c9', hidden: false })).toBe(true);
    expect(needsReload(items, { kind: 'moderated', commentId: 'c1', hidden: false })).toBe(false);
    expect(needsReload(items, hide)).toBe(false);
  });
});
