/** List plumbing: merging pages and threading comments. */
import type { CommentView } from './types';

/** Appends a page to a list, dropping items already shown (rankings move between pages). */
export function mergeById<T extends { id: string }>(current: readonly T[], page: readonly T[]): T[] {
  const seen = new Set(current.map((item) => item.id));
  const out = [...current];
  for (const item of page) {
    if (!seen.has(item.id)) {
      seen.add(item.id);
      out.push(item);
    }
  }
  return out;
}

/** Replaces the item with the same id; the list is returned unchanged when there is none. */
export function replaceById<T extends { id: string }>(list: readonly T[], item: T): T[] {
  return list.map((x) => (x.id === item.id ? item : x));
}

export interface Thread {
  comment: CommentView;
  replies: CommentView[];
}

/**
 * Groups a flat, oldest-first list into one-level threads. A reply to a reply joins the thread
 * of its top-level ancestor; a reply whose parent is not in the list becomes a thread of its own.
 */
export function buildThreads(comments: readonly CommentView[]): Thread[] {
  const threads: Thread[] = [];
  const byId = new Map<string, Thread>();
  const rootOf = new Map<string, string>();
  for (const comment of comments) {
    const rootId = comment.parentId ? rootOf.get(comment.parentId) : undefined;
    const thread = rootId ? byId.get(rootId) : undefined;
    if (thread) {
      thread.replies.push(comment);
      rootOf.set(comment.id, thread.comment.id);
    } else {
      const t: Thread = { comment, replies: [] };
      threads.push(t);
      byId.set(comment.id, t);
      rootOf.set(comment.id, comment.id);
    }
  }
  return threads;
}
