/** Who is signed in. Loaded once from GET /api/me; forms update it after login and logout. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, getMe, setUnauthenticatedHandler } from './api';
import { hasSessionHint, SESSION_HINT_KEY, setSessionHint } from './sessionHint';
import type { UserView } from './types';

interface Session {
  user: UserView | null;
  /** False until GET /api/me has answered. */
  ready: boolean;
  setUser: (user: UserView | null) => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUserState] = useState<UserView | null>(null);
  const [ready, setReady] = useState(false);
  const [nonce, setNonce] = useState(0);

  /** Every change of user goes through here, so the sign-in hint follows it. */
  const setUser = useCallback((next: UserView | null) => {
    setSessionHint(next !== null);
    setUserState(next);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: nonce asks for the session again
  useEffect(() => {
    // Nobody signed in from this browser: GET /api/me could only answer 401.
    if (!hasSessionHint()) {
      setUserState(null);
      setReady(true);
      return;
    }
    const ctrl = new AbortController();
    getMe(ctrl.signal).then(
      (res) => {
        if (ctrl.signal.aborted) return;
        setUser(res.user);
        setReady(true);
      },
      (err: unknown) => {
        if (ctrl.signal.aborted) return;
        // Only the server saying "no session" clears the hint; a network error may pass.
        if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') setUser(null);
        else setUserState(null);
        setReady(true);
      },
    );
    return () => ctrl.abort();
  }, [nonce, setUser]);

  useEffect(() => {
    setUnauthenticatedHandler(() => setUser(null));
    // Another tab logged in or out: follow it.
    const onStorage = (e: StorageEvent) => {
      if (e.key !== SESSION_HINT_KEY && e.key !== null) return;
      if (hasSessionHint()) setNonce((n) => n + 1);
      else setUserState(null);
    };
    window.addEventListener('storage', onStorage);
    return () => {
      setUnauthenticatedHandler(null);
      window.removeEventListener('storage', onStorage);
    };
  }, [setUser]);

  const value = useMemo(() => ({ user, ready, setUser }), [user, ready, setUser]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside <SessionProvider>');
  return s;
}
