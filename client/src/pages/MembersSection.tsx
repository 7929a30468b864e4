import { listMembers } from '../api';
import { Author, LoadMore, RoleBadge } from '../components/bits';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { usePagedList } from '../hooks';
import type { MemberView } from '../types';

type Row = MemberView & { id: string };

export function MembersSection({ slug }: { slug: string }) {
  const list = usePagedList<Row>(async (cursor, signal) => {
    const page = await listMembers(slug, cursor, signal);
    return { ...page, items: page.items.map((m) => ({ ...m, id: m.user.id })) };
  }, [slug]);

  return (
    <section className="panel" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      <ErrorNotice error={list.error} onRetry={list.reload} compact />
      {list.loading && list.items.length === 0 ? (
        <Loading label="Loading members…" />
      ) : list.items.length === 0 && !list.error ? (
        <p className="empty">No members to show.</p>
      ) : (
        <ul className="member-list">
          {list.items.map((m) => (
            <li key={m.id}>
              <Author user={m.user} />
              {m.role !== 'member' && <RoleBadge role={m.role} />}
              {m.status === 'banned' && <span className="badge badge-danger">Banned</span>}
            </li>
          ))}
        </ul>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} label="More members" />
    </section>
  );
}
