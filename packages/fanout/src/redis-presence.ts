import type { Redis } from 'ioredis';
import { presenceChannel } from './memory.js';
import type { FanOut, Presence, PresenceDiff, PresenceEntry, PresenceStatus } from './types.js';

export interface RedisPresenceOptions {
  /** A command connection (not the fan-out's subscriber). */
  redis: Redis;
  fanout: FanOut;
  prefix?: string;
  /** How long a node counts as alive after its last heartbeat. */
  ttlMs?: number;
  heartbeatMs?: number;
  reapMs?: number;
}

/**
 * Presence in Redis: one hash per room (`<node>:<socket>` → entry), a liveness key per node with a
 * short TTL kept fresh by a heartbeat, and a set of the rooms each node has entries in. Redis 7.0
 * has no per-field expiry and keyspace notifications are off, so every node runs a reaper: when a
 * node's liveness key is gone, one reaper (under a short lock) removes that node's entries and
 * publishes the `left` diffs. Diffs go through the fan-out. The node mirrors its own entries, so
 * it can write them again when Redis comes back empty.
 */
/** Where the reaper of a dead node announces it. */
const GONE_CHANNEL = 'presence:gone';

export class RedisPresence implements Presence {
  private readonly redis: Redis;
  private readonly fanout: FanOut;
  private readonly nodeId: string;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly own = new Map<string, Map<string, PresenceEntry>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly goneListeners = new Set<(nodeId: string) => void>();
  private closed = false;

  constructor(options: RedisPresenceOptions) {
    this.redis = options.redis;
    this.fanout = options.fanout;
    this.nodeId = options.fanout.nodeId;
    this.prefix = `${options.prefix ?? 'cocreate:'}presence:`;
    this.ttlMs = options.ttlMs ?? 10_000;
    const heartbeatMs = options.heartbeatMs ?? Math.max(250, Math.floor(this.ttlMs / 3));
    const reapMs = options.reapMs ?? Math.max(250, Math.floor(this.ttlMs / 2));
    this.timers.push(setInterval(() => void this.heartbeat().catch(() => undefined), heartbeatMs).unref());
    this.timers.push(setInterval(() => void this.reap().catch(() => undefined), reapMs).unref());
    this.fanout.onResync(() => void this.restore().catch(() => undefined));
    // The node that reaps a dead node tells the others (and itself, below): the fan-out does not
    // echo a node's own messages.
    this.fanout.subscribe(GONE_CHANNEL, (node) => this.nodeGone(node));
  }

  onNodeGone(listener: (nodeId: string) => void): () => void {
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  private nodeGone(node: string): void {
    if (node === this.nodeId) return;
    for (const listener of this.goneListeners) {
      try {
        listener(node);
      } catch {
        // one listener's failure is its own
      }
    }
  }

  /** Starts the heartbeat at once (the constructor's timer would wait one interval). */
  async start(): Promise<void> {
    await this.heartbeat();
  }

  private k = {
    room: (room: string) => `${this.prefix}room:${room}`,
    alive: (node: string) => `${this.prefix}alive:${node}`,
    rooms: (node: string) => `${this.prefix}rooms:${node}`,
    nodes: () => `${this.prefix}nodes`,
    reapLock: (node: string) => `${this.prefix}reap:${node}`,
  };

  private key(socketId: string) {
    return `${this.nodeId}:${socketId}`;
  }

  async join(room: string, socketId: string, entry: Omit<PresenceEntry, 'key'>): Promise<void> {
    const full: PresenceEntry = { ...entry, key: this.key(socketId) };
    let map = this.own.get(room);
    if (!map) this.own.set(room, (map = new Map()));
    map.set(full.key, full);
    await this.redis.multi().hset(this.k.room(room), full.key, JSON.stringify(full)).sadd(this.k.rooms(this.nodeId), room).exec();
    this.emit({ room, joined: [full], left: [], updated: [] });
  }

  async update(room: string, socketId: string, status: PresenceStatus): Promise<void> {
    const entry = this.own.get(room)?.get(this.key(socketId));
    if (!entry || entry.status === status) return;
    entry.status = status;
    await this.redis.hset(this.k.room(room), entry.key, JSON.stringify(entry));
    this.emit({ room, joined: [], left: [], updated: [{ ...entry }] });
  }

  async leave(room: string, socketId: string): Promise<void> {
    const map = this.own.get(room);
    const key = this.key(socketId);
    if (!map?.delete(key)) return;
    if (map.size === 0) this.own.delete(room);
    const multi = this.redis.multi().hdel(this.k.room(room), key);
    if (map.size === 0) multi.srem(this.k.rooms(this.nodeId), room);
    await multi.exec();
    this.emit({ room, joined: [], left: [key], updated: [] });
  }

  async list(room: string): Promise<PresenceEntry[]> {
    const raw = await this.redis.hgetall(this.k.room(room));
    const entries = Object.values(raw).flatMap((v) => {
      try {
        return [JSON.parse(v) as PresenceEntry];
      } catch {
        return [];
      }
    });
    // Entries of a node that died but is not reaped yet are already gone for everyone.
    const nodes = [...new Set(entries.map((e) => nodeOf(e.key)))];
    if (nodes.length === 0) return [];
    const alive = await this.redis.mget(nodes.map((n) => this.k.alive(n)));
    const live = new Set(nodes.filter((_, i) => alive[i] !== null));
    live.add(this.nodeId);
    return entries.filter((e) => live.has(nodeOf(e.key)));
  }

  subscribe(room: string, handler: (diff: PresenceDiff) => void): () => void {
    return this.fanout.subscribe(presenceChannel(room), (message) => handler(JSON.parse(message) as PresenceDiff));
  }

  async heartbeat(): Promise<void> {
    if (this.closed) return;
    await this.redis.multi().set(this.k.alive(this.nodeId), '1', 'PX', this.ttlMs).sadd(this.k.nodes(), this.nodeId).exec();
  }

  /** Removes the entries of nodes whose liveness key expired, and tells their rooms. */
  async reap(): Promise<number> {
    if (this.closed) return 0;
    const nodes = await this.redis.smembers(this.k.nodes());
    let removed = 0;
    for (const node of nodes) {
      if (node === this.nodeId) continue;
      if ((await this.redis.exists(this.k.alive(node))) === 1) continue;
      // One reaper per dead node; the lock outlives a slow pass.
      const got = await this.redis.set(this.k.reapLock(node), this.nodeId, 'PX', this.ttlMs, 'NX');
      if (got !== 'OK') continue;
      const rooms = await this.redis.smembers(this.k.rooms(node));
      for (const room of rooms) {
        const fields = (await this.redis.hkeys(this.k.room(room))).filter((f) => nodeOf(f) === node);
        if (fields.length === 0) continue;
        await this.redis.hdel(this.k.room(room), ...fields);
        removed += fields.length;
        this.emit({ room, joined: [], left: fields, updated: [] });
      }
      await this.redis.multi().del(this.k.rooms(node)).srem(this.k.nodes(), node).exec();
      this.fanout.publish(GONE_CHANNEL, node);
      this.nodeGone(node);
    }
    return removed;
  }

  /** After Redis lost its data (restart), write this node's entries again. */
  async restore(): Promise<void> {
    if (this.closed) return;
    await this.heartbeat();
    for (const [room, map] of this.own) {
      if (map.size === 0) continue;
      const multi = this.redis.multi().sadd(this.k.rooms(this.nodeId), room);
      for (const entry of map.values()) multi.hset(this.k.room(room), entry.key, JSON.stringify(entry));
      await multi.exec();
    }
  }

  /** Graceful stop: this node's entries leave at once (a crash leaves them to the reapers). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const [room, map] of this.own) {
      const keys = [...map.keys()];
      if (keys.length === 0) continue;
      await this.redis.hdel(this.k.room(room), ...keys).catch(() => undefined);
      this.emit({ room, joined: [], left: keys, updated: [] });
    }
    this.own.clear();
    await this.redis
      .multi()
      .del(this.k.rooms(this.nodeId), this.k.alive(this.nodeId))
      .srem(this.k.nodes(), this.nodeId)
      .exec()
      .catch(() => undefined);
  }

  private emit(diff: PresenceDiff) {
    this.fanout.publish(presenceChannel(diff.room), JSON.stringify(diff));
  }
}

const nodeOf = (key: string) => key.slice(0, key.lastIndexOf(':'));
