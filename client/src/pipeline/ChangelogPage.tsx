/** A community's changelog: published entries crediting co-creators; the team edits and publishes drafts. Live. */
import { TEAM_ROLES } from '@cocreate/protocol';
import { type FormEvent, useState } from 'react';
import { getCommunity } from '../api';
import { LoadMore, TimeAgo } from '../components/bits';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { TextAreaField, TextField } from '../components/Field';
import { Unavailable } from '../components/Unavailable';
import { personName } from '../format';
import { useAction, useAsync, useDocumentTitle, usePagedList } from '../hooks';
import { replaceById } from '../lists';
import { Link } from '../navigation';
import { paths } from '../router';
import { useSession } from '../session';
import type { CommunityView } from '../types';
import { type ChangelogEntryView, listChangelog, publishChangelogEntry, updateChangelogEntry } from './api';
import { groupCredits } from './roadmap';
import { useCommunityRoom } from './useCommunityRoom';

export function ChangelogPage({ slug }: { slug: string }) {
  const { user } = useSession();
  const community = useAsync((signal) => getCommunity(slug, signal), [slug, user?.id]);
  useDocumentTitle(community.data ? `Changelog · ${community.data.name}` : community.error ? 'Changelog unavailable' : undefined);
  if (!community.data) {
    return community.error ? (
      <Unavailable what="Changelog" error={community.error} onRetry={community.reload} />
    ) : (
      <Loading label="Loading the changelog…" />
    );
  }
  return <Changelog community={community.data} />;
}

function Changelog({ community }: { community: CommunityView }) {
  const { user } = useSession();
  const m = community.membership;
  const team = Boolean(user && m?.status === 'active' && TEAM_ROLES.includes(m.role));
  // The team's list has the drafts too (drafts=true lists every entry, newest first).
  const list = usePagedList<ChangelogEntryView>(
    (cursor, signal) => listChangelog(community.slug, team, cursor, signal),
    [community.slug, team],
  );
  useCommunityRoom(community.id, (e) => e.type.startsWith('changelog.') && list.reload(), list.reload);
  const replace = (entry: ChangelogEntryView) => list.setItems((prev) => replaceById(prev, entry));
  const drafts = list.items.filter((e) => e.status === 'draft');
  const published = list.items.filter((e) => e.status === 'published');

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Communities</Link> <span aria-hidden="true">›</span> <Link to={paths.community(community.slug)}>{community.name}</Link>
      </nav>
      <div className="page-head">
        <div>
          <h1>Changelog</h1>
          <p className="meta">
            What shipped, and who it came from. <Link to={paths.roadmap(community.slug)}>Roadmap</Link>
          </p>
        </div>
      </div>
      <ErrorNotice error={list.error} onRetry={list.reload} />
      {team && drafts.length > 0 && (
        <section aria-labelledby="drafts-title" className="changelog-drafts">
          <h2 id="drafts-title">Drafts</h2>
          <ol className="changelog-list" aria-label="Drafts">
            {drafts.map((entry) => (
              <li key={entry.id}>
                <DraftEntry entry={entry} onChange={replace} />
              </li>
            ))}
          </ol>
        </section>
      )}
      {list.loading && list.items.length === 0 ? (
        <Loading label="Loading entries…" />
      ) : published.length === 0 ? (
        <p className="empty">Nothing published yet.</p>
      ) : (
        <ol className="changelog-list" aria-label="Published entries">
          {published.map((entry) => (
            <li key={entry.id}>
              <EntryView entry={entry} />
            </li>
          ))}
        </ol>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} label="Older entries" />
    </>
  );
}

function Credits({ entry }: { entry: ChangelogEntryView }) {
  const groups = groupCredits(entry.credits);
  if (groups.length === 0) return null;
  return (
    <dl className="credits" aria-label="Credits">
      {groups.map((g) => (
        <div key={g.kind}>
          <dt>{g.label}</dt>
          <dd>{g.people.map((p) => `${personName(p)} (@${p.handle})`).join(', ')}</dd>
        </div>
      ))}
    </dl>
  );
}

function EntryView({ entry }: { entry: ChangelogEntryView }) {
  return (
    <article className="changelog-entry card" aria-labelledby={`entry-${entry.id}`}>
      <h2 id={`entry-${entry.id}`} className="card-title">
        {entry.title}
      </h2>
      <p className="meta-small">
        {entry.publishedAt && <TimeAgo iso={entry.publishedAt} prefix="Published " />}
        {entry.ideaId && (
          <>
            {' '}
            · <Link to={paths.idea(entry.ideaId)}>The idea</Link>
          </>
        )}
      </p>
      {entry.body && <p className="prewrap">{entry.body}</p>}
      <Credits entry={entry} />
    </article>
  );
}

function DraftEntry({ entry, onChange }: { entry: ChangelogEntryView; onChange: (e: ChangelogEntryView) => void }) {
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(entry.title);
  const [body, setBody] = useState(entry.body);
  const action = useAction();

  const save = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      onChange(await updateChangelogEntry(entry.id, { title: title.trim(), body }));
      setEditing(false);
    });
  };
  const publish = () => void action.run(async () => onChange(await publishChangelogEntry(entry.id)));

  return (
    <article className="changelog-entry card draft" aria-label={`Draft: ${entry.title}`}>
      <ErrorNotice error={action.error} compact />
      {editing ? (
        <form className="stack" onSubmit={save} aria-label={`Edit “${entry.title}”`}>
          <TextField label="Title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
          <TextAreaField label="Text" rows={5} maxLength={20_000} value={body} onChange={(e) => setBody(e.target.value)} />
          <div className="form-actions">
            <button type="submit" className="btn btn-primary btn-small" disabled={action.busy || !title.trim()}>
              Save
            </button>
            <button type="button" className="btn btn-ghost btn-small" onClick={() => setEditing(false)} disabled={action.busy}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <h3 className="card-title">
            <span className="badge">Draft</span> {entry.title}
          </h3>
          {entry.body && <p className="prewrap">{entry.body}</p>}
          <Credits entry={entry} />
          <div className="form-actions">
            <button
              type="button"
              className="btn btn-small"
              onClick={() => {
                setTitle(entry.title);
                setBody(entry.body);
                setEditing(true);
              }}
            >
              Edit
            </button>
            <button type="button" className="btn btn-primary btn-small" onClick={publish} disabled={action.busy}>
              {action.busy ? 'Publishing…' : 'Publish'}
            </button>
          </div>
        </>
      )}
    </article>
  );
}
