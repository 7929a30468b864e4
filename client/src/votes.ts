/**
 * Optimistic voting. The display changes the moment the user clicks; the server's answer then
 * replaces it, and a failure puts back the last state the server confirmed.
 */
import type { VoteResult } from '@cocreate/protocol';

export type VoteValue = 1 | -1 | 0;

export interface VoteTally {
  up: number;
  down: number;
  /** The net count, up − down, as the server keeps it (ideas.vote_count); the server's figure always wins. */
  voteCount: number;
  myVote: VoteValue;
  /** The idea's version the tally was read at; newer server answers replace older ones. */
  version: number;
}

export function toVoteValue(n: number): VoteValue {
  return n > 0 ? 1 : n < 0 ? -1 : 0;
}

/** Clicking the arrow you already chose withdraws the vote; otherwise it becomes your vote. */
export function nextVote(current: VoteValue, clicked: 1 | -1): VoteValue {
  return current === clicked ? 0 : clicked;
}

/** The tally after the user's vote changes to `target`, before the server has answered. */
export function applyVote(t: VoteTally, target: VoteValue): VoteTally {
  if (t.myVote === target) return t;
  let { up, down } = t;
  if (t.myVote === 1) up -= 1;
  else if (t.myVote === -1) down -= 1;
  if (target === 1) up += 1;
  else if (target === -1) down += 1;
  up = Math.max(0, up);
  down = Math.max(0, down);
  return {
    up,
    down,
    voteCount: up - down,
    myVote: target,
    version: t.version,
  };
}

export function tallyFromResult(r: VoteResult): VoteTally {
  return { up: r.up, down: r.down, voteCount: r.voteCount, myVote: toVoteValue(r.myVote), version: r.version };
}

/** The number shown between the arrows. */
export function netScore(t: Pick<VoteTally, 'up' | 'down'>): number {
  return t.up - t.down;
}

/**
 * Keeps the display honest across rapid clicks and live updates: any number of requests may be in
 * flight, answers and live frames may arrive out of order, and some requests may fail. While
 * requests are pending the display is the optimistic one; once the last settles, it shows the
 * newest counts seen from any source (by version) with the user's own vote from the newest answer.
 */
export class VoteSession {
  /** The newest counts from the server, whoever reported them. */
  private counts: VoteTally;
  /** The user's own vote as last confirmed, and the version it was confirmed at. */
  private mine: { myVote: VoteValue; version: number };
  private shown: VoteTally;
  private pending = 0;

  constructor(initial: VoteTally) {
    this.counts = initial;
    this.mine = { myVote: initial.myVote, version: initial.version };
    this.shown = initial;
  }

  get current(): VoteTally {
    return this.shown;
  }

  get busy(): boolean {
    return this.pending > 0;
  }

  /** Records a click; returns the value to send to the server and the tally to show now. */
  click(clicked: 1 | -1): { target: VoteValue; shown: VoteTally } {
    const target = nextVote(this.shown.myVote, clicked);
    this.shown = applyVote(this.shown, target);
    this.pending += 1;
    return { target, shown: this.shown };
  }

  /** The server accepted a request; returns the tally to show. */
  succeeded(result: VoteResult): VoteTally {
    const tally = tallyFromResult(result);
    if (tally.version >= this.counts.version) this.counts = tally;
    if (tally.version >= this.mine.version) this.mine = { myVote: tally.myVote, version: tally.version };
    return this.settle();
  }

  /** A request failed; returns the tally to show (the confirmed one once nothing is pending). */
  failed(): VoteTally {
    return this.settle();
  }

  /**
   * New data from elsewhere (a reload, a live frame). Newer counts are kept even while the user's
   * own requests are in flight, but shown only once they settle; the user's own vote is taken
   * from outside only when nothing is pending.
   */
  sync(tally: VoteTally): VoteTally {
    if (tally.version > this.counts.version || (this.pending === 0 && tally.version >= this.counts.version)) {
      this.counts = { ...tally, myVote: this.counts.myVote };
    }
    if (this.pending === 0 && tally.version >= this.mine.version) this.mine = { myVote: tally.myVote, version: tally.version };
    if (this.pending === 0) this.shown = this.confirmed();
    return this.shown;
  }

  private confirmed(): VoteTally {
    return { ...this.counts, myVote: this.mine.myVote };
  }

  private settle(): VoteTally {
    this.pending = Math.max(0, this.pending - 1);
    if (this.pending === 0) this.shown = this.confirmed();
    return this.shown;
  }
}
