import type { ReactNode } from 'react';
import type { ClientErrorCode } from '../api';
import { describeError } from '../errors';
import { Link, useLocation } from '../navigation';
import { withNext } from '../router';

interface Props {
  error: unknown;
  /** Friendlier sentences for this context, e.g. UNAUTHENTICATED on the login form. */
  overrides?: Partial<Record<ClientErrorCode, string>>;
  /** Human labels for field paths in the issue list (`{ displayName: 'Display name' }`). */
  fieldLabels?: Record<string, string>;
  onRetry?: () => void;
  compact?: boolean;
}

/**
 * An error in words, announced to screen readers. The live region is always rendered, so an
 * error that appears later is read out.
 */
export function ErrorNotice({ error, overrides, fieldLabels = {}, onRetry, compact }: Props) {
  const location = useLocation();
  const d = error ? describeError(error, overrides) : null;
  return (
    <div role="alert" aria-atomic="true" className="alert-region">
      {d && (
        <div className={compact ? 'notice notice-error notice-compact' : 'notice notice-error'}>
          <p>
            <strong>{d.message}</strong>
            {d.detail && <> {d.detail}</>}
          </p>
          {d.fields.length > 0 && (
            <ul className="issue-list">
              {d.fields.map((f) => (
                <li key={`${f.field}:${f.message}`}>
                  {f.field ? <>{fieldLabels[f.field.split('.')[0] ?? ''] ?? f.field}: </> : null}
                  {f.message}
                </li>
              ))}
            </ul>
          )}
          {(d.code === 'UNAUTHENTICATED' && !overrides?.UNAUTHENTICATED) || onRetry ? (
            <p className="notice-actions">
              {d.code === 'UNAUTHENTICATED' && !overrides?.UNAUTHENTICATED && (
                <Link to={withNext('/login', location.href)}>Log in</Link>
              )}
              {onRetry && (
                <button type="button" className="btn btn-small" onClick={onRetry}>
                  Try again
                </button>
              )}
            </p>
          ) : null}
        </div>
      )}
    </div>
  );
}

/** A polite status line for progress and success messages. */
export function StatusMessage({ children }: { children?: ReactNode }) {
  return (
    <p role="status" className="status-message">
      {children}
    </p>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" className="loading">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}
