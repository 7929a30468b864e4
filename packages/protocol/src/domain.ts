/** Domain vocabularies shared by the database, the server and the client. */

export const ROLES = ['owner', 'admin', 'team', 'moderator', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that speak for the product team: official replies, triage. */
export const TEAM_ROLES: readonly Role[] = ['owner', 'admin', 'team'];

export const MEMBERSHIP_STATUSES = ['active', 'banned'] as const;
export type MembershipStatus = (typeof MEMBERSHIP_STATUSES)[number];

export const VISIBILITIES = ['public', 'private'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const JOIN_POLICIES = ['open', 'request', 'invite'] as const;
export type JoinPolicy = (typeof JOIN_POLICIES)[number];

export const JOIN_REQUEST_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type JoinRequestStatus = (typeof JOIN_REQUEST_STATUSES)[number];

export const IDEA_STATUSES = [
  'open',
  'under_review',
  'accepted',
  'planned',
  'in_progress',
  'shipped',
  'declined',
  'merged',
] as const;
export type IdeaStatus = (typeof IDEA_STATUSES)[number];

export const ROADMAP_LANES = ['planned', 'in_progress', 'shipped'] as const;
export type RoadmapLane = (typeof ROADMAP_LANES)[number];

export const CONTRIBUTOR_ROLES = ['author', 'co_author'] as const;
export type ContributorRole = (typeof CONTRIBUTOR_ROLES)[number];

export const SESSION_KINDS = ['cookie', 'bearer'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

export const OUTBOX_STATUSES = ['pending', 'done', 'dead'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const CHANGELOG_STATUSES = ['draft', 'published'] as const;
export type ChangelogStatus = (typeof CHANGELOG_STATUSES)[number];

export const CREDIT_KINDS = ['author', 'co_author', 'backer'] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];

/** The document name of an idea's collaborative body (y-websocket room name). */
export function ideaDocName(ideaId: string): string {
  return `idea:${ideaId}`;
}
