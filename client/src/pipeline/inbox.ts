/**
 * The member's inbox as the bell and the notifications page see it: the unread count and the
 * notifications known so far, newest first. Loaded over REST, then kept current by the live
 * `notification` event; reloaded after a reconnect, because pushes sent meanwhile are not replayed.
 */
import type { NotificationView } from './api';

export interface InboxState {
  /** Unread notifications (at least this many when `more` is set). */
  unread: number;
  /** The server has more unread ones than were counted. */
  more: boolean;
  /** Newest first, without duplicates. */
  items: NotificationView[];
}

export const EMPTY_INBOX: InboxState = { unread: 0, more: false, items: [] };

export type InboxInput =
  | { type: 'counted'; unread: number; more: boolean }
  | { type: 'listed'; items: NotificationView[]; append: boolean }
  | { type: 'arrived'; notification: NotificationView }
  | { type: 'read'; ids: string[] }
  | { type: 'allRead' }
  | { type: 'reset' };

export function reduceInbox(s: InboxState, input: InboxInput): InboxState {
  switch (input.type) {
    case 'counted':
      return { ...s, unread: input.unread, more: input.more };
    case 'listed': {
      const base = input.append ? s.items : s.items.filter((n) => !input.items.some((m) => m.id === n.id) && isNewer(n, input.items));
      const seen = new Set(base.map((n) => n.id));
      const added = input.items.filter((n) => !seen.has(n.id));
      return { ...s, items: input.append ? [...base, ...added] : [...base, ...added].sort(newestFirst) };
    }
    case 'arrived': {
      if (s.items.some((n) => n.id === input.notification.id)) return s;
      return {
        ...s,
        unread: s.unread + (input.notification.read ? 0 : 1),
        items: [input.notification, ...s.items].sort(newestFirst),
      };
    }
    case 'read': {
      const ids = new Set(input.ids);
      let newlyRead = 0;
      const items = s.items.map((n) => {
        if (!ids.has(n.id) || n.read) return n;
        newlyRead++;
        return { ...n, read: true };
      });
      return newlyRead === 0 ? s : { ...s, items, unread: Math.max(0, s.unread - newlyRead) };
    }
    case 'allRead':
      return { unread: 0, more: false, items: s.items.map((n) => (n.read ? n : { ...n, read: true })) };
    case 'reset':
      return EMPTY_INBOX;
  }
}

/** Live pushes that arrived before a reload's first page are kept when they are newer than all of it. */
function isNewer(n: NotificationView, page: NotificationView[]): boolean {
  return page.every((m) => m.createdAt < n.createdAt);
}

function newestFirst(a: NotificationView, b: NotificationView): number {
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
}
