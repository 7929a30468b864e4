import {
  type Ack,
  BoardJoinPayload,
  BoardLeavePayload,
  type BoardSnapshot,
  CLIENT_EVENTS,
  CommunityJoinPayload,
  CommunityLeavePayload,
  type CommunitySnapshot,
  IdeaJoinPayload,
  IdeaLeavePayload,
  type IdeaSnapshot,
  PresenceSetPayload,
  RoomResyncPayload,
  VoteCastPayload,
  VoteWithdrawPayload,
} from '@cocreate/protocol';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { AppError, unauthenticated } from '../errors.js';
import { boardAccessFor, communityAccessFor, ideaAccessFor } from './access.js';
import { ackError } from './handshake.js';
import type { AppSocket, RealtimeHub } from './hub.js';
import { Strikes, TokenBucket } from './limits.js';
import { SnapshotCache, snapshotIdea, topIdeas } from './snapshots.js';

const DEFAULT_WINDOW = 50;
const KNOWN = new Set<string>(CLIENT_EVENTS);

export interface HandlerDeps {
  app: FastifyInstance;
  hub: RealtimeHub;
  eventsPerSecond: number;
  eventBurst: number;
}

/**
 * Every client event: rate-limited, then parsed with its zod schema, then permission-checked, then
 * answered with an ack. A failure is that socket's alone; repeated abuse disconnects it.
 */
export function createConnectionHandler({ app, hub, eventsPerSecond, eventBurst }: HandlerDeps) {
  const db = app.db;
  const boardSnapshots = new SnapshotCache<Pick<BoardSnapshot, 'ideas' | 'seq'>>(250);

  /** When each socket entered each room: a cached snapshot must be read after that. */
  const joinedAt = new WeakMap<AppSocket, Map<string, number>>();
  const markJoined = (socket: AppSocket, room: string) => {
    let rooms = joinedAt.get(socket);
    if (!rooms) joinedAt.set(socket, (rooms = new Map()));
    rooms.set(room, performance.now());
  };

  const boardSnapshot = async (socket: AppSocket, boardId: string, sort?: BoardSnapshot['sort'], limit?: number): Promise<BoardSnapshot> => {
    const { board } = await boardAccessFor(db, socket.data.userId, boardId, 'idea.read');
    const hub0 = await hub.boardHub(board.id, board.ranking);
    const current = hub0.groupOf(socket.id);
    const s = sort ?? current?.sort ?? board.ranking.formula;
    const n = limit ?? current?.limit ?? DEFAULT_WINDOW;
    const room = `board:${board.id}`;
    const notBefore = joinedAt.get(socket)?.get(room) ?? performance.now();
    const cached = await boardSnapshots.get(`${board.id}:${s}:${n}`, notBefore, async () => {
      // The sequence is read before the rows, so every later event has a higher seq.
      const seq = await hub.currentSeq(room);
      return { seq, ideas: await topIdeas(db, board, s, n) };
    });
    return { boardId: board.id, sort: s, limit: n, ...cached, presence: await hub.presence.list(room) };
  };

  const ideaSnapshot = async (socket: AppSocket, ideaId: string): Promise<IdeaSnapshot> => {
    const { idea } = await ideaAccessFor(db, socket.data.userId, ideaId, 'idea.read');
    const room = `idea:${idea.id}`;
    const seq = await hub.currentSeq(room);
    return {
      idea: { ...snapshotIdea(idea), bodyText: idea.bodyText, locked: idea.locked, hidden: idea.hidden, mergedInto: idea.mergedInto, boardId: idea.boardId },
      seq,
      presence: await hub.presence.list(room),
    };
  };

  const communitySnapshot = async (communityId: string): Promise<CommunitySnapshot> => ({
    communityId,
    seq: await hub.currentSeq(`community:${communityId}`),
  });

  /**
   * A user's sockets on this node share a second bucket of twice one socket's allowance, so more
   * tabs (or a script with many sockets) do not multiply what one user may send.
   */
  const userBuckets = new Map<string, { bucket: TokenBucket; sockets: number }>();
  const userBucketOf = (userId: string) => {
    let entry = userBuckets.get(userId);
    if (!entry) userBuckets.set(userId, (entry = { bucket: new TokenBucket(eventsPerSecond * 2, eventBurst * 2), sockets: 0 }));
    entry.sockets++;
    return entry;
  };

  return (socket: AppSocket) => {
    const bucket = new TokenBucket(eventsPerSecond, eventBurst);
    const userId = socket.data.userId;
    const perUser = userId ? userBucketOf(userId) : null;
    const strikes = new Strikes(10, 10_000);
    const presenceRooms = new Set<string>();
    const strike = () => {
      if (strikes.add()) socket.disconnect(true);
    };
    if (socket.data.userId) void socket.join(`user:${socket.data.userId}`);

    socket.onAny((event: unknown) => {
      if (typeof event !== 'string' || !KNOWN.has(event)) strike();
    });

    function on<S extends z.ZodType, R extends object>(event: (typeof CLIENT_EVENTS)[number], schema: S, handle: (payload: z.infer<S>) => Promise<R>) {
      socket.on(event, async (payload: unknown, ack?: unknown) => {
        if (typeof ack !== 'function') {
          strike();
          return;
        }
        const reply = ack as (response: Ack<R>) => void;
        if (!bucket.take() || (perUser && !perUser.bucket.take())) {
          strike();
          return reply({ ok: false, code: 'RATE_LIMITED', message: 'too many events; slow down' });
        }
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          strike();
          const issue = parsed.error.issues[0];
          return reply({ ok: false, code: 'VALIDATION_FAILED', message: `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}` });
        }
        try {
          reply({ ok: true, ...(await handle(parsed.data)) } as Ack<R>);
        } catch (err) {
          if (!(err instanceof AppError)) app.log.error({ err, event }, 'socket handler failed');
          reply(ackError(err));
        }
      });
    }

    const enterPresence = async (room: string) => {
      if (!socket.data.userId || presenceRooms.has(room)) return;
      presenceRooms.add(room);
      await hub.presence.join(room, socket.id, { userId: socket.data.userId, name: socket.data.name ?? 'member', status: 'viewing' });
    };
    const leavePresence = async (room: string) => {
      if (!presenceRooms.delete(room)) return;
      await hub.presence.leave(room, socket.id);
    };

    on('board:join', BoardJoinPayload, async (p) => {
      const { board } = await boardAccessFor(db, socket.data.userId, p.boardId, 'idea.read');
      const boardHub = await hub.boardHub(board.id, board.ranking);
      const group = boardHub.join(socket.id, p.sort ?? board.ranking.formula, p.limit ?? DEFAULT_WINDOW, Date.now());
      for (const room of socket.rooms) if (room.startsWith(`win:${board.id}:`) && room !== group.room) await socket.leave(room);
      await socket.join([`board:${board.id}`, group.room]);
      markJoined(socket, `board:${board.id}`);
      await enterPresence(`board:${board.id}`);
      return { snapshot: await boardSnapshot(socket, board.id, group.sort, group.limit) };
    });

    on('board:leave', BoardLeavePayload, async (p) => {
      const group = hub.boards.get(p.boardId)?.leave(socket.id);
      if (group) await socket.leave(group.room);
      await leavePresence(`board:${p.boardId}`);
      await socket.leave(`board:${p.boardId}`);
      return {};
    });

    on('idea:join', IdeaJoinPayload, async (p) => {
      const { idea } = await ideaAccessFor(db, socket.data.userId, p.ideaId, 'idea.read');
      await socket.join(`idea:${idea.id}`);
      hub.trackIdeaRoom(idea.id, idea.boardId);
      await enterPresence(`idea:${idea.id}`);
      return { snapshot: await ideaSnapshot(socket, idea.id) };
    });

    on('idea:leave', IdeaLeavePayload, async (p) => {
      await leavePresence(`idea:${p.ideaId}`);
      await socket.leave(`idea:${p.ideaId}`);
      return {};
    });

    on('community:join', CommunityJoinPayload, async (p) => {
      await communityAccessFor(db, socket.data.userId, p.communityId);
      await socket.join(`community:${p.communityId}`);
      return { snapshot: await communitySnapshot(p.communityId) };
    });

    on('community:leave', CommunityLeavePayload, async (p) => {
      await socket.leave(`community:${p.communityId}`);
      return {};
    });

    const vote = async (ideaId: string, value: 1 | -1 | 0) => {
      const userId = socket.data.userId;
      if (!userId) throw unauthenticated('sign in to vote');
      const result = await app.votes.submit({ ideaId, userId, value });
      if (result.changed) {
        hub.voteCommitted(result.boardId, { ideaId, up: result.up, down: result.down, version: result.version, weightedScore: result.weightedScore });
      }
      return { ideaId, up: result.up, down: result.down, version: result.version, myVote: result.myVote };
    };
    on('vote:cast', VoteCastPayload, (p) => vote(p.ideaId, p.value));
    on('vote:withdraw', VoteWithdrawPayload, (p) => vote(p.ideaId, 0));

    on('presence:set', PresenceSetPayload, async (p) => {
      if (!socket.data.userId) throw unauthenticated('guests are not shown in presence; sign in');
      if (!presenceRooms.has(p.room)) throw new AppError('FORBIDDEN', 'join the room first');
      await hub.presence.update(p.room, socket.id, p.status);
      return {};
    });

    on('room:resync', RoomResyncPayload, async (p) => {
      if (!socket.rooms.has(p.room)) throw new AppError('FORBIDDEN', 'join the room first');
      const [kind, id] = p.room.split(':') as ['board' | 'idea' | 'community', string];
      if (kind === 'community') {
        await communityAccessFor(db, socket.data.userId, id);
        return { snapshot: await communitySnapshot(id) };
      }
      return { snapshot: kind === 'board' ? await boardSnapshot(socket, id) : await ideaSnapshot(socket, id) };
    });

    socket.on('disconnect', () => {
      if (userId && perUser && --perUser.sockets === 0) userBuckets.delete(userId);
      for (const boardHub of hub.boards.values()) boardHub.leave(socket.id);
      for (const room of [...presenceRooms]) void leavePresence(room).catch(() => undefined);
    });
  };
}
