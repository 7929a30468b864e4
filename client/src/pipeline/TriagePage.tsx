/**
 * The team's triage queue of one board: ranked and filtered like the board, live for everyone on
 * it (votes, status changes, merges, new ideas), with bulk status changes, merges and official replies.
 */
import { type RoomEvent, TEAM_ROLES } from '@cocreate/protocol';
import { useEffect, useMemo, useRef, useState } from 'react';
import { createComment, getBoardWithCommunity, listIdeas } from '../api';
import { LoadMore, StatusBadge } from '../components/bits';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { Unavailable } from '../components/Unavailable';
import { plural } from '../format';
import { useAsync, useDocumentTitle, usePagedList } from '../hooks';
import { effectiveSort, type IdeaFilters, parseIdeaFilters, serializeIdeaFilters } from '../ideaQuery';
import { liveManager } from '../live/client';
import { useLiveBoard, useNow } from '../live/hooks';
import { mergeIdea } from '../live/overlay';
import { needsClock, RERANK_EVERY_MS, rankBoard, rankingParams } from '../live/ranking';
import { Link, navigate, useLocation } from '../navigation';
import { CommentForm } from '../pages/CommentForm';
import { IdeaFiltersBar } from '../pages/IdeaFiltersBar';
import { paths } from '../router';
import { useSession } from '../session';
import type { BoardView, CommunityView, IdeaView } from '../types';
import { boardExportUrl } from './api';
import { BulkStatusBar } from './BulkStatusBar';
import { MergePanel } from './MergePanel';

export function TriagePage({ boardId }: { boardId: string }) {
  const { user } = useSession();
  const ctx = useAsync((signal) => getBoardWithCommunity(boardId, signal), [boardId, user?.id]);
  useDocumentTitle(ctx.data ? `Triage · ${ctx.data.board.name}` : ctx.error ? 'Triage unavailable' : undefined);
  if (!ctx.data) {
    return ctx.error ? <Unavailable what="Board" error={ctx.error} onRetry={ctx.reload} /> : <Loading label="Loading triage…" />;
  }
  const { board, community } = ctx.data;
  const m = community.membership;
  if (!user || m?.status !== 'active' || !TEAM_ROLES.includes(m.role)) {
    return (
      <>
        <h1>Triage</h1>
        <p className="notice">
          Triage is for the product team of {community.name}. <Link to={paths.board(board.id)}>Go to the board</Link>
        </p>
      </>
    );
  }
  return <TriageQueue board={board} community={community} role={m.role} />;
}

type Panel = { ideaId: string; kind: 'merge' | 'reply' } | null;

function TriageQueue({ board, community, role }: { board: BoardView; community: CommunityView; role: (typeof TEAM_ROLES)[number] }) {
  const location = useLocation();
  const filters = parseIdeaFilters(location.search);
  const sort = effectiveSort(filters, board.ranking.formula);
  const ideas = usePagedList<IdeaView>(
    (cursor, signal) => listIdeas(board.id, { ...filters, cursor, limit: 50 }, signal),
    [board.id, filters.sort, filters.status, filters.tag, filters.q],
  );
  const limit = Math.min(200, Math.max(50, ideas.items.length));
  const { view, live } = useLiveBoard(board.id, sort, limit);
  const now = useNow(needsClock(sort) ? RERANK_EVERY_MS : null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [panel, setPanel] = useState<Panel>(null);
  const [replied, setReplied] = useState<string | null>(null);
  const { setItems, reload } = ideas;

  // Merges take the duplicate off the queue for everyone on it; the board room tells. This listener
  // joins the room useLiveBoard has joined, with the same window, so the window does not change.
  // (No reload on its snapshots: a window change brings one too, and a reload would change the window.)
  const windowRef = useRef({ sort, limit });
  windowRef.current = { sort, limit };
  useEffect(() => {
    const h = liveManager().joinBoard(board.id, windowRef.current, {
      event: (e: RoomEvent) => {
        if (e.type !== 'idea.merged') return;
        const sourceId = (e.data as { sourceId?: unknown } | null)?.sourceId;
        if (typeof sourceId === 'string') setItems((prev) => prev.filter((i) => i.id !== sourceId));
      },
    });
    return () => h.leave();
  }, [board.id, setItems]);

  const shown = useMemo(() => {
    const merged = ideas.items.map((i) => mergeIdea(i, view.overlay.get(i.id))).filter((i) => i.status !== 'merged');
    return rankBoard(merged, sort, now, rankingParams(board.ranking));
  }, [ideas.items, view.overlay, sort, now, board.ranking]);
  const chosen = shown.filter((i) => selected.has(i.id));
  const fresh = view.announced.filter((a) => !ideas.items.some((i) => i.id === a.id));

  const toggle = (id: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const allChecked = shown.length > 0 && shown.every((i) => selected.has(i.id));
  const setFilters = (next: IdeaFilters) => navigate(paths.triage(board.id) + serializeIdeaFilters(next), { replace: true });

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Communities</Link> <span aria-hidden="true">›</span> <Link to={paths.community(community.slug)}>{community.name}</Link>{' '}
        <span aria-hidden="true">›</span> <Link to={paths.board(board.id)}>{board.name}</Link>
      </nav>
      <div className="page-head">
        <div>
          <h1>Triage: {board.name}</h1>
          <p className="meta">
            <Link to={paths.roadmap(community.slug)}>Roadmap</Link> · <Link to={paths.changelog(community.slug)}>Changelog</Link> · Export{' '}
            <a href={boardExportUrl(board.id, 'csv', sort, filters.status)} download>
              CSV
            </a>{' '}
            <a href={boardExportUrl(board.id, 'json', sort, filters.status)} download>
              JSON
            </a>
          </p>
        </div>
      </div>
      <IdeaFiltersBar filters={filters} sort={sort} boardFormula={board.ranking.formula} onChange={setFilters} />
      <BulkStatusBar
        role={role}
        selected={chosen}
        onClear={() => setSelected(new Set())}
        onResults={(results) => {
          for (const r of results) if (r.ok) live.patch(r.ideaId, { status: r.status }, r.version);
          setSelected(new Set(results.filter((r) => !r.ok).map((r) => r.ideaId)));
        }}
      />
      <div className="new-ideas-region" role="status" aria-live="polite">
        {fresh.length > 0 && (
          <p className="new-ideas">
            <span>{plural(fresh.length, 'new idea')}</span>
            <button
              type="button"
              className="btn btn-small btn-primary"
              onClick={() => {
                live.clearAnnounced();
                reload();
              }}
            >
              Show
            </button>
          </p>
        )}
      </div>
      <ErrorNotice error={ideas.error} onRetry={reload} />
      {ideas.loading && ideas.items.length === 0 ? (
        <Loading label="Loading the queue…" />
      ) : shown.length === 0 ? (
        <p className="empty">Nothing to triage here.</p>
      ) : (
        <table className="triage-table" aria-label="Triage queue" aria-busy={ideas.loading}>
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select all"
                  checked={allChecked}
                  onChange={() => setSelected(allChecked ? new Set() : new Set(shown.map((i) => i.id)))}
                />
              </th>
              <th scope="col">Idea</th>
              <th scope="col">Status</th>
              <th scope="col">Votes</th>
              <th scope="col">Comments</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((idea) => (
              <TriageRow
                key={idea.id}
                idea={idea}
                checked={selected.has(idea.id)}
                onToggle={() => toggle(idea.id)}
                panel={panel?.ideaId === idea.id ? panel.kind : null}
                onPanel={(kind) => setPanel(kind ? { ideaId: idea.id, kind } : null)}
                replied={replied === idea.id}
                onReplied={() => {
                  setReplied(idea.id);
                  setPanel(null);
                }}
                onMerged={(r) => {
                  setPanel(null);
                  setItems((prev) => prev.filter((i) => i.id !== r.source.id));
                  live.patch(
                    r.target.id,
                    { up: r.target.up, down: r.target.down, voteCount: r.target.voteCount, commentCount: r.target.commentCount },
                    r.target.version,
                  );
                }}
              />
            ))}
          </tbody>
        </table>
      )}
      <LoadMore hasMore={ideas.hasMore} loading={ideas.loadingMore} onClick={ideas.loadMore} />
    </>
  );
}

function TriageRow({
  idea,
  checked,
  onToggle,
  panel,
  onPanel,
  replied,
  onReplied,
  onMerged,
}: {
  idea: IdeaView;
  checked: boolean;
  onToggle: () => void;
  panel: 'merge' | 'reply' | null;
  onPanel: (kind: 'merge' | 'reply' | null) => void;
  replied: boolean;
  onReplied: () => void;
  onMerged: Parameters<typeof MergePanel>[0]['onMerged'];
}) {
  return (
    <>
      <tr className={checked ? 'triage-row triage-row-selected' : 'triage-row'}>
        <td>
          <input type="checkbox" aria-label={`Select “${idea.title}”`} checked={checked} onChange={onToggle} />
        </td>
        <td className="triage-title">
          <Link to={paths.idea(idea.id)}>{idea.title}</Link>
          {replied && <span className="meta-small"> · official reply posted</span>}
        </td>
        <td>
          <StatusBadge status={idea.status} />
        </td>
        <td data-label="Votes" aria-label={`${idea.voteCount} votes (${idea.up} up, ${idea.down} down)`}>
          {idea.voteCount}{' '}
          <span className="meta-small">
            (+{idea.up} / −{idea.down})
          </span>
        </td>
        <td data-label="Comments">{idea.commentCount}</td>
        <td className="triage-actions">
          <button
            type="button"
            className="btn btn-small"
            aria-expanded={panel === 'merge'}
            onClick={() => onPanel(panel === 'merge' ? null : 'merge')}
          >
            Merge…
          </button>
          <button
            type="button"
            className="btn btn-small"
            aria-expanded={panel === 'reply'}
            onClick={() => onPanel(panel === 'reply' ? null : 'reply')}
          >
            Reply…
          </button>
        </td>
      </tr>
      {panel && (
        <tr className="triage-panel">
          <td colSpan={6}>
            {panel === 'merge' ? (
              <MergePanel source={idea} onMerged={onMerged} onCancel={() => onPanel(null)} />
            ) : (
              <CommentForm
                label={`Official reply to “${idea.title}”`}
                submitLabel="Post official reply"
                autoFocus
                onSubmit={async (body) => {
                  await createComment(idea.id, { body, official: true });
                  onReplied();
                }}
                onCancel={() => onPanel(null)}
              />
            )}
          </td>
        </tr>
      )}
    </>
  );
}
