export * from './types.js';
export * from './memory.js';
export * from './redis.js';
export * from './redis-presence.js';
export * from './coalescer.js';
