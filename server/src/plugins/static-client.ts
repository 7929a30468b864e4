import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { notFound } from '../errors.js';

/** Serves the built web client, with index.html for the client's own routes. */
export const staticClientPlugin = fp(async (app: FastifyInstance) => {
  const root = app.config.clientDist;
  const built = existsSync(join(root, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: 'index.html',
      // Hashed assets may be cached for long; the page itself must be revalidated after every deploy.
      setHeaders: (res, path) => {
        res.header('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
      },
      cacheControl: false,
    });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const apiLike = path.startsWith('/api/') || path === '/api' || path.startsWith('/docs') || path.startsWith('/collab');
    const wantsPage = (request.method === 'GET' || request.method === 'HEAD') && !apiLike && !/\.[a-z0-9]+$/i.test(path);
    if (!wantsPage) throw notFound('route');
    if (!built) {
      return reply
        .type('text/plain')
        .send('The web client is not built. Run `npm start` (it builds it) or `npm run build`.');
    }
    return reply.sendFile('index.html');
  });
});
