import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { unauthenticated } from '../errors.js';
import { type Session, type SessionUser, validateSessionToken } from '../features/auth/sessions.js';

export const SESSION_COOKIE = 'cocreate_session';

export interface AuthContext {
  user: SessionUser;
  session: Session;
  /** How the request proved itself; cookie-authenticated state changes must pass the Origin rule. */
  via: 'cookie' | 'bearer';
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
}

export function requireAuth(request: FastifyRequest): AuthContext {
  if (!request.auth) throw unauthenticated();
  return request.auth;
}

function isSecure(config: Config, request: FastifyRequest): boolean {
  return config.cookieSecure === 'auto' ? request.protocol === 'https' : config.cookieSecure;
}

export function setSessionCookie(config: Config, request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date) {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: isSecure(config, request),
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(config: Config, request: FastifyRequest, reply: FastifyReply) {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: isSecure(config, request), path: '/' });
}

/** Reads a bearer token from `Authorization: Bearer …`; undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return m ? m[1] : '';
}

/** Resolves the session of every API request, from the bearer token first, then the cookie. */
export const authPlugin = fp(async (app: FastifyInstance) => {
  const { config } = app;
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    const bearer = bearerToken(request.headers.authorization);
    if (bearer !== undefined) {
      const found = bearer ? await validateSessionToken(app.db, bearer, config.sessionTtlMs) : null;
      if (!found) throw unauthenticated('invalid or expired token');
      request.auth = { ...found, via: 'bearer' };
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (!cookie) return;
    const found = await validateSessionToken(app.db, cookie, config.sessionTtlMs);
    if (!found) {
      clearSessionCookie(config, request, reply);
      return;
    }
    request.auth = { ...found, via: 'cookie' };
    // Sliding expiry: keep the cookie's lifetime in step with the session's.
    if (found.session.expiresAt.getTime() - Date.now() > config.sessionTtlMs - 60_000) {
      setSessionCookie(config, request, reply, cookie, found.session.expiresAt);
    }
  });
});
