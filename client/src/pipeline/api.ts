/** REST calls of the roadmap pipeline: status changes, merges, roadmap, changelog, notifications, profile. */
import type {
  BulkChangeStatusResult,
  ChangelogEntryView,
  ChangeStatusResult,
  IdeaSort,
  IdeaStatus,
  MergePreviewView,
  MergeResult,
  MyCreditView,
  ProfileIdeaView,
  ProfileVoteView,
  RoadmapItemView,
  RoadmapView,
  StatusChangeView,
} from '@cocreate/protocol';
import type { z } from 'zod';
import { queryString, request } from '../api';
import type { Page } from '../types';

export type { ChangelogEntryView, RoadmapItemView, StatusChangeView };
export type ChangeStatusAnswer = z.infer<typeof ChangeStatusResult>;
export type BulkResult = z.infer<typeof BulkChangeStatusResult>['results'][number];
export type MergePreview = z.infer<typeof MergePreviewView>;
export type MergeAnswer = z.infer<typeof MergeResult>;
export type Roadmap = z.infer<typeof RoadmapView>;
export type MyCredit = z.infer<typeof MyCreditView>;
export type ProfileIdea = z.infer<typeof ProfileIdeaView>;
export type ProfileVote = z.infer<typeof ProfileVoteView>;

/** A stored notification; `payload` depends on `kind` (see ./notifications). */
export interface NotificationView {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  read: boolean;
  createdAt: string;
}

const get = <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal);
const enc = encodeURIComponent;

// ---- status and merges ----
export const changeStatus = (ideaId: string, body: { status: IdeaStatus; reason?: string; from?: IdeaStatus }) =>
  request<ChangeStatusAnswer>('POST', `/api/ideas/${enc(ideaId)}/status`, body);
export const bulkChangeStatus = (body: { ideaIds: string[]; status: IdeaStatus; reason?: string }) =>
  request<{ results: BulkResult[] }>('POST', '/api/ideas/status', body);
export const statusHistory = (ideaId: string, signal?: AbortSignal) =>
  get<{ items: StatusChangeView[] }>(`/api/ideas/${enc(ideaId)}/history`, signal);
export const mergePreview = (ideaId: string, targetId: string, signal?: AbortSignal) =>
  get<MergePreview>(`/api/ideas/${enc(ideaId)}/merge-preview${queryString({ targetId })}`, signal);
export const mergeIdeas = (ideaId: string, targetId: string) =>
  request<MergeAnswer>('POST', `/api/ideas/${enc(ideaId)}/merge`, { targetId });

// ---- roadmap ----
export const getRoadmap = (slug: string, signal?: AbortSignal) => get<Roadmap>(`/api/communities/${enc(slug)}/roadmap`, signal);
export const updateRoadmapItem = (itemId: string, body: { after?: string | null; before?: string | null; releaseLabel?: string | null }) =>
  request<RoadmapItemView>('PATCH', `/api/roadmap/${enc(itemId)}`, body);
export const roadmapExportUrl = (slug: string, format: 'csv' | 'json') =>
  `/api/communities/${enc(slug)}/roadmap/export${queryString({ format })}`;
export const boardExportUrl = (boardId: string, format: 'csv' | 'json', sort?: IdeaSort, status?: IdeaStatus) =>
  `/api/boards/${enc(boardId)}/ideas/export${queryString({ format, sort, status })}`;

// ---- changelog ----
export const listChangelog = (slug: string, drafts: boolean, cursor: string | null, signal?: AbortSignal) =>
  get<Page<ChangelogEntryView>>(
    `/api/communities/${enc(slug)}/changelog${queryString({ drafts: drafts ? 'true' : undefined, cursor })}`,
    signal,
  );
export const getChangelogEntry = (entryId: string, signal?: AbortSignal) =>
  get<ChangelogEntryView>(`/api/changelog/${enc(entryId)}`, signal);
export const updateChangelogEntry = (entryId: string, body: { title?: string; body?: string }) =>
  request<ChangelogEntryView>('PATCH', `/api/changelog/${enc(entryId)}`, body);
export const publishChangelogEntry = (entryId: string) => request<ChangelogEntryView>('POST', `/api/changelog/${enc(entryId)}/publish`, {});

// ---- notifications ----
export const listNotifications = (opts: { unread?: boolean; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
  get<Page<NotificationView>>(
    `/api/notifications${queryString({ unread: opts.unread ? 'true' : undefined, cursor: opts.cursor, limit: opts.limit })}`,
    signal,
  );
/** Marks the given notifications read, or all of them when `ids` is left out. */
export const markNotificationsRead = (ids?: string[]) =>
  request<{ updated: number }>('POST', '/api/notifications/read', ids ? { ids } : {});

// ---- profile ----
export const myCredits = (signal?: AbortSignal) => get<{ items: MyCredit[] }>('/api/me/credits', signal);
export const myIdeas = (cursor: string | null, signal?: AbortSignal) =>
  get<Page<ProfileIdea>>(`/api/me/ideas${queryString({ cursor, limit: 20 })}`, signal);
export const myVotes = (cursor: string | null, signal?: AbortSignal) =>
  get<Page<ProfileVote>>(`/api/me/votes${queryString({ cursor, limit: 20 })}`, signal);
