import { useEffect, useRef, useState } from 'react';
import { vote } from '../api';
import { errorText } from '../errors';
import { Link } from '../navigation';
import type { Block } from '../permissions';
import { netScore, type VoteTally, VoteSession, toVoteValue } from '../votes';

type VoteBlock = Block;

interface Props {
  ideaId: string;
  title: string;
  tally: VoteTally;
  downvotesEnabled: boolean;
  /** Set when voting is not possible for this user; the arrows then explain instead of voting. */
  blocked?: VoteBlock | null;
  /** Called with the server-confirmed tally after the user's votes settle. */
  onSettled?: (tally: VoteTally) => void;
  size?: 'normal' | 'large';
}

export function tallyOf(idea: { up: number; down: number; voteCount: number; myVote: number; version: number }): VoteTally {
  return { up: idea.up, down: idea.down, voteCount: idea.voteCount, myVote: toVoteValue(idea.myVote), version: idea.version };
}

/** Up (and optionally down) arrows around the score, updated optimistically. */
export function VoteControl({ ideaId, title, tally, downvotesEnabled, blocked, onSettled, size = 'normal' }: Props) {
  const session = useRef<VoteSession | null>(null);
  if (session.current === null) session.current = new VoteSession(tally);
  const [shown, setShown] = useState(tally);
  const [problem, setProblem] = useState<VoteBlock | null>(null);

  // Fresh data from the parent (a reload) replaces the tally unless our own votes are in flight.
  const { up, down, voteCount, myVote, version } = tally;
  useEffect(() => {
    if (session.current) setShown(session.current.sync({ up, down, voteCount, myVote, version }));
  }, [up, down, voteCount, myVote, version]);

  const click = (value: 1 | -1) => {
    const s = session.current;
    if (!s) return;
    if (blocked) {
      setProblem(blocked);
      return;
    }
    setProblem(null);
    const { target, shown: optimistic } = s.click(value);
    setShown(optimistic);
    vote(ideaId, target).then(
      (result) => {
        const next = s.succeeded(result);
        setShown(next);
        if (!s.busy) onSettled?.(next);
      },
      (err: unknown) => {
        setShown(s.failed());
        setProblem({ message: `Your vote was not saved. ${errorText(err)}` });
      },
    );
  };

  const score = netScore(shown);
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset would bring a legend and form styling
    <div className={`vote vote-${size}`} role="group" aria-label={`Votes on “${title}”`}>
      <button
        type="button"
        className="vote-btn vote-up"
        aria-pressed={shown.myVote === 1}
        aria-label={`Upvote “${title}”`}
        title={shown.myVote === 1 ? 'Remove your upvote' : 'Upvote'}
        onClick={() => click(1)}
      >
        <span aria-hidden="true">▲</span>
      </button>
      <span className="vote-score" role="status" aria-atomic="true">
        {score}
        <span className="visually-hidden"> {Math.abs(score) === 1 ? 'point' : 'points'}</span>
      </span>
      {downvotesEnabled && (
        <button
          type="button"
          className="vote-btn vote-down"
          aria-pressed={shown.myVote === -1}
          aria-label={`Downvote “${title}”`}
          title={shown.myVote === -1 ? 'Remove your downvote' : 'Downvote'}
          onClick={() => click(-1)}
        >
          <span aria-hidden="true">▼</span>
        </button>
      )}
      <div role="alert" className="vote-problem">
        {problem && (
          <p>
            {problem.message} {problem.link && <Link to={problem.link.to}>{problem.link.label}</Link>}
            <button type="button" className="close" aria-label="Dismiss" onClick={() => setProblem(null)}>
              ×
            </button>
          </p>
        )}
      </div>
    </div>
  );
}
