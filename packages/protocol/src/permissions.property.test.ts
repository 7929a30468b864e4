import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IDEA_STATUSES, MEMBERSHIP_STATUSES, ROLES, type Role, VISIBILITIES } from './domain.js';
import { ACTIONS, authorize, can, type Resource, type Subject } from './permissions.js';

/** `authorize` over random subjects and resources: total, closed, and never rewarding a lower role. */

const ME = 'user-me';
const OTHER = 'user-other';
const role = fc.constantFrom(...ROLES);
const RANK: Record<Role, number> = { owner: 5, admin: 4, team: 3, moderator: 2, member: 1 };

const subject: fc.Arbitrary<Subject> = fc.oneof(
  fc.constant({ userId: null, membership: null }),
  fc.constant({ userId: ME, membership: null }),
  fc.record({ userId: fc.constant(ME), membership: fc.record({ role, status: fc.constantFrom(...MEMBERSHIP_STATUSES) }) }),
);
const resource: fc.Arbitrary<Resource> = fc.record(
  {
    visibility: fc.constantFrom(...VISIBILITIES),
    ownerId: fc.constantFrom(ME, OTHER, null),
    idea: fc.record({ status: fc.constantFrom(...IDEA_STATUSES), locked: fc.boolean(), hidden: fc.boolean() }),
    comment: fc.record({ hidden: fc.boolean(), deleted: fc.boolean() }),
    targetRole: fc.option(role, { nil: null }),
  },
  { requiredKeys: ['visibility'] },
);
const action = fc.constantFrom(...ACTIONS);

describe('authorize (property-based)', () => {
  it('always decides, with one of three codes and a reason that names nothing of the resource', () => {
    fc.assert(
      fc.property(subject, action, resource, (s, a, r) => {
        const d = authorize(s, a, r);
        if (!d.ok) {
          expect(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND']).toContain(d.code);
          expect(d.reason.length).toBeGreaterThan(0);
          expect(d.reason).not.toContain(OTHER);
        }
        expect(can(s, a, r)).toBe(d.ok);
      }),
      { numRuns: 2_000 },
    );
  });

  it('never grants an action to a role that the same member one role higher is refused (lowering never gains)', () => {
    fc.assert(
      fc.property(role, role, action, resource, (x, y, a, r) => {
        const [lo, hi] = RANK[x] <= RANK[y] ? [x, y] : [y, x];
        // team and moderator are siblings, not a chain: only compare roles on one line.
        if ((lo === 'moderator' && hi === 'team') || (lo === 'team' && hi === 'moderator')) return;
        const as = (rl: Role): Subject => ({ userId: ME, membership: { role: rl, status: 'active' } });
        if (can(as(lo), a, r)) expect(can(as(hi), a, r)).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('a ban, or losing membership, never grants anything beyond reading', () => {
    fc.assert(
      fc.property(role, action, resource, (rl, a, r) => {
        const active: Subject = { userId: ME, membership: { role: rl, status: 'active' } };
        const banned: Subject = { userId: ME, membership: { role: rl, status: 'banned' } };
        const outsider: Subject = { userId: ME, membership: null };
        for (const lowered of [banned, outsider]) {
          if (can(lowered, a, r)) {
            expect(['community.read', 'idea.read']).toContain(a);
            expect(can(active, a, r)).toBe(true);
          }
        }
      }),
      { numRuns: 3_000 },
    );
  });

  it('answers an outsider of a private community NOT_FOUND, exactly as for what does not exist', () => {
    fc.assert(
      fc.property(subject, action, resource, (s, a, r) => {
        if (s.membership?.status === 'active') return;
        expect(authorize(s, a, { ...r, visibility: 'private' })).toEqual({ ok: false, code: 'NOT_FOUND', reason: 'not found' });
      }),
      { numRuns: 2_000 },
    );
  });

  it('is pure: the same question gets the same answer and the inputs are not touched', () => {
    fc.assert(
      fc.property(subject, action, resource, (s, a, r) => {
        const before = JSON.stringify([s, r]);
        expect(authorize(s, a, r)).toEqual(authorize(s, a, r));
        expect(JSON.stringify([s, r])).toBe(before);
      }),
    );
  });
});
