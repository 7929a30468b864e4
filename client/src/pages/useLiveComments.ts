import { useEffect, useRef } from 'react';
import type { PagedList } from '../hooks';
import { applyCommentChange, CommentLedger, commentChange, needsReload } from '../live/comments';
import { useIdeaEvents } from '../live/hooks';
import { allowed, type PermissionContext } from '../permissions';
import type { CommentView, IdeaView } from '../types';

/**
 * Keeps an idea's comment list live: others' comments appear, edits and deletions show, hidden
 * ones leave (or are marked, for staff), and after a resync the list is loaded again. Each comment
 * moves the count once, whether the user's own request or the room reports it first.
 */
export function useLiveComments(
  idea: IdeaView,
  perm: PermissionContext,
  list: PagedList<CommentView>,
  onCountChange: (delta: number) => void,
) {
  const ledger = useRef(new CommentLedger());
  const { items, setItems, reload, hasMore } = list;
  const itemsRef = useRef(items);
  useEffect(() => {
    itemsRef.current = items;
    ledger.current.seen(items);
  }, [items]);

  const staff = allowed(perm, 'comment.hide', idea);
  const userId = perm.user?.id ?? null;
  const seesHidden = (c: CommentView) => staff || (userId !== null && c.author?.id === userId);

  useIdeaEvents(
    idea.id,
    (event) => {
      const change = commentChange(event);
      if (!change) return;
      if (change.kind === 'created') onCountChange(ledger.current.created(change.comment.id));
      if (change.kind === 'deleted') onCountChange(ledger.current.deleted(change.commentId));
      if (needsReload(itemsRef.current, change)) return reload();
      // Oldest first: a new comment is appended only when the list is complete.
      setItems((prev) => applyCommentChange(prev, change, { appendNew: !hasMore, seesHidden }));
    },
    reload,
  );

  return {
    /** The user's own new comment, from the REST answer. */
    add: (comment: CommentView) => {
      onCountChange(ledger.current.created(comment.id));
      setItems((prev) => applyCommentChange(prev, { kind: 'created', comment }, { appendNew: true, seesHidden }));
    },
    /** The user deleted a comment (the REST call succeeded). */
    deleted: (commentId: string) => onCountChange(ledger.current.deleted(commentId)),
  };
}
