import { useState } from 'react';
import { listBoards } from '../api';
import { ErrorNotice, Loading } from '../components/ErrorNotice';
import { plural } from '../format';
import { useAsync } from '../hooks';
import { Link } from '../navigation';
import { allowed } from '../permissions';
import { paths } from '../router';
import { useSession } from '../session';
import type { BoardView, CommunityView } from '../types';
import { CreateBoardForm } from './CreateBoardForm';

export function BoardsSection({ community }: { community: CommunityView }) {
  const { user } = useSession();
  const [creating, setCreating] = useState(false);
  const boards = useAsync((signal) => listBoards(community.slug, signal), [community.slug, community.membership?.status]);
  const canCreate = allowed({ user, community }, 'board.create');
  const items = boards.data?.items ?? [];
  const active = items.filter((b) => !b.archived);
  const archived = items.filter((b) => b.archived);

  return (
    <section aria-labelledby="boards-title">
      <div className="section-head">
        <h2 id="boards-title">Boards</h2>
        {canCreate && !creating && (
          <button type="button" className="btn btn-small" onClick={() => setCreating(true)}>
            New board
          </button>
        )}
      </div>
      {creating && (
        <CreateBoardForm
          slug={community.slug}
          onCancel={() => setCreating(false)}
          onCreated={(board) => {
            setCreating(false);
            boards.setData((prev) => ({ ...prev, items: [...(prev?.items ?? []), board] }));
          }}
        />
      )}
      <ErrorNotice error={boards.error} onRetry={boards.reload} />
      {boards.loading && !boards.data ? (
        <Loading label="Loading boards…" />
      ) : items.length === 0 && !boards.error ? (
        <p className="empty">No boards yet.{canCreate ? ' Create one to start collecting ideas.' : ''}</p>
      ) : (
        <>
          <BoardList boards={active} />
          {archived.length > 0 && (
            <>
              <h3 className="subhead">Archived</h3>
              <BoardList boards={archived} />
            </>
          )}
        </>
      )}
    </section>
  );
}

function BoardList({ boards }: { boards: BoardView[] }) {
  if (boards.length === 0) return null;
  return (
    <ul className="board-list">
      {boards.map((b) => (
        <li key={b.id} className="card board-card">
          <h3 className="card-title">
            <Link to={paths.board(b.id)}>{b.name}</Link>
          </h3>
          {b.description && <p className="clamp">{b.description}</p>}
          <p className="meta">
            <span>{plural(b.ideaCount, 'idea')}</span>
            {b.archived && <span className="badge">Archived</span>}
          </p>
        </li>
      ))}
    </ul>
  );
}
