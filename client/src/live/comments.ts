/**
 * Live comments on an idea page. Two sources report the same comment (the author's own REST answer
 * and the room's event, in either order), so the count moves through a ledger that counts each
 * comment once; the list changes are pure functions of the current list.
 */
import type { RoomEvent } from '@cocreate/protocol';
import type { CommentView } from '../types';

/** Counts each created and each deleted comment once, whoever reports it first. */
export class CommentLedger {
  private readonly known = new Set<string>();
  private readonly gone = new Set<string>();

  /** Comments that came with a page of the list: already part of the idea's count. */
  seen(comments: readonly Pick<CommentView, 'id' | 'deleted'>[]): void {
    for (const c of comments) {
      this.known.add(c.id);
      if (c.deleted) this.gone.add(c.id);
    }
  }

  /** A comment was created: +1 the first time it is reported, else 0. */
  created(id: string): number {
    if (this.known.has(id)) return 0;
    this.known.add(id);
    return 1;
  }

  /** A comment was deleted: −1 the first time it is reported, else 0. */
  deleted(id: string): number {
    if (this.gone.has(id)) return 0;
    this.gone.add(id);
    this.known.add(id);
    return -1;
  }
}

/** What a comment event means for the page. */
export type CommentChange =
  | { kind: 'created'; comment: CommentView }
  | { kind: 'updated'; comment: CommentView }
  | { kind: 'deleted'; commentId: string }
  | { kind: 'moderated'; commentId: string; hidden: boolean };

const isComment = (c: unknown): c is CommentView =>
  typeof c === 'object' && c !== null && typeof (c as CommentView).id === 'string' && typeof (c as CommentView).body === 'string';

/** Reads a room event as a comment change; null for other events or malformed payloads. */
export function commentChange(event: Pick<RoomEvent, 'type' | 'data'>): CommentChange | null {
  const data = event.data as { comment?: unknown; commentId?: unknown } | null;
  switch (event.type) {
    case 'comment.created':
      return isComment(data?.comment) ? { kind: 'created', comment: data.comment } : null;
    case 'comment.updated':
      return isComment(data?.comment) ? { kind: 'updated', comment: data.comment } : null;
    case 'comment.deleted':
      return typeof data?.commentId === 'string' ? { kind: 'deleted', commentId: data.commentId } : null;
    case 'comment.moderated': {
      const c = data?.comment as { id?: unknown; hidden?: unknown } | undefined;
      return typeof c?.id === 'string' && typeof c.hidden === 'boolean' ? { kind: 'moderated', commentId: c.id, hidden: c.hidden } : null;
    }
    default:
      return null;
  }
}

export interface CommentListContext {
  /** Add new comments at the end: only when the whole (oldest-first) list is loaded. */
  appendNew: boolean;
  /** Whether this viewer may still see a comment once it is hidden (staff, its author). */
  seesHidden: (comment: CommentView) => boolean;
}

/** The list after a change; the same array when the change does not touch it. */
export function applyCommentChange(items: CommentView[], change: CommentChange, ctx: CommentListContext): CommentView[] {
  switch (change.kind) {
    case 'created':
      if (items.some((c) => c.id === change.comment.id) || !ctx.appendNew) return items;
      return [...items, change.comment];
    case 'updated': {
      const i = items.findIndex((c) => c.id === change.comment.id);
      if (i < 0) return items;
      const next = [...items];
      // An edit event never carries moderation news: keep what this list knows about hiding.
      next[i] = { ...change.comment, hidden: items[i]?.hidden ?? change.comment.hidden };
      return next;
    }
    case 'deleted': {
      const i = items.findIndex((c) => c.id === change.commentId);
      const known = items[i];
      if (!known || known.deleted) return items;
      const next = [...items];
      next[i] = { ...known, deleted: true, body: '' };
      return next;
    }
    case 'moderated': {
      const i = items.findIndex((c) => c.id === change.commentId);
      const known = items[i];
      if (!known || known.hidden === change.hidden) return items;
      if (change.hidden && !ctx.seesHidden(known)) return items.filter((c) => c.id !== change.commentId);
      const next = [...items];
      next[i] = { ...known, hidden: change.hidden };
      return next;
    }
  }
}

/** A comment shown again that this list never had: only a reload can bring its text. */
export function needsReload(items: readonly CommentView[], change: CommentChange): boolean {
  return change.kind === 'moderated' && !change.hidden && !items.some((c) => c.id === change.commentId);
}
