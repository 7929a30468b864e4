/** React's view of the live layer: connection state, live boards and ideas, presence, session. */
import type { IdeaSort, RoomEvent } from '@cocreate/protocol';
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { BoardLive, type BoardView } from './boardState';
import { liveManager } from './client';
import type { ConnectionState } from './connection';
import { IdeaLive, type IdeaLiveView } from './ideaState';
import type { BoardHandle } from './manager';
import { presenceStatus } from './presence';

export function useConnectionState(): ConnectionState {
  const { connection } = liveManager();
  return useSyncExternalStore(connection.subscribe, connection.get);
}

export interface LiveRoomError {
  code: string;
  message: string;
}

/**
 * A board's live state for the window the screen shows (its sort and first `limit` ideas). The
 * window follows `sort` and `limit` without leaving the room.
 */
export function useLiveBoard(
  boardId: string,
  sort: IdeaSort,
  limit: number,
): { view: BoardView; live: BoardLive; error: LiveRoomError | null } {
  const live = useMemo(() => new BoardLive(boardId), [boardId]);
  const [error, setError] = useState<LiveRoomError | null>(null);
  const handle = useRef<BoardHandle | null>(null);
  const windowRef = useRef({ sort, limit });

  useEffect(() => {
    const m = liveManager();
    const h = m.joinBoard(boardId, windowRef.current, {
      snapshot: (s) => {
        setError(null);
        live.snapshot(s);
      },
      event: (e) => live.event(e),
      presence: (p) => live.setPresence(p),
      error: setError,
    });
    const off = m.onRanks((frame) => live.ranks(frame));
    handle.current = h;
    return () => {
      off();
      h.leave();
      handle.current = null;
    };
  }, [boardId, live]);

  useEffect(() => {
    windowRef.current = { sort, limit };
    handle.current?.setWindow({ sort, limit });
  }, [sort, limit]);

  const view = useSyncExternalStore(live.subscribe, live.get);
  return { view, live, error };
}

/** An idea's live state; pass null until the idea is loaded. */
export function useLiveIdea(ideaId: string | null): { view: IdeaLiveView; live: IdeaLive } {
  const live = useMemo(() => new IdeaLive(ideaId ?? ''), [ideaId]);
  useEffect(() => {
    if (!ideaId) return;
    const m = liveManager();
    const h = m.joinIdea(ideaId, {
      snapshot: (s, { resync }) => live.snapshot(s, resync),
      event: (e) => live.event(e),
      presence: (p) => live.setPresence(p),
    });
    const off = m.onRanks((frame) => live.ranks(frame));
    return () => {
      off();
      h.leave();
    };
  }, [ideaId, live]);
  const view = useSyncExternalStore(live.subscribe, live.get);
  return { view, live };
}

/**
 * An idea room's events (in order, once each), and a call after each resync, when events may have
 * been missed and whatever the screen built from them should be reloaded.
 */
export function useIdeaEvents(ideaId: string | null, onEvent: (event: RoomEvent) => void, onResync: () => void): void {
  const handlers = useRef({ onEvent, onResync });
  useEffect(() => {
    handlers.current = { onEvent, onResync };
  });
  useEffect(() => {
    if (!ideaId) return;
    const h = liveManager().joinIdea(ideaId, {
      event: (e) => handlers.current.onEvent(e),
      snapshot: (_s, { resync }) => {
        if (resync) handlers.current.onResync();
      },
    });
    return () => h.leave();
  }, [ideaId]);
}

/** No pointer, key, scroll or focus for this long (or a hidden tab) counts as idle. */
export const IDLE_AFTER_MS = 60_000;

function useIdle(afterMs: number): boolean {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => setIdle(true), afterMs);
    };
    const active = () => {
      const now = Date.now();
      setIdle(false);
      // Pointer moves come in floods: re-arm at most once a second.
      if (now - last < 1000) return;
      last = now;
      arm();
    };
    const visibility = () => {
      if (document.hidden) {
        clearTimeout(timer);
        setIdle(true);
      } else {
        last = 0;
        active();
      }
    };
    const events = ['pointerdown', 'pointermove', 'keydown', 'scroll', 'focusin'] as const;
    for (const e of events) window.addEventListener(e, active, { passive: true, capture: true });
    document.addEventListener('visibilitychange', visibility);
    arm();
    return () => {
      clearTimeout(timer);
      for (const e of events) window.removeEventListener(e, active, { capture: true });
      document.removeEventListener('visibilitychange', visibility);
    };
  }, [afterMs]);
  return idle;
}

/** Tells a joined room whether this viewer is viewing, typing or idle. */
export function usePresenceStatus(room: string | null, typing: boolean): void {
  const idle = useIdle(IDLE_AFTER_MS);
  const status = presenceStatus({ typing, idle });
  useEffect(() => {
    if (room) liveManager().setPresence(room, status);
  }, [room, status]);
}

/**
 * Keeps the connection's identity in step with the session, and signs the user out in the UI when
 * the server revokes the session (logged out elsewhere, password changed).
 */
export function useLiveSession(userId: string | null, ready: boolean, signOut: () => void): void {
  const signOutRef = useRef(signOut);
  useEffect(() => {
    signOutRef.current = signOut;
  });
  useEffect(() => {
    if (ready) liveManager().setIdentity(userId);
  }, [ready, userId]);
  useEffect(() => liveManager().onSignedOut(() => signOutRef.current()), []);
}

/** The current time, ticking every `everyMs` (or never when null): for sorts that age. */
export function useNow(everyMs: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (everyMs === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
