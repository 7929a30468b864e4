import { ApiError } from '../api';
import { isRetryable } from '../errors';
import { Link, useLocation } from '../navigation';
import { withNext } from '../router';
import { useSession } from '../session';
import { ErrorNotice } from './ErrorNotice';

interface Props {
  /** "Community", "Board", "Idea". */
  what: string;
  error: unknown;
  onRetry: () => void;
  /** Where to go instead; the list of communities by default. */
  back?: { to: string; label: string };
}

/** A screen whose main thing could not be loaded: why, and where to go from here. The screen sets the tab title. */
export function Unavailable({ what, error, onRetry, back = { to: '/', label: 'Back to all communities' } }: Props) {
  const { user } = useSession();
  const location = useLocation();
  // Private communities answer 404 to outsiders, so a visitor may find it after logging in.
  const mayBePrivate = !user && error instanceof ApiError && error.code === 'NOT_FOUND';
  return (
    <>
      <h1>{what} unavailable</h1>
      <ErrorNotice error={error} onRetry={isRetryable(error) ? onRetry : undefined} />
      <p className="unavailable-links">
        <Link to={back.to}>{back.label}</Link>
        {mayBePrivate && (
          <>
            {' '}
            or <Link to={withNext('/login', location.href)}>log in</Link> if it belongs to a private community
          </>
        )}
      </p>
    </>
  );
}
