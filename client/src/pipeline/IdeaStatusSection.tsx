/** The idea page's pipeline parts: the status timeline, the team's status menu, and merge redirects. */
import type { IdeaStatus, RoomEvent } from '@cocreate/protocol';
import { type FormEvent, useEffect, useState } from 'react';
import { getIdea } from '../api';
import { Author, StatusBadge, TimeAgo } from '../components/bits';
import { ErrorNotice } from '../components/ErrorNotice';
import { TextAreaField } from '../components/Field';
import { statusLabel } from '../format';
import { useAction, useAsync } from '../hooks';
import { useIdeaEvents } from '../live/hooks';
import { navigate } from '../navigation';
import { paths } from '../router';
import type { CommunityView, IdeaView } from '../types';
import { changeStatus, type StatusChangeView, statusHistory } from './api';
import { addChange, movesFor } from './status';

/** Where a merged idea's page goes: its target, saying where the visitor came from. */
export function mergedRedirect(sourceId: string, targetId: string): string {
  return `${paths.idea(targetId)}?merged=${encodeURIComponent(sourceId)}`;
}

/**
 * The status history (live), the team's move menu, and the redirect of a merged idea (when it is
 * loaded merged, or merged while open). `onStatus` hears the answer to the viewer's own move.
 */
export function IdeaStatusSection({
  idea,
  community,
  onStatus,
}: {
  idea: Pick<IdeaView, 'id' | 'status' | 'mergedInto' | 'version'>;
  community: CommunityView;
  onStatus: (status: IdeaStatus, version: number) => void;
}) {
  const history = useAsync((signal) => statusHistory(idea.id, signal).then((r) => r.items), [idea.id]);
  const add = (change: StatusChangeView) => history.setData((prev) => addChange(prev ?? [], change));

  useEffect(() => {
    if (idea.mergedInto) navigate(mergedRedirect(idea.id, idea.mergedInto), { replace: true });
  }, [idea.id, idea.mergedInto]);

  useIdeaEvents(
    idea.id,
    (e: RoomEvent) => {
      const data = e.data as { change?: StatusChangeView; sourceId?: string; targetId?: string } | null;
      if (e.type === 'idea.status_changed' && data?.change) add(data.change);
      if (e.type === 'idea.merged' && data?.sourceId === idea.id && data.targetId)
        navigate(mergedRedirect(idea.id, data.targetId), { replace: true });
    },
    history.reload,
  );

  const moves = movesFor(community.membership, idea.status);
  return (
    <section className="status-section" aria-labelledby="status-title">
      <h2 id="status-title">
        Status <StatusBadge status={idea.status} />
      </h2>
      {moves.length > 0 && (
        <StatusMenu
          key={`${idea.status}:${idea.version}`}
          ideaId={idea.id}
          from={idea.status}
          moves={moves}
          onDone={(r) => {
            add(r.change);
            onStatus(r.idea.status, r.idea.version);
          }}
        />
      )}
      <ErrorNotice error={history.error} onRetry={history.reload} compact />
      {history.data && history.data.length > 0 && (
        <ol className="status-timeline" aria-label="Status history">
          {history.data.map((c) => (
            <li key={c.id}>
              <StatusBadge status={c.to} />{' '}
              <span className="meta-small">
                from {statusLabel(c.from)}
                {c.actor && (
                  <>
                    {' '}
                    by <Author user={c.actor} />
                  </>
                )}{' '}
                <TimeAgo iso={c.createdAt} />
              </span>
              {c.reason && <p className="status-reason prewrap">{c.reason}</p>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function StatusMenu({
  ideaId,
  from,
  moves,
  onDone,
}: {
  ideaId: string;
  from: IdeaStatus;
  moves: ReturnType<typeof movesFor>;
  onDone: (r: Awaited<ReturnType<typeof changeStatus>>) => void;
}) {
  const [to, setTo] = useState<IdeaStatus | ''>('');
  const [reason, setReason] = useState('');
  const action = useAction();
  const move = moves.find((m) => m.to === to);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!to) return;
    void action.run(async () => {
      const r = await changeStatus(ideaId, { status: to, from, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      onDone(r);
    });
  };

  return (
    <form className="status-menu stack" onSubmit={submit} aria-label="Change status">
      <ErrorNotice error={action.error} compact />
      <div className="inline-form">
        <div className="field field-inline">
          <label htmlFor={`move-${ideaId}`}>Move to</label>
          <select id={`move-${ideaId}`} value={to} onChange={(e) => setTo(e.target.value as IdeaStatus)}>
            <option value="">Choose a status…</option>
            {moves.map((m) => (
              <option key={m.to} value={m.to}>
                {statusLabel(m.to)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn btn-primary btn-small" disabled={!to || action.busy || (move?.needsReason && !reason.trim())}>
          {action.busy ? 'Saving…' : 'Change status'}
        </button>
      </div>
      {to && (
        <TextAreaField
          label="Reason"
          optional={!move?.needsReason}
          required={move?.needsReason}
          hint="Shown to everyone who follows this idea."
          rows={2}
          maxLength={2000}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      )}
    </form>
  );
}

/** On the target of a merge, after a redirect: which idea was merged into this one. */
export function MergedFromNotice({ search, ideaId }: { search: string; ideaId: string }) {
  const from = new URLSearchParams(search).get('merged');
  const source = useAsync(async (signal) => (from && from !== ideaId ? getIdea(from, signal) : null), [from, ideaId]);
  if (!from || !source.data || source.data.mergedInto !== ideaId) return null;
  return (
    <p className="notice" role="status">
      “{source.data.title}” was merged into this idea: its votes and discussion continue here.
    </p>
  );
}
