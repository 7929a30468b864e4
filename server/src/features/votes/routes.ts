import { Id, VoteBody, VoteResult } from '@cocreate/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAuth } from '../../plugins/auth.js';
import { ideaAccess } from '../access.js';
import { toVoteResult, type VoteOutcome } from './service.js';

const IdeaParams = z.object({ ideaId: Id });

export const voteRoutes: FastifyPluginAsyncZod = async (app) => {
  /** A REST vote flows into the same coalesced live state as a socket vote. */
  const live = (outcome: VoteOutcome) => {
    if (outcome.changed) {
      app.realtime.voteCommitted(
        outcome.boardId,
        { ideaId: outcome.ideaId, up: outcome.up, down: outcome.down, version: outcome.version, weightedScore: outcome.weightedScore },
        'rest',
      );
    }
    return toVoteResult(outcome);
  };

  app.put(
    '/ideas/:ideaId/vote',
    { schema: { tags: ['votes'], params: IdeaParams, body: VoteBody, response: { 200: VoteResult } } },
    async (request) => {
      const auth = requireAuth(request);
      return live(await app.votes.submit({ ideaId: request.params.ideaId, userId: auth.user.id, value: request.body.value ?? 1 }));
    },
  );

  app.delete(
    '/ideas/:ideaId/vote',
    { schema: { tags: ['votes'], params: IdeaParams, response: { 200: VoteResult } } },
    async (request) => {
      const auth = requireAuth(request);
      await ideaAccess(app.db, request, request.params.ideaId, 'idea.read');
      return live(await app.votes.submit({ ideaId: request.params.ideaId, userId: auth.user.id, value: 0 }));
    },
  );
};
