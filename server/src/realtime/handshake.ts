import type { Socket } from 'node:net';
import { ERROR_CODES, type ErrorCode } from '@cocreate/protocol';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { validateSessionToken } from '../features/auth/sessions.js';
import { SESSION_COOKIE } from '../plugins/auth.js';
import { checkOrigin } from '../plugins/csrf.js';
import type { AppSocket } from './hub.js';

/** A connect_error whose `data` carries the stable code, as socket.io-client exposes it. */
export function connectError(code: ErrorCode, message: string): Error & { data: { code: ErrorCode; message: string } } {
  return Object.assign(new Error(message), { data: { code, message } });
}

const header = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** Engine.IO connections not yet past the Socket.IO handshake, and the bare slot each holds. */
export const bareConnections = new WeakMap<object, () => void>();

/** The guest slot each guest socket holds, given back by `releaseGuestSlot` when it disconnects. */
const guestSlots = new WeakMap<AppSocket, () => void>();

export function releaseGuestSlot(socket: AppSocket): void {
  guestSlots.get(socket)?.();
  guestSlots.delete(socket);
}

/**
 * Handshake: the per-address handshake limit, the Origin rule of the REST API, then the session
 * from `auth.token` (bearer) or the session cookie. No credentials means a guest (read-only, public
 * boards; a few per address); bad credentials are refused.
 */
export function handshake(app: FastifyInstance) {
  const allowed = new Set(app.config.publicOrigins);
  const limits = app.connectionLimits;
  return async (socket: AppSocket, next: (err?: Error) => void) => {
    // Past its bare stage, whatever the outcome: the guest cap (or a session) takes over.
    bareConnections.get(socket.conn)?.();
    try {
      // The address Engine.IO kept at its handshake: with polling, the request's own TCP socket may be gone.
      const ip = limits.clientIp({ headers: socket.request.headers, socket: { remoteAddress: socket.handshake.address } as Socket });
      if (!(await limits.handshake(ip))) return next(connectError('RATE_LIMITED', 'too many connections from this address; retry later'));
      const asGuest = () => {
        // Gone during the awaits above: Socket.IO drops the socket without a `disconnect`, so it
        // must take no slot. Otherwise it connects before any I/O can close it, and its
        // `disconnect` (the connection handler's) gives the slot back.
        if (socket.conn.readyState !== 'open') return next(connectError('UNAVAILABLE', 'the connection closed during its handshake'));
        const release = limits.guest(ip);
        if (!release) return next(connectError('RATE_LIMITED', 'too many connections without a session from this address'));
        guestSlots.set(socket, release);
        next();
      };
      const headers = socket.handshake.headers;
      const rawToken: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
      if (rawToken !== undefined && typeof rawToken !== 'string') {
        return next(connectError('VALIDATION_FAILED', 'auth.token must be a string'));
      }
      const cookie = rawToken === undefined ? app.parseCookie(header(headers.cookie) ?? '')[SESSION_COOKIE] : undefined;
      const problem = checkOrigin({
        origin: header(headers.origin),
        secFetchSite: header(headers['sec-fetch-site']),
        selfOrigin: `${socket.handshake.secure ? 'https' : 'http'}://${header(headers.host) ?? ''}`,
        allowed,
        authenticatedByCookie: cookie !== undefined,
      });
      if (problem) return next(connectError('FORBIDDEN', problem));
      socket.data.userId = null;
      socket.data.name = null;
      socket.data.sessionId = null;
      const token = rawToken ?? cookie;
      if (token === undefined) return asGuest();
      const found = await validateSessionToken(app.db, token, app.config.sessionTtlMs);
      if (!found) {
        // A stale cookie degrades to a guest, as on REST; a bad bearer token is an error.
        if (rawToken === undefined) return asGuest();
        return next(connectError('UNAUTHENTICATED', 'invalid or expired token'));
      }
      socket.data.userId = found.user.id;
      socket.data.name = found.user.displayName;
      socket.data.sessionId = found.session.id;
      next();
    } catch (err) {
      app.log.error({ err }, 'socket handshake failed');
      next(connectError('INTERNAL', 'internal error'));
    }
  };
}

export function ackError(err: unknown): { ok: false; code: ErrorCode; message: string } {
  if (err instanceof AppError) return { ok: false, code: err.code, message: err.message };
  return { ok: false, code: 'INTERNAL', message: 'internal error' };
}

export const isKnownCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CODES, code);
