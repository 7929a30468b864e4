import { useState } from 'react';
import { listCommunities } from '../api';
import { RoleBadge } from '../components/bits';
import { LoadMore } from '../components/bits';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { plural } from '../format';
import { useDocumentTitle, usePagedList } from '../hooks';
import { Link } from '../navigation';
import { paths, withNext } from '../router';
import { useSession } from '../session';
import type { CommunityView } from '../types';
import { CreateCommunityForm } from './CreateCommunityForm';

export function HomePage() {
  useDocumentTitle('Communities');
  const { user, ready } = useSession();
  const [creating, setCreating] = useState(false);
  const list = usePagedList<CommunityView>((cursor, signal) => listCommunities(cursor, signal), []);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Communities</h1>
          <p className="lede">Join a product community to propose ideas, vote on what matters and talk with the team.</p>
        </div>
        {ready && user && !creating && (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            New community
          </button>
        )}
        {ready && !user && (
          <Link to={withNext('/login', '/')} className="btn">
            Log in to create one
          </Link>
        )}
      </div>

      {creating && <CreateCommunityForm onCancel={() => setCreating(false)} />}

      <ErrorNotice error={list.error} onRetry={list.reload} />
      {list.loading && list.items.length === 0 ? (
        <Loading label="Loading communities…" />
      ) : list.items.length === 0 && !list.error ? (
        <p className="empty">No communities yet. {user ? 'Create the first one!' : 'Sign up and create the first one!'}</p>
      ) : (
        <ul className="card-grid" aria-busy={list.loading}>
          {list.items.map((c) => (
            <li key={c.id} className="card community-card">
              <h2 className="card-title">
                <Link to={paths.community(c.slug)}>{c.name}</Link>
              </h2>
              {c.description && <p className="clamp">{c.description}</p>}
              <p className="meta">
                <span>{plural(c.memberCount, 'member')}</span>
                {c.visibility === 'private' && <span className="badge">Private</span>}
                {c.joinPolicy !== 'open' && <span className="badge">{c.joinPolicy === 'invite' ? 'Invite only' : 'Approval needed'}</span>}
                {c.membership?.status === 'active' && <RoleBadge role={c.membership.role} />}
              </p>
            </li>
          ))}
        </ul>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} label="More communities" />
    </>
  );
}
