import { getCommunity } from '../api';
import { RoleBadge } from '../components/bits';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { Unavailable } from '../components/Unavailable';
import { plural } from '../format';
import { useAsync, useDocumentTitle } from '../hooks';
import { Link } from '../navigation';
import { paths } from '../router';
import { useSession } from '../session';
import { BoardsSection } from './BoardsSection';
import { JoinPanel } from './JoinPanel';
import { MembersSection } from './MembersSection';

export function CommunityPage({ slug }: { slug: string }) {
  const { user } = useSession();
  // Reload when the user changes: membership is part of the community view.
  const community = useAsync((signal) => getCommunity(slug, signal), [slug, user?.id]);
  const c = community.data;
  useDocumentTitle(c?.name ?? (community.error ? 'Community unavailable' : undefined));

  if (!c) {
    return community.error ? (
      <Unavailable what="Community" error={community.error} onRetry={community.reload} />
    ) : (
      <Loading label="Loading community…" />
    );
  }

  const memberKey = `${c.membership?.status ?? 'none'}-${c.memberCount}`;
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Communities</Link>
      </nav>
      <ErrorNotice error={community.error} onRetry={community.reload} />
      <div className="page-head">
        <div>
          <h1>{c.name}</h1>
          {c.description && <p className="lede prewrap">{c.description}</p>}
          <p className="meta">
            <span>{plural(c.memberCount, 'member')}</span>
            <span className="badge">{c.visibility === 'private' ? 'Private' : 'Public'}</span>
            {c.membership?.status === 'active' && <RoleBadge role={c.membership.role} />}
          </p>
          <p className="meta">
            <Link to={paths.roadmap(c.slug)}>Roadmap</Link> · <Link to={paths.changelog(c.slug)}>Changelog</Link>
          </p>
        </div>
      </div>
      <div className="two-col">
        <div className="col-main">
          <BoardsSection community={c} />
        </div>
        <aside className="col-side" aria-label="Membership">
          <JoinPanel community={c} onChange={(next) => community.setData(() => next)} />
          <MembersSection key={memberKey} slug={c.slug} />
        </aside>
      </div>
    </>
  );
}
