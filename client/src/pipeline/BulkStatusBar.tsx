/** The triage queue's bulk status change: one target for every checked idea, one result per idea. */
import type { IdeaStatus, Role } from '@cocreate/protocol';
import { type FormEvent, useState } from 'react';
import { ErrorNotice } from '../components/ErrorNotice';
import { plural, statusLabel } from '../format';
import { useAction } from '../hooks';
import type { IdeaView } from '../types';
import { type BulkResult, bulkChangeStatus } from './api';
import { bulkTargets, reasonNeeded, summarizeBulk } from './status';

interface Props {
  role: Role;
  selected: IdeaView[];
  onResults: (results: BulkResult[]) => void;
  onClear: () => void;
}

export function BulkStatusBar({ role, selected, onResults, onClear }: Props) {
  const [to, setTo] = useState<IdeaStatus | ''>('');
  const [reason, setReason] = useState('');
  const [outcome, setOutcome] = useState<{ to: IdeaStatus; results: BulkResult[] } | null>(null);
  const action = useAction();
  const needsReason =
    to !== '' &&
    reasonNeeded(
      role,
      selected.map((i) => i.status),
      to,
    );
  const [titles, setTitles] = useState<Record<string, string>>({});

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!to || selected.length === 0) return;
    const names = Object.fromEntries(selected.map((i) => [i.id, i.title]));
    void action.run(async () => {
      const { results } = await bulkChangeStatus({
        ideaIds: selected.map((i) => i.id),
        status: to,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      setTitles(names);
      setOutcome({ to, results });
      setReason('');
      onResults(results);
    });
  };

  return (
    <div className="bulk-bar stack">
      <form className="inline-form" onSubmit={submit} aria-label="Change the status of the selected ideas">
        <span className="meta">{plural(selected.length, 'idea')} selected</span>
        <div className="field field-inline">
          <label htmlFor="bulk-to">Move to</label>
          <select id="bulk-to" value={to} onChange={(e) => setTo(e.target.value as IdeaStatus)}>
            <option value="">Choose a status…</option>
            {bulkTargets(role).map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </div>
        {to && (
          <div className="field field-inline">
            <label htmlFor="bulk-reason">Reason{needsReason ? '' : ' (optional)'}</label>
            <input id="bulk-reason" value={reason} maxLength={2000} required={needsReason} onChange={(e) => setReason(e.target.value)} />
          </div>
        )}
        <button
          type="submit"
          className="btn btn-primary btn-small"
          disabled={!to || selected.length === 0 || action.busy || (needsReason && !reason.trim())}
        >
          {action.busy ? 'Applying…' : 'Apply'}
        </button>
        {selected.length > 0 && (
          <button type="button" className="btn btn-ghost btn-small" onClick={onClear}>
            Clear selection
          </button>
        )}
      </form>
      <ErrorNotice error={action.error} compact />
      <div role="status" aria-live="polite">
        {outcome && (
          <div className="bulk-results">
            <p>
              <strong>{summarizeBulk(outcome.results, outcome.to)}</strong>
            </p>
            <ul aria-label="Results per idea">
              {outcome.results.map((r) => (
                <li key={r.ideaId} className={r.ok ? 'result-ok' : 'result-failed'}>
                  “{titles[r.ideaId] ?? r.ideaId}”: {r.ok ? `now ${statusLabel(r.status)}` : `not moved: ${r.message || r.code}`}
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </div>
  );
}
