import { users } from '@cocreate/db';
import { AuthResponse, ChangePasswordBody, LoginBody, SignupBody, UpdateProfileBody, UserView } from '@cocreate/protocol';
import { eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, conflict, unauthenticated } from '../../errors.js';
import { isUniqueViolation, violatedConstraint } from '../../lib/db-errors.js';
import { clearSessionCookie, requireAuth, setSessionCookie } from '../../plugins/auth.js';
import { authRouteLimit } from '../../plugins/rate-limit.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.js';
import { createSession, invalidateSession, invalidateUserSessions } from './sessions.js';

const toView = (u: { id: string; email: string; handle: string; displayName: string; createdAt: Date }) => ({
  id: u.id,
  email: u.email,
  handle: u.handle,
  displayName: u.displayName,
  createdAt: u.createdAt.toISOString(),
});

export const authRoutes: FastifyPluginAsyncZod = async (app) => {
  const { config } = app;

  /** Opens a session and hands it over: as a cookie, or as a token for API clients that ask. */
  async function startSession(request: FastifyRequest, reply: FastifyReply, userId: string, mode: 'cookie' | 'bearer' | undefined) {
    const { token, session } = await createSession(app.db, userId, mode ?? 'cookie', config.sessionTtlMs);
    if (mode === 'bearer') return token;
    setSessionCookie(config, request, reply, token, session.expiresAt);
    return undefined;
  }

  app.post(
    '/auth/signup',
    {
      schema: { tags: ['auth'], body: SignupBody, response: { 201: AuthResponse } },
      config: authRouteLimit(app),
    },
    async (request, reply) => {
      const { email, password, handle, displayName, tokenMode } = request.body;
      await app.limitAccountAttempt(request, email);
      const passwordHash = await hashPassword(password);
      let user: typeof users.$inferSelect | undefined;
      try {
        [user] = await app.db
          .insert(users)
          .values({ email, handle, displayName: displayName ?? handle, passwordHash })
          .returning();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const field = violatedConstraint(err)?.includes('handle') ? 'handle' : 'email';
        throw conflict(`that ${field} is already registered`, [{ path: `body.${field}`, message: 'already registered' }]);
      }
      if (!user) throw new AppError('INTERNAL', 'sign-up failed');
      const token = await startSession(request, reply, user.id, tokenMode);
      return reply.status(201).send({ user: toView(user), ...(token ? { token } : {}) });
    },
  );

  app.post(
    '/auth/login',
    { schema: { tags: ['auth'], body: LoginBody, response: { 200: AuthResponse } }, config: authRouteLimit(app) },
    async (request, reply) => {
      const { email, password, tokenMode } = request.body;
      await app.limitAccountAttempt(request, email);
      const [user] = await app.db.select().from(users).where(eq(users.email, email)).limit(1);
      const ok = user ? await verifyPassword(user.passwordHash, password) : await burnPasswordCheck(password);
      if (!user || !ok) throw unauthenticated('wrong email or password');
      const token = await startSession(request, reply, user.id, tokenMode);
      return { user: toView(user), ...(token ? { token } : {}) };
    },
  );

  app.post('/auth/logout', { schema: { tags: ['auth'], body: z.strictObject({}) } }, async (request, reply) => {
    const auth = requireAuth(request);
    await invalidateSession(app.db, auth.session.id);
    app.realtime.revokeSessions(auth.user.id, [auth.session.id], 'logged out');
    clearSessionCookie(config, request, reply);
    return reply.status(204).send();
  });

  app.post('/auth/logout-all', { schema: { tags: ['auth'], body: z.strictObject({}) } }, async (request, reply) => {
    const auth = requireAuth(request);
    await invalidateUserSessions(app.db, auth.user.id);
    // Every socket of this user, on every node, closes now.
    app.realtime.revokeSessions(auth.user.id, null, 'logged out everywhere');
    clearSessionCookie(config, request, reply);
    return reply.status(204).send();
  });

  app.get('/me', { schema: { tags: ['auth'], response: { 200: z.object({ user: UserView }) } } }, async (request) => {
    const auth = requireAuth(request);
    return { user: toView(auth.user) };
  });

  app.patch('/me', { schema: { tags: ['auth'], body: UpdateProfileBody, response: { 200: z.object({ user: UserView }) } } }, async (request) => {
    const auth = requireAuth(request);
    const [user] = await app.db
      .update(users)
      .set({ displayName: request.body.displayName, updatedAt: new Date() })
      .where(eq(users.id, auth.user.id))
      .returning();
    if (!user) throw unauthenticated();
    return { user: toView(user) };
  });

  app.post(
    '/me/password',
    { schema: { tags: ['auth'], body: ChangePasswordBody }, config: authRouteLimit(app) },
    async (request, reply) => {
      const auth = requireAuth(request);
      await app.limitAccountAttempt(request, auth.user.email);
      const [user] = await app.db.select().from(users).where(eq(users.id, auth.user.id)).limit(1);
      if (!user || !(await verifyPassword(user.passwordHash, request.body.currentPassword))) {
        throw new AppError('FORBIDDEN', 'the current password is wrong');
      }
      const passwordHash = await hashPassword(request.body.newPassword);
      await app.db.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, user.id));
      // Every other session ends: a changed password is how people lock out a thief.
      const ended = await invalidateUserSessions(app.db, user.id, auth.session.id);
      if (ended.length > 0) app.realtime.revokeSessions(user.id, ended, 'password changed');
      return reply.status(204).send();
    },
  );
};
