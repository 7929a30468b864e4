import { useState } from 'react';
import { getBoardWithCommunity, listIdeas } from '../api';
import { LoadMore } from '../components/bits';
import { ErrorNotice, Loading, StatusMessage } from '../components/ErrorNotice';
import { Unavailable } from '../components/Unavailable';
import { plural } from '../format';
import { useAsync, useDocumentTitle, usePagedList } from '../hooks';
import { effectiveSort, type IdeaFilters, parseIdeaFilters, serializeIdeaFilters } from '../ideaQuery';
import { Link, navigate, useLocation } from '../navigation';
import { allowed, blockFor, decide } from '../permissions';
import { paths, withNext } from '../router';
import { useSession } from '../session';
import type { IdeaView } from '../types';
import { BoardIdeas } from './BoardIdeas';
import { IdeaComposer } from './IdeaComposer';
import { IdeaFiltersBar } from './IdeaFiltersBar';

export function BoardPage({ boardId }: { boardId: string }) {
  const { user } = useSession();
  const location = useLocation();
  const filters = parseIdeaFilters(location.search);
  const [composing, setComposing] = useState(false);
  const [composerTyping, setComposerTyping] = useState(false);

  const ctx = useAsync((signal) => getBoardWithCommunity(boardId, signal), [boardId, user?.id]);
  const ideas = usePagedList<IdeaView>(
    (cursor, signal) => listIdeas(boardId, { ...filters, cursor }, signal),
    [boardId, filters.sort, filters.status, filters.tag, filters.q, user?.id],
  );
  useDocumentTitle(ctx.data?.board.name ?? (ctx.error ? 'Board unavailable' : undefined));

  const setFilters = (next: IdeaFilters) => navigate(paths.board(boardId) + serializeIdeaFilters(next), { replace: true });

  if (!ctx.data) {
    return ctx.error ? (
      <Unavailable what="Board" error={ctx.error} onRetry={ctx.reload} />
    ) : (
      <Loading label="Loading board…" />
    );
  }

  const { board, community } = ctx.data;
  const perm = { user, community };
  const where = { loginHref: withNext('/login', location.href), communityHref: paths.community(community.slug) };
  const createBlock = board.archived ? null : blockFor(decide(perm, 'idea.create'), 'post ideas', where);
  const filtered = Boolean(filters.status || filters.tag || filters.q);

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Communities</Link> <span aria-hidden="true">›</span>{' '}
        <Link to={paths.community(community.slug)}>{community.name}</Link>
      </nav>
      <ErrorNotice error={ctx.error} onRetry={ctx.reload} />
      <div className="page-head">
        <div>
          <h1>{board.name}</h1>
          {board.description && <p className="lede prewrap">{board.description}</p>}
          <p className="meta">
            <span>{plural(board.ideaCount, 'idea')}</span>
            {board.archived && <span className="badge">Archived</span>}
            <Link to={paths.roadmap(community.slug)}>Roadmap</Link>
            {allowed(perm, 'idea.changeStatus') && <Link to={paths.triage(board.id)}>Triage</Link>}
          </p>
        </div>
        {!board.archived && !createBlock && !composing && (
          <button type="button" className="btn btn-primary" onClick={() => setComposing(true)}>
            New idea
          </button>
        )}
      </div>

      {board.archived && <p className="notice">This board is archived: it no longer takes new ideas.</p>}
      {createBlock && (
        <p className="notice">
          {createBlock.message} {createBlock.link && <Link to={createBlock.link.to}>{createBlock.link.label}</Link>}
        </p>
      )}
      {composing && (
        <IdeaComposer
          boardId={board.id}
          onTypingChange={setComposerTyping}
          onCancel={() => {
            setComposing(false);
            setComposerTyping(false);
          }}
          onCreated={(idea) => navigate(paths.idea(idea.id))}
        />
      )}

      <IdeaFiltersBar
        filters={filters}
        sort={effectiveSort(filters, board.ranking.formula)}
        boardFormula={board.ranking.formula}
        onChange={setFilters}
      />

      <ErrorNotice error={ideas.error} onRetry={ideas.items.length === 0 ? ideas.reload : ideas.loadMore} />
      <StatusMessage>{ideas.loading && ideas.items.length > 0 ? 'Updating…' : ''}</StatusMessage>
      <BoardIdeas
        board={board}
        filters={filters}
        ideas={ideas}
        perm={perm}
        where={where}
        composing={composerTyping}
        onTag={(tag) => setFilters({ ...filters, tag })}
        placeholder={
          ideas.loading ? (
            <Loading label="Loading ideas…" />
          ) : ideas.error ? null : (
            <p className="empty">
              {filtered ? 'No ideas match these filters.' : 'No ideas yet. Be the first to suggest one!'}{' '}
              {filtered && (
                <button type="button" className="link-button" onClick={() => setFilters({ sort: filters.sort })}>
                  Clear filters
                </button>
              )}
            </p>
          )
        }
      />
      <LoadMore hasMore={ideas.hasMore && !ideas.loading} loading={ideas.loadingMore} onClick={ideas.loadMore} label="Load more ideas" />
    </>
  );
}
