import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IDEA_STATUSES, ROLES, type Role } from './domain.js';
import { decideTransition, nextStatuses, TRANSITIONS } from './workflow.js';

/** The status transition table under random questions: total, consistent, closed under role lowering. */

const role = fc.option(fc.constantFrom(...ROLES), { nil: null });
const status = fc.constantFrom(...IDEA_STATUSES);
const reason = fc.oneof(fc.constant(undefined), fc.constant(null), fc.string({ maxLength: 20 }), fc.constantFrom('', '   ', 'because'));
const CHAIN: Role[] = ['member', 'moderator', 'team', 'admin', 'owner'];

describe('decideTransition (property-based)', () => {
  it('always decides, with a known code and a reason; a yes is a row of the table that the role may take', () => {
    fc.assert(
      fc.property(role, status, status, reason, (r, from, to, why) => {
        const d = decideTransition(r, from, to, why);
        if (!d.ok) {
          expect(['FORBIDDEN', 'CONFLICT', 'VALIDATION_FAILED']).toContain(d.code);
          expect(d.reason.length).toBeGreaterThan(0);
          return;
        }
        expect(TRANSITIONS).toContain(d.transition);
        expect(d.transition).toMatchObject({ from, to });
        expect(d.transition.roles).toContain(r);
        if (d.transition.needsReason) expect((why ?? '').trim()).not.toBe('');
      }),
      { numRuns: 3_000 },
    );
  });

  it('never moves into or out of merged, and never to the same status', () => {
    fc.assert(
      fc.property(role, status, reason, (r, s, why) => {
        expect(decideTransition(r, 'merged', s, why).ok).toBe(false);
        expect(decideTransition(r, s, 'merged', why).ok).toBe(false);
        expect(decideTransition(r, s, s, why).ok).toBe(false);
      }),
    );
  });

  it('offers in nextStatuses exactly the moves it then allows (with a reason given)', () => {
    fc.assert(
      fc.property(role, status, (r, from) => {
        const offered = nextStatuses(r, from).map((t) => t.to).sort();
        const allowed = IDEA_STATUSES.filter((to) => decideTransition(r, from, to, 'a reason').ok).sort();
        expect(offered).toEqual(allowed);
      }),
    );
  });

  it('gives a lower role no move that a higher one is refused, and guests, members and moderators none', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CHAIN), fc.constantFrom(...CHAIN), status, status, reason, (a, b, from, to, why) => {
        const [lo, hi] = CHAIN.indexOf(a) <= CHAIN.indexOf(b) ? [a, b] : [b, a];
        if (decideTransition(lo, from, to, why).ok) expect(decideTransition(hi, from, to, why).ok).toBe(true);
        for (const none of [null, 'member', 'moderator'] as const) expect(decideTransition(none, from, to, why).ok).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it('random walks of allowed moves never reach merged, and shipped (and, but for a shipped idea and the team, declined) stays reachable', () => {
    const reachable = (from: string, r: Role) => {
      const seen = new Set([from]);
      for (const s of seen) for (const t of nextStatuses(r, s as never)) seen.add(t.to);
      return seen;
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(status, reason), { maxLength: 30 }), fc.constantFrom<Role>('team', 'admin', 'owner'), (steps, r) => {
        let at: (typeof IDEA_STATUSES)[number] = 'open';
        for (const [to, why] of steps) {
          if (decideTransition(r, at, to, why).ok) at = to;
        }
        expect(at).not.toBe('merged');
        const ahead = reachable(at, r);
        expect(at === 'shipped' || ahead.has('shipped')).toBe(true);
        // Shipped is final for the team; admins may take a release back, and then decline it.
        if (at !== 'shipped' || r !== 'team') expect(at === 'declined' || ahead.has('declined')).toBe(true);
        else expect(nextStatuses(r, at)).toEqual([]);
      }),
    );
  });
});
