import { z } from 'zod';
import { IDEA_STATUSES, ROADMAP_LANES } from './domain.js';
import { Id } from './api.js';
import { WEBHOOK_EVENTS } from './workflow.js';

/** REST schemas of the roadmap pipeline: status changes, merges, roadmap, changelog, webhooks, exports. */

const Reason = z.string().trim().max(2_000);

export const ChangeStatusBody = z.strictObject({
  status: z.enum(IDEA_STATUSES),
  reason: Reason.optional(),
  /** The status the caller saw: when given and no longer true, the change is refused (CONFLICT). */
  from: z.enum(IDEA_STATUSES).optional(),
});
export const BulkChangeStatusBody = z.strictObject({
  ideaIds: z.array(Id).min(1).max(100),
  status: z.enum(IDEA_STATUSES),
  reason: Reason.optional(),
});

export const UserRefView = z.object({ id: z.string(), handle: z.string(), displayName: z.string() });

export const StatusChangeView = z.object({
  id: z.string(),
  ideaId: z.string(),
  from: z.enum(IDEA_STATUSES),
  to: z.enum(IDEA_STATUSES),
  reason: z.string().nullable(),
  actor: UserRefView.nullable(),
  createdAt: z.string(),
});
export type StatusChangeView = z.infer<typeof StatusChangeView>;

export const ChangeStatusResult = z.object({
  idea: z.object({ id: z.string(), status: z.enum(IDEA_STATUSES), version: z.number() }),
  change: StatusChangeView,
});
export const BulkChangeStatusResult = z.object({
  results: z.array(
    z.union([
      z.object({ ideaId: z.string(), ok: z.literal(true), status: z.enum(IDEA_STATUSES), version: z.number() }),
      z.object({ ideaId: z.string(), ok: z.literal(false), code: z.string(), message: z.string() }),
    ]),
  ),
});

export const MergeBody = z.strictObject({ targetId: Id });
export const MergePreviewView = z.object({
  source: z.object({ id: z.string(), title: z.string(), up: z.number(), down: z.number(), commentCount: z.number() }),
  target: z.object({ id: z.string(), title: z.string(), up: z.number(), down: z.number(), commentCount: z.number() }),
  /** Votes that move to the target (voters who had not voted on it). */
  votesMoving: z.number(),
  /** Votes dropped because their voter had already voted on the target. */
  votesDropped: z.number(),
  commentsMoving: z.number(),
  followersMoving: z.number(),
});
export const MergeResult = z.object({
  source: z.object({ id: z.string(), status: z.literal('merged'), mergedInto: z.string(), version: z.number() }),
  target: z.object({ id: z.string(), up: z.number(), down: z.number(), voteCount: z.number(), commentCount: z.number(), version: z.number() }),
  moved: z.object({ votes: z.number(), dropped: z.number(), comments: z.number(), followers: z.number() }),
});

export const RoadmapItemView = z.object({
  id: z.string(),
  ideaId: z.string(),
  boardId: z.string(),
  title: z.string(),
  status: z.enum(IDEA_STATUSES),
  lane: z.enum(ROADMAP_LANES),
  position: z.number(),
  releaseLabel: z.string().nullable(),
  up: z.number(),
  down: z.number(),
  contributors: z.array(UserRefView.extend({ role: z.string() })),
  /** The idea's text, votes and contributors when it was accepted. */
  snapshot: z.record(z.string(), z.unknown()),
  updatedAt: z.string(),
});
export type RoadmapItemView = z.infer<typeof RoadmapItemView>;
export const RoadmapView = z.object({
  community: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
  lanes: z.object({ planned: z.array(RoadmapItemView), in_progress: z.array(RoadmapItemView), shipped: z.array(RoadmapItemView) }),
});
export const UpdateRoadmapItemBody = z
  .strictObject({
    /** Place the item between two others of its lane (either may be null for an end). */
    after: Id.nullable().optional(),
    before: Id.nullable().optional(),
    releaseLabel: z.string().trim().max(60).nullable().optional(),
  })
  .refine((b) => b.after !== undefined || b.before !== undefined || b.releaseLabel !== undefined, 'nothing to change');

export const CreditView = UserRefView.extend({ kind: z.enum(['author', 'co_author', 'backer']) });
export const ChangelogEntryView = z.object({
  id: z.string(),
  communityId: z.string(),
  ideaId: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  status: z.enum(['draft', 'published']),
  publishedAt: z.string().nullable(),
  credits: z.array(CreditView),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ChangelogEntryView = z.infer<typeof ChangelogEntryView>;
export const ChangelogQuery = z.strictObject({
  drafts: z.enum(['true', 'false']).optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export const UpdateChangelogBody = z
  .strictObject({ title: z.string().trim().min(1).max(200).optional(), body: z.string().max(20_000).optional() })
  .refine((b) => b.title !== undefined || b.body !== undefined, 'nothing to change');

export const MyCreditView = z.object({
  entryId: z.string(),
  ideaId: z.string().nullable(),
  title: z.string(),
  kind: z.enum(['author', 'co_author', 'backer']),
  community: z.object({ slug: z.string(), name: z.string() }),
  publishedAt: z.string(),
});

export const CreateWebhookBody = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2_000),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
  description: z.string().trim().max(200).optional(),
});
export const UpdateWebhookBody = z
  .strictObject({ events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length).optional(), active: z.boolean().optional() })
  .refine((b) => b.events !== undefined || b.active !== undefined, 'nothing to change');
export const WebhookView = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.string(),
});
/** Only the answer to creation carries the secret. */
export const CreatedWebhookView = WebhookView.extend({ secret: z.string() });
export const WebhookDeliveryView = z.object({
  id: z.string(),
  webhookId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(['pending', 'delivered', 'failed', 'dead']),
  attempts: z.number(),
  responseStatus: z.number().nullable(),
  responseBody: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
});

export const ExportQuery = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });

/** A member's own ideas and votes, across communities, for the profile page. */
export const ProfileIdeaView = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(IDEA_STATUSES),
  up: z.number(),
  down: z.number(),
  voteCount: z.number(),
  commentCount: z.number(),
  mergedInto: z.string().nullable(),
  board: z.object({ id: z.string(), name: z.string() }),
  community: z.object({ slug: z.string(), name: z.string() }),
  createdAt: z.string(),
});
export const ProfileVoteView = z.object({ idea: ProfileIdeaView, value: z.number(), votedAt: z.string() });
