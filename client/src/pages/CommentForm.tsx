import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../components/ErrorNotice';
import { TextAreaField } from '../components/Field';
import { describeError, issueFor } from '../errors';
import { useAction, useTyping } from '../hooks';

interface Props {
  label: string;
  submitLabel: string;
  initial?: string;
  /** Offer the "official team reply" checkbox. */
  canPostOfficial?: boolean;
  onSubmit: (body: string, official: boolean) => Promise<void>;
  onCancel?: () => void;
  autoFocus?: boolean;
  /** Whether the user is writing here (focus and text), for presence. */
  onTypingChange?: (typing: boolean) => void;
}

export function CommentForm({ label, submitLabel, initial = '', canPostOfficial, onSubmit, onCancel, autoFocus, onTypingChange }: Props) {
  const [body, setBody] = useState(initial);
  const [official, setOfficial] = useState(false);
  const { busy, error, run } = useAction();
  const typing = useTyping(body.trim() !== '', onTypingChange);
  const fields = error ? describeError(error).fields : [];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!body.trim()) return;
    void run(async () => {
      await onSubmit(body.trim(), official);
      setBody('');
      setOfficial(false);
    });
  };

  return (
    <form className="comment-form stack" onSubmit={submit} aria-label={label} {...typing}>
      <ErrorNotice error={error} compact fieldLabels={{ body: 'Comment' }} />
      <TextAreaField
        label={label}
        required
        rows={3}
        maxLength={10_000}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        error={issueFor(fields, 'body')}
        autoFocus={autoFocus}
      />
      {canPostOfficial && (
        <label className="checkbox">
          <input type="checkbox" checked={official} onChange={(e) => setOfficial(e.target.checked)} />
          Post as an official team response
        </label>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary btn-small" disabled={busy || !body.trim()}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="btn btn-ghost btn-small" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
