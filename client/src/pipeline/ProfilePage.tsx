/** The signed-in member's profile: their ideas, their votes and the changelog credits they earned. */
import { ApiError } from '../api';
import { LoadMore, StatusBadge, TimeAgo } from '../components/bits';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { personName, plural } from '../format';
import { type PagedList, useAsync, useDocumentTitle, usePagedList } from '../hooks';
import { Link } from '../navigation';
import { paths, withNext } from '../router';
import { useSession } from '../session';
import { myCredits, myIdeas, myVotes, type ProfileIdea, type ProfileVote } from './api';

const KIND_LABELS = { author: 'Author', co_author: 'Co-author', backer: 'Backer' } as const;

export function ProfilePage() {
  const { user } = useSession();
  useDocumentTitle('Your profile');
  if (!user) {
    return (
      <>
        <h1>Your profile</h1>
        <p className="notice">
          <Link to={withNext('/login', paths.profile())}>Log in</Link> to see your ideas, votes and credits.
        </p>
      </>
    );
  }
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{personName(user)}</h1>
          <p className="meta">@{user.handle}</p>
        </div>
      </div>
      <div className="profile-sections">
        <CreditsSection />
        <IdeasSection />
        <VotesSection />
      </div>
    </>
  );
}

/** An endpoint this server does not have yet answers 404 on its own path: say so quietly. */
function missing(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'NOT_FOUND';
}

function CreditsSection() {
  const credits = useAsync((signal) => myCredits(signal).then((r) => r.items), []);
  return (
    <section aria-labelledby="credits-title" className="profile-section">
      <h2 id="credits-title">Credits</h2>
      {missing(credits.error) ? (
        <p className="empty">Credits are not available on this server yet.</p>
      ) : (
        <ErrorNotice error={credits.error} onRetry={credits.reload} compact />
      )}
      {!credits.data ? (
        !credits.error && <Loading label="Loading credits…" />
      ) : credits.data.length === 0 ? (
        <p className="empty">No credits yet. When an idea you proposed, co-wrote or backed ships, you are credited here.</p>
      ) : (
        <ul className="profile-list" aria-label="Credits">
          {credits.data.map((c) => (
            <li key={`${c.entryId}:${c.kind}`}>
              <span className="badge">{KIND_LABELS[c.kind]}</span> {c.ideaId ? <Link to={paths.idea(c.ideaId)}>{c.title}</Link> : c.title}{' '}
              <span className="meta-small">in </span>
              <Link to={paths.changelog(c.community.slug)}>{c.community.name}’s changelog</Link>{' '}
              <span className="meta-small">
                <TimeAgo iso={c.publishedAt} />
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function IdeaLine({ idea }: { idea: ProfileIdea }) {
  return (
    <>
      <Link to={paths.idea(idea.mergedInto ?? idea.id)}>{idea.title}</Link> <StatusBadge status={idea.status} />{' '}
      <span className="meta-small">
        {plural(idea.voteCount, 'vote')} · {plural(idea.commentCount, 'comment')} · {idea.board.name}, {idea.community.name}
      </span>
    </>
  );
}

function ListSection<T extends { id: string }>({
  id,
  title,
  list,
  empty,
  render,
}: {
  id: string;
  title: string;
  list: PagedList<T>;
  empty: string;
  render: (item: T) => React.ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="profile-section">
      <h2 id={id}>{title}</h2>
      {missing(list.error) ? (
        <p className="empty">Not available on this server yet.</p>
      ) : (
        <ErrorNotice error={list.error} onRetry={list.reload} compact />
      )}
      {list.loading && list.items.length === 0 ? (
        !list.error && <Loading />
      ) : list.items.length === 0 ? (
        !list.error && <p className="empty">{empty}</p>
      ) : (
        <ul className="profile-list" aria-label={title}>
          {list.items.map((item) => (
            <li key={item.id}>{render(item)}</li>
          ))}
        </ul>
      )}
      <LoadMore hasMore={list.hasMore && !list.error} loading={list.loadingMore} onClick={list.loadMore} />
    </section>
  );
}

function IdeasSection() {
  const list = usePagedList<ProfileIdea>((cursor, signal) => myIdeas(cursor, signal), []);
  return (
    <ListSection
      id="ideas-title"
      title="Your ideas"
      list={list}
      empty="You have not proposed an idea yet."
      render={(idea) => <IdeaLine idea={idea} />}
    />
  );
}

function VotesSection() {
  const list = usePagedList<ProfileVote & { id: string }>(
    (cursor, signal) => myVotes(cursor, signal).then((page) => ({ ...page, items: page.items.map((v) => ({ ...v, id: v.idea.id })) })),
    [],
  );
  return (
    <ListSection
      id="votes-title"
      title="Your votes"
      list={list}
      empty="You have not voted yet."
      render={(v) => (
        <>
          <span className="badge" title={v.value > 0 ? 'You voted for it' : 'You voted against it'}>
            {v.value > 0 ? '▲ For' : '▼ Against'}
          </span>{' '}
          <IdeaLine idea={v.idea} />
        </>
      )}
    />
  );
}
