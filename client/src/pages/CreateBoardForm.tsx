import { type FormEvent, useState } from 'react';
import { createBoard } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { TextAreaField, TextField } from '../components/Field';
import { describeError, issueFor } from '../errors';
import { useAction } from '../hooks';
import type { BoardView } from '../types';

interface Props {
  slug: string;
  onCreated: (board: BoardView) => void;
  onCancel: () => void;
}

export function CreateBoardForm({ slug, onCreated, onCancel }: Props) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const { busy, error, run } = useAction();
  const fields = error ? describeError(error).fields : [];

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const board = await createBoard(slug, { name: name.trim(), description: description.trim() || undefined });
      onCreated(board);
    });
  };

  return (
    <form className="panel stack" onSubmit={onSubmit} aria-labelledby="new-board-title">
      <h3 id="new-board-title">New board</h3>
      <ErrorNotice error={error} fieldLabels={{ name: 'Name', description: 'Description', slug: 'Address' }} />
      <TextField
        label="Name"
        required
        maxLength={80}
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={issueFor(fields, 'name') ?? issueFor(fields, 'slug')}
        hint="For example “Feature requests” or “Mobile app”."
        autoFocus
      />
      <TextAreaField
        label="Description"
        optional
        rows={2}
        maxLength={2000}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        error={issueFor(fields, 'description')}
      />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create board'}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
