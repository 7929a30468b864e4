import type {
  BoardRanking,
  ChangelogStatus,
  ContributorRole,
  CreditKind,
  DeliveryStatus,
  IdeaStatus,
  JoinPolicy,
  JoinRequestStatus,
  MembershipStatus,
  OutboxStatus,
  RoadmapLane,
  Role,
  SessionKind,
  Visibility,
} from '@cocreate/protocol';
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** bytea as Uint8Array on both drivers (postgres.js returns a Buffer, which is one). */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
const pk = () => uuid('id').primaryKey().defaultRandom();

export const users = pgTable('users', {
  id: pk(),
  email: text('email').notNull().unique(),
  handle: text('handle').notNull().unique(),
  displayName: text('display_name').notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Only the SHA-256 of a session's secret is stored; the id is the public half of the token. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    secretHash: bytea('secret_hash').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<SessionKind>().notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

export const communities = pgTable('communities', {
  id: pk(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  visibility: text('visibility').$type<Visibility>().notNull().default('public'),
  joinPolicy: text('join_policy').$type<JoinPolicy>().notNull().default('open'),
  memberCount: integer('member_count').notNull().default(0),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const memberships = pgTable(
  'memberships',
  {
    communityId: uuid('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull().default('member'),
    status: text('status').$type<MembershipStatus>().notNull().default('active'),
    voteWeight: doublePrecision('vote_weight').notNull().default(1),
    bannedReason: text('banned_reason'),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.communityId, t.userId] }), index('memberships_user_idx').on(t.userId)],
);

export const joinRequests = pgTable(
  'join_requests',
  {
    id: pk(),
    communityId: uuid('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    message: text('message').notNull().default(''),
    status: text('status').$type<JoinRequestStatus>().notNull().default('pending'),
    decidedBy: uuid('decided_by').references(() => users.id, { onDelete: 'set null' }),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('join_requests_pending_uq').on(t.communityId, t.userId).where(sql`status = 'pending'`),
    index('join_requests_community_idx').on(t.communityId, t.createdAt),
  ],
);

export const invites = pgTable('invites', {
  id: pk(),
  communityId: uuid('community_id')
    .notNull()
    .references(() => communities.id, { onDelete: 'cascade' }),
  codeHash: text('code_hash').notNull().unique(),
  role: text('role').$type<Role>().notNull().default('member'),
  maxUses: integer('max_uses').notNull().default(1),
  uses: integer('uses').notNull().default(0),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
});

export const boards = pgTable(
  'boards',
  {
    id: pk(),
    communityId: uuid('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    ranking: jsonb('ranking').$type<BoardRanking>().notNull().default({ formula: 'top' }),
    downvotesEnabled: boolean('downvotes_enabled').notNull().default(false),
    archived: boolean('archived').notNull().default(false),
    ideaCount: integer('idea_count').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('boards_community_slug_uq').on(t.communityId, t.slug)],
);

export const ideas = pgTable(
  'ideas',
  {
    id: pk(),
    communityId: uuid('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    boardId: uuid('board_id')
      .notNull()
      .references(() => boards.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    /** Plain-text extract of the collaborative body, for lists and search. */
    bodyText: text('body_text').notNull().default(''),
    status: text('status').$type<IdeaStatus>().notNull().default('open'),
    up: integer('up').notNull().default(0),
    down: integer('down').notNull().default(0),
    /** up − down */
    voteCount: integer('vote_count').notNull().default(0),
    /** Σ value × weight over the votes. */
    weightedScore: doublePrecision('weighted_score').notNull().default(0),
    commentCount: integer('comment_count').notNull().default(0),
    /** Bumped on every change of the counters or the idea; the highest version wins on clients. */
    version: bigint('version', { mode: 'number' }).notNull().default(1),
    hidden: boolean('hidden').notNull().default(false),
    locked: boolean('locked').notNull().default(false),
    mergedInto: uuid('merged_into').references((): AnyPgColumn => ideas.id, { onDelete: 'set null' }),
    search: tsvector('search').generatedAlwaysAs(
      sql`to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(body_text, ''))`,
    ),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('ideas_board_top_idx').on(t.boardId, t.voteCount.desc(), t.id),
    index('ideas_board_new_idx').on(t.boardId, t.createdAt.desc(), t.id),
    index('ideas_board_status_idx').on(t.boardId, t.status),
    index('ideas_author_idx').on(t.authorId),
    index('ideas_search_idx').using('gin', t.search),
    check('ideas_counts_ck', sql`up >= 0 AND down >= 0 AND vote_count = up - down`),
  ],
);

export const tags = pgTable(
  'tags',
  {
    id: pk(),
    communityId: uuid('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('tags_community_name_uq').on(t.communityId, t.name)],
);

export const ideaTags = pgTable(
  'idea_tags',
  {
    ideaId: uuid('idea_id')
      .notNull()
      .references(() => ideas.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.ideaId, t.tagId] }), index('idea_tags_tag_idx').on(t.tagId)],
);

export const ideaContributors = pgTable(
  'idea_contributors',
  {
    ideaId: uuid('idea_id')
      .notNull()
      .references(() => ideas.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<ContributorRole>().notNull(),
    editCount: integer('edit_count').notNull().default(0),
    firstAt: timestamp('first_at', { withTimezone: true }).notNull().defaultNow(),
    lastAt: timestamp('last_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ideaId, t.userId] }), index('idea_contributors_user_idx').on(t.userId)],
);

export const ideaFollowers = pgTable(
  'idea_followers',
  {
    ideaId: uuid('idea_id')
      .notNull()
      .references(() => ideas.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.ideaId, t.userId] }), index('idea_followers_user_idx').on(t.userId)],
);

export const votes = pgTable(
  'votes',
  {
    ideaId: uuid('idea_id')
      .notNull()
      .references(() => ideas.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    value: smallint('value').notNull(),
    weight: doublePrecision('weight').notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.ideaId, t.userId] }),
    index('votes_user_idx').on(t.userId),
    check('votes_value_ck', sql`value IN (1, -1)`),
  ],
);

export const comments = pgTable(
  'comments',
  {
    id: pk(),
    ideaId: uuid('idea_id')
      .notNull()
      .references(() => ideas.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    parentId: uuid('parent_id').references((): AnyPgColumn => comments.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    official: boolean('official').notNull().default(false),
    hidden: boolean('hidden').notNull().default(false),
    editedAt: timestamp('edited_at', { withTimezone: true }),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('comments_idea_idx').on(t.ideaId, t.createdAt, t.id), index('comments_parent_idx').on(t.parentId)],
);

export const statusChanges = pgTable(
  'status_changes',
  {
    id: pk(),
    ideaId: uuid('idea_id')
      .notNull()
      .references(() => ideas.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status').$type<IdeaStatus>().notNull(),
    toStatus: text('to_status').$type<IdeaStatus>().notNull(),
    reason: text('reason'),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('status_changes_idea_idx').on(t.ideaId, t.createdAt)],
);

/** Yjs updates not yet folded into a snapshot; `seq` orders them for reading, never for deleting. */
export const docUpdates = pgTable(
  'doc_updates',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    docName: text('doc_name').notNull(),
    update: bytea('update').notNull(),
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('doc_updates_doc_idx').on(t.docName, t.seq)],
);

export const docSnapshots = pgTable('doc_snapshots', {
  docName: text('doc_name').primaryKey(),
  state: bytea('state').notNull(),
  uptoSeq: bigint('upto_seq', { mode: 'number' }).notNull().default(0),
  size: integer('size').notNull().default(0),
  updatedAt: updatedAt(),
});

export const roadmapItems = pgTable(
  'roadmap_items',
  {
    id: pk(),
    communityId: uuid('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    ideaId: uuid('idea_id')
      .notNull()
      .unique()
      .references(() => ideas.id, { onDelete: 'cascade' }),
    lane: text('lane').$type<RoadmapLane>().notNull().default('planned'),
    position: doublePrecision('position').notNull().default(0),
    releaseLabel: text('release_label'),
    /** The idea's text, votes and contributors when it was accepted. */
    snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('roadmap_items_lane_idx').on(t.communityId, t.lane, t.position)],
);

export const changelogEntries = pgTable(
  'changelog_entries',
  {
    id: pk(),
    communityId: uuid('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    ideaId: uuid('idea_id').references(() => ideas.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    body: text('body').notNull().default(''),
    status: text('status').$type<ChangelogStatus>().notNull().default('draft'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('changelog_entries_community_idx').on(t.communityId, t.publishedAt),
    uniqueIndex('changelog_entries_idea_uq').on(t.ideaId),
  ],
);

export const changelogCredits = pgTable(
  'changelog_credits',
  {
    entryId: uuid('entry_id')
      .notNull()
      .references(() => changelogEntries.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<CreditKind>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.userId] }), index('changelog_credits_user_idx').on(t.userId)],
);

export const notifications = pgTable(
  'notifications',
  {
    id: pk(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** Makes a retried outbox handler idempotent. */
    dedupeKey: text('dedupe_key'),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('notifications_user_idx').on(t.userId, t.createdAt),
    uniqueIndex('notifications_dedupe_uq').on(t.userId, t.dedupeKey),
  ],
);

export const outbox = pgTable(
  'outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    topic: text('topic').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<OutboxStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [index('outbox_due_idx').on(t.status, t.runAt)],
);

export const webhooks = pgTable(
  'webhooks',
  {
    id: pk(),
    communityId: uuid('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    /** Needed in the clear to sign deliveries; never returned by the API after creation. */
    secret: text('secret').notNull(),
    events: jsonb('events').$type<string[]>().notNull(),
    active: boolean('active').notNull().default(true),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [index('webhooks_community_idx').on(t.communityId)],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: pk(),
    webhookId: uuid('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<DeliveryStatus>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('webhook_deliveries_webhook_idx').on(t.webhookId, t.createdAt),
    uniqueIndex('webhook_deliveries_event_uq').on(t.webhookId, t.eventId),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    communityId: uuid('community_id')
      .notNull()
      .references(() => communities.id, { onDelete: 'cascade' }),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [index('audit_log_community_idx').on(t.communityId, t.id)],
);
