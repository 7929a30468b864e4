import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

/** Liveness (the process answers) and readiness (its database and Redis answer). */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/healthz', { schema: { tags: ['health'], response: { 200: z.object({ ok: z.literal(true), nodeId: z.string() }) } } }, async () => ({
    ok: true as const,
    nodeId: app.config.nodeId,
  }));

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        response: {
          200: z.object({ ok: z.boolean(), database: z.boolean(), redis: z.boolean().nullable() }),
          503: z.object({ ok: z.boolean(), database: z.boolean(), redis: z.boolean().nullable() }),
        },
      },
    },
    async (_request, reply) => {
      const database = await withTimeout(app.database.ping(), 2000);
      const redis = app.redis ? await withTimeout(app.redis.ping().then((r) => r === 'PONG'), 2000) : null;
      const ok = database && redis !== false;
      return reply.status(ok ? 200 : 503).send({ ok, database, redis });
    },
  );
};

async function withTimeout(check: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check.catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
