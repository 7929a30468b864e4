/**
 * What one board screen knows live: per-idea overlays (counts, titles, moderation), the ideas
 * announced since its list was loaded, who is here, and which ideas the server's window holds.
 * Every change replaces `view`, so React reads it with `useSyncExternalStore`.
 */
import type { BoardSnapshot, RoomEvent, SnapshotIdea } from '@cocreate/protocol';
import { Store } from './connection';
import type { RankFrame } from './manager';
import { eventPatch, type IdeaOverlay, type LivePatch, patchOverlay, rankPatch, snapshotPatch } from './overlay';
import type { PresenceMap } from './presence';

export interface AnnouncedIdea {
  id: string;
  title: string;
  authorId: string | null;
}

export interface BoardView {
  overlay: ReadonlyMap<string, IdeaOverlay>;
  /** Ideas created since the list was loaded (oldest first), for the "new ideas" notice. */
  announced: readonly AnnouncedIdea[];
  presence: PresenceMap;
  /** Ideas the server says are in this window, with their creation time when known. */
  inWindow: ReadonlyMap<string, string | null>;
  /** The window of the last snapshot (what `inWindow` describes); null before the first. */
  window: { sort: BoardSnapshot['sort']; limit: number } | null;
  /** Snapshots received; more than one means the room was resynced. */
  snapshots: number;
}

const EMPTY: BoardView = { overlay: new Map(), announced: [], presence: new Map(), inWindow: new Map(), window: null, snapshots: 0 };

export class BoardLive extends Store<BoardView> {
  constructor(readonly boardId: string) {
    super(EMPTY);
  }

  snapshot(s: BoardSnapshot): void {
    const overlay = new Map(this.get().overlay);
    // The snapshot is the whole window now; what an earlier window held no longer counts.
    const inWindow = new Map<string, string | null>();
    for (const idea of s.ideas) {
      overlay.set(idea.id, patchOverlay(overlay.get(idea.id), snapshotPatch(idea), idea.version));
      inWindow.set(idea.id, idea.createdAt);
    }
    this.set({ ...this.get(), overlay, inWindow, window: { sort: s.sort, limit: s.limit }, snapshots: this.get().snapshots + 1 });
  }

  ranks(frame: RankFrame): void {
    if (frame.boardId !== this.boardId) return;
    const view = this.get();
    const overlay = new Map(view.overlay);
    const inWindow = new Map(view.inWindow);
    let changed = false;
    for (const change of frame.changes) {
      const before = overlay.get(change.ideaId);
      const after = patchOverlay(before, rankPatch(change), change.version);
      if (after !== before) {
        overlay.set(change.ideaId, after);
        changed = true;
      }
      if (!inWindow.has(change.ideaId)) {
        inWindow.set(change.ideaId, null);
        changed = true;
      }
    }
    if (changed) this.set({ ...view, overlay, inWindow });
  }

  event(e: RoomEvent): void {
    if (e.type === 'idea.created') this.created(e.data);
    else if (e.type === 'idea.updated' || e.type === 'idea.moderated') {
      const p = eventPatch(e.data);
      if (p) this.patch(p.id, p.patch, p.version);
    }
  }

  /** A versioned change from anywhere (e.g. the user's own vote answer). */
  patch(ideaId: string, patch: LivePatch, version: number): void {
    const view = this.get();
    const before = view.overlay.get(ideaId);
    const after = patchOverlay(before, patch, version);
    if (after === before) return;
    const overlay = new Map(view.overlay);
    overlay.set(ideaId, after);
    this.set({ ...view, overlay });
  }

  setPresence(presence: PresenceMap): void {
    if (presence !== this.get().presence) this.set({ ...this.get(), presence });
  }

  /** The list was (re)loaded: what it shows is no longer news. */
  clearAnnounced(): void {
    if (this.get().announced.length > 0) this.set({ ...this.get(), announced: [] });
  }

  /** Counts an idea as news (e.g. found newer than the list in a snapshot after a reconnect). */
  announce(ideas: readonly AnnouncedIdea[]): void {
    const view = this.get();
    const known = new Set(view.announced.map((a) => a.id));
    const fresh = ideas.filter((i) => !known.has(i.id));
    if (fresh.length > 0) this.set({ ...view, announced: [...view.announced, ...fresh] });
  }

  private created(data: unknown): void {
    const idea = (data as { idea?: Partial<SnapshotIdea> } | null)?.idea;
    if (!idea || typeof idea.id !== 'string' || typeof idea.version !== 'number') return;
    const view = this.get();
    const overlay = new Map(view.overlay);
    if (typeof idea.up === 'number' && typeof idea.down === 'number') {
      overlay.set(
        idea.id,
        patchOverlay(
          overlay.get(idea.id),
          rankPatch({ ideaId: idea.id, up: idea.up, down: idea.down, version: idea.version }),
          idea.version,
        ),
      );
    }
    const announced = view.announced.some((a) => a.id === idea.id)
      ? view.announced
      : [...view.announced, { id: idea.id, title: typeof idea.title === 'string' ? idea.title : '', authorId: idea.authorId ?? null }];
    this.set({ ...view, overlay, announced });
  }
}

/**
 * Ideas the server's window holds that the loaded list lacks. Those created after the newest idea
 * in the list are news (the notice); older ones climbed into the window and can be fetched.
 */
export function missingIdeas(
  view: Pick<BoardView, 'inWindow' | 'announced'>,
  list: readonly { id: string; createdAt: string }[],
): { news: string[]; climbed: string[] } {
  const listed = new Set(list.map((i) => i.id));
  const announced = new Set(view.announced.map((a) => a.id));
  const newest = list.reduce((max, i) => Math.max(max, Date.parse(i.createdAt) || 0), 0);
  const news: string[] = [];
  const climbed: string[] = [];
  for (const [id, createdAt] of view.inWindow) {
    if (listed.has(id) || announced.has(id)) continue;
    const at = createdAt ? Date.parse(createdAt) : Number.NaN;
    if (!Number.isNaN(at) && at > newest) news.push(id);
    else climbed.push(id);
  }
  return { news, climbed };
}
