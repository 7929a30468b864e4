/**
 * The seams of the real-time layer. A room is a string such as `board:<id>`; a message is a string
 * serialised once by the publisher and handed as-is to every subscriber on every node.
 */

export type MessageHandler = (message: string) => void;

export interface FanOut {
  /** This node's id; messages it publishes are delivered locally at once and skipped when they echo back. */
  readonly nodeId: string;
  /** Delivers a message to the room's subscribers on every node. Never throws; failures are counted. */
  publish(room: string, message: string): void;
  /**
   * Adds a handler for a room. The node subscribes to the room's channel with its first handler and
   * unsubscribes with its last. Returns the function that removes this handler.
   */
  subscribe(room: string, handler: MessageHandler): () => void;
  /** Called after the transport lost messages (a Redis reconnect): every room must resync. */
  onResync(listener: () => void): () => void;
  /** Counters for /metrics. */
  stats(): FanOutStats;
  close(): Promise<void>;
}

export interface FanOutStats {
  published: number;
  received: number;
  delivered: number;
  rooms: number;
  publishErrors: number;
}

export const PRESENCE_STATUSES = ['viewing', 'typing', 'idle'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];

/** One connection present in a room. `key` is unique cluster-wide: `<nodeId>:<socketId>`. */
export interface PresenceEntry {
  key: string;
  userId: string;
  name: string;
  status: PresenceStatus;
}

export interface PresenceDiff {
  room: string;
  joined: PresenceEntry[];
  left: string[];
  updated: PresenceEntry[];
}

export interface Presence {
  /** Adds or replaces this node's entry for a socket, and publishes the diff. */
  join(room: string, socketId: string, entry: Omit<PresenceEntry, 'key'>): Promise<void>;
  update(room: string, socketId: string, status: PresenceStatus): Promise<void>;
  leave(room: string, socketId: string): Promise<void>;
  /** Everyone present in a room, on every live node. */
  list(room: string): Promise<PresenceEntry[]>;
  /** Diffs of a room, from every node (including the removal of a dead node's entries). */
  subscribe(room: string, handler: (diff: PresenceDiff) => void): () => void;
  /**
   * Tells this node when another node is found dead (its liveness ran out), on every node. What it
   * committed and had not yet published is in the database only: listeners reload from there.
   */
  onNodeGone(listener: (nodeId: string) => void): () => void;
  close(): Promise<void>;
}
