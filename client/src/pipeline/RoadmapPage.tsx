/** A community's public roadmap: planned, in progress, shipped; live; the team orders and labels. */
import { ROADMAP_LANES, type RoadmapLane, TEAM_ROLES } from '@cocreate/protocol';
import { type FormEvent, useState } from 'react';
import { getCommunity } from '../api';
import { StatusBadge } from '../components/bits';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { Unavailable } from '../components/Unavailable';
import { personName, plural } from '../format';
import { useAction, useAsync, useDocumentTitle } from '../hooks';
import { Link } from '../navigation';
import { paths } from '../router';
import { useSession } from '../session';
import { getRoadmap, type RoadmapItemView, roadmapExportUrl, updateRoadmapItem } from './api';
import { LANE_LABELS, reorderTarget } from './roadmap';
import { useCommunityRoom } from './useCommunityRoom';

export function RoadmapPage({ slug }: { slug: string }) {
  const { user } = useSession();
  const data = useAsync(
    async (signal) => {
      const [community, roadmap] = await Promise.all([getCommunity(slug, signal), getRoadmap(slug, signal)]);
      return { community, roadmap };
    },
    [slug, user?.id],
  );
  useCommunityRoom(data.data?.community.id ?? null, (e) => e.type.startsWith('roadmap.') && data.reload(), data.reload);
  useDocumentTitle(data.data ? `Roadmap · ${data.data.community.name}` : data.error ? 'Roadmap unavailable' : undefined);

  if (!data.data) {
    return data.error ? <Unavailable what="Roadmap" error={data.error} onRetry={data.reload} /> : <Loading label="Loading the roadmap…" />;
  }
  const { community, roadmap } = data.data;
  const m = community.membership;
  const team = Boolean(user && m?.status === 'active' && TEAM_ROLES.includes(m.role));

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Communities</Link> <span aria-hidden="true">›</span> <Link to={paths.community(community.slug)}>{community.name}</Link>
      </nav>
      <div className="page-head">
        <div>
          <h1>Roadmap</h1>
          <p className="meta">
            <Link to={paths.changelog(community.slug)}>Changelog</Link> · Export{' '}
            <a href={roadmapExportUrl(community.slug, 'csv')} download>
              CSV
            </a>{' '}
            <a href={roadmapExportUrl(community.slug, 'json')} download>
              JSON
            </a>
          </p>
        </div>
      </div>
      <ErrorNotice error={data.error} onRetry={data.reload} compact />
      <div className="roadmap-lanes">
        {ROADMAP_LANES.map((lane) => (
          <Lane key={lane} lane={lane} items={roadmap.lanes[lane]} team={team} onChanged={data.reload} />
        ))}
      </div>
    </>
  );
}

function Lane({ lane, items, team, onChanged }: { lane: RoadmapLane; items: RoadmapItemView[]; team: boolean; onChanged: () => void }) {
  return (
    <section className={`roadmap-lane lane-${lane}`} aria-labelledby={`lane-${lane}`}>
      <h2 id={`lane-${lane}`}>
        {LANE_LABELS[lane]} <span className="meta-small">({items.length})</span>
      </h2>
      {items.length === 0 ? (
        <p className="empty">Nothing here yet.</p>
      ) : (
        <ol className="roadmap-items" aria-label={LANE_LABELS[lane]}>
          {items.map((item) => (
            <RoadmapCard key={item.id} item={item} lane={items} team={team} onChanged={onChanged} />
          ))}
        </ol>
      )}
    </section>
  );
}

function RoadmapCard({
  item,
  lane,
  team,
  onChanged,
}: {
  item: RoadmapItemView;
  lane: RoadmapItemView[];
  team: boolean;
  onChanged: () => void;
}) {
  const action = useAction();
  const [editing, setEditing] = useState(false);
  const [label, setLabel] = useState(item.releaseLabel ?? '');
  const move = (direction: 'up' | 'down') => {
    const target = reorderTarget(lane, item.id, direction);
    if (target)
      void action.run(async () => {
        await updateRoadmapItem(item.id, target);
        onChanged();
      });
  };
  const saveLabel = (e: FormEvent) => {
    e.preventDefault();
    void action.run(async () => {
      await updateRoadmapItem(item.id, { releaseLabel: label.trim() || null });
      setEditing(false);
      onChanged();
    });
  };
  const i = lane.indexOf(item);

  return (
    <li className="roadmap-card card">
      <h3 className="card-title">
        <Link to={paths.idea(item.ideaId)}>{item.title}</Link>
      </h3>
      <p className="meta">
        <StatusBadge status={item.status} /> <span>{plural(item.up - item.down, 'vote')}</span>
        {item.releaseLabel && <span className="badge release-label">{item.releaseLabel}</span>}
      </p>
      {item.contributors.length > 0 && <p className="meta-small">By {item.contributors.map((c) => personName(c)).join(', ')}</p>}
      {team && (
        <div className="roadmap-team">
          <ErrorNotice error={action.error} compact />
          <button
            type="button"
            className="btn btn-small"
            aria-label={`Move “${item.title}” up`}
            disabled={action.busy || i === 0}
            onClick={() => move('up')}
          >
            ↑
          </button>
          <button
            type="button"
            className="btn btn-small"
            aria-label={`Move “${item.title}” down`}
            disabled={action.busy || i === lane.length - 1}
            onClick={() => move('down')}
          >
            ↓
          </button>
          {editing ? (
            <form className="inline-form" onSubmit={saveLabel} aria-label={`Release label of “${item.title}”`}>
              <label htmlFor={`label-${item.id}`} className="visually-hidden">
                Release label
              </label>
              <input
                id={`label-${item.id}`}
                value={label}
                maxLength={60}
                placeholder="e.g. v2.4"
                onChange={(e) => setLabel(e.target.value)}
              />
              <button type="submit" className="btn btn-small btn-primary" disabled={action.busy}>
                Save
              </button>
              <button type="button" className="btn btn-small btn-ghost" onClick={() => setEditing(false)}>
                Cancel
              </button>
            </form>
          ) : (
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setEditing(true)}>
              {item.releaseLabel ? 'Edit release' : 'Set release'}
            </button>
          )}
        </div>
      )}
    </li>
  );
}
