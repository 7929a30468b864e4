import type { BoardSnapshot, SnapshotIdea } from '@cocreate/protocol';
import { describe, expect, it } from 'vitest';
import { BoardLive, missingIdeas } from './boardState';

const B = 'board-1';
const row = (id: string, up: number, version: number, createdAt = '2025-01-01T00:00:00.000Z'): SnapshotIdea => ({
  id,
  ideaId: id,
  title: `T ${id}`,
  status: 'open',
  up,
  down: 0,
  version,
  weightedScore: up,
  commentCount: 0,
  createdAt,
  authorId: 'u1',
});
const snap = (ideas: SnapshotIdea[], seq = 1): BoardSnapshot => ({ boardId: B, sort: 'top', limit: 25, ideas, seq, presence: [] });

describe('BoardLive', () => {
  it('merges snapshots and frames by version, whatever their order', () => {
    const live = new BoardLive(B);
    live.ranks({ boardId: B, changes: [{ ideaId: 'a', up: 9, down: 0, version: 12 }] });
    live.snapshot(snap([row('a', 5, 10)]));
    expect(live.get().overlay.get('a')?.up).toEqual({ value: 9, version: 12 });
    expect(live.get().overlay.get('a')?.title).toEqual({ value: 'T a', version: 10 });
    live.ranks({ boardId: 'other', changes: [{ ideaId: 'a', up: 1, down: 0, version: 99 }] });
    expect(live.get().overlay.get('a')?.up?.value).toBe(9);
  });

  it('does not replace the view for a frame that changes nothing', () => {
    const live = new BoardLive(B);
    live.ranks({ boardId: B, changes: [{ ideaId: 'a', up: 2, down: 0, version: 3 }] });
    const view = live.get();
    live.ranks({ boardId: B, changes: [{ ideaId: 'a', up: 1, down: 0, version: 2 }] });
    expect(live.get()).toBe(view);
  });

  it('announces created ideas once and applies updates and moderation', () => {
    const live = new BoardLive(B);
    const created = { room: `board:${B}`, seq: 1, type: 'idea.created', data: { idea: { ...row('n', 0, 1), tags: [] } } };
    live.event(created);
    live.event({ ...created, seq: 2 });
    expect(live.get().announced).toEqual([{ id: 'n', title: 'T n', authorId: 'u1' }]);
    live.event({ room: `board:${B}`, seq: 3, type: 'idea.updated', data: { idea: { id: 'n', commentCount: 4, version: 3 } } });
    live.event({
      room: `board:${B}`,
      seq: 4,
      type: 'idea.moderated',
      data: { idea: { id: 'n', hidden: true, locked: false, version: 4 } },
    });
    expect(live.get().overlay.get('n')).toMatchObject({ commentCount: { value: 4, version: 3 }, hidden: { value: true, version: 4 } });
    live.clearAnnounced();
    expect(live.get().announced).toEqual([]);
    live.announce([{ id: 'z', title: '', authorId: null }]);
    live.announce([{ id: 'z', title: '', authorId: null }]);
    expect(live.get().announced).toHaveLength(1);
  });

  it('records the user’s own vote answers like any versioned change', () => {
    const live = new BoardLive(B);
    live.patch('a', { up: 3, down: 0, voteCount: 3, myVote: 1 }, 7);
    live.ranks({ boardId: B, changes: [{ ideaId: 'a', up: 2, down: 0, version: 6 }] });
    expect(live.get().overlay.get('a')).toMatchObject({ up: { value: 3 }, myVote: { value: 1 } });
  });
});

describe('missingIdeas', () => {
  it('sorts window ideas the list lacks into news and climbers', () => {
    const live = new BoardLive(B);
    live.snapshot(
      snap([
        row('a', 5, 1, '2025-01-02T00:00:00.000Z'),
        row('new', 0, 1, '2025-03-01T00:00:00.000Z'),
        row('old', 9, 1, '2024-12-01T00:00:00.000Z'),
      ]),
    );
    live.ranks({ boardId: B, changes: [{ ideaId: 'framed', up: 4, down: 0, version: 3 }] });
    const list = [{ id: 'a', createdAt: '2025-01-02T00:00:00.000Z' }];
    expect(missingIdeas(live.get(), list)).toEqual({ news: ['new'], climbed: ['old', 'framed'] });
    live.announce([{ id: 'new', title: '', authorId: null }]);
    expect(missingIdeas(live.get(), list).news).toEqual([]);
    // A new window (another sort) replaces what the old one held.
    live.snapshot({ ...snap([row('a', 5, 1, '2025-01-02T00:00:00.000Z')]), sort: 'new' });
    expect(missingIdeas(live.get(), list)).toEqual({ news: [], climbed: [] });
    expect(live.get().window).toEqual({ sort: 'new', limit: 25 });
  });
});
