import { describe, expect, it } from 'vitest';
import { IDEA_STATUSES, type IdeaStatus, ROLES, type Role } from './domain.js';
import { decideTransition, laneFor, nextStatuses } from './workflow.js';

// The expected workflow, written out by hand (not derived from TRANSITIONS): from → {to: who}.
// T = owner, admin, team; A = owner, admin; a trailing * means "needs a reason".
const EXPECTED: Record<IdeaStatus, Partial<Record<IdeaStatus, string>>> = {
  open: { under_review: 'T', accepted: 'T', declined: 'T*' },
  under_review: { open: 'T', accepted: 'T', declined: 'T*' },
  accepted: { planned: 'T', under_review: 'T', declined: 'T*' },
  planned: { in_progress: 'T', accepted: 'T', declined: 'T*' },
  in_progress: { shipped: 'T', planned: 'T', declined: 'T*' },
  shipped: { in_progress: 'A*' },
  declined: { open: 'T', under_review: 'T' },
  merged: {},
};
const WHO: Record<string, Role[]> = { T: ['owner', 'admin', 'team'], A: ['owner', 'admin'] };

const rows: { role: Role | null; from: IdeaStatus; to: IdeaStatus; expect: string }[] = [];
for (const role of [...ROLES, null]) {
  for (const from of IDEA_STATUSES) {
    for (const to of IDEA_STATUSES) {
      const rule = EXPECTED[from][to];
      let expect: string;
      if (from === to || from === 'merged') expect = 'CONFLICT';
      else if (to === 'merged') expect = 'VALIDATION_FAILED';
      else if (!rule) expect = 'CONFLICT';
      else if (!role || !WHO[rule[0]!]!.includes(role)) expect = 'FORBIDDEN';
      else expect = rule.endsWith('*') ? 'reason' : 'ok';
      rows.push({ role, from, to, expect });
    }
  }
}

describe('workflow transitions', () => {
  it('covers every role × from × to', () => {
    expect(rows).toHaveLength((ROLES.length + 1) * IDEA_STATUSES.length * IDEA_STATUSES.length);
  });

  it.each(rows)('$role: $from → $to is $expect', ({ role, from, to, expect: outcome }) => {
    const bare = decideTransition(role, from, to);
    const reasoned = decideTransition(role, from, to, 'because');
    if (outcome === 'ok') {
      expect(bare.ok).toBe(true);
      expect(reasoned.ok).toBe(true);
    } else if (outcome === 'reason') {
      expect(bare).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
      expect(decideTransition(role, from, to, '   ')).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
      expect(reasoned.ok).toBe(true);
    } else {
      expect(bare).toMatchObject({ ok: false, code: outcome });
      expect(reasoned).toMatchObject({ ok: false, code: outcome });
    }
  });

  it('offers a role exactly the moves it may make', () => {
    for (const role of ROLES) {
      for (const from of IDEA_STATUSES) {
        const offered = nextStatuses(role, from).map((t) => t.to).sort();
        const allowed = IDEA_STATUSES.filter((to) => decideTransition(role, from, to, 'r').ok).sort();
        expect(offered).toEqual(allowed);
      }
    }
    expect(nextStatuses(null, 'open')).toEqual([]);
  });

  it('maps statuses to roadmap lanes', () => {
    expect(IDEA_STATUSES.map((s) => [s, laneFor(s)])).toEqual([
      ['open', null],
      ['under_review', null],
      ['accepted', 'planned'],
      ['planned', 'planned'],
      ['in_progress', 'in_progress'],
      ['shipped', 'shipped'],
      ['declined', null],
      ['merged', null],
    ]);
  });
});
