import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';
import { clientIpResolver } from './client-ip.js';
import { type ConnectionLimits, GuestSlots } from './connection-limits.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Per-address limits on socket handshakes (Socket.IO and /collab), asked before any other work. */
    connectionLimits: ConnectionLimits;
    /** Counts one sign-in or sign-up attempt against an account (e-mail); throws RATE_LIMITED past the limit. */
    limitAccountAttempt(request: FastifyRequest, email: string): Promise<void>;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Per-IP limits on the whole API (stricter on sign-in and sign-up, per route), per-account limits
 * on credential attempts, and per-user limits on writes. With REDIS_URL the counters live in Redis
 * and every node shares them; the client IP honours TRUST_PROXY.
 */
export const rateLimitPlugin = fp(async (app: FastifyInstance) => {
  const { rateLimits } = app.config;
  const exceeded = (after: string) => new AppError('RATE_LIMITED', `too many requests, retry in ${after}`);
  await app.register(rateLimit, {
    global: true,
    max: rateLimits.apiPerIp,
    timeWindow: rateLimits.windowMs,
    allowList: (request) => !request.url.startsWith('/api/'),
    ...(app.redis ? { redis: app.redis } : {}),
    nameSpace: `${app.config.redisPrefix}rl:`,
    skipOnError: false,
    errorResponseBuilder: (_request, context) => exceeded(context.after),
  });

  const accountLimit = app.createRateLimit({
    max: rateLimits.authPerAccount,
    timeWindow: rateLimits.windowMs,
    keyGenerator: (request) => `acct:${(request as FastifyRequest & { rlAccount?: string }).rlAccount ?? ''}`,
  });
  app.decorate('limitAccountAttempt', async (request: FastifyRequest, email: string) => {
    (request as FastifyRequest & { rlAccount?: string }).rlAccount = email;
    const result = await accountLimit(request);
    if (!result.isAllowed && result.isExceeded) throw exceeded(`${result.ttlInSeconds} seconds`);
  });

  const writeLimit = app.createRateLimit({
    max: rateLimits.writesPerUser,
    timeWindow: rateLimits.windowMs,
    keyGenerator: (request) => `write:${request.auth?.user.id ?? request.ip}`,
  });
  app.addHook('preHandler', async (request) => {
    if (!request.auth || !UNSAFE.has(request.method) || !request.url.startsWith('/api/')) return;
    if (request.url.startsWith('/api/auth/')) return;
    const result = await writeLimit(request);
    if (!result.isAllowed && result.isExceeded) throw exceeded(`${result.ttlInSeconds} seconds`);
  });

  // Socket handshakes never become Fastify requests: the limiter gets the address alone, in the
  // same store (Redis when configured) as the limits above.
  const { socketLimits } = app.config;
  const handshakeLimit = app.createRateLimit({
    max: socketLimits.handshakesPerIp,
    timeWindow: socketLimits.windowMs,
    allowList: [],
    keyGenerator: (request) => `hs:${request.ip}`,
  });
  const guests = new GuestSlots(socketLimits.guestSocketsPerIp);
  const bare = new GuestSlots(socketLimits.guestSocketsPerIp);
  app.decorate('connectionLimits', {
    clientIp: clientIpResolver(app.config.trustProxy),
    handshake: async (ip: string) => {
      try {
        const result = await handshakeLimit({ ip, routeOptions: { config: {} } } as unknown as FastifyRequest);
        return result.isAllowed || !result.isExceeded;
      } catch (err) {
        // The store (Redis) is down: sockets stay available, as the fan-out does through an outage.
        app.log.warn({ err }, 'handshake limit unavailable; allowing');
        return true;
      }
    },
    guest: (ip: string) => guests.take(ip),
    bare: (ip: string) => bare.take(ip),
  } satisfies ConnectionLimits);
});

/** Route config for the credential endpoints: a stricter per-IP limit. */
export function authRouteLimit(app: FastifyInstance) {
  return { rateLimit: { max: app.config.rateLimits.authPerIp, timeWindow: app.config.rateLimits.windowMs } };
}
