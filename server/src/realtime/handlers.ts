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
import type { BoardHub } from './board-hub.js';
import { ackError, releaseGuestSlot } from './handshake.js';
import type { AppSocket, RealtimeHub } from './hub.js';
import { type BucketState, Strikes, TokenBucket } from './limits.js';
import { SnapshotCache, snapshotIdea, topIdeas } from './snapshots.js';

const DEFAULT_WINDOW = 50;

type ClientEvent = (typeof CLIENT_EVENTS)[number];

export interface HandlerDeps {
  app: FastifyInstance;
  hub: RealtimeHub;
  eventsPerSecond: number;
  eventBurst: number;
}

/** The bucket a user's sockets on this node share, how many of them there are, and their user room. */
interface UserBucket extends BucketState {
  sockets: number;
  room: string;
}

/**
 * All a socket of ours keeps besides what Socket.IO keeps: its own token bucket, and what only some
 * sockets ever need, made on first use.
 */
interface SocketState extends BucketState {
  user: UserBucket | null;
  /** Times of its recent strikes, from its first strike on. */
  strikes: number[] | null;
  /** The rooms it is shown in the presence of (signed-in sockets only). */
  presence: Set<string> | null;
  /** The board room it entered last, and when: a cached snapshot must be read after that. */
  joinedRoom: string | null;
  joinedAt: number;
  /** The same for any other board rooms it is in at once (rare). */
  joinedOther: Map<string, number> | null;
}

interface Handler {
  schema: z.ZodType;
  handle(socket: AppSocket, state: SocketState, payload: unknown): Promise<object>;
}

/** Pairs a schema with its handler, which gets the payload as the schema parsed it. */
function handler<S extends z.ZodType, R extends object>(
  schema: S,
  handle: (socket: AppSocket, state: SocketState, payload: z.infer<S>) => Promise<R>,
): Handler {
  return { schema, handle: handle as Handler['handle'] };
}

const markJoined = (state: SocketState, room: string) => {
  const now = performance.now();
  if (state.joinedRoom === null || state.joinedRoom === room) {
    state.joinedRoom = room;
    state.joinedAt = now;
    state.joinedOther?.delete(room);
  } else {
    (state.joinedOther ??= new Map()).set(room, now);
  }
};
const joinedAt = (state: SocketState, room: string) => (state.joinedRoom === room ? state.joinedAt : state.joinedOther?.get(room));
/** Only read while the socket is in the room, so it may go when the socket leaves. */
const forgetJoined = (state: SocketState, room: string) => {
  if (state.joinedRoom === room) state.joinedRoom = null;
  state.joinedOther?.delete(room);
};

/**
 * Every client event: rate-limited, then parsed with its zod schema, then permission-checked, then
 * answered with an ack. A failure is that socket's alone; repeated abuse disconnects it.
 *
 * The handlers are made once here; a socket gets one small state object and two listeners that are
 * the same functions for every socket, so an idle connection costs little beyond Socket.IO's own.
 */
export function createConnectionHandler({ app, hub, eventsPerSecond, eventBurst }: HandlerDeps) {
  const db = app.db;
  const boardSnapshots = new SnapshotCache<Pick<BoardSnapshot, 'ideas' | 'seq'>>(250);
  const socketLimit = new TokenBucket(eventsPerSecond, eventBurst);
  const userLimit = new TokenBucket(eventsPerSecond * 2, eventBurst * 2);
  const strikeRule = new Strikes(10, 10_000);
  const states = new WeakMap<AppSocket, SocketState>();

  const boardSnapshot = async (
    socket: AppSocket,
    state: SocketState,
    boardId: string,
    sort?: BoardSnapshot['sort'],
    limit?: number,
  ): Promise<BoardSnapshot> => {
    const { board } = await boardAccessFor(db, socket.data.userId, boardId, 'idea.read');
    const hub0 = await hub.boardHub(board.id, board.ranking);
    const current = hub0.groupOf(socket.id);
    const s = sort ?? current?.sort ?? board.ranking.formula;
    const n = limit ?? current?.limit ?? DEFAULT_WINDOW;
    const room = `board:${board.id}`;
    const notBefore = joinedAt(state, room) ?? performance.now();
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
      idea: {
        ...snapshotIdea(idea),
        bodyText: idea.bodyText,
        locked: idea.locked,
        hidden: idea.hidden,
        mergedInto: idea.mergedInto,
        boardId: idea.boardId,
      },
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
  const userBuckets = new Map<string, UserBucket>();
  const userBucketOf = (userId: string) => {
    let entry = userBuckets.get(userId);
    if (!entry) userBuckets.set(userId, (entry = { tokens: userLimit.burst, last: performance.now(), sockets: 0, room: `user:${userId}` }));
    entry.sockets++;
    return entry;
  };

  /** One `board:<id>` string per board, which every socket's room list shares (not a copy per socket). */
  const boardRooms = new WeakMap<BoardHub, string>();
  const boardRoomOf = (boardHub: BoardHub) => {
    let room = boardRooms.get(boardHub);
    if (room === undefined) boardRooms.set(boardHub, (room = `board:${boardHub.boardId}`));
    return room;
  };

  const strike = (socket: AppSocket, state: SocketState) => {
    if (strikeRule.add((state.strikes ??= []))) socket.disconnect(true);
  };

  /**
   * A join handler resumes after its awaits: if the socket disconnected meanwhile, its disconnect
   * cleanup has run already, and joining a room, a window or presence now would leave a ghost.
   */
  const stillConnected = (socket: AppSocket) => {
    if (!socket.connected) throw new AppError('UNAVAILABLE', 'the socket disconnected');
  };
  const enterPresence = async (socket: AppSocket, state: SocketState, room: string) => {
    const userId = socket.data.userId;
    if (!userId) return;
    const rooms = (state.presence ??= new Set());
    if (rooms.has(room) || !socket.connected) return;
    rooms.add(room);
    await hub.presence.join(room, socket.id, { userId, name: socket.data.name ?? 'member', status: 'viewing' });
  };
  const leavePresence = async (socket: AppSocket, state: SocketState, room: string) => {
    if (!state.presence?.delete(room)) return;
    await hub.presence.leave(room, socket.id);
  };

  const vote = async (socket: AppSocket, ideaId: string, value: 1 | -1 | 0) => {
    const userId = socket.data.userId;
    if (!userId) throw unauthenticated('sign in to vote');
    const result = await app.votes.submit({ ideaId, userId, value });
    if (result.changed) {
      hub.voteCommitted(result.boardId, {
        ideaId: result.ideaId,
        up: result.up,
        down: result.down,
        version: result.version,
        weightedScore: result.weightedScore,
      });
    }
    return { ideaId: result.ideaId, up: result.up, down: result.down, version: result.version, myVote: result.myVote };
  };

  /** Every client event's schema and handler, made once for all sockets. */
  const handlers: { [E in ClientEvent]: Handler } = {
    'board:join': handler(BoardJoinPayload, async (socket, state, p) => {
      const { board } = await boardAccessFor(db, socket.data.userId, p.boardId, 'idea.read');
      const boardHub = await hub.boardHub(board.id, board.ranking);
      stillConnected(socket);
      const group = boardHub.join(socket.id, p.sort ?? board.ranking.formula, p.limit ?? DEFAULT_WINDOW, Date.now());
      const room = boardRoomOf(boardHub);
      await socket.join(room);
      markJoined(state, room);
      await enterPresence(socket, state, room);
      return { snapshot: await boardSnapshot(socket, state, board.id, group.sort, group.limit) };
    }),

    'board:leave': handler(BoardLeavePayload, async (socket, state, p) => {
      hub.boards.get(p.boardId)?.leave(socket.id);
      const room = `board:${p.boardId}`;
      await leavePresence(socket, state, room);
      await socket.leave(room);
      forgetJoined(state, room);
      return {};
    }),

    'idea:join': handler(IdeaJoinPayload, async (socket, state, p) => {
      const { idea } = await ideaAccessFor(db, socket.data.userId, p.ideaId, 'idea.read');
      stillConnected(socket);
      await socket.join(`idea:${idea.id}`);
      hub.trackIdeaRoom(idea.id, idea.boardId);
      await enterPresence(socket, state, `idea:${idea.id}`);
      return { snapshot: await ideaSnapshot(socket, idea.id) };
    }),

    'idea:leave': handler(IdeaLeavePayload, async (socket, state, p) => {
      await leavePresence(socket, state, `idea:${p.ideaId}`);
      await socket.leave(`idea:${p.ideaId}`);
      return {};
    }),

    'community:join': handler(CommunityJoinPayload, async (socket, _state, p) => {
      await communityAccessFor(db, socket.data.userId, p.communityId);
      stillConnected(socket);
      await socket.join(`community:${p.communityId}`);
      return { snapshot: await communitySnapshot(p.communityId) };
    }),

    'community:leave': handler(CommunityLeavePayload, async (socket, _state, p) => {
      await socket.leave(`community:${p.communityId}`);
      return {};
    }),

    'vote:cast': handler(VoteCastPayload, (socket, _state, p) => vote(socket, p.ideaId, p.value)),
    'vote:withdraw': handler(VoteWithdrawPayload, (socket, _state, p) => vote(socket, p.ideaId, 0)),

    'presence:set': handler(PresenceSetPayload, async (socket, state, p) => {
      if (!socket.data.userId) throw unauthenticated('guests are not shown in presence; sign in');
      if (!state.presence?.has(p.room)) throw new AppError('FORBIDDEN', 'join the room first');
      await hub.presence.update(p.room, socket.id, p.status);
      return {};
    }),

    'room:resync': handler(RoomResyncPayload, async (socket, state, p) => {
      if (!socket.rooms.has(p.room)) throw new AppError('FORBIDDEN', 'join the room first');
      const [kind, id] = p.room.split(':') as ['board' | 'idea' | 'community', string];
      if (kind === 'community') {
        await communityAccessFor(db, socket.data.userId, id);
        return { snapshot: await communitySnapshot(id) };
      }
      return { snapshot: kind === 'board' ? await boardSnapshot(socket, state, id) : await ideaSnapshot(socket, id) };
    }),
  };
  const known = new Map<string, Handler>(CLIENT_EVENTS.map((event) => [event, handlers[event]]));

  /** One event with an ack: rate limit, schema, handler, answer. Never throws; a failure is answered. */
  const run = async (socket: AppSocket, state: SocketState, event: string, h: Handler, payload: unknown, ack: unknown) => {
    if (typeof ack !== 'function') {
      strike(socket, state);
      return;
    }
    const reply = ack as (response: Ack) => void;
    if (!socketLimit.take(state) || (state.user && !userLimit.take(state.user))) {
      strike(socket, state);
      return reply({ ok: false, code: 'RATE_LIMITED', message: 'too many events; slow down' });
    }
    const parsed = h.schema.safeParse(payload);
    if (!parsed.success) {
      strike(socket, state);
      const issue = parsed.error.issues[0];
      return reply({
        ok: false,
        code: 'VALIDATION_FAILED',
        message: `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`,
      });
    }
    try {
      reply({ ok: true, ...(await h.handle(socket, state, parsed.data)) });
    } catch (err) {
      if (!(err instanceof AppError)) app.log.error({ err, event }, 'socket handler failed');
      reply(ackError(err));
    }
  };

  /** Where Socket.IO's own dispatch would have called a per-event listener: on the next tick, if still connected. */
  const dispatch = (socket: AppSocket, state: SocketState, event: string, h: Handler, payload: unknown, ack: unknown) => {
    if (socket.connected) void run(socket, state, event, h, payload, ack);
  };

  /**
   * The one listener of every socket's events (Socket.IO calls `onAny` listeners with the socket as
   * `this`, before its own dispatch, with the ack callback as the last argument): an unknown event is
   * a strike at once, a known one is run as a listener of that event would have been.
   */
  function onEvent(this: AppSocket, event: unknown, payload?: unknown, ack?: unknown) {
    const state = states.get(this);
    if (!state) return;
    const h = typeof event === 'string' ? known.get(event) : undefined;
    if (!h) return strike(this, state);
    process.nextTick(dispatch, this, state, event as string, h, payload, ack);
  }

  /** Every socket's `disconnect` listener (Node calls it with the socket as `this`). */
  function onDisconnect(this: AppSocket, reason: string) {
    // The client left the namespace but kept its connection: close that too, or it would stay open
    // holding neither a guest slot nor a bare slot (the app has no other namespace to move to).
    if (reason === 'client namespace disconnect') this.conn.close();
    hub.slow.forget(this.id);
    releaseGuestSlot(this);
    const state = states.get(this);
    if (!state) return;
    states.delete(this);
    const userId = this.data.userId;
    if (userId && state.user && --state.user.sockets === 0) userBuckets.delete(userId);
    for (const boardHub of hub.boards.values()) boardHub.leave(this.id);
    if (state.presence) for (const room of [...state.presence]) void leavePresence(this, state, room).catch(() => undefined);
  }

  return (socket: AppSocket) => {
    const userId = socket.data.userId;
    const user = userId ? userBucketOf(userId) : null;
    states.set(socket, {
      tokens: socketLimit.burst,
      last: performance.now(),
      user,
      strikes: null,
      presence: null,
      joinedRoom: null,
      joinedAt: 0,
      joinedOther: null,
    });
    if (user) void socket.join(user.room);
    socket.onAny(onEvent);
    socket.on('disconnect', onDisconnect);
  };
}
