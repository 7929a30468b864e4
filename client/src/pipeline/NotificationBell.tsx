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
      <span aria-hidden="true">🔔</span>
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
