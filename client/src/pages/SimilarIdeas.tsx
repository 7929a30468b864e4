import { useEffect, useState } from 'react';
import { listIdeas } from '../api';
import { StatusBadge } from '../components/bits';
import { plural } from '../format';
import { Link } from '../navigation';
import { paths } from '../router';
import { rankSimilar, similarityQuery } from '../similar';
import type { IdeaView } from '../types';

/** Typing pauses this long before a search goes out. */
const DEBOUNCE_MS = 300;
/** Ask for more than are shown, so the ranking here has something to choose from. */
const CANDIDATES = 20;
const SHOWN = 5;

/**
 * Ideas on the board like the title being typed. Every keystroke cancels the pending search and
 * aborts the one in flight, so an older answer can never replace a newer one.
 */
export function useSimilarIdeas(boardId: string, title: string): IdeaView[] {
  const [items, setItems] = useState<IdeaView[]>([]);
  useEffect(() => {
    const q = similarityQuery(title);
    if (!q) {
      setItems([]);
      return;
    }
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      listIdeas(boardId, { q, limit: CANDIDATES, sort: 'top' }, ctrl.signal).then(
        (page) => {
          if (!ctrl.signal.aborted) setItems(rankSimilar(title, page.items, SHOWN));
        },
        // Only a hint: when the search fails, the composer still works without it.
        () => {
          if (!ctrl.signal.aborted) setItems([]);
        },
      );
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [boardId, title]);
  return items;
}

/** The similar ideas under the composer's title, each a link, with their votes and status. */
export function SimilarIdeas({ ideas }: { ideas: readonly IdeaView[] }) {
  return (
    // The live region is always there, so that results appearing are announced.
    <div className="similar-region" aria-live="polite">
      {ideas.length > 0 && (
        <section className="similar" aria-labelledby="similar-heading">
          <h3 id="similar-heading" className="similar-title">
            Similar ideas
          </h3>
          <p className="hint">Vote on an existing idea instead of posting a duplicate.</p>
          <ul className="similar-list" aria-label="Similar ideas">
            {ideas.map((idea) => (
              <li key={idea.id} className="similar-item">
                <Link to={paths.idea(idea.id)} className="similar-link">
                  {idea.title}
                </Link>{' '}
                <span className="similar-meta">
                  <span className="similar-votes">{plural(idea.voteCount, 'point')}</span> <StatusBadge status={idea.status} />
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
