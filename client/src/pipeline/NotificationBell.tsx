import { Link, useLocation } from '../navigation';
import { paths } from '../router';
import { badgeText } from './notifications';
import { useInbox, useInboxFeed } from './useInbox';
import './pipeline.css';

/** The header's bell: the unread count, live, and the way to the notifications page. */
export function NotificationBell({ userId }: { userId: string }) {
  useInboxFeed(userId);
  const { unread, more } = useInbox();
  const { pathname } = useLocation();
  const count = badgeText(unread) + (more && unread <= 99 ? '+' : '');
  const label = unread > 0 ? `Notifications, ${count} unread` : 'Notifications';
  return (
    <Link
      to={paths.notifications()}
      className="btn btn-small btn-ghost bell"
      aria-label={label}
      title={label}
      aria-current={pathname === paths.notifications() ? 'page' : undefined}
    >
      <svg className="bell-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
        <path
          d="M12 3a6 6 0 0 0-6 6v3.6L4.3 15.4A1 1 0 0 0 5.2 17h13.6a1 1 0 0 0 .9-1.6L18 12.6V9a6 6 0 0 0-6-6Zm-2.5 15.5a2.5 2.5 0 0 0 5 0"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          strokeLinejoin="round"
        />
      </svg>
      {unread > 0 && (
        <span className="bell-count" aria-hidden="true">
          {count}
        </span>
      )}
      <span className="visually-hidden" aria-live="polite">
        {unread > 0 ? `${count} unread` : ''}
      </span>
    </Link>
  );
}
