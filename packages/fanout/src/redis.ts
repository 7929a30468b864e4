import { Redis, type RedisOptions } from 'ioredis';
import { deliverSafely } from './memory.js';
import type { FanOut, FanOutStats, MessageHandler } from './types.js';

export interface RedisFanOutOptions {
  url: string;
  nodeId: string;
  /** Prefix of every channel, so deployments and test runs can share a Redis. */
  prefix?: string;
  redisOptions?: RedisOptions;
  /** How long connect() waits for Redis before failing. */
  connectTimeoutMs?: number;
}

/**
 * Fan-out over Redis sharded pub/sub: one channel per room (SSUBSCRIBE/SPUBLISH), so a node hears
 * only the rooms it has members in, and the design carries over to Redis Cluster. A message is
 * delivered to local handlers at once and published once; its echo from Redis is recognised by the
 * origin tag and skipped. ioredis resubscribes by itself after a reconnect; messages published
 * while disconnected are lost, so listeners are told to resync.
 */
export class RedisFanOut implements FanOut {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly rooms = new Map<string, Set<MessageHandler>>();
  private readonly resyncListeners = new Set<() => void>();
  private readonly counters: FanOutStats = { published: 0, received: 0, delivered: 0, rooms: 0, publishErrors: 0 };
  private readonly prefix: string;
  private readonly tag: string;
  private readySeen = false;

  private constructor(readonly nodeId: string, options: RedisFanOutOptions) {
    this.prefix = `${options.prefix ?? 'cocreate:'}r:`;
    this.tag = `${nodeId}\n`;
    // No offline queue for publishing: a message that cannot go now is stale by the time Redis is back.
    this.pub = new Redis(options.url, { ...options.redisOptions, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.sub = new Redis(options.url, { ...options.redisOptions, maxRetriesPerRequest: null });
    this.pub.on('error', () => undefined);
    this.sub.on('error', () => undefined);
    this.sub.on('smessage', (channel: string, message: string) => this.onMessage(channel, message));
    this.sub.on('ready', () => {
      if (this.readySeen) for (const listener of [...this.resyncListeners]) listener();
      this.readySeen = true;
    });
  }

  static async connect(options: RedisFanOutOptions): Promise<RedisFanOut> {
    const fanout = new RedisFanOut(options.nodeId, options);
    try {
      await Promise.all([waitReady(fanout.pub, options.connectTimeoutMs), waitReady(fanout.sub, options.connectTimeoutMs)]);
    } catch (err) {
      fanout.pub.disconnect();
      fanout.sub.disconnect();
      throw err;
    }
    return fanout;
  }

  publish(room: string, message: string): void {
    this.counters.published++;
    this.deliver(room, message);
    if (this.pub.status !== 'ready') {
      this.counters.publishErrors++;
      return;
    }
    this.pub.spublish(this.prefix + room, this.tag + message).catch(() => {
      this.counters.publishErrors++;
    });
  }

  subscribe(room: string, handler: MessageHandler): () => void {
    let set = this.rooms.get(room);
    if (!set) {
      this.rooms.set(room, (set = new Set()));
      this.sub.ssubscribe(this.prefix + room).catch(() => undefined);
    }
    set.add(handler);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const current = this.rooms.get(room);
      if (!current) return;
      current.delete(handler);
      if (current.size === 0) {
        this.rooms.delete(room);
        this.sub.sunsubscribe(this.prefix + room).catch(() => undefined);
      }
    };
  }

  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  stats(): FanOutStats {
    return { ...this.counters, rooms: this.rooms.size };
  }

  /** Rooms this node is subscribed to (for tests and metrics). */
  subscribedRooms(): string[] {
    return [...this.rooms.keys()];
  }

  async close(): Promise<void> {
    this.rooms.clear();
    this.resyncListeners.clear();
    await Promise.all([quit(this.pub), quit(this.sub)]);
  }

  private onMessage(channel: string, envelope: string): void {
    if (!channel.startsWith(this.prefix)) return;
    const newline = envelope.indexOf('\n');
    if (newline < 0) return;
    // Our own message came back: it was delivered locally when published.
    if (envelope.startsWith(this.tag)) return;
    this.counters.received++;
    this.deliver(channel.slice(this.prefix.length), envelope.slice(newline + 1));
  }

  private deliver(room: string, message: string): void {
    const handlers = this.rooms.get(room);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      this.counters.delivered++;
      deliverSafely(handler, message);
    }
  }
}

/** Resolves when the connection is ready; rejects after `timeoutMs` (ioredis itself retries forever). */
export function waitReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('end', onEnd);
      if (err) reject(err);
      else resolve();
    };
    const onReady = () => done();
    const onEnd = () => done(new Error('Redis connection ended before it was ready'));
    const timer = setTimeout(() => done(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    redis.once('ready', onReady);
    redis.once('end', onEnd);
  });
}

async function quit(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
