/**
 * Response shapes of the REST API that @cocreate/protocol does not (yet) export as types.
 * Everything that the protocol does export is imported from there instead of re-declared.
 */
import type {
  BoardRanking,
  CommunityView,
  IdeaStatus,
  MembershipStatus,
  Role,
  UserView,
} from '@cocreate/protocol';

export type { CommunityView, UserView };

/** Every list endpoint answers one page. */
export interface Page<T> {
  items: T[];
  /** Pass back as `?cursor=` to get the next page; null (or absent) on the last page. */
  nextCursor?: string | null;
}

/** A user as shown next to content: no email. */
export interface UserRef {
  id: string;
  handle: string;
  displayName: string;
}

export interface MemberView {
  user: UserRef;
  role: Role;
  status: MembershipStatus;
  joinedAt: string;
}

export interface JoinResult {
  status: 'joined' | 'pending';
  community: CommunityView;
}

export interface BoardView {
  id: string;
  communityId: string;
  communitySlug: string;
  slug: string;
  name: string;
  description: string;
  ranking: BoardRanking;
  downvotesEnabled: boolean;
  archived: boolean;
  ideaCount: number;
  createdAt: string;
}

export interface IdeaView {
  id: string;
  boardId: string;
  communityId: string;
  title: string;
  bodyText: string;
  status: IdeaStatus;
  up: number;
  down: number;
  voteCount: number;
  weightedScore: number;
  commentCount: number;
  version: number;
  hidden: boolean;
  locked: boolean;
  mergedInto: string | null;
  tags: string[];
  author: UserRef | null;
  createdAt: string;
  updatedAt: string;
  docName: string;
  myVote: 1 | -1 | 0;
  following: boolean;
}

export interface CommentView {
  id: string;
  ideaId: string;
  parentId: string | null;
  body: string;
  official: boolean;
  hidden: boolean;
  deleted: boolean;
  author: UserRef | null;
  createdAt: string;
  editedAt: string | null;
}

export interface FollowResult {
  following: boolean;
}
