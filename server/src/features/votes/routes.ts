import { Id, VoteBody, VoteResult } from '@cocreate/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAuth } from '../../plugins/auth.js';
import { ideaAccess } from '../access.js';
import { setVote } from './service.js';

const IdeaParams = z.object({ ideaId: Id });

export const voteRoutes: FastifyPluginAsyncZod = async (app) => {
  app.put(
    '/ideas/:ideaId/vote',
    { schema: { tags: ['votes'], params: IdeaParams, body: VoteBody, response: { 200: VoteResult } } },
    async (request) => {
      const auth = requireAuth(request);
      return setVote(app.db, { ideaId: request.params.ideaId, userId: auth.user.id, value: request.body.value ?? 1 });
    },
  );

  app.delete(
    '/ideas/:ideaId/vote',
    { schema: { tags: ['votes'], params: IdeaParams, response: { 200: VoteResult } } },
    async (request) => {
      const auth = requireAuth(request);
      await ideaAccess(app.db, request, request.params.ideaId, 'idea.read');
      return setVote(app.db, { ideaId: request.params.ideaId, userId: auth.user.id, value: 0 });
    },
  );
};
