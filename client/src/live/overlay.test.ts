import type { SnapshotIdea } from '@cocreate/protocol';
import { describe, expect, it } from 'vitest';
import { eventPatch, mergeIdea, overlayVersion, patchOverlay, rankPatch, snapshotPatch } from './overlay';

const idea = {
  id: 'a',
  up: 5,
  down: 1,
  voteCount: 4,
  weightedScore: 4,
  commentCount: 2,
  title: 'Dark mode',
  tags: ['ui'],
  status: 'open' as const,
  hidden: false,
  locked: false,
  myVote: 0 as const,
  version: 10,
};

describe('patchOverlay', () => {
  it('keeps the highest version of each field, in any arrival order', () => {
    const newerFirst = patchOverlay(patchOverlay(undefined, { up: 9 }, 14), { up: 7 }, 12);
    const olderFirst = patchOverlay(patchOverlay(undefined, { up: 7 }, 12), { up: 9 }, 14);
    expect(newerFirst.up).toEqual({ value: 9, version: 14 });
    expect(olderFirst).toEqual(newerFirst);
  });

  it('versions fields apart: a partial patch never erases fields it does not carry', () => {
    let o = patchOverlay(undefined, { title: 'New title' }, 13);
    o = patchOverlay(o, { up: 6, down: 1, voteCount: 5 }, 12);
    o = patchOverlay(o, { commentCount: 3 }, 11);
    expect(o.title).toEqual({ value: 'New title', version: 13 });
    expect(o.up).toEqual({ value: 6, version: 12 });
    expect(o.commentCount).toEqual({ value: 3, version: 11 });
    expect(overlayVersion(o)).toBe(13);
  });

  it('returns the same object when nothing is newer (ties keep the current value)', () => {
    const o = patchOverlay(undefined, { up: 6 }, 12);
    expect(patchOverlay(o, { up: 5 }, 12)).toBe(o);
    expect(patchOverlay(o, { up: 4 }, 3)).toBe(o);
    expect(patchOverlay(o, {}, 20)).toBe(o);
  });
});

describe('mergeIdea', () => {
  it('takes overlay fields newer than the loaded row, and the highest version', () => {
    const o = patchOverlay(patchOverlay(undefined, rankPatch({ ideaId: 'a', up: 8, down: 1, version: 12 }), 12), { locked: true }, 11);
    const merged = mergeIdea(idea, o);
    expect(merged).toMatchObject({ up: 8, down: 1, voteCount: 7, locked: true, title: 'Dark mode', version: 12 });
    expect(idea.up).toBe(5);
  });

  it('ignores overlay fields that a fresher load already contains', () => {
    const o = patchOverlay(undefined, { up: 8, down: 1, voteCount: 7 }, 9);
    expect(mergeIdea(idea, o)).toBe(idea);
    expect(mergeIdea(idea, undefined)).toBe(idea);
  });

  it('gives the user’s own vote result a place like any other versioned change', () => {
    const o = patchOverlay(undefined, { up: 6, down: 1, voteCount: 5, myVote: 1 }, 11);
    const frame = patchOverlay(o, rankPatch({ ideaId: 'a', up: 7, down: 1, version: 12 }), 12);
    expect(mergeIdea(idea, frame)).toMatchObject({ up: 7, voteCount: 6, myVote: 1, version: 12 });
  });
});

describe('patches from the wire', () => {
  it('reads rank changes, snapshot rows and event payloads', () => {
    expect(rankPatch({ ideaId: 'a', up: 3, down: 1, version: 2, weightedScore: 2.5 })).toEqual({
      up: 3,
      down: 1,
      voteCount: 2,
      weightedScore: 2.5,
    });
    const row: SnapshotIdea = {
      id: 'a',
      ideaId: 'a',
      title: 'T',
      status: 'planned',
      up: 1,
      down: 0,
      version: 4,
      weightedScore: 1,
      commentCount: 7,
      createdAt: '2024-01-01T00:00:00.000Z',
      authorId: null,
    };
    expect(snapshotPatch(row)).toEqual({ up: 1, down: 0, voteCount: 1, weightedScore: 1, commentCount: 7, title: 'T', status: 'planned' });
    expect(eventPatch({ idea: { id: 'a', title: 'X', tags: ['b'], version: 5 } })).toEqual({
      id: 'a',
      version: 5,
      patch: { title: 'X', tags: ['b'] },
    });
    expect(eventPatch({ idea: { id: 'a', hidden: true, locked: false, version: 6 } })?.patch).toEqual({ hidden: true, locked: false });
    expect(eventPatch({ idea: { id: 'a', commentCount: 3 } })).toBeNull();
    expect(eventPatch({ idea: { id: 'a', tags: [1], version: 2 } })?.patch).toEqual({});
    expect(eventPatch(null)).toBeNull();
  });
});
