/**
 * What one idea page knows live: the idea's overlay (votes, title, tags, lock, hiding), who is
 * here, and comment-count changes reported since the last snapshot. Every change replaces the view.
 */
import type { IdeaSnapshot, RoomEvent } from '@cocreate/protocol';
import { Store } from './connection';
import type { RankFrame } from './manager';
import { eventPatch, type IdeaOverlay, type LivePatch, patchOverlay, rankPatch, snapshotPatch } from './overlay';
import type { PresenceMap } from './presence';

export interface IdeaLiveView {
  overlay: IdeaOverlay | undefined;
  presence: PresenceMap;
  /**
   * Comments created minus deleted since the last snapshot (events carry no idea version, so the
   * count is the snapshot's plus these).
   */
  commentDelta: number;
  /** Bumped by each snapshot taken after something may have been missed (reconnect, gap, resync). */
  resyncs: number;
}

const EMPTY: IdeaLiveView = { overlay: undefined, presence: new Map(), commentDelta: 0, resyncs: 0 };

export class IdeaLive extends Store<IdeaLiveView> {
  constructor(readonly ideaId: string) {
    super(EMPTY);
  }

  snapshot(s: IdeaSnapshot, resync: boolean): void {
    const { idea } = s;
    if (idea.id !== this.ideaId) return;
    const patch: LivePatch = { ...snapshotPatch(idea), locked: idea.locked, hidden: idea.hidden };
    const view = this.get();
    this.set({
      ...view,
      overlay: patchOverlay(view.overlay, patch, idea.version),
      commentDelta: 0,
      resyncs: view.resyncs + (resync ? 1 : 0),
    });
  }

  ranks(frame: RankFrame): void {
    for (const change of frame.changes) if (change.ideaId === this.ideaId) this.patch(rankPatch(change), change.version);
  }

  event(e: RoomEvent): void {
    if (e.type !== 'idea.updated' && e.type !== 'idea.moderated') return;
    const p = eventPatch(e.data);
    if (!p || p.id !== this.ideaId) return;
    this.patch(p.patch, p.version);
    // The server's count is absolute and, in room order, follows the comment events it counts.
    if (typeof p.patch.commentCount === 'number' && this.get().commentDelta !== 0) this.set({ ...this.get(), commentDelta: 0 });
  }

  patch(patch: LivePatch, version: number): void {
    const view = this.get();
    const overlay = patchOverlay(view.overlay, patch, version);
    if (overlay !== view.overlay) this.set({ ...view, overlay });
  }

  setPresence(presence: PresenceMap): void {
    if (presence !== this.get().presence) this.set({ ...this.get(), presence });
  }

  /** A full, fresh idea was loaded (e.g. after an edit): it already counts every comment so far. */
  rebase(): void {
    if (this.get().commentDelta !== 0) this.set({ ...this.get(), commentDelta: 0 });
  }

  adjustComments(delta: number): void {
    if (delta !== 0) this.set({ ...this.get(), commentDelta: this.get().commentDelta + delta });
  }
}
