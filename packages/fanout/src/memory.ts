import type { FanOut, FanOutStats, MessageHandler, Presence, PresenceDiff, PresenceEntry, PresenceStatus } from './types.js';

/** One node, no Redis: rooms are local handler sets. */
export class MemoryFanOut implements FanOut {
  private readonly rooms = new Map<string, Set<MessageHandler>>();
  private readonly counters: FanOutStats = { published: 0, received: 0, delivered: 0, rooms: 0, publishErrors: 0 };
  constructor(readonly nodeId = 'local') {}

  publish(room: string, message: string): void {
    this.counters.published++;
    const handlers = this.rooms.get(room);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      this.counters.delivered++;
      deliverSafely(handler, message);
    }
  }

  subscribe(room: string, handler: MessageHandler): () => void {
    let set = this.rooms.get(room);
    if (!set) this.rooms.set(room, (set = new Set()));
    set.add(handler);
    return () => {
      const current = this.rooms.get(room);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0) this.rooms.delete(room);
    };
  }

  onResync(): () => void {
    return () => undefined;
  }

  stats(): FanOutStats {
    return { ...this.counters, rooms: this.rooms.size };
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}

/** A throwing handler is one bad subscriber: it never stops delivery to the others. */
export function deliverSafely(handler: MessageHandler, message: string): void {
  try {
    handler(message);
  } catch (err) {
    queueMicrotask(() => {
      throw err;
    });
  }
}

/** Presence for one node: a map per room; diffs through the fan-out like the Redis version. */
export class MemoryPresence implements Presence {
  private readonly rooms = new Map<string, Map<string, PresenceEntry>>();
  constructor(private readonly fanout: FanOut) {}

  /** One node, in memory: no other node can die. */
  onNodeGone(): () => void {
    return () => undefined;
  }

  private key(socketId: string) {
    return `${this.fanout.nodeId}:${socketId}`;
  }

  async join(room: string, socketId: string, entry: Omit<PresenceEntry, 'key'>): Promise<void> {
    let map = this.rooms.get(room);
    if (!map) this.rooms.set(room, (map = new Map()));
    const full = { ...entry, key: this.key(socketId) };
    map.set(full.key, full);
    this.emit({ room, joined: [full], left: [], updated: [] });
  }

  async update(room: string, socketId: string, status: PresenceStatus): Promise<void> {
    const entry = this.rooms.get(room)?.get(this.key(socketId));
    if (!entry || entry.status === status) return;
    entry.status = status;
    this.emit({ room, joined: [], left: [], updated: [{ ...entry }] });
  }

  async leave(room: string, socketId: string): Promise<void> {
    const map = this.rooms.get(room);
    const key = this.key(socketId);
    if (!map?.delete(key)) return;
    if (map.size === 0) this.rooms.delete(room);
    this.emit({ room, joined: [], left: [key], updated: [] });
  }

  async list(room: string): Promise<PresenceEntry[]> {
    return [...(this.rooms.get(room)?.values() ?? [])].map((e) => ({ ...e }));
  }

  subscribe(room: string, handler: (diff: PresenceDiff) => void): () => void {
    return this.fanout.subscribe(presenceChannel(room), (message) => handler(JSON.parse(message) as PresenceDiff));
  }

  private emit(diff: PresenceDiff) {
    this.fanout.publish(presenceChannel(diff.room), JSON.stringify(diff));
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}

/** Presence diffs travel on their own channel beside the room's. */
export const presenceChannel = (room: string) => `presence:${room}`;
