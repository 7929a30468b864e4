import cookie from '@fastify/cookie';
import { createDb, type Database, type Db } from '@cocreate/db';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { Redis } from 'ioredis';
import type { Config } from './config.js';
import { authRoutes } from './features/auth/routes.js';
import { boardRoutes } from './features/boards/routes.js';
import { commentRoutes } from './features/comments/routes.js';
import { communityRoutes } from './features/communities/routes.js';
import { healthRoutes } from './features/health/routes.js';
import { ideaRoutes } from './features/ideas/routes.js';
import { moderationRoutes } from './features/moderation/routes.js';
import { notificationRoutes } from './features/notifications/routes.js';
import { profileRoutes } from './features/profile/routes.js';
import { VoteBatcher } from './features/votes/batcher.js';
import { voteRoutes } from './features/votes/routes.js';
import { authPlugin } from './plugins/auth.js';
import { csrfPlugin } from './plugins/csrf.js';
import { errorsPlugin } from './plugins/errors.js';
import { jsonBodyPlugin } from './plugins/json-body.js';
import { metricsPlugin } from './plugins/metrics.js';
import { openapiPlugin } from './plugins/openapi.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { staticClientPlugin } from './plugins/static-client.js';
import { realtimePlugin } from './realtime/plugin.js';
import { collabPlugin } from './collab/plugin.js';
import { pipelinePlugin } from './pipeline/plugin.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
    db: Db;
    /** Shared by every node when REDIS_URL is set (rate limits now; fan-out and presence later). */
    redis: Redis | null;
    /** Every vote, from REST or a socket, goes through this group commit. */
    votes: VoteBatcher;
  }
}

export interface AppDeps {
  /** A migrated database; when absent, buildApp opens the configured one and migrates it. */
  database?: Database;
  /** A Redis connection to use instead of opening REDIS_URL. */
  redis?: Redis | null;
}

export type App = FastifyInstance;

/** Builds the whole application without listening: main.ts listens, tests inject or listen on port 0. */
export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const ownsDatabase = !deps.database;
  const database = deps.database ?? (await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize }));
  if (ownsDatabase) await database.migrate();
  const ownsRedis = deps.redis === undefined && !!config.redisUrl;
  const redis = deps.redis !== undefined ? deps.redis : config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2 }) : null;

  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Tokens travel as ?token= on /collab; never log a query string or a credential header.
      serializers: {
        req: (req) => ({ method: req.method, url: String(req.url).split('?')[0], remoteAddress: req.ip }),
      },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    // A hop count is valid at runtime (Fastify's proxy-addr), though the type omits it.
    trustProxy: config.trustProxy as boolean | string[],
    bodyLimit: config.bodyLimit,
    // Per-request lines only when debugging: at load, they would cost more than the requests.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.decorate('config', config);
  app.decorate('database', database);
  app.decorate('db', database.db);
  app.decorate('redis', redis);
  const voteBatcher = new VoteBatcher(database.db, {
    enabled: config.realtime.voteGroupCommit,
    concurrency: config.realtime.voteBatchesInFlight,
    onFallback: (err) => app.log.warn({ err }, 'vote batch failed; retried vote by vote'),
    onFailure: (err) => app.log.error({ err }, 'vote batch failed after its commit; its votes were refused'),
  });
  app.decorate('votes', voteBatcher);
  app.addHook('onClose', async () => {
    await voteBatcher.close();
    if (ownsRedis && redis) await redis.quit().catch(() => redis.disconnect());
    if (ownsDatabase) await database.close();
  });

  await app.register(errorsPlugin);
  await app.register(jsonBodyPlugin);
  await app.register(cookie);
  await app.register(openapiPlugin);
  await app.register(metricsPlugin);
  await app.register(authPlugin);
  await app.register(csrfPlugin);
  await app.register(rateLimitPlugin);
  await app.register(realtimePlugin);
  await app.register(collabPlugin);
  await app.register(pipelinePlugin);

  await app.register(healthRoutes);
  await app.register(authRoutes, { prefix: '/api' });
  await app.register(communityRoutes, { prefix: '/api' });
  await app.register(boardRoutes, { prefix: '/api' });
  await app.register(ideaRoutes, { prefix: '/api' });
  await app.register(voteRoutes, { prefix: '/api' });
  await app.register(commentRoutes, { prefix: '/api' });
  await app.register(moderationRoutes, { prefix: '/api' });
  await app.register(notificationRoutes, { prefix: '/api' });
  await app.register(profileRoutes, { prefix: '/api' });
  await app.register(staticClientPlugin);
  return app;
}
