import { type FormEvent, useState } from 'react';
import { createIdea } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { TextAreaField, TextField } from '../components/Field';
import { describeError, issueFor } from '../errors';
import { parseTags, tagProblem } from '../format';
import { useAction, useTyping } from '../hooks';
import type { IdeaView } from '../types';
import { SimilarIdeas, useSimilarIdeas } from './SimilarIdeas';

interface Props {
  boardId: string;
  onCreated: (idea: IdeaView) => void;
  onCancel: () => void;
  /** Whether the user is writing (the form has focus and text), for presence. */
  onTypingChange?: (typing: boolean) => void;
}

const LABELS = { title: 'Title', body: 'Details', tags: 'Tags' };

export function IdeaComposer({ boardId, onCreated, onCancel, onTypingChange }: Props) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [tagInput, setTagInput] = useState('');
  const [tagError, setTagError] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const hasText = Boolean(title.trim() || body.trim());
  const typing = useTyping(hasText, onTypingChange);
  const fields = error ? describeError(error).fields : [];
  const similar = useSimilarIdeas(boardId, title);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const tags = parseTags(tagInput);
    const problem = tagProblem(tags);
    setTagError(problem);
    if (problem) return;
    void run(async () => {
      const idea = await createIdea(boardId, {
        title: title.trim(),
        ...(body.trim() ? { body } : {}),
        ...(tags.length ? { tags } : {}),
      });
      onCreated(idea);
    });
  };

  return (
    <form className="panel stack" onSubmit={onSubmit} aria-labelledby="composer-title" {...typing}>
      <h2 id="composer-title">Suggest an idea</h2>
      <ErrorNotice error={error} fieldLabels={LABELS} />
      <TextField
        label={LABELS.title}
        required
        maxLength={160}
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        hint="One sentence that says what you'd like. Similar ideas show up below as you type."
        error={issueFor(fields, 'title')}
        autoFocus
      />
      <SimilarIdeas ideas={similar} />
      <TextAreaField
        label={LABELS.body}
        optional
        rows={6}
        maxLength={20_000}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        hint="What problem would it solve? How would it work?"
        error={issueFor(fields, 'body')}
      />
      <TextField
        label={LABELS.tags}
        optional
        value={tagInput}
        onChange={(e) => setTagInput(e.target.value)}
        hint="Separate tags with commas, e.g. “mobile, dark mode”. Up to 10."
        error={tagError ?? issueFor(fields, 'tags')}
      />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Posting…' : 'Post idea'}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
