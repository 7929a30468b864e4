import { useEffect, useState } from 'react';
import { createComment, listComments } from '../api';
import { LoadMore } from '../components/bits';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { plural } from '../format';
import { usePagedList } from '../hooks';
import { buildThreads, replaceById } from '../lists';
import { useLiveComments } from './useLiveComments';
import { Link } from '../navigation';
import { allowed, blockFor, decide, type PermissionContext } from '../permissions';
import type { CommentView, IdeaView } from '../types';
import { CommentForm } from './CommentForm';
import { CommentItem } from './CommentItem';

interface Props {
  idea: IdeaView;
  perm: PermissionContext;
  where: { loginHref: string; communityHref: string };
  /** The idea's comment count moved (each comment counted once, whoever reports it). */
  onCountChange: (delta: number) => void;
  /** Whether the user is writing a comment or reply, for presence. */
  onTypingChange?: (typing: boolean) => void;
}

/** The discussion: threads one level deep, oldest first, with replies under their parent. */
export function Comments({ idea, perm, where, onCountChange, onTypingChange }: Props) {
  const list = usePagedList<CommentView>((cursor, signal) => listComments(idea.id, cursor, signal), [idea.id, perm.user?.id]);
  const live = useLiveComments(idea, perm, list, onCountChange);
  const [typing, setTyping] = useState({ main: false, reply: false });
  const anyTyping = typing.main || typing.reply;
  useEffect(() => {
    onTypingChange?.(anyTyping);
  }, [anyTyping, onTypingChange]);
  /** The reply form: which thread it sits at the end of, and which comment it answers. */
  const [replyTo, setReplyTo] = useState<{ threadId: string; comment: CommentView } | null>(null);
  const threads = buildThreads(list.items);
  const block = blockFor(decide(perm, 'idea.comment', idea), 'comment', where);
  const canOfficial = allowed(perm, 'idea.commentOfficial', idea);

  useEffect(() => {
    if (!list.loading && window.location.hash === '#comments') document.getElementById('comments')?.scrollIntoView();
  }, [list.loading]);

  const post = async (body: string, official: boolean, parentId?: string) => {
    const created = await createComment(idea.id, {
      body,
      ...(parentId ? { parentId } : {}),
      ...(official ? { official: true } : {}),
    });
    live.add(created);
    setReplyTo(null);
  };
  const replace = (c: CommentView) => list.setItems((prev) => replaceById(prev, c));

  return (
    <section id="comments" className="comments" aria-labelledby="comments-title">
      <h2 id="comments-title">{plural(idea.commentCount, 'comment')}</h2>
      <ErrorNotice error={list.error} onRetry={list.items.length ? list.loadMore : list.reload} />
      {list.loading && list.items.length === 0 ? (
        <Loading label="Loading comments…" />
      ) : threads.length === 0 && !list.error ? (
        <p className="empty">No comments yet.{block ? '' : ' Start the conversation below.'}</p>
      ) : (
        <ol className="thread-list">
          {threads.map(({ comment, replies }) => (
            <li key={comment.id} className="thread">
              <CommentItem
                comment={comment}
                idea={idea}
                perm={perm}
                onReply={block ? undefined : () => setReplyTo({ threadId: comment.id, comment })}
                onChange={replace}
                onDeleted={() => live.deleted(comment.id)}
              />
              {(replies.length > 0 || replyTo?.threadId === comment.id) && (
                <ol className="reply-list" aria-label={`Replies to ${comment.author ? `@${comment.author.handle}` : 'a deleted comment'}`}>
                  {replies.map((r) => (
                    <li key={r.id}>
                      <CommentItem
                        comment={r}
                        idea={idea}
                        perm={perm}
                        onReply={block ? undefined : () => setReplyTo({ threadId: comment.id, comment: r })}
                        onChange={replace}
                        onDeleted={() => live.deleted(r.id)}
                      />
                    </li>
                  ))}
                  {replyTo?.threadId === comment.id && (
                    <li>
                      <CommentForm
                        key={replyTo.comment.id}
                        label={`Reply to ${replyTo.comment.author ? `@${replyTo.comment.author.handle}` : 'this comment'}`}
                        submitLabel="Reply"
                        canPostOfficial={canOfficial}
                        onSubmit={(body, official) => post(body, official, replyTo.comment.id)}
                        onCancel={() => setReplyTo(null)}
                        onTypingChange={(reply) => setTyping((t) => ({ ...t, reply }))}
                        autoFocus
                      />
                    </li>
                  )}
                </ol>
              )}
            </li>
          ))}
        </ol>
      )}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} label="More comments" />

      {block ? (
        <p className="notice">
          {block.message} {block.link && <Link to={block.link.to}>{block.link.label}</Link>}
        </p>
      ) : (
        <CommentForm
          label="Add a comment"
          submitLabel="Comment"
          canPostOfficial={canOfficial}
          onSubmit={(b, o) => post(b, o)}
          onTypingChange={(main) => setTyping((t) => ({ ...t, main }))}
        />
      )}
    </section>
  );
}
