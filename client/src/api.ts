/**
 * The REST client: one fetch wrapper and one typed function per endpoint. The session is an
 * HttpOnly cookie, so every call is same-origin with credentials; every write sends a JSON body.
 */
import {
  ERROR_CODES,
  type ErrorCode,
  type IdeaSort,
  type IdeaStatus,
  isErrorCode,
  type VoteResult,
} from '@cocreate/protocol';
import type {
  ChangePasswordBody,
  CreateBoardBody,
  CreateCommentBody,
  CreateCommunityBody,
  CreateIdeaBody,
  JoinBody,
  LoginBody,
  SignupBody,
  UpdateIdeaBody,
} from '@cocreate/protocol';
import type { z } from 'zod';
import type {
  BoardView,
  CommentView,
  CommunityView,
  FollowResult,
  IdeaView,
  JoinResult,
  MemberView,
  Page,
  UserView,
} from './types';

/** NETWORK: the request never got an HTTP answer (offline, DNS, server down). */
export type ClientErrorCode = ErrorCode | 'NETWORK';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ClientErrorCode,
    /** HTTP status; 0 when there was no answer. */
    readonly status: number,
    message: string,
    readonly details?: unknown,
    /** Seconds from a Retry-After header, when the server sent one. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** The error code for a status when the body is not an ErrorBody (e.g. a proxy's HTML page). */
export function codeForStatus(status: number): ErrorCode {
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    if (ERROR_CODES[code].http === status) return code;
  }
  if (status === 422) return 'VALIDATION_FAILED';
  if (status === 502 || status === 504) return 'UNAVAILABLE';
  return status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED';
}

/** Turns a failed response (status + parsed body, if any) into an ApiError. */
export function toApiError(status: number, body: unknown, retryAfter?: number): ApiError {
  if (body && typeof body === 'object' && isErrorCode((body as { code?: unknown }).code)) {
    const b = body as { code: ErrorCode; message?: unknown; details?: unknown };
    const message = typeof b.message === 'string' ? b.message : '';
    return new ApiError(b.code, status, message, b.details, retryAfter);
  }
  return new ApiError(codeForStatus(status), status, '', undefined, retryAfter);
}

/** `?a=1&b=x` from the defined, non-empty values; '' when there are none. */
export function queryString(params: Record<string, string | number | null | undefined>): string {
  const qs = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    qs.set(key, String(value));
  }
  const s = qs.toString();
  return s ? `?${s}` : '';
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let onUnauthenticated: (() => void) | null = null;
/** Called whenever the server says the session is gone, so the header can forget the user. */
export function setUnauthenticatedHandler(fn: (() => void) | null): void {
  onUnauthenticated = fn;
}

export async function request<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' }, signal };
  if (method !== 'GET') {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(body ?? {});
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError('NETWORK', 0, err instanceof Error ? err.message : 'network error');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const error = toApiError(res.status, parsed, parseRetryAfter(res.headers.get('retry-after')));
    if (error.code === 'UNAUTHENTICATED' && !path.startsWith('/api/auth/')) onUnauthenticated?.();
    throw error;
  }
  if (parsed === undefined && text) throw new ApiError('INTERNAL', res.status, 'the server answered with something other than JSON');
  return parsed as T;
}

const get = <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal);
const enc = encodeURIComponent;

export type SignupInput = z.input<typeof SignupBody>;
export type LoginInput = z.input<typeof LoginBody>;
export type ChangePasswordInput = z.input<typeof ChangePasswordBody>;
export type CreateCommunityInput = z.input<typeof CreateCommunityBody>;
export type JoinInput = z.input<typeof JoinBody>;
export type CreateBoardInput = z.input<typeof CreateBoardBody>;
export type CreateIdeaInput = z.input<typeof CreateIdeaBody>;
export type UpdateIdeaInput = z.input<typeof UpdateIdeaBody>;
export type CreateCommentInput = z.input<typeof CreateCommentBody>;

// ---- auth and account ----
export const signup = (body: SignupInput) => request<{ user: UserView }>('POST', '/api/auth/signup', body);
export const login = (body: LoginInput) => request<{ user: UserView }>('POST', '/api/auth/login', body);
export const logout = () => request<void>('POST', '/api/auth/logout');
export const logoutAll = () => request<void>('POST', '/api/auth/logout-all');
export const getMe = (signal?: AbortSignal) => get<{ user: UserView }>('/api/me', signal);
export const updateMe = (displayName: string) => request<{ user: UserView }>('PATCH', '/api/me', { displayName });
export const changePassword = (body: ChangePasswordInput) => request<void>('POST', '/api/me/password', body);

// ---- communities ----
export const listCommunities = (cursor: string | null, signal?: AbortSignal) =>
  get<Page<CommunityView>>(`/api/communities${queryString({ cursor, limit: 24 })}`, signal);
export const createCommunity = (body: CreateCommunityInput) => request<CommunityView>('POST', '/api/communities', body);
export const getCommunity = (slug: string, signal?: AbortSignal) => get<CommunityView>(`/api/communities/${enc(slug)}`, signal);
export const joinCommunity = (slug: string, body: JoinInput) =>
  request<JoinResult>('POST', `/api/communities/${enc(slug)}/join`, body);
export const leaveCommunity = (slug: string) => request<void>('POST', `/api/communities/${enc(slug)}/leave`);
export const listMembers = (slug: string, cursor: string | null, signal?: AbortSignal) =>
  get<Page<MemberView>>(`/api/communities/${enc(slug)}/members${queryString({ cursor, limit: 50 })}`, signal);

// ---- boards ----
export const listBoards = (slug: string, signal?: AbortSignal) =>
  get<Page<BoardView>>(`/api/communities/${enc(slug)}/boards`, signal);
export const createBoard = (slug: string, body: CreateBoardInput) =>
  request<BoardView>('POST', `/api/communities/${enc(slug)}/boards`, body);
export const getBoard = (boardId: string, signal?: AbortSignal) => get<BoardView>(`/api/boards/${enc(boardId)}`, signal);
/** A board with its community (membership included): what a board's screens need first. */
export async function getBoardWithCommunity(boardId: string, signal?: AbortSignal): Promise<{ board: BoardView; community: CommunityView }> {
  const board = await getBoard(boardId, signal);
  const community = await getCommunity(board.communitySlug, signal);
  return { board, community };
}

// ---- ideas ----
export interface IdeaListQuery {
  sort?: IdeaSort;
  status?: IdeaStatus;
  tag?: string;
  q?: string;
  cursor?: string | null;
  limit?: number;
}
export const listIdeas = (boardId: string, query: IdeaListQuery, signal?: AbortSignal) =>
  get<Page<IdeaView>>(`/api/boards/${enc(boardId)}/ideas${queryString({ limit: 25, ...query })}`, signal);
export const createIdea = (boardId: string, body: CreateIdeaInput) =>
  request<IdeaView>('POST', `/api/boards/${enc(boardId)}/ideas`, body);
export const getIdea = (ideaId: string, signal?: AbortSignal) => get<IdeaView>(`/api/ideas/${enc(ideaId)}`, signal);
export const updateIdea = (ideaId: string, body: UpdateIdeaInput) =>
  request<IdeaView>('PATCH', `/api/ideas/${enc(ideaId)}`, body);
/** value 0 withdraws the vote. */
export const vote = (ideaId: string, value: 1 | -1 | 0) =>
  value === 0
    ? request<VoteResult>('DELETE', `/api/ideas/${enc(ideaId)}/vote`)
    : request<VoteResult>('PUT', `/api/ideas/${enc(ideaId)}/vote`, { value });
export const setFollow = (ideaId: string, following: boolean) =>
  request<FollowResult>(following ? 'PUT' : 'DELETE', `/api/ideas/${enc(ideaId)}/follow`);

// ---- comments ----
export const listComments = (ideaId: string, cursor: string | null, signal?: AbortSignal) =>
  get<Page<CommentView>>(`/api/ideas/${enc(ideaId)}/comments${queryString({ cursor })}`, signal);
export const createComment = (ideaId: string, body: CreateCommentInput) =>
  request<CommentView>('POST', `/api/ideas/${enc(ideaId)}/comments`, body);
export const updateComment = (commentId: string, body: string) =>
  request<CommentView>('PATCH', `/api/comments/${enc(commentId)}`, { body });
export const deleteComment = (commentId: string) => request<void>('DELETE', `/api/comments/${enc(commentId)}`);
