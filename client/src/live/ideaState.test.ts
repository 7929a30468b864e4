import type { IdeaSnapshot } from '@cocreate/protocol';
import { describe, expect, it } from 'vitest';
import { IdeaLive } from './ideaState';
import { mergeIdea } from './overlay';

const ID = 'idea-1';
const snap = (version: number, extra: Partial<IdeaSnapshot['idea']> = {}): IdeaSnapshot => ({
  idea: {
    id: ID,
    ideaId: ID,
    title: 'T',
    status: 'open',
    up: 2,
    down: 0,
    version,
    weightedScore: 2,
    commentCount: 3,
    createdAt: '2025-01-01T00:00:00.000Z',
    authorId: null,
    bodyText: '',
    locked: false,
    hidden: false,
    mergedInto: null,
    boardId: 'b',
    ...extra,
  },
  seq: 1,
  presence: [],
});
const loaded = {
  up: 1,
  down: 0,
  voteCount: 1,
  weightedScore: 1,
  commentCount: 2,
  title: 'T',
  tags: [],
  status: 'open' as const,
  hidden: false,
  locked: false,
  myVote: 1 as const,
  version: 4,
};

describe('IdeaLive', () => {
  it('takes a newer snapshot over the loaded idea, and counts resyncs', () => {
    const live = new IdeaLive(ID);
    live.snapshot(snap(5), false);
    expect(mergeIdea(loaded, live.get().overlay)).toMatchObject({ up: 2, commentCount: 3, myVote: 1, version: 5 });
    expect(live.get().resyncs).toBe(0);
    live.snapshot(snap(5), true);
    expect(live.get().resyncs).toBe(1);
  });

  it('applies votes, edits and locks for this idea only', () => {
    const live = new IdeaLive(ID);
    live.ranks({
      boardId: 'b',
      changes: [
        { ideaId: 'other', up: 50, down: 0, version: 50 },
        { ideaId: ID, up: 7, down: 1, version: 6 },
      ],
    });
    live.event({ room: `idea:${ID}`, seq: 2, type: 'idea.moderated', data: { idea: { id: ID, hidden: false, locked: true, version: 7 } } });
    live.event({ room: `idea:${ID}`, seq: 3, type: 'idea.updated', data: { idea: { id: ID, title: 'New', tags: ['x'], version: 8 } } });
    live.event({ room: `idea:${ID}`, seq: 4, type: 'comment.created', data: {} });
    expect(mergeIdea(loaded, live.get().overlay)).toMatchObject({
      up: 7,
      down: 1,
      voteCount: 6,
      locked: true,
      title: 'New',
      tags: ['x'],
      version: 8,
    });
  });

  it('keeps comment deltas until the next snapshot, which already counts them', () => {
    const live = new IdeaLive(ID);
    live.adjustComments(1);
    live.adjustComments(1);
    live.adjustComments(0);
    expect(live.get().commentDelta).toBe(2);
    live.snapshot(snap(9, { commentCount: 5 }), true);
    expect(live.get().commentDelta).toBe(0);
    live.adjustComments(-1);
    live.rebase();
    expect(live.get().commentDelta).toBe(0);
  });

  it('takes the absolute comment count of idea.updated instead of adding its own delta on top', () => {
    const live = new IdeaLive(ID);
    live.snapshot(snap(9, { commentCount: 5 }), false);
    live.adjustComments(1); // comment.created arrived
    live.event({ room: `idea:${ID}`, seq: 4, type: 'idea.updated', data: { idea: { id: ID, commentCount: 6, version: 10 } } });
    expect(live.get().commentDelta).toBe(0);
    expect(live.get().overlay?.commentCount).toEqual({ value: 6, version: 10 });
  });
});
