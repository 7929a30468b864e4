import { lazy, Suspense, useState } from 'react';
import { getBoard, getCommunity, getIdea, setFollow } from '../api';
import { Author, StatusBadge, TagList, TimeAgo } from '../components/bits';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { Unavailable } from '../components/Unavailable';
import { PresenceBar } from '../components/PresenceBar';
import { tallyOf, VoteControl } from '../components/VoteControl';
import { errorText } from '../errors';
import { useAsync, useDocumentTitle } from '../hooks';
import { serializeIdeaFilters } from '../ideaQuery';
import { useLiveIdea, usePresenceStatus } from '../live/hooks';
import { mergeIdea } from '../live/overlay';
import { Link, navigate, useLocation } from '../navigation';
import { allowed, blockFor, decide } from '../permissions';
import { paths, withNext } from '../router';
import { useSession } from '../session';
import type { IdeaView } from '../types';
import { personName } from '../format';
import { IdeaStatusSection, MergedFromNotice } from '../pipeline/IdeaStatusSection';
import { Comments } from './Comments';
import { IdeaEditForm } from './IdeaEditForm';

// The editor (TipTap, ProseMirror, Yjs) is most of the client's weight: only the idea page loads it.
const IdeaBodyEditor = lazy(() => import('../collab/IdeaBodyEditor').then((m) => ({ default: m.IdeaBodyEditor })));

export function IdeaPage({ ideaId }: { ideaId: string }) {
  const { user } = useSession();
  const location = useLocation();
  const [editing, setEditing] = useState(false);
  const [commentTyping, setCommentTyping] = useState(false);
  const ctx = useAsync(
    async (signal) => {
      const idea = await getIdea(ideaId, signal);
      const board = await getBoard(idea.boardId, signal);
      const community = await getCommunity(board.communitySlug, signal);
      return { idea, board, community };
    },
    [ideaId, user?.id],
  );
  // Live once the idea is loaded: votes, edits, lock state, comments and who else is here.
  const liveId = ctx.data ? ideaId : null;
  const { view: liveView, live } = useLiveIdea(liveId);
  usePresenceStatus(liveId && `idea:${liveId}`, commentTyping);
  const merged = ctx.data ? mergeIdea(ctx.data.idea, liveView.overlay) : undefined;
  useDocumentTitle(merged?.title ?? (ctx.error ? 'Idea unavailable' : undefined));

  if (!ctx.data) {
    return ctx.error ? (
      <Unavailable what="Idea" error={ctx.error} onRetry={ctx.reload} />
    ) : (
      <Loading label="Loading idea…" />
    );
  }

  const { board, community } = ctx.data;
  const idea = { ...(merged ?? ctx.data.idea), commentCount: Math.max(0, (merged ?? ctx.data.idea).commentCount + liveView.commentDelta) };
  const perm = { user, community };
  const where = { loginHref: withNext('/login', location.href), communityHref: paths.community(community.slug) };
  const update = (patch: Partial<IdeaView>) =>
    ctx.setData((prev) => (prev ? { ...prev, idea: { ...prev.idea, ...patch } } : prev));
  const canEdit = allowed(perm, 'idea.edit', idea);
  const canFollow = allowed(perm, 'idea.follow', idea);
  const canCoedit = allowed(perm, 'idea.coedit', idea);

  return (
    <article className="idea-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Communities</Link> <span aria-hidden="true">›</span>{' '}
        <Link to={paths.community(community.slug)}>{community.name}</Link> <span aria-hidden="true">›</span>{' '}
        <Link to={paths.board(board.id)}>{board.name}</Link>
      </nav>
      <ErrorNotice error={ctx.error} onRetry={ctx.reload} />

      <div className="idea-head">
        <VoteControl
          ideaId={idea.id}
          title={idea.title}
          tally={tallyOf(idea)}
          downvotesEnabled={board.downvotesEnabled}
          blocked={blockFor(decide(perm, 'idea.vote', idea), 'vote', where)}
          onSettled={(t) => live.patch({ up: t.up, down: t.down, voteCount: t.voteCount, myVote: t.myVote }, t.version)}
          size="large"
        />
        <div className="idea-main">
          {editing ? (
            <IdeaEditForm
              idea={idea}
              onCancel={() => setEditing(false)}
              onSaved={(saved) => {
                update(saved);
                live.rebase();
                setEditing(false);
              }}
            />
          ) : (
            <>
              <h1>{idea.title}</h1>
              <p className="meta">
                <StatusBadge status={idea.status} />
                {idea.locked && <span className="badge">Locked</span>}
                {idea.hidden && <span className="badge badge-danger">Hidden</span>}
              </p>
              <p className="meta meta-small">
                Suggested by <Author user={idea.author} /> <TimeAgo iso={idea.createdAt} />
                {idea.updatedAt !== idea.createdAt && (
                  <>
                    {' '}
                    · <TimeAgo iso={idea.updatedAt} prefix="updated " />
                  </>
                )}
              </p>
            </>
          )}
          <div className="idea-actions">
            {canFollow && <FollowButton idea={idea} onChange={(following) => update({ following })} />}
            {canEdit && !editing && (
              <button type="button" className="btn btn-small" onClick={() => setEditing(true)}>
                Edit title and tags
              </button>
            )}
          </div>
        </div>
      </div>

      <MergedFromNotice search={location.search} ideaId={idea.id} />
      {idea.mergedInto && (
        <p className="notice">
          This idea was merged into <Link to={paths.idea(idea.mergedInto)}>another idea</Link>. Votes and discussion continue there.
        </p>
      )}
      {idea.locked && <p className="notice">This idea is locked: only the team can vote and comment on it now.</p>}
      {idea.hidden && !allowed(perm, 'idea.hide', idea) && <p className="notice">A moderator has hidden this idea.</p>}
      <PresenceBar members={liveView.presence} selfUserId={user?.id ?? null} where="on this idea" />
      <IdeaStatusSection idea={idea} community={community} onStatus={(status, version) => live.patch({ status }, version)} />

      <Suspense fallback={<p className="empty">Loading the text…</p>}>
        <IdeaBodyEditor
          // A new identity is a new connection: the server reads who writes from the session.
          key={`${idea.id}:${user?.id ?? 'guest'}`}
          ideaId={idea.id}
          canEdit={canCoedit}
          readOnlyReason={blockFor(decide(perm, 'idea.coedit', idea), 'help write this idea', where)}
          userName={user ? personName(user) : 'Guest'}
          fallbackText={idea.bodyText}
        />
      </Suspense>
      {!editing && (
        <TagList
          tags={idea.tags}
          onSelect={(tag) => navigate(paths.board(board.id) + serializeIdeaFilters({ tag }))}
        />
      )}

      <Comments
        idea={idea}
        perm={perm}
        where={where}
        onCountChange={(delta) => live.adjustComments(delta)}
        onTypingChange={setCommentTyping}
      />
    </article>
  );
}

function FollowButton({ idea, onChange }: { idea: IdeaView; onChange: (following: boolean) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const toggle = async () => {
    const before = idea.following;
    setBusy(true);
    setError(null);
    onChange(!before);
    try {
      const res = await setFollow(idea.id, !before);
      onChange(res.following);
    } catch (err) {
      onChange(before);
      setError(`Could not ${before ? 'unfollow' : 'follow'}. ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button
        type="button"
        className="btn btn-small"
        aria-pressed={idea.following}
        onClick={toggle}
        disabled={busy}
        title={idea.following ? 'Stop getting updates about this idea' : 'Get updates about this idea'}
      >
        <span aria-hidden="true">{idea.following ? '★' : '☆'}</span> Follow
      </button>
      <span role="alert" className="inline-error">
        {error}
      </span>
    </>
  );
}
