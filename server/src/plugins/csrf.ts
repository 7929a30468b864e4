import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden } from '../errors.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface OriginCheckInput {
  origin: string | undefined;
  secFetchSite: string | undefined;
  /** The origin this request was addressed to (scheme + Host). */
  selfOrigin: string;
  allowed: ReadonlySet<string>;
  authenticatedByCookie: boolean;
}

/**
 * The Origin rule (CSRF): a present Origin must be allow-listed (or be this server's own origin on
 * a request the browser marks same-origin); a cookie-authenticated change with no Origin must be
 * marked same-origin by the browser; a non-browser client (no Origin, bearer or no credentials) passes.
 */
export function checkOrigin(input: OriginCheckInput): string | null {
  const { origin, secFetchSite, selfOrigin, allowed, authenticatedByCookie } = input;
  if (origin !== undefined) {
    if (allowed.has(origin)) return null;
    if (secFetchSite === 'same-origin' && origin === selfOrigin) return null;
    return `origin ${origin} is not allowed`;
  }
  if (secFetchSite !== undefined && secFetchSite !== 'same-origin' && secFetchSite !== 'none') {
    return 'cross-site request refused';
  }
  if (authenticatedByCookie && secFetchSite !== 'same-origin') {
    return 'a cookie-authenticated change must come from an allowed origin';
  }
  return null;
}

export function selfOriginOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export const csrfPlugin = fp(async (app: FastifyInstance) => {
  const allowed = new Set(app.config.publicOrigins);
  app.addHook('onRequest', async (request) => {
    if (SAFE.has(request.method)) return;
    const problem = checkOrigin({
      origin: request.headers.origin,
      secFetchSite: header(request.headers['sec-fetch-site']),
      selfOrigin: selfOriginOf(request),
      allowed,
      authenticatedByCookie: request.auth?.via === 'cookie',
    });
    if (problem) throw forbidden(problem);
  });
});

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
