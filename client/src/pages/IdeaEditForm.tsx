import { type FormEvent, useState } from 'react';
import { updateIdea } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { TextField } from '../components/Field';
import { describeError, issueFor } from '../errors';
import { parseTags, tagProblem } from '../format';
import { useAction } from '../hooks';
import type { IdeaView } from '../types';

interface Props {
  idea: IdeaView;
  onSaved: (idea: IdeaView) => void;
  onCancel: () => void;
}

export function IdeaEditForm({ idea, onSaved, onCancel }: Props) {
  const [title, setTitle] = useState(idea.title);
  const [tagInput, setTagInput] = useState(idea.tags.join(', '));
  const [tagError, setTagError] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const fields = error ? describeError(error).fields : [];

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const tags = parseTags(tagInput);
    const problem = tagProblem(tags);
    setTagError(problem);
    if (problem) return;
    void run(async () => {
      onSaved(await updateIdea(idea.id, { title: title.trim(), tags }));
    });
  };

  return (
    <form className="stack" onSubmit={onSubmit} aria-label="Edit idea">
      <ErrorNotice error={error} fieldLabels={{ title: 'Title', tags: 'Tags' }} />
      <TextField
        label="Title"
        required
        maxLength={160}
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        error={issueFor(fields, 'title')}
        autoFocus
      />
      <TextField
        label="Tags"
        optional
        value={tagInput}
        onChange={(e) => setTagInput(e.target.value)}
        hint="Separate tags with commas."
        error={tagError ?? issueFor(fields, 'tags')}
      />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
