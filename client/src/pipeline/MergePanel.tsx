/** Merge a duplicate: search the board for the target, see what moves, confirm. */
import { type FormEvent, useState } from 'react';
import { listIdeas } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { plural } from '../format';
import { useAction } from '../hooks';
import type { IdeaView } from '../types';
import { type MergeAnswer, type MergePreview, mergeIdeas, mergePreview } from './api';

export function MergePanel({ source, onMerged, onCancel }: { source: IdeaView; onMerged: (r: MergeAnswer) => void; onCancel: () => void }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<IdeaView[] | null>(null);
  const [preview, setPreview] = useState<MergePreview | null>(null);
  const searching = useAction();
  const merging = useAction();

  const search = (e: FormEvent) => {
    e.preventDefault();
    setPreview(null);
    void searching.run(async () => {
      const page = await listIdeas(source.boardId, { q: q.trim() || undefined, limit: 10 });
      setFound(page.items.filter((i) => i.id !== source.id && i.status !== 'merged'));
    });
  };
  const pick = (target: IdeaView) => void searching.run(async () => setPreview(await mergePreview(source.id, target.id)));
  const confirm = () => {
    if (!preview) return;
    void merging.run(async () => onMerged(await mergeIdeas(source.id, preview.target.id)));
  };

  return (
    <section className="merge-panel stack" aria-label={`Merge “${source.title}” into another idea`}>
      {/* biome-ignore lint/a11y/useSemanticElements: <search> is not yet announced everywhere */}
      <form role="search" className="search" onSubmit={search}>
        <label htmlFor={`merge-q-${source.id}`} className="visually-hidden">
          Find the idea to merge into
        </label>
        <input
          id={`merge-q-${source.id}`}
          type="search"
          placeholder="Find the idea to merge into"
          maxLength={200}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <button type="submit" className="btn btn-small" disabled={searching.busy}>
          Search
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={onCancel}>
          Cancel
        </button>
      </form>
      <ErrorNotice error={searching.error} compact />
      {found &&
        !preview &&
        (found.length === 0 ? (
          <p className="empty">No other idea matches.</p>
        ) : (
          <ul className="merge-candidates" aria-label="Merge targets">
            {found.map((t) => (
              <li key={t.id}>
                <button type="button" className="link-button" onClick={() => pick(t)}>
                  {t.title}
                </button>{' '}
                <span className="meta-small">{plural(t.voteCount, 'vote')}</span>
              </li>
            ))}
          </ul>
        ))}
      {preview && (
        <div className="merge-preview" role="status">
          <p>
            Merge “{preview.source.title}” into <strong>“{preview.target.title}”</strong>:
          </p>
          <ul>
            <li>{plural(preview.votesMoving, 'vote')} move</li>
            <li>{plural(preview.votesDropped, 'vote')} dropped (those voters already voted on the target)</li>
            <li>{plural(preview.commentsMoving, 'comment')} move</li>
            <li>{plural(preview.followersMoving, 'follower')} move</li>
          </ul>
          <ErrorNotice error={merging.error} compact />
          <div className="form-actions">
            <button type="button" className="btn btn-danger btn-small" onClick={confirm} disabled={merging.busy}>
              {merging.busy ? 'Merging…' : 'Confirm merge'}
            </button>
            <button type="button" className="btn btn-ghost btn-small" onClick={() => setPreview(null)} disabled={merging.busy}>
              Pick another
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
