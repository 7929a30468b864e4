import { z } from 'zod';
import {
  IDEA_STATUSES,
  JOIN_POLICIES,
  MEMBERSHIP_STATUSES,
  ROLES,
  VISIBILITIES,
} from './domain.js';
import { RANKING_FORMULAS } from './ranking-settings.js';

/**
 * Request and response schemas of the REST API. The server validates with them and derives the
 * OpenAPI document from them; the client types its calls with them. Request bodies are strict:
 * unknown fields are refused.
 */

export const Id = z.uuid({ error: 'must be an id' });
export const Slug = z
  .string()
  .min(3)
  .max(48)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lower-case letters, digits and inner dashes');
export const Handle = z
  .string()
  .min(3)
  .max(24)
  .regex(/^[A-Za-z0-9_]+$/, 'letters, digits and underscores')
  .transform((s) => s.toLowerCase());
export const Email = z
  .string()
  .max(254)
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.email());
/** Bounded so that hashing cost is bounded too. */
export const Password = z.string().min(10, 'at least 10 characters').max(256);
const Text = (max: number) => z.string().trim().min(1).max(max);
export const DisplayName = Text(60);
export const TokenMode = z.enum(['cookie', 'bearer']);
export const Limit = z.coerce.number().int().min(1).max(100).default(25);
export const Cursor = z.string().max(512);

export const IdeaSort = z.enum(['top', 'new', 'trending', 'hot', 'wilson', 'weighted']);
export type IdeaSort = z.infer<typeof IdeaSort>;

// ---- auth ----
export const SignupBody = z.strictObject({
  email: Email,
  password: Password,
  handle: Handle,
  displayName: DisplayName.optional(),
  tokenMode: TokenMode.optional(),
});
export const LoginBody = z.strictObject({
  email: Email,
  password: z.string().min(1).max(256),
  tokenMode: TokenMode.optional(),
});
export const ChangePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: Password,
});
export const UpdateProfileBody = z.strictObject({ displayName: DisplayName });

export const UserView = z.object({
  id: z.string(),
  email: z.string().optional(),
  handle: z.string(),
  displayName: z.string(),
  createdAt: z.string(),
});
export type UserView = z.infer<typeof UserView>;
export const AuthResponse = z.object({ user: UserView, token: z.string().optional() });

// ---- communities ----
export const CreateCommunityBody = z.strictObject({
  slug: Slug,
  name: Text(80),
  description: z.string().trim().max(2000).optional(),
  visibility: z.enum(VISIBILITIES).optional(),
  joinPolicy: z.enum(JOIN_POLICIES).optional(),
});
export const UpdateCommunityBody = z.strictObject({
  name: Text(80).optional(),
  description: z.string().trim().max(2000).optional(),
  visibility: z.enum(VISIBILITIES).optional(),
  joinPolicy: z.enum(JOIN_POLICIES).optional(),
});
export const JoinBody = z.strictObject({
  message: z.string().trim().max(500).optional(),
  inviteCode: z.string().min(8).max(128).optional(),
});
export const CommunityView = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  visibility: z.enum(VISIBILITIES),
  joinPolicy: z.enum(JOIN_POLICIES),
  memberCount: z.number(),
  createdAt: z.string(),
  membership: z.object({ role: z.enum(ROLES), status: z.enum(MEMBERSHIP_STATUSES) }).nullable(),
});
export type CommunityView = z.infer<typeof CommunityView>;
export const SetRoleBody = z.strictObject({ role: z.enum(ROLES) });
export const BanBody = z.strictObject({ reason: z.string().trim().max(500).optional() });
export const CreateInviteBody = z.strictObject({
  role: z.enum(['member', 'moderator', 'team']).optional(),
  maxUses: z.number().int().min(1).max(10_000).optional(),
  expiresInHours: z.number().int().min(1).max(24 * 90).optional(),
});

// ---- boards ----
export const RankingSettings = z.strictObject({
  formula: z.enum(RANKING_FORMULAS),
  gravity: z.number().min(0.1).max(5).optional(),
  decayHours: z.number().min(0.5).max(24 * 365).optional(),
});
export const CreateBoardBody = z.strictObject({
  name: Text(80),
  slug: Slug.optional(),
  description: z.string().trim().max(2000).optional(),
  ranking: RankingSettings.optional(),
  downvotesEnabled: z.boolean().optional(),
});
export const UpdateBoardBody = z.strictObject({
  name: Text(80).optional(),
  description: z.string().trim().max(2000).optional(),
  ranking: RankingSettings.optional(),
  downvotesEnabled: z.boolean().optional(),
  archived: z.boolean().optional(),
});

// ---- ideas ----
export const Tag = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .regex(/^[\p{L}\p{N} _-]+$/u, 'letters, digits, spaces, dashes and underscores')
  .transform((s) => s.toLowerCase());
export const CreateIdeaBody = z.strictObject({
  title: Text(160),
  body: z.string().max(20_000).optional(),
  tags: z.array(Tag).max(10).optional(),
});
export const UpdateIdeaBody = z.strictObject({
  title: Text(160).optional(),
  tags: z.array(Tag).max(10).optional(),
});
export const ListIdeasQuery = z.strictObject({
  sort: IdeaSort.optional(),
  status: z.enum(IDEA_STATUSES).optional(),
  tag: z.string().max(32).optional(),
  author: z.string().max(64).optional(),
  q: z.string().trim().max(200).optional(),
  cursor: Cursor.optional(),
  limit: Limit,
});
export const VoteBody = z.strictObject({ value: z.union([z.literal(1), z.literal(-1)]).optional() });
export const VoteResult = z.object({
  ideaId: z.string(),
  up: z.number(),
  down: z.number(),
  voteCount: z.number(),
  version: z.number(),
  myVote: z.number(),
});
export type VoteResult = z.infer<typeof VoteResult>;
export const HideBody = z.strictObject({ hidden: z.boolean(), reason: z.string().trim().max(500).optional() });
export const LockBody = z.strictObject({ locked: z.boolean(), reason: z.string().trim().max(500).optional() });

// ---- comments ----
export const CreateCommentBody = z.strictObject({
  body: Text(10_000),
  parentId: Id.optional(),
  official: z.boolean().optional(),
});
export const UpdateCommentBody = z.strictObject({ body: Text(10_000) });

export const PageQuery = z.strictObject({ cursor: Cursor.optional(), limit: Limit });

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
