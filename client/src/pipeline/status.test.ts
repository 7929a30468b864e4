import { describe, expect, it } from 'vitest';
import type { StatusChangeView } from './api';
import { addChange, bulkTargets, movesFor, reasonNeeded, summarizeBulk } from './status';

describe('status moves for the menu', () => {
  it('offers the team the workflow moves, and nothing to members, inactive or absent memberships', () => {
    expect(movesFor({ role: 'team', status: 'active' }, 'open').map((t) => t.to)).toEqual(['under_review', 'accepted', 'declined']);
    expect(movesFor({ role: 'member', status: 'active' }, 'open')).toEqual([]);
    expect(movesFor({ role: 'team', status: 'banned' }, 'open')).toEqual([]);
    expect(movesFor(null, 'open')).toEqual([]);
    expect(movesFor({ role: 'owner', status: 'active' }, 'merged')).toEqual([]);
  });

  it('lets only admins take back a release', () => {
    expect(movesFor({ role: 'team', status: 'active' }, 'shipped')).toEqual([]);
    expect(movesFor({ role: 'admin', status: 'active' }, 'shipped').map((t) => t.to)).toEqual(['in_progress']);
  });

  it('lists every bulk target once and asks for a reason when any selected idea needs one', () => {
    const targets = bulkTargets('team');
    expect(new Set(targets).size).toBe(targets.length);
    expect(targets).not.toContain('merged');
    expect(targets).toContain('shipped');
    expect(bulkTargets(null)).toEqual([]);
    expect(reasonNeeded('team', ['open', 'accepted'], 'declined')).toBe(true);
    expect(reasonNeeded('team', ['open'], 'accepted')).toBe(false);
  });
});

describe('addChange', () => {
  const change = (id: string, at: string): StatusChangeView => ({
    id,
    ideaId: 'i',
    from: 'open',
    to: 'accepted',
    reason: null,
    actor: null,
    createdAt: at,
  });
  it('keeps the history in time order with each change once', () => {
    const a = change('a', '2026-01-01T00:00:01Z');
    const b = change('b', '2026-01-01T00:00:02Z');
    expect(addChange([b], a).map((c) => c.id)).toEqual(['a', 'b']);
    expect(addChange([a, b], b).map((c) => c.id)).toEqual(['a', 'b']);
  });
});

describe('summarizeBulk', () => {
  it('counts moved and refused ideas', () => {
    expect(
      summarizeBulk(
        [
          { ideaId: 'a', ok: true, status: 'planned', version: 2 },
          { ideaId: 'b', ok: false, code: 'CONFLICT', message: 'no' },
        ],
        'planned',
      ),
    ).toBe('1 moved to Planned; 1 not moved.');
    expect(summarizeBulk([], 'planned')).toBe('Nothing to change.');
  });
});
