import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import sjson from 'secure-json-parse';
import { AppError } from '../errors.js';

/**
 * JSON bodies: `__proto__` and `constructor.prototype` keys are refused (as Fastify does), and an
 * empty body counts as `{}` so that `PUT /vote` with no body works for every client.
 */
export const jsonBodyPlugin = fp(async (app: FastifyInstance) => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    try {
      done(null, sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      done(new AppError('VALIDATION_FAILED', `malformed JSON body: ${(err as Error).message}`), undefined);
    }
  });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && !['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
      request.body = {};
    }
  });
});
