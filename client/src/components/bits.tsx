/** Small presentational pieces used across screens. */
import type { IdeaStatus, Role } from '@cocreate/protocol';
import { fullDate, personName, relativeTime, roleLabel, statusLabel } from '../format';
import type { UserRef } from '../types';

export function StatusBadge({ status }: { status: IdeaStatus }) {
  return <span className={`badge status-${status}`}>{statusLabel(status)}</span>;
}

export function RoleBadge({ role }: { role: Role }) {
  return <span className={`badge role-${role}`}>{roleLabel(role)}</span>;
}

export function TimeAgo({ iso, prefix }: { iso: string; prefix?: string }) {
  const text = relativeTime(iso);
  if (!text) return null;
  return (
    <time dateTime={iso} title={fullDate(iso)}>
      {prefix}
      {text}
    </time>
  );
}

export function Author({ user }: { user: UserRef | null }) {
  if (!user) return <span className="author author-deleted">Deleted user</span>;
  return (
    <span className="author">
      <span className="author-name">{personName(user)}</span>
      {user.displayName.trim() && <span className="author-handle"> @{user.handle}</span>}
    </span>
  );
}

export function TagList({ tags, onSelect }: { tags: readonly string[]; onSelect?: (tag: string) => void }) {
  if (tags.length === 0) return null;
  return (
    <ul className="tags" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag}>
          {onSelect ? (
            <button type="button" className="tag tag-button" onClick={() => onSelect(tag)} aria-label={`Show ideas tagged ${tag}`}>
              #{tag}
            </button>
          ) : (
            <span className="tag">#{tag}</span>
          )}
        </li>
      ))}
    </ul>
  );
}

export function LoadMore({ hasMore, loading, onClick, label = 'Load more' }: { hasMore: boolean; loading: boolean; onClick: () => void; label?: string }) {
  if (!hasMore) return null;
  return (
    <div className="load-more">
      <button type="button" className="btn" onClick={onClick} disabled={loading} aria-busy={loading}>
        {loading ? 'Loading…' : label}
      </button>
    </div>
  );
}
