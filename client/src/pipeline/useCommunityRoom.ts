import type { RoomEvent } from '@cocreate/protocol';
import { useEffect, useRef } from 'react';
import { liveManager } from '../live/client';

/**
 * A community room's events (roadmap and changelog), in order, once each, and a call after every
 * snapshot (the join included, since the screen's REST answer may predate it): the room has no
 * state of its own, so whatever may have been missed is read again over REST.
 */
export function useCommunityRoom(communityId: string | null, onEvent: (event: RoomEvent) => void, onResync: () => void): void {
  const handlers = useRef({ onEvent, onResync });
  useEffect(() => {
    handlers.current = { onEvent, onResync };
  });
  useEffect(() => {
    if (!communityId) return;
    const h = liveManager().joinCommunity(communityId, {
      event: (e) => handlers.current.onEvent(e),
      snapshot: () => handlers.current.onResync(),
    });
    return () => h.leave();
  }, [communityId]);
}
