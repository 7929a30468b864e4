import { type ReactNode, useEffect, useMemo, useRef } from 'react';
import { getIdea } from '../api';
import { PresenceBar } from '../components/PresenceBar';
import { useFlip } from '../components/useFlip';
import type { PagedList } from '../hooks';
import { effectiveSort, type IdeaFilters } from '../ideaQuery';
import { mergeById } from '../lists';
import { missingIdeas } from '../live/boardState';
import { useLiveBoard, useNow, usePresenceStatus } from '../live/hooks';
import { mergeIdea } from '../live/overlay';
import { needsClock, rankBoard, rankingParams, RERANK_EVERY_MS } from '../live/ranking';
import { allowed, type Block, blockFor, decide, type PermissionContext } from '../permissions';
import type { BoardView, IdeaView } from '../types';
import { IdeaCard } from './IdeaCard';

interface Props {
  board: BoardView;
  filters: IdeaFilters;
  ideas: PagedList<IdeaView>;
  perm: PermissionContext;
  where: { loginHref: string; communityHref: string };
  /** The user is writing a new idea on this board (shown to others as typing). */
  composing: boolean;
  onTag: (tag: string) => void;
  /** Shown instead of the list when it has no ideas (loading, empty, filtered out). */
  placeholder: ReactNode;
}

/** Most ideas fetched one by one when they climb into view or are shown from the notice. */
const MAX_FETCH = 20;

/**
 * The board's ideas, live: counts change and rows re-rank (sliding into place) as anyone votes,
 * new ideas wait behind a notice instead of pushing the list around, and avatars show who is here.
 */
export function BoardIdeas({ board, filters, ideas, perm, where, composing, onTag, placeholder }: Props) {
  const sort = effectiveSort(filters, board.ranking.formula);
  const limit = Math.min(200, Math.max(25, ideas.items.length));
  const { view, live } = useLiveBoard(board.id, sort, limit);
  usePresenceStatus(`board:${board.id}`, composing);
  const now = useNow(needsClock(sort) ? RERANK_EVERY_MS : null);
  const filtered = Boolean(filters.status || filters.tag || filters.q);
  const userId = perm.user?.id ?? null;
  const { gravity, decayHours } = board.ranking;

  const shown = useMemo(() => {
    const merged = ideas.items
      .map((idea) => mergeIdea(idea, view.overlay.get(idea.id)))
      // A hidden idea leaves the board for everyone but the staff, who see it marked.
      .filter((idea) => !idea.hidden || allowed(perm, 'idea.hide', idea));
    return rankBoard(merged, sort, now, rankingParams({ gravity, decayHours }));
  }, [ideas.items, view.overlay, perm, sort, now, gravity, decayHours]);

  // A fresh first page shows whatever was announced before it.
  const { loading, setItems } = ideas;
  useEffect(() => {
    if (!loading) live.clearAnnounced();
  }, [loading, live]);

  // Ideas the server's window has and the list lacks: newer ones are news, older ones climbed in.
  const tried = useRef(new Set<string>());
  useEffect(() => {
    // Only against the window this list shows (a sort switch re-joins with a new one).
    if (loading || filtered || view.window?.sort !== sort) return;
    const { news, climbed } = missingIdeas(view, ideas.items);
    if (news.length > 0) live.announce(news.map((id) => ({ id, title: '', authorId: null })));
    const fetch = climbed.filter((id) => !tried.current.has(id)).slice(0, MAX_FETCH);
    for (const id of fetch) {
      tried.current.add(id);
      getIdea(id).then(
        (idea) => setItems((prev) => mergeById(prev, [idea])),
        () => undefined,
      );
    }
  }, [view, ideas.items, loading, filtered, sort, live, setItems]);

  const listed = useMemo(() => new Set(ideas.items.map((i) => i.id)), [ideas.items]);
  const fresh = view.announced.filter((a) => !listed.has(a.id) && (a.authorId === null || a.authorId !== userId));
  const showNew = () => {
    const ids = fresh.map((a) => a.id);
    live.clearAnnounced();
    // With filters, or many at once, the list is loaded again; else the new ideas slot in.
    if (filtered || ids.length > MAX_FETCH) return ideas.reload();
    for (const id of ids) {
      getIdea(id).then(
        (idea) => setItems((prev) => mergeById(prev, [idea])),
        () => undefined,
      );
    }
  };

  const listRef = useRef<HTMLOListElement>(null);
  useFlip(listRef, shown.map((i) => i.id).join(','));

  return (
    <>
      <PresenceBar members={view.presence} selfUserId={userId} where="on this board" />
      <div className="new-ideas-region" role="status" aria-live="polite">
        {fresh.length > 0 && (
          <p className="new-ideas">
            <span>{fresh.length === 1 ? '1 new idea' : `${fresh.length} new ideas`}</span>
            <button type="button" className="btn btn-small btn-primary" onClick={showNew}>
              Show
            </button>
          </p>
        )}
      </div>
      {shown.length === 0 ? (
        placeholder
      ) : (
        <ol ref={listRef} className="idea-list" aria-busy={ideas.loading} aria-label="Ideas">
          {shown.map((idea) => (
            <IdeaCard
              key={idea.id}
              idea={idea}
              downvotesEnabled={board.downvotesEnabled}
              voteBlock={voteBlock(perm, idea, where)}
              onTag={onTag}
              onVoteSettled={(t) => live.patch(idea.id, { up: t.up, down: t.down, voteCount: t.voteCount, myVote: t.myVote }, t.version)}
            />
          ))}
        </ol>
      )}
    </>
  );
}

function voteBlock(perm: PermissionContext, idea: IdeaView, where: Props['where']): Block | null {
  return blockFor(decide(perm, 'idea.vote', idea), 'vote', where);
}
