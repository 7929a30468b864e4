import { useState } from 'react';
import { deleteComment, updateComment } from '../api';
import { Author, TimeAgo } from '../components/bits';
import { errorText } from '../errors';
import { allowed, type PermissionContext } from '../permissions';
import type { CommentView, IdeaView } from '../types';
import { CommentForm } from './CommentForm';

interface Props {
  comment: CommentView;
  idea: IdeaView;
  perm: PermissionContext;
  /** Absent when the user may not comment. */
  onReply?: () => void;
  onChange: (comment: CommentView) => void;
  /** Called once the server has deleted the comment (the idea's comment count drops). */
  onDeleted?: () => void;
}

export function CommentItem({ comment, idea, perm, onReply, onChange, onDeleted }: Props) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mine = perm.user != null && comment.author?.id === perm.user.id;
  const canEdit = mine && allowed(perm, 'comment.edit', idea, comment);
  const canDelete = mine && allowed(perm, 'comment.delete', idea, comment);

  if (comment.deleted) {
    return (
      <div className="comment comment-deleted">
        <p>
          <em>This comment was deleted.</em>
        </p>
      </div>
    );
  }

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await deleteComment(comment.id);
      onChange({ ...comment, deleted: true, body: '' });
      onDeleted?.();
    } catch (err) {
      setError(`Could not delete. ${errorText(err)}`);
      setBusy(false);
    }
  };

  // The actions repeat on every comment; their names say whose comment they act on.
  const whose = comment.author ? `@${comment.author.handle}` : 'deleted user';
  const classes = ['comment'];
  if (comment.official) classes.push('comment-official');
  if (comment.hidden) classes.push('comment-hidden');

  return (
    <div className={classes.join(' ')}>
      <p className="comment-meta">
        <Author user={comment.author} />
        {comment.official && <span className="badge badge-official">Official response</span>}
        {comment.hidden && <span className="badge badge-danger">Hidden</span>}
        <TimeAgo iso={comment.createdAt} />
        {comment.editedAt && <span className="edited">(edited)</span>}
      </p>
      {editing ? (
        <CommentForm
          label="Edit your comment"
          submitLabel="Save"
          initial={comment.body}
          autoFocus
          onCancel={() => setEditing(false)}
          onSubmit={async (body) => {
            onChange(await updateComment(comment.id, body));
            setEditing(false);
          }}
        />
      ) : (
        <div className="comment-body prewrap">{comment.body}</div>
      )}
      {!editing && (onReply || canEdit || canDelete) && (
        <div className="comment-actions">
          {confirming ? (
            <fieldset className="confirm-inline">
              <legend className="visually-hidden">Confirm deletion</legend>
              Delete this comment?{' '}
              <button type="button" className="link-button danger" onClick={remove} disabled={busy}>
                {busy ? 'Deleting…' : 'Yes, delete'}
              </button>{' '}
              <button type="button" className="link-button" onClick={() => setConfirming(false)} disabled={busy}>
                Keep it
              </button>
            </fieldset>
          ) : (
            <>
              {onReply && (
                <button type="button" className="link-button" onClick={onReply} aria-label={`Reply to ${whose}`}>
                  Reply
                </button>
              )}
              {canEdit && (
                <button type="button" className="link-button" onClick={() => setEditing(true)} aria-label="Edit your comment">
                  Edit
                </button>
              )}
              {canDelete && (
                <button type="button" className="link-button danger" onClick={() => setConfirming(true)} aria-label="Delete your comment">
                  Delete
                </button>
              )}
            </>
          )}
        </div>
      )}
      <p role="alert" className="inline-error">
        {error}
      </p>
    </div>
  );
}
