import { describe, expect, it } from 'vitest';
import type { NotificationView } from './api';
import { EMPTY_INBOX, type InboxState, reduceInbox } from './inbox';

const n = (id: string, minute: number, read = false): NotificationView => ({
  id,
  kind: 'idea.status_changed',
  payload: {},
  read,
  createdAt: `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`,
});
const ids = (s: InboxState) => s.items.map((x) => x.id);

describe('reduceInbox', () => {
  it('counts a live arrival once, however often it is pushed', () => {
    let s = reduceInbox(EMPTY_INBOX, { type: 'counted', unread: 2, more: false });
    s = reduceInbox(s, { type: 'arrived', notification: n('a', 5) });
    s = reduceInbox(s, { type: 'arrived', notification: n('a', 5) });
    expect(s.unread).toBe(3);
    expect(ids(s)).toEqual(['a']);
  });

  it('keeps live arrivals newer than a reload, drops the ones the reload lists again', () => {
    let s = reduceInbox(EMPTY_INBOX, { type: 'arrived', notification: n('late', 9) });
    s = reduceInbox(s, { type: 'arrived', notification: n('b', 2) });
    s = reduceInbox(s, { type: 'listed', items: [n('c', 3), n('b', 2)], append: false });
    expect(ids(s)).toEqual(['late', 'c', 'b']);
    s = reduceInbox(s, { type: 'listed', items: [n('b', 2), n('a', 1)], append: true });
    expect(ids(s)).toEqual(['late', 'c', 'b', 'a']);
  });

  it('marks read: the count drops only for what was unread', () => {
    let s = reduceInbox(EMPTY_INBOX, { type: 'counted', unread: 2, more: false });
    s = reduceInbox(s, { type: 'listed', items: [n('a', 2), n('b', 1, true)], append: false });
    s = reduceInbox(s, { type: 'read', ids: ['a', 'b'] });
    expect(s.unread).toBe(1);
    expect(reduceInbox(s, { type: 'read', ids: ['a'] })).toBe(s);
    s = reduceInbox(s, { type: 'allRead' });
    expect(s.unread).toBe(0);
    expect(s.items.every((x) => x.read)).toBe(true);
  });

  it('forgets everything on reset (another user signs in)', () => {
    const s = reduceInbox(EMPTY_INBOX, { type: 'arrived', notification: n('a', 1) });
    expect(reduceInbox(s, { type: 'reset' })).toEqual(EMPTY_INBOX);
  });
});
