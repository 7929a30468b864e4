/**
 * Whether this browser is probably signed in. The session cookie is HttpOnly, so a page script cannot
 * see it; this hint (set after a login or sign-up, cleared on logout or when the server says the
 * session is gone) lets an anonymous visitor skip GET /api/me, which would only answer 401 and leave
 * an error in the console on every first visit. It decides nothing about access: the server does.
 */

export const SESSION_HINT_KEY = 'cocreate:signed-in';

/** The storage to use, or null where there is none (private modes, storage disabled, Node). */
function storage(): Storage | null {
  try {
    return typeof window !== 'undefined' && window.localStorage ? window.localStorage : null;
  } catch {
    return null;
  }
}

/**
 * True when the last thing this browser saw was a signed-in session. Without storage the answer is
 * true, so the client asks the server as it would without the hint.
 */
export function hasSessionHint(store: Pick<Storage, 'getItem'> | null = storage()): boolean {
  if (!store) return true;
  try {
    return store.getItem(SESSION_HINT_KEY) === '1';
  } catch {
    return true;
  }
}

export function setSessionHint(signedIn: boolean, store: Pick<Storage, 'setItem' | 'removeItem'> | null = storage()): void {
  if (!store) return;
  try {
    if (signedIn) store.setItem(SESSION_HINT_KEY, '1');
    else store.removeItem(SESSION_HINT_KEY);
  } catch {
    // Storage full or refused: the hint is only an optimisation.
  }
}
