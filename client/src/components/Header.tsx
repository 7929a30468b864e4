import { useState } from 'react';
import { logout } from '../api';
import { errorText } from '../errors';
import { Link, navigate, useLocation } from '../navigation';
import { NotificationBell } from '../pipeline/NotificationBell';
import { paths, withNext } from '../router';
import { useSession } from '../session';

export function Header() {
  const { user, ready, setUser } = useSession();
  const location = useLocation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const onLogout = async () => {
    setBusy(true);
    setError(null);
    try {
      await logout();
      setUser(null);
      navigate('/');
    } catch (err) {
      setError(`Could not log out. ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const onAuthPage = location.pathname === '/login' || location.pathname === '/signup';
  const next = onAuthPage ? '/' : location.href;

  return (
    <header className="site-header">
      <div className="container header-inner">
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          CoCreate
        </Link>
        <nav aria-label="Account" className="account-nav">
          {!ready ? null : user ? (
            <>
              <NotificationBell userId={user.id} />
              <Link to={paths.profile()} className="whoami" title="Your profile: ideas, votes and credits">
                <span className="whoami-prefix">Signed in as </span>
                <strong>{user.displayName.trim() || `@${user.handle}`}</strong>
                {user.displayName.trim() && <span className="author-handle"> @{user.handle}</span>}
              </Link>
              <button type="button" className="btn btn-small" onClick={onLogout} disabled={busy}>
                {busy ? 'Logging out…' : 'Log out'}
              </button>
            </>
          ) : (
            <>
              <Link
                to={withNext('/login', next)}
                className="btn btn-small btn-ghost"
                aria-current={location.pathname === '/login' ? 'page' : undefined}
              >
                Log in
              </Link>
              <Link
                to={withNext('/signup', next)}
                className="btn btn-small btn-primary"
                aria-current={location.pathname === '/signup' ? 'page' : undefined}
              >
                Sign up
              </Link>
            </>
          )}
        </nav>
      </div>
      <div role="alert" className="container">
        {error && <p className="notice notice-error notice-compact">{error}</p>}
      </div>
    </header>
  );
}
