import type { JoinPolicy, Visibility } from '@cocreate/protocol';
import { type FormEvent, useState } from 'react';
import { createCommunity } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { TextAreaField, TextField } from '../components/Field';
import { describeError, issueFor } from '../errors';
import { slugify } from '../format';
import { useAction } from '../hooks';
import { navigate } from '../navigation';
import { paths } from '../router';

const LABELS = { name: 'Name', slug: 'Address', description: 'Description', visibility: 'Visibility', joinPolicy: 'Who can join' };

const JOIN_HINTS: Record<JoinPolicy, string> = {
  open: 'Anyone can join straight away.',
  request: 'People ask to join and an admin approves them.',
  invite: 'Only people with an invite code can join.',
};

export function CreateCommunityForm({ onCancel }: { onCancel: () => void }) {
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [description, setDescription] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [joinPolicy, setJoinPolicy] = useState<JoinPolicy>('open');
  const { busy, error, run } = useAction();
  const fields = error ? describeError(error).fields : [];
  const effectiveSlug = slugEdited ? slug : slugify(name);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const created = await createCommunity({
        slug: effectiveSlug,
        name: name.trim(),
        description: description.trim() || undefined,
        visibility,
        joinPolicy,
      });
      navigate(paths.community(created.slug));
    });
  };

  return (
    <form className="panel stack" onSubmit={onSubmit} aria-labelledby="new-community-title">
      <h2 id="new-community-title">New community</h2>
      <ErrorNotice error={error} fieldLabels={LABELS} overrides={{ CONFLICT: 'That address is already taken.' }} />
      <TextField
        label={LABELS.name}
        required
        maxLength={80}
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={issueFor(fields, 'name')}
        autoFocus
      />
      <TextField
        label={LABELS.slug}
        required
        minLength={3}
        maxLength={48}
        pattern="[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?"
        autoCapitalize="none"
        spellCheck={false}
        hint={`Lower-case letters, digits and dashes. Your community will live at /c/${effectiveSlug || '…'}`}
        value={effectiveSlug}
        onChange={(e) => {
          setSlugEdited(true);
          setSlug(e.target.value);
        }}
        error={issueFor(fields, 'slug')}
      />
      <TextAreaField
        label={LABELS.description}
        optional
        rows={3}
        maxLength={2000}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        error={issueFor(fields, 'description')}
      />
      <div className="field-row">
        <div className="field">
          <label htmlFor="cc-visibility">{LABELS.visibility}</label>
          <select id="cc-visibility" value={visibility} onChange={(e) => setVisibility(e.target.value as Visibility)}>
            <option value="public">Public: anyone can read</option>
            <option value="private">Private: members only</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="cc-join">{LABELS.joinPolicy}</label>
          <select
            id="cc-join"
            value={joinPolicy}
            aria-describedby="cc-join-hint"
            onChange={(e) => setJoinPolicy(e.target.value as JoinPolicy)}
          >
            <option value="open">Anyone</option>
            <option value="request">On request</option>
            <option value="invite">Invite only</option>
          </select>
          <p id="cc-join-hint" className="hint">
            {JOIN_HINTS[joinPolicy]}
          </p>
        </div>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create community'}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
