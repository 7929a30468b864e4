import { z } from 'zod';
import { Id, IdeaSort } from './api.js';
import type { ErrorCode } from './errors.js';

/**
 * The Socket.IO contract: event names, payload schemas, acks. Clients send events with an ack;
 * the server answers `{ok: true, …}` or `{ok: false, code, message}`. Two kinds of server traffic
 * are kept apart: state (`board:ranks`, versioned, collapsible) and events (`room:event`, numbered
 * per room; a gap or a reconnect means: ask for a snapshot).
 */

export const PRESENCE_STATES = ['viewing', 'typing', 'idle'] as const;
export type PresenceState = (typeof PRESENCE_STATES)[number];

/**
 * `board:<uuid>`, `idea:<uuid>` or `community:<uuid>`: the rooms a client may name. A community's
 * room carries its roadmap and changelog (`roadmap.item`, `roadmap.removed`, `changelog.*`).
 */
export const RoomName = z
  .string()
  .max(48)
  .regex(/^(board|idea|community):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'board:<id>, idea:<id> or community:<id>');

export const BoardJoinPayload = z.strictObject({
  boardId: Id,
  sort: IdeaSort.optional(),
  /** How many ideas of the sort the client shows; state flows for those (and for ideas it has open). */
  limit: z.number().int().min(1).max(200).optional(),
});
export const BoardLeavePayload = z.strictObject({ boardId: Id });
export const IdeaJoinPayload = z.strictObject({ ideaId: Id });
export const IdeaLeavePayload = z.strictObject({ ideaId: Id });
export const CommunityJoinPayload = z.strictObject({ communityId: Id });
export const CommunityLeavePayload = z.strictObject({ communityId: Id });
export const VoteCastPayload = z.strictObject({ ideaId: Id, value: z.union([z.literal(1), z.literal(-1)]) });
export const VoteWithdrawPayload = z.strictObject({ ideaId: Id });
export const PresenceSetPayload = z.strictObject({ room: RoomName, status: z.enum(PRESENCE_STATES) });
export const RoomResyncPayload = z.strictObject({ room: RoomName });

export type BoardJoinPayload = z.infer<typeof BoardJoinPayload>;
export type VoteCastPayload = z.infer<typeof VoteCastPayload>;
export type PresenceSetPayload = z.infer<typeof PresenceSetPayload>;

/** The state of one idea's counters; the highest version wins wherever it arrives. */
export interface RankChange {
  ideaId: string;
  up: number;
  down: number;
  version: number;
  /** Σ value × weight, for boards ranked by weighted votes. */
  weightedScore?: number;
}

export interface SnapshotIdea extends RankChange {
  id: string;
  title: string;
  status: string;
  weightedScore: number;
  commentCount: number;
  createdAt: string;
  authorId: string | null;
}

export interface PresenceMember {
  key: string;
  userId: string;
  name: string;
  status: PresenceState;
}

export interface BoardSnapshot {
  boardId: string;
  sort: z.infer<typeof IdeaSort>;
  limit: number;
  ideas: SnapshotIdea[];
  /** The room's event sequence when the snapshot was taken: apply events with a higher seq. */
  seq: number;
  presence: PresenceMember[];
}

export interface IdeaSnapshot {
  idea: SnapshotIdea & { bodyText: string; locked: boolean; hidden: boolean; mergedInto: string | null; boardId: string };
  seq: number;
  presence: PresenceMember[];
}

/** A community room has no state of its own: after a gap, refetch the roadmap and changelog. */
export interface CommunitySnapshot {
  communityId: string;
  seq: number;
}

export type AckFailure = { ok: false; code: ErrorCode; message: string };
export type Ack<T extends object = object> = ({ ok: true } & T) | AckFailure;
export type AckFn<T extends object = object> = (response: Ack<T>) => void;

export interface VoteAck {
  ideaId: string;
  up: number;
  down: number;
  version: number;
  myVote: number;
}

export interface ClientToServerEvents {
  'board:join': (payload: z.input<typeof BoardJoinPayload>, ack: AckFn<{ snapshot: BoardSnapshot }>) => void;
  'board:leave': (payload: z.input<typeof BoardLeavePayload>, ack: AckFn) => void;
  'idea:join': (payload: z.input<typeof IdeaJoinPayload>, ack: AckFn<{ snapshot: IdeaSnapshot }>) => void;
  'idea:leave': (payload: z.input<typeof IdeaLeavePayload>, ack: AckFn) => void;
  'community:join': (payload: z.input<typeof CommunityJoinPayload>, ack: AckFn<{ snapshot: CommunitySnapshot }>) => void;
  'community:leave': (payload: z.input<typeof CommunityLeavePayload>, ack: AckFn) => void;
  'vote:cast': (payload: z.input<typeof VoteCastPayload>, ack: AckFn<VoteAck>) => void;
  'vote:withdraw': (payload: z.input<typeof VoteWithdrawPayload>, ack: AckFn<VoteAck>) => void;
  'presence:set': (payload: z.input<typeof PresenceSetPayload>, ack: AckFn) => void;
  'room:resync': (payload: z.input<typeof RoomResyncPayload>, ack: AckFn<{ snapshot: BoardSnapshot | IdeaSnapshot | CommunitySnapshot }>) => void;
}

export interface RoomEvent {
  room: string;
  seq: number;
  type: string;
  data: unknown;
}

export interface ServerToClientEvents {
  'board:ranks': (message: { boardId: string; changes: RankChange[] }) => void;
  'room:event': (event: RoomEvent) => void;
  'presence:diff': (diff: { room: string; joined: PresenceMember[]; left: string[]; updated: PresenceMember[] }) => void;
  notification: (notification: { id: string; kind: string; payload: Record<string, unknown>; createdAt: string }) => void;
  'session:revoked': (info: { reason: string }) => void;
  /** The server lost messages (e.g. Redis reconnect): resync every room after the given jitter. */
  resync: (info: { afterMs: number }) => void;
}

export const CLIENT_EVENTS = [
  'board:join',
  'board:leave',
  'idea:join',
  'idea:leave',
  'community:join',
  'community:leave',
  'vote:cast',
  'vote:withdraw',
  'presence:set',
  'room:resync',
] as const satisfies readonly (keyof ClientToServerEvents)[];

/** Largest Socket.IO packet the server accepts; bigger ones make Socket.IO drop the connection. */
export const MAX_SOCKET_PACKET_BYTES = 16 * 1024;
