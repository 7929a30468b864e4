import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import sjson from 'secure-json-parse';
import { AppError } from '../errors.js';

/**
 * JSON bodies: `__proto__` and `constructor.prototype` keys are refused (as Fastify does), so are
 * strings with NUL characters (PostgreSQL text cannot store them), and an empty body counts as `{}`
 * so that `PUT /vote` with no body works for every client.
 */
export const jsonBodyPlugin = fp(async (app: FastifyInstance) => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    let value: unknown;
    try {
      value = sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (err) {
      return done(new AppError('VALIDATION_FAILED', `malformed JSON body: ${(err as Error).message}`), undefined);
    }
    // PostgreSQL text cannot hold NUL; in JSON it can only arrive escaped, so look only then.
    const nul = text.includes('\\u0000') ? nulPath(value) : null;
    if (nul)
      return done(
        new AppError('VALIDATION_FAILED', 'text may not contain NUL characters', [{ path: nul, message: 'contains a NUL character' }]),
        undefined,
      );
    done(null, value);
  });
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && !['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
      request.body = {};
    }
  });
});

interface Step {
  value: unknown;
  key: string;
  up: Step | null;
}

/** The path (`body.a.0`) of the first key or string holding a NUL, or null; iterative, for deep input. */
function nulPath(root: unknown): string | null {
  const pathOf = (step: Step) => {
    const keys: string[] = [];
    for (let s: Step | null = step; s; s = s.up) keys.push(s.key);
    const path = keys.reverse().join('.');
    return path.length > 200 ? `${path.slice(0, 200)}…` : path;
  };
  const stack: Step[] = [{ value: root, key: 'body', up: null }];
  for (let step = stack.pop(); step; step = stack.pop()) {
    const { value } = step;
    if (typeof value === 'string') {
      if (value.includes('\0')) return pathOf(step);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const next = { value: child, key, up: step };
        if (key.includes('\0')) return pathOf(next);
        stack.push(next);
      }
    }
  }
  return null;
}
