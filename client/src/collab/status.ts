/**
 * The collaborative body's connection, in words. y-websocket has no acknowledgement, so nothing
 * here claims "saved": the text is live while the socket is synced, and kept in this tab while not.
 * Close codes follow the server's table: 4400–4499 are refusals the provider never retries.
 */
import { ERROR_CODES, type ErrorCode } from '@cocreate/protocol';

export type CollabPhase = 'connecting' | 'syncing' | 'live' | 'reconnecting' | 'refused';

export interface CollabState {
  phase: CollabPhase;
  /** The document synced at least once on this page: its text is real, even while offline. */
  everSynced: boolean;
  /** Close code of the last connection the server ended (null: closed locally or never). */
  lastCloseCode: number | null;
  /** The permanent close code when phase is 'refused'. */
  refusal: number | null;
  /** The browser says it has no network. */
  browserOffline: boolean;
}

export type CollabEvent =
  | { type: 'status'; status: 'connecting' | 'connected' | 'disconnected' }
  | { type: 'sync'; synced: boolean }
  /** A connection ended; code is null when it was closed on this side (watchdog, disconnect). */
  | { type: 'connection-close'; code: number | null }
  /** The provider gave up for good (a 44xx close). */
  | { type: 'closed'; code: number }
  | { type: 'network'; online: boolean };

export function initialCollabState(browserOffline = false): CollabState {
  return { phase: 'connecting', everSynced: false, lastCloseCode: null, refusal: null, browserOffline };
}

/** Whether the stock provider stops for good after this close code. */
export function isPermanentClose(code: number): boolean {
  return code >= 4400 && code < 4500;
}

export function collabReducer(state: CollabState, event: CollabEvent): CollabState {
  if (event.type === 'network') return { ...state, browserOffline: !event.online };
  // A refusal is final for this page; the provider only reconnects when told to.
  if (state.phase === 'refused') return state;
  const away: CollabPhase = state.everSynced ? 'reconnecting' : 'connecting';
  switch (event.type) {
    case 'status':
      if (event.status === 'connected') return { ...state, phase: 'syncing' };
      return state.phase === away ? state : { ...state, phase: away };
    case 'sync':
      if (event.synced) return { ...state, phase: 'live', everSynced: true, lastCloseCode: null };
      return state.phase === 'live' ? { ...state, phase: away } : state;
    case 'connection-close':
      return { ...state, phase: away, lastCloseCode: event.code };
    case 'closed':
      return isPermanentClose(event.code) ? { ...state, phase: 'refused', refusal: event.code, lastCloseCode: event.code } : state;
  }
}

/** The error code behind a close code of the server's table, if it is one. */
export function errorCodeOfClose(code: number | null): ErrorCode | null {
  if (code === null) return null;
  for (const name of Object.keys(ERROR_CODES) as ErrorCode[]) {
    if (ERROR_CODES[name].close === code) return name;
  }
  return null;
}

const REFUSALS: Partial<Record<ErrorCode, string>> = {
  UNAUTHENTICATED: 'Your session has ended, so the live text stopped. Log in again and reload the page.',
  FORBIDDEN: 'You no longer have access to this idea’s text.',
  NOT_FOUND: 'This idea’s text no longer exists.',
  PAYLOAD_TOO_LARGE: 'This idea’s text is too large to open live.',
  VALIDATION_FAILED: 'The server refused a change it could not read. Reload the page to continue.',
};

export type CollabTone = 'pending' | 'live' | 'warning' | 'error';

export interface CollabStatusView {
  tone: CollabTone;
  /** Short, for the status chip. */
  label: string;
  /** A sentence that explains, when there is more to say than the label. */
  detail: string | null;
}

/** What the status line says, given whether this user's changes would be sent at all. */
export function describeCollab(state: CollabState, editable: boolean): CollabStatusView {
  if (state.phase === 'refused') {
    const code = errorCodeOfClose(state.refusal);
    const text = (code && REFUSALS[code]) ?? 'The server closed the live text for good. Reload the page to try again.';
    const after = !state.everSynced ? ' Showing the last saved text.' : editable ? ' Changes made here from now on are not sent.' : '';
    return { tone: 'error', label: 'Stopped', detail: text + after };
  }
  if (state.phase === 'live') return { tone: 'live', label: 'Live', detail: null };
  const code = errorCodeOfClose(state.lastCloseCode);
  const why = state.browserOffline
    ? 'You are offline.'
    : code === 'RATE_LIMITED' || code === 'UNAVAILABLE'
      ? 'The server is busy.'
      : code === 'INTERNAL'
        ? 'The server had a problem.'
        : null;
  if (!state.everSynced) {
    return { tone: 'pending', label: 'Connecting…', detail: why ? `${why} Retrying…` : null };
  }
  const kept = editable
    ? 'Your changes are kept in this tab and sent when the connection is back.'
    : 'The text will catch up when the connection is back.';
  return { tone: 'warning', label: 'Offline', detail: `${why ?? 'Reconnecting…'} ${kept}` };
}
