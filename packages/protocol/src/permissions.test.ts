import { describe, expect, it } from 'vitest';
import { IDEA_STATUSES, type IdeaStatus, ROLES, type Role } from './domain.js';
import { ACTIONS, type Action, authorize, can, type Resource, roleAtLeast, type Subject, VOTABLE_STATUSES } from './permissions.js';

type Expected = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND';
type Row = [description: string, subject: Subject, action: Action, resource: Resource, expected: Expected];

const ME = 'user-me';
const OTHER = 'user-other';

// ---- subjects ----
const guest: Subject = { userId: null, membership: null };
const outsider: Subject = { userId: ME, membership: null };
const banned: Subject = { userId: ME, membership: { role: 'member', status: 'banned' } };
const as = (role: Role): Subject => ({ userId: ME, membership: { role, status: 'active' } });
const member = as('member');
const moderator = as('moderator');
const team = as('team');
const admin = as('admin');
const owner = as('owner');
const SUBJECTS = { guest, outsider, banned, member, moderator, team, admin, owner } as const;
type SubjectName = keyof typeof SUBJECTS;
const SUBJECT_NAMES = Object.keys(SUBJECTS) as SubjectName[];

// ---- resources ----
const community: Resource = { visibility: 'public' };
const privateCommunity: Resource = { visibility: 'private' };
const idea = (
  o: Partial<{ status: IdeaStatus; locked: boolean; hidden: boolean; mine: boolean; visibility: 'public' | 'private' }> = {},
): Resource => ({
  visibility: o.visibility ?? 'public',
  ownerId: o.mine ? ME : OTHER,
  idea: { status: o.status ?? 'open', locked: o.locked ?? false, hidden: o.hidden ?? false },
});
const comment = (o: Partial<{ hidden: boolean; deleted: boolean; mine: boolean; locked: boolean }> = {}): Resource => ({
  ...idea({ locked: o.locked ?? false }),
  ownerId: o.mine ? ME : OTHER,
  comment: { hidden: o.hidden ?? false, deleted: o.deleted ?? false },
});
const target = (role: Role, visibility: 'public' | 'private' = 'public'): Resource => ({ visibility, targetRole: role });

/** The neutral resource each action is checked against in the role matrix: someone else's, in a public community. */
function neutralResource(action: Action): Resource {
  if (action === 'member.ban' || action === 'community.manageMembers') return target('member');
  if (action.startsWith('comment.')) return comment();
  if (action.startsWith('idea.')) return idea();
  return community;
}

// Columns: guest, outsider, banned, member, moderator, team, admin, owner.
const U = 'UNAUTHENTICATED';
const F = 'FORBIDDEN';
const ok = 'ok';
const MATRIX: Record<Action, [Expected, Expected, Expected, Expected, Expected, Expected, Expected, Expected]> = {
  'community.read': [ok, ok, ok, ok, ok, ok, ok, ok],
  'community.update': [U, F, F, F, F, F, ok, ok],
  'community.manageMembers': [U, F, F, F, F, F, ok, ok],
  'community.decideJoinRequests': [U, F, F, F, F, F, ok, ok],
  'community.createInvite': [U, F, F, F, F, F, ok, ok],
  'community.readAudit': [U, F, F, F, ok, F, ok, ok],
  'board.create': [U, F, F, F, F, F, ok, ok],
  'board.update': [U, F, F, F, F, F, ok, ok],
  'idea.read': [ok, ok, ok, ok, ok, ok, ok, ok],
  'idea.create': [U, F, F, ok, ok, ok, ok, ok],
  'idea.edit': [U, F, F, F, F, ok, ok, ok],
  // Members co-write every idea's body; guests and outsiders only read it (read-only on /collab).
  'idea.coedit': [U, F, F, ok, ok, ok, ok, ok],
  'idea.vote': [U, F, F, ok, ok, ok, ok, ok],
  'idea.follow': [U, F, F, ok, ok, ok, ok, ok],
  'idea.comment': [U, F, F, ok, ok, ok, ok, ok],
  'idea.commentOfficial': [U, F, F, F, F, ok, ok, ok],
  'idea.changeStatus': [U, F, F, F, F, ok, ok, ok],
  'idea.merge': [U, F, F, F, F, ok, ok, ok],
  'idea.hide': [U, F, F, F, ok, F, ok, ok],
  'idea.lock': [U, F, F, F, ok, ok, ok, ok],
  // Nobody rewrites someone else's words, not even the owner.
  'comment.edit': [U, F, F, F, F, F, F, F],
  // Moderators and admins delete through comment.hide (server side); the owner holds the right itself.
  'comment.delete': [U, F, F, F, F, F, F, ok],
  'comment.hide': [U, F, F, F, ok, F, ok, ok],
  'member.ban': [U, F, F, F, ok, F, ok, ok],
};

const matrixRows: Row[] = ACTIONS.flatMap((action) =>
  SUBJECT_NAMES.map(
    (name, i): Row => [
      `${name} / ${action} on someone else's, public`,
      SUBJECTS[name],
      action,
      neutralResource(action),
      MATRIX[action][i] as Expected,
    ],
  ),
);

const privateRows: Row[] = [
  ['guest reads a private community', guest, 'community.read', privateCommunity, 'NOT_FOUND'],
  ['outsider reads a private community', outsider, 'community.read', privateCommunity, 'NOT_FOUND'],
  ['banned member reads a private community', banned, 'community.read', privateCommunity, 'NOT_FOUND'],
  ['member reads a private community', member, 'community.read', privateCommunity, ok],
  ['guest edits a private community: 404 before 401', guest, 'community.update', privateCommunity, 'NOT_FOUND'],
  ['outsider creates an idea in a private community', outsider, 'idea.create', privateCommunity, 'NOT_FOUND'],
  ['outsider reads an idea of a private community', outsider, 'idea.read', idea({ visibility: 'private' }), 'NOT_FOUND'],
  ['banned member votes in a private community', banned, 'idea.vote', idea({ visibility: 'private' }), 'NOT_FOUND'],
  ['banned member reads the audit of a private community', banned, 'community.readAudit', privateCommunity, 'NOT_FOUND'],
  ['member votes in a private community', member, 'idea.vote', idea({ visibility: 'private' }), ok],
  ['admin updates a private community', admin, 'community.update', privateCommunity, ok],
  ['moderator bans in a private community', moderator, 'member.ban', target('member', 'private'), ok],
  ['outsider bans in a private community', outsider, 'member.ban', target('member', 'private'), 'NOT_FOUND'],
];

const hiddenRows: Row[] = [
  ['guest reads a hidden idea', guest, 'idea.read', idea({ hidden: true }), 'NOT_FOUND'],
  ['outsider reads a hidden idea', outsider, 'idea.read', idea({ hidden: true }), 'NOT_FOUND'],
  ["member reads someone else's hidden idea", member, 'idea.read', idea({ hidden: true }), 'NOT_FOUND'],
  ["member votes on someone else's hidden idea", member, 'idea.vote', idea({ hidden: true }), 'NOT_FOUND'],
  ["member comments on someone else's hidden idea", member, 'idea.comment', idea({ hidden: true }), 'NOT_FOUND'],
  ['author reads own hidden idea', member, 'idea.read', idea({ hidden: true, mine: true }), ok],
  ['author edits own hidden idea', member, 'idea.edit', idea({ hidden: true, mine: true }), ok],
  ['banned author still reads own hidden idea (public)', banned, 'idea.read', idea({ hidden: true, mine: true }), ok],
  ['moderator reads a hidden idea', moderator, 'idea.read', idea({ hidden: true }), ok],
  ['team reads a hidden idea', team, 'idea.read', idea({ hidden: true }), ok],
  ['moderator unhides a hidden idea', moderator, 'idea.hide', idea({ hidden: true }), ok],
  ['author may not unhide own hidden idea', member, 'idea.hide', idea({ hidden: true, mine: true }), F],
  ["member reads someone else's hidden comment", member, 'idea.read', comment({ hidden: true }), 'NOT_FOUND'],
  ['author edits own hidden comment', member, 'comment.edit', comment({ hidden: true, mine: true }), ok],
  ['moderator unhides a hidden comment', moderator, 'comment.hide', comment({ hidden: true }), ok],
  ['team reads a hidden comment', team, 'idea.read', comment({ hidden: true }), ok],
];

const lockedRows: Row[] = [
  ['member votes on a locked idea', member, 'idea.vote', idea({ locked: true }), F],
  ['member comments on a locked idea', member, 'idea.comment', idea({ locked: true }), F],
  ['author edits own locked idea', member, 'idea.edit', idea({ locked: true, mine: true }), F],
  ['author edits own comment on a locked idea', member, 'comment.edit', comment({ locked: true, mine: true }), F],
  ['author deletes own comment on a locked idea', member, 'comment.delete', comment({ locked: true, mine: true }), ok],
  ['member reads a locked idea', member, 'idea.read', idea({ locked: true }), ok],
  ['member follows a locked idea', member, 'idea.follow', idea({ locked: true }), ok],
  ['team votes on a locked idea', team, 'idea.vote', idea({ locked: true }), ok],
  ['team comments on a locked idea', team, 'idea.comment', idea({ locked: true }), ok],
  ['team edits a locked idea', team, 'idea.edit', idea({ locked: true }), ok],
  ['member co-edits a locked idea', member, 'idea.coedit', idea({ locked: true }), F],
  ['team co-edits a locked idea', team, 'idea.coedit', idea({ locked: true }), ok],
  ['moderator votes on a locked idea', moderator, 'idea.vote', idea({ locked: true }), ok],
  ["moderator edits someone else's locked idea (no edit right)", moderator, 'idea.edit', idea({ locked: true }), F],
  ['moderator unlocks', moderator, 'idea.lock', idea({ locked: true }), ok],
  ['banned member votes on a locked idea', banned, 'idea.vote', idea({ locked: true }), F],
];

const statusRows: Row[] = [
  ['member votes on a merged idea', member, 'idea.vote', idea({ status: 'merged' }), F],
  ['member comments on a merged idea', member, 'idea.comment', idea({ status: 'merged' }), F],
  ['member reads a merged idea', member, 'idea.read', idea({ status: 'merged' }), ok],
  ['member follows a merged idea', member, 'idea.follow', idea({ status: 'merged' }), ok],
  ['author edits own merged idea', member, 'idea.edit', idea({ status: 'merged', mine: true }), F],
  ['member co-edits a merged idea', member, 'idea.coedit', idea({ status: 'merged' }), F],
  ['member co-edits a shipped idea', member, 'idea.coedit', idea({ status: 'shipped' }), ok],
  ['team changes the status of a merged idea', team, 'idea.changeStatus', idea({ status: 'merged' }), F],
  ['team merges a merged idea again', team, 'idea.merge', idea({ status: 'merged' }), F],
  ['owner votes on a merged idea', owner, 'idea.vote', idea({ status: 'merged' }), F],
  ['moderator hides a merged idea', moderator, 'idea.hide', idea({ status: 'merged' }), ok],
  ['moderator locks a merged idea', moderator, 'idea.lock', idea({ status: 'merged' }), ok],
  ['member comments on a shipped idea', member, 'idea.comment', idea({ status: 'shipped' }), ok],
  ['team reopens a shipped idea', team, 'idea.changeStatus', idea({ status: 'shipped' }), ok],
  ...IDEA_STATUSES.map(
    (status): Row => [
      `member votes on a ${status} idea`,
      member,
      'idea.vote',
      idea({ status }),
      VOTABLE_STATUSES.includes(status) ? ok : F,
    ],
  ),
  ['team votes on a declined idea', team, 'idea.vote', idea({ status: 'declined' }), F],
];

const commentRows: Row[] = [
  ['member edits own comment', member, 'comment.edit', comment({ mine: true }), ok],
  ['member deletes own comment', member, 'comment.delete', comment({ mine: true }), ok],
  ['member hides own comment', member, 'comment.hide', comment({ mine: true }), F],
  ['member edits own deleted comment', member, 'comment.edit', comment({ mine: true, deleted: true }), F],
  ['member deletes own deleted comment', member, 'comment.delete', comment({ mine: true, deleted: true }), F],
  ['owner edits own comment', owner, 'comment.edit', comment({ mine: true }), ok],
  ["owner deletes someone else's deleted comment", owner, 'comment.delete', comment({ deleted: true }), F],
  ['moderator hides a deleted comment', moderator, 'comment.hide', comment({ deleted: true }), ok],
  ['banned author edits own comment', banned, 'comment.edit', comment({ mine: true }), F],
  ['guest edits a comment', guest, 'comment.edit', comment({ mine: true }), U],
];

// member.ban and community.manageMembers against each target role.
const ACT_ON: Record<Role, Record<Role, Expected>> = {
  owner: { owner: F, admin: ok, team: ok, moderator: ok, member: ok },
  admin: { owner: F, admin: F, team: ok, moderator: ok, member: ok },
  team: { owner: F, admin: F, team: F, moderator: F, member: F },
  moderator: { owner: F, admin: F, team: F, moderator: F, member: ok },
  member: { owner: F, admin: F, team: F, moderator: F, member: F },
};
const targetRows: Row[] = ROLES.flatMap((actor) =>
  ROLES.flatMap((t): Row[] => [
    [`${actor} bans a ${t}`, as(actor), 'member.ban', target(t), ACT_ON[actor][t]],
    // Role management is admin+ only; the peer/superior rule is the same.
    [`${actor} manages a ${t}`, as(actor), 'community.manageMembers', target(t), actor === 'moderator' ? F : ACT_ON[actor][t]],
  ]),
);
targetRows.push(
  ['moderator bans a non-member (pre-emptive, no target role)', moderator, 'member.ban', { visibility: 'public', targetRole: null }, ok],
  ['banned admin-turned-member cannot ban', banned, 'member.ban', target('member'), F],
  ['guest bans', guest, 'member.ban', target('member'), U],
);

const ROWS: Row[] = [...matrixRows, ...privateRows, ...hiddenRows, ...lockedRows, ...statusRows, ...commentRows, ...targetRows];

describe('authorize', () => {
  it.each(ROWS)('%s', (_description, subject, action, resource, expected) => {
    const decision = authorize(subject, action, resource);
    if (expected === 'ok') {
      expect(decision).toEqual({ ok: true });
    } else {
      expect(decision).toMatchObject({ ok: false, code: expected });
      expect(decision.ok === false && decision.reason.length > 0).toBe(true);
    }
    expect(can(subject, action, resource)).toBe(expected === 'ok');
  });

  it('covers every action for every role', () => {
    for (const action of ACTIONS) {
      for (const name of SUBJECT_NAMES) {
        expect(
          ROWS.some(([, s, a]) => s === SUBJECTS[name] && a === action),
          `${name} × ${action}`,
        ).toBe(true);
      }
    }
  });

  it('never lets an actor who is not the owner act on a peer or a superior', () => {
    for (const actor of ROLES) {
      for (const t of ROLES) {
        if (actor !== 'owner' && roleAtLeast(t, actor)) {
          expect(can(as(actor), 'member.ban', target(t))).toBe(false);
          expect(can(as(actor), 'community.manageMembers', target(t))).toBe(false);
        }
      }
    }
  });
});

// Exhaustive invariants over the whole finite space (fast-check is not installed; enumeration covers more).
describe('authorize invariants (exhaustive)', () => {
  const resources: Resource[] = [];
  for (const visibility of ['public', 'private'] as const) {
    resources.push({ visibility });
    for (const t of ROLES) resources.push({ visibility, targetRole: t });
    for (const status of IDEA_STATUSES) {
      for (const locked of [false, true]) {
        for (const hidden of [false, true]) {
          for (const ownerId of [ME, OTHER, null]) {
            const base: Resource = { visibility, ownerId, idea: { status, locked, hidden } };
            resources.push(base);
            for (const cHidden of [false, true]) {
              for (const deleted of [false, true]) resources.push({ ...base, comment: { hidden: cHidden, deleted } });
            }
          }
        }
      }
    }
  }
  const subjects: Subject[] = [guest, outsider, banned, { userId: ME, membership: { role: 'admin', status: 'banned' } }, ...ROLES.map(as)];
  const all = subjects.flatMap((s) => ACTIONS.flatMap((a) => resources.map((r) => ({ s, a, r, d: authorize(s, a, r) }))));

  it('hides private communities from everyone who is not an active member', () => {
    const offenders = all.filter(
      ({ s, r, d }) => r.visibility === 'private' && s.membership?.status !== 'active' && !(d.ok === false && d.code === 'NOT_FOUND'),
    );
    expect(offenders).toEqual([]);
  });

  it('lets guests and banned users do nothing but read', () => {
    const offenders = all.filter(
      ({ s, a, d }) => (s.userId === null || s.membership?.status === 'banned') && d.ok && a !== 'community.read' && a !== 'idea.read',
    );
    expect(offenders).toEqual([]);
  });

  it('refuses locked-idea writes to plain members and never touches an owner', () => {
    const locked = all.filter(
      ({ s, a, r, d }) =>
        d.ok && s.membership?.role === 'member' && r.idea?.locked && ['idea.vote', 'idea.comment', 'idea.edit', 'comment.edit'].includes(a),
    );
    expect(locked).toEqual([]);
    const owners = all.filter(({ a, r, d }) => d.ok && r.targetRole === 'owner' && (a === 'member.ban' || a === 'community.manageMembers'));
    expect(owners).toEqual([]);
  });

  it('only ever answers one of three codes, with a reason', () => {
    const odd = all.filter(({ d }) => !d.ok && (!['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'].includes(d.code) || d.reason === ''));
    expect(odd).toEqual([]);
    expect(all.length).toBeGreaterThan(100_000);
  });

  it('is monotone in the role: member ⊆ moderator, team ⊆ admin ⊆ owner', () => {
    const below: [Role, Role][] = [
      ['member', 'moderator'],
      ['member', 'team'],
      ['moderator', 'admin'],
      ['team', 'admin'],
      ['admin', 'owner'],
    ];
    const offenders: string[] = [];
    for (const [lo, hi] of below) {
      for (const a of ACTIONS) {
        for (const r of resources) {
          if (can(as(lo), a, r) && !can(as(hi), a, r)) offenders.push(`${lo}→${hi} ${a} ${JSON.stringify(r)}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});
