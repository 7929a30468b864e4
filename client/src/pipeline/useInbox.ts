/** The page's one inbox store, fed by REST and the live `notification` event (see ./inbox). */
import { useEffect, useSyncExternalStore } from 'react';
import { liveManager } from '../live/client';
import { Store } from '../live/connection';
import { listNotifications, markNotificationsRead } from './api';
import { EMPTY_INBOX, type InboxInput, type InboxState, reduceInbox } from './inbox';

const store = new Store<InboxState>(EMPTY_INBOX);
const dispatch = (input: InboxInput) => store.set(reduceInbox(store.get(), input));
/** The cursor of the next older page of the notifications list; null when all are shown. */
let nextCursor: string | null = null;
/** Bumped on every reload and reset, so a late answer for a previous user or load is dropped. */
let generation = 0;

const COUNT_LIMIT = 100;
const PAGE = 20;

async function reload(): Promise<void> {
  const mine = ++generation;
  const [unread, latest] = await Promise.all([listNotifications({ unread: true, limit: COUNT_LIMIT }), listNotifications({ limit: PAGE })]);
  if (mine !== generation) return;
  dispatch({ type: 'counted', unread: unread.items.length, more: Boolean(unread.nextCursor) });
  dispatch({ type: 'listed', items: latest.items, append: false });
  nextCursor = latest.nextCursor ?? null;
}

export const inbox = {
  reload,
  hasMore: () => nextCursor !== null,
  async loadMore(): Promise<void> {
    if (!nextCursor) return;
    const mine = generation;
    const page = await listNotifications({ cursor: nextCursor, limit: PAGE });
    if (mine !== generation) return;
    dispatch({ type: 'listed', items: page.items, append: true });
    nextCursor = page.nextCursor ?? null;
  },
  async markRead(ids: string[]): Promise<void> {
    await markNotificationsRead(ids);
    dispatch({ type: 'read', ids });
  },
  async markAllRead(): Promise<void> {
    await markNotificationsRead();
    dispatch({ type: 'allRead' });
  },
};

export function useInbox(): InboxState {
  return useSyncExternalStore(store.subscribe, store.get);
}

/**
 * Keeps the inbox of the signed-in user current: loads it, adds live arrivals, and reloads on every
 * (re)connect. Mount once (the header's bell does).
 */
export function useInboxFeed(userId: string | null): void {
  useEffect(() => {
    if (!userId) return;
    const live = liveManager();
    const quiet = () => undefined;
    reload().catch(quiet);
    const offPush = live.onNotification((n) => dispatch({ type: 'arrived', notification: { ...n, read: false } }));
    let phase = live.connection.get().phase;
    const offConnection = live.connection.subscribe(() => {
      const next = live.connection.get();
      // Pushes are not replayed: whatever came while the socket was away (or before it first
      // connected) is read again.
      if (next.phase === 'connected' && phase !== 'connected') reload().catch(quiet);
      phase = next.phase;
    });
    return () => {
      offPush();
      offConnection();
      generation++;
      nextCursor = null;
      dispatch({ type: 'reset' });
    };
  }, [userId]);
}
