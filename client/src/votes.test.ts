import { describe, expect, it } from 'vitest';
import { applyVote, netScore, nextVote, toVoteValue, type VoteTally, VoteSession } from './votes';

const base: VoteTally = { up: 5, down: 2, voteCount: 3, myVote: 0, version: 3 };
const result = (t: Partial<VoteTally>) => ({ ideaId: 'i', up: 0, down: 0, voteCount: 0, myVote: 0, version: 0, ...t });

describe('nextVote', () => {
  it('toggles the same arrow off and switches between arrows', () => {
    expect(nextVote(0, 1)).toBe(1);
    expect(nextVote(1, 1)).toBe(0);
    expect(nextVote(1, -1)).toBe(-1);
    expect(nextVote(-1, -1)).toBe(0);
  });
});

describe('applyVote', () => {
  it('adds a new upvote or downvote', () => {
    expect(applyVote(base, 1)).toEqual({ up: 6, down: 2, voteCount: 4, myVote: 1, version: 3 });
    expect(applyVote(base, -1)).toEqual({ up: 5, down: 3, voteCount: 2, myVote: -1, version: 3 });
  });

  it('withdraws a vote', () => {
    expect(applyVote({ ...base, up: 6, voteCount: 4, myVote: 1 }, 0)).toEqual(base);
  });

  it('switches sides: the net count moves by two', () => {
    expect(applyVote({ ...base, myVote: 1 }, -1)).toEqual({ up: 4, down: 3, voteCount: 1, myVote: -1, version: 3 });
  });

  it('is a no-op for the same value and never goes negative', () => {
    expect(applyVote(base, 0)).toBe(base);
    expect(applyVote({ up: 0, down: 0, voteCount: 0, myVote: 1, version: 1 }, 0)).toEqual({
      up: 0,
      down: 0,
      voteCount: 0,
      myVote: 0,
      version: 1,
    });
  });

  it('scores and normalises', () => {
    expect(netScore(base)).toBe(3);
    expect(toVoteValue(5)).toBe(1);
    expect(toVoteValue(-0.5)).toBe(-1);
    expect(toVoteValue(0)).toBe(0);
  });
});

describe('VoteSession', () => {
  it('shows the optimistic tally, then the server answer', () => {
    const s = new VoteSession(base);
    const { target, shown } = s.click(1);
    expect(target).toBe(1);
    expect(shown.up).toBe(6);
    expect(s.busy).toBe(true);
    // The server counted someone else's vote too.
    expect(s.succeeded(result({ up: 7, down: 2, voteCount: 5, myVote: 1, version: 4 }))).toMatchObject({ up: 7, myVote: 1 });
    expect(s.busy).toBe(false);
  });

  it('rolls back to the confirmed tally on failure', () => {
    const s = new VoteSession(base);
    s.click(-1);
    expect(s.failed()).toEqual(base);
  });

  it('keeps the optimistic display while later clicks are pending', () => {
    const s = new VoteSession(base);
    s.click(1); // up
    const second = s.click(1); // withdraw
    expect(second.target).toBe(0);
    expect(second.shown).toEqual(base);
    // First answer arrives: still one request pending, keep showing the withdrawal.
    expect(s.succeeded(result({ up: 6, down: 2, voteCount: 4, myVote: 1, version: 4 }))).toEqual(base);
    expect(s.succeeded(result({ up: 5, down: 2, voteCount: 3, myVote: 0, version: 5 }))).toMatchObject({ myVote: 0, version: 5 });
  });

  it('ignores an answer older than one already confirmed', () => {
    const s = new VoteSession(base);
    s.click(1);
    s.click(1);
    s.succeeded(result({ up: 5, down: 2, voteCount: 3, myVote: 0, version: 5 }));
    expect(s.succeeded(result({ up: 6, down: 2, voteCount: 4, myVote: 1, version: 4 }))).toMatchObject({ myVote: 0, version: 5 });
  });

  it('shows the last confirmed state when the last of several requests fails', () => {
    const s = new VoteSession(base);
    s.click(1);
    s.click(-1);
    s.succeeded(result({ up: 6, down: 2, voteCount: 4, myVote: 1, version: 4 }));
    expect(s.failed()).toMatchObject({ up: 6, myVote: 1 });
  });

  it('accepts outside updates only when idle', () => {
    const s = new VoteSession(base);
    const fresh = { ...base, up: 9, version: 8 };
    s.click(1);
    expect(s.sync(fresh).up).toBe(6);
    s.failed();
    expect(s.sync(fresh)).toEqual(fresh);
  });
});

describe('VoteSession with live updates', () => {
  it('keeps newer live counts that arrive while a vote is in flight, and shows them after', () => {
    const s = new VoteSession(base);
    s.click(1);
    // Someone else's vote at v5 arrives before our answer (v4).
    expect(s.sync({ up: 7, down: 2, voteCount: 5, myVote: 0, version: 5 }).up).toBe(6);
    expect(s.succeeded(result({ up: 6, down: 2, voteCount: 4, myVote: 1, version: 4 }))).toEqual({
      up: 7,
      down: 2,
      voteCount: 5,
      myVote: 1,
      version: 5,
    });
  });

  it('takes the user’s own vote from the newest answer, not from live frames', () => {
    const s = new VoteSession(base);
    s.click(1);
    s.click(1);
    s.succeeded(result({ up: 5, down: 2, voteCount: 3, myVote: 0, version: 5 }));
    expect(s.succeeded(result({ up: 6, down: 2, voteCount: 4, myVote: 1, version: 4 }))).toMatchObject({ myVote: 0, version: 5 });
    // A frame that includes the vote changes the counts only.
    expect(s.sync({ up: 8, down: 2, voteCount: 6, myVote: 0, version: 6 })).toMatchObject({ up: 8, myVote: 0 });
  });

  it('ignores live frames older than what is shown', () => {
    const s = new VoteSession({ ...base, version: 9 });
    expect(s.sync({ ...base, up: 1, version: 8 }).up).toBe(5);
  });
});
