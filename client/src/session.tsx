/** Who is signed in. Loaded once from GET /api/me; forms update it after login and logout. */
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import { getMe, setUnauthenticatedHandler } from './api';
import type { UserView } from './types';

interface Session {
  user: UserView | null;
  /** False until GET /api/me has answered. */
  ready: boolean;
  setUser: (user: UserView | null) => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<UserView | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    const ctrl = new AbortController();
    getMe(ctrl.signal).then(
      (res) => {
        if (ctrl.signal.aborted) return;
        setUser(res.user);
        setReady(true);
      },
      () => {
        if (ctrl.signal.aborted) return;
        setUser(null);
        setReady(true);
      },
    );
    setUnauthenticatedHandler(() => setUser(null));
    return () => {
      ctrl.abort();
      setUnauthenticatedHandler(null);
    };
  }, []);

  const value = useMemo(() => ({ user, ready, setUser }), [user, ready]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside <SessionProvider>');
  return s;
}
