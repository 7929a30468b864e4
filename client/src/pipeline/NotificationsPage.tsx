import { useState } from 'react';
import { LoadMore, TimeAgo } from '../components/bits';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAction, useDocumentTitle } from '../hooks';
import { Link } from '../navigation';
import { withNext } from '../router';
import { useSession } from '../session';
import { describeNotification } from './notifications';
import { inbox, useInbox } from './useInbox';

/** Every notification of the member, newest first, with mark one / mark all read. */
export function NotificationsPage() {
  const { user } = useSession();
  const state = useInbox();
  const action = useAction();
  const [loadingMore, setLoadingMore] = useState(false);
  useDocumentTitle('Notifications');

  if (!user) {
    return (
      <>
        <h1>Notifications</h1>
        <p className="notice">
          <Link to={withNext('/login', '/notifications')}>Log in</Link> to see your notifications.
        </p>
      </>
    );
  }

  const more = async () => {
    setLoadingMore(true);
    await action.run(() => inbox.loadMore());
    setLoadingMore(false);
  };

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Notifications</h1>
          <p className="meta">{state.unread > 0 ? `${state.unread}${state.more ? '+' : ''} unread` : 'All read'}</p>
        </div>
        {state.unread > 0 && (
          <button type="button" className="btn btn-small" disabled={action.busy} onClick={() => void action.run(() => inbox.markAllRead())}>
            Mark all read
          </button>
        )}
      </div>
      <ErrorNotice error={action.error} compact />
      {state.items.length === 0 ? (
        <p className="empty">No notifications yet. Vote on, comment on or help write an idea, and you will hear when it moves.</p>
      ) : (
        <ul className="notification-list" aria-label="Notifications">
          {state.items.map((n) => {
            const { text, href } = describeNotification(n.kind, n.payload);
            return (
              <li key={n.id} className={n.read ? 'notification' : 'notification notification-unread'}>
                <div className="notification-text">
                  {!n.read && <span className="visually-hidden">Unread: </span>}
                  {href ? (
                    <Link to={href} onClick={() => !n.read && void inbox.markRead([n.id]).catch(() => undefined)}>
                      {text}
                    </Link>
                  ) : (
                    text
                  )}{' '}
                  <span className="meta-small">
                    <TimeAgo iso={n.createdAt} />
                  </span>
                </div>
                {!n.read && (
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    disabled={action.busy}
                    onClick={() => void action.run(() => inbox.markRead([n.id]))}
                  >
                    Mark read
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <LoadMore hasMore={inbox.hasMore()} loading={loadingMore} onClick={() => void more()} label="Older notifications" />
    </>
  );
}
