import { type Db, docSnapshots, docUpdates, ideaContributors, ideas } from '@cocreate/db';
import type { ContributorRole } from '@cocreate/protocol';
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import { pgErrorCode } from '../lib/db-errors.js';

/**
 * Where documents live: a snapshot plus the rows not yet folded into it. Yjs updates commute, so
 * the state is the snapshot merged with those rows in any order, and a row read twice is harmless.
 */

export interface UpdateRow {
  docName: string;
  update: Uint8Array;
  userId: string | null;
}

export interface Contribution {
  ideaId: string;
  userId: string;
  role: ContributorRole;
  edits: number;
}

export interface CompactionResult {
  /** Rows folded into the snapshot and deleted. */
  folded: number;
  /** Size of the snapshot afterwards. */
  bytes: number;
}

export interface DocStore {
  /** The snapshot and every unfolded row; their total size. */
  load(docName: string): Promise<{ updates: Uint8Array[]; bytes: number }>;
  /** Appends rows (one statement) and counts the contributions, in one transaction. */
  append(rows: UpdateRow[], contributions: Contribution[]): Promise<void>;
  /**
   * Folds the rows present now into the snapshot (plus `extra`, e.g. a node's in-memory state) and
   * deletes exactly those rows, under a per-document lock.
   */
  compact(docName: string, extra?: Uint8Array): Promise<CompactionResult>;
  saveBodyText(ideaId: string, text: string): Promise<void>;
}

/** Namespace of the per-document advisory locks (two-key form: its own key space). */
export const COMPACTION_LOCK_NAMESPACE = 7_240_003;
const DELETE_CHUNK = 5_000;

export class PgDocStore implements DocStore {
  constructor(private readonly db: Db) {}

  async load(docName: string): Promise<{ updates: Uint8Array[]; bytes: number }> {
    // Rows first, then the snapshot: a compaction that commits in between folded the rows it
    // deleted into that snapshot, so nothing read-committed can slip between the two reads.
    const rows = await this.db
      .select({ update: docUpdates.update })
      .from(docUpdates)
      .where(eq(docUpdates.docName, docName))
      .orderBy(asc(docUpdates.seq));
    const [snapshot] = await this.db.select({ state: docSnapshots.state }).from(docSnapshots).where(eq(docSnapshots.docName, docName));
    const updates = [...(snapshot ? [snapshot.state] : []), ...rows.map((r) => r.update)].map((u) => new Uint8Array(u));
    return { updates, bytes: updates.reduce((n, u) => n + u.length, 0) };
  }

  async append(rows: UpdateRow[], contributions: Contribution[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.db.transaction(async (tx) => {
        await tx.insert(docUpdates).values(rows);
        if (contributions.length > 0) {
          await tx
            .insert(ideaContributors)
            .values(contributions.map((c) => ({ ideaId: c.ideaId, userId: c.userId, role: c.role, editCount: c.edits })))
            .onConflictDoUpdate({
              target: [ideaContributors.ideaId, ideaContributors.userId],
              set: { editCount: sql`${ideaContributors.editCount} + excluded.edit_count`, lastAt: sql`now()` },
            });
        }
      });
    } catch (err) {
      // A user or idea deleted meanwhile must not hold the document's updates hostage.
      if (pgErrorCode(err) !== '23503') throw err;
      await this.db.insert(docUpdates).values(rows.map((r) => ({ ...r, userId: null })));
    }
  }

  async compact(docName: string, extra?: Uint8Array): Promise<CompactionResult> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${COMPACTION_LOCK_NAMESPACE}, hashtext(${docName}))`);
      const [snapshot] = await tx
        .select({ state: docSnapshots.state, uptoSeq: docSnapshots.uptoSeq, size: docSnapshots.size })
        .from(docSnapshots)
        .where(eq(docSnapshots.docName, docName));
      const rows = await tx
        .select({ seq: docUpdates.seq, update: docUpdates.update })
        .from(docUpdates)
        .where(eq(docUpdates.docName, docName))
        .orderBy(asc(docUpdates.seq));
      // Merging through a document (not Y.mergeUpdates) lets Yjs drop deleted content.
      const doc = new Y.Doc({ gc: true });
      try {
        Y.transact(doc, () => {
          if (snapshot) Y.applyUpdate(doc, snapshot.state);
          for (const row of rows) Y.applyUpdate(doc, row.update);
        });
        let extraAdded = false;
        if (extra) {
          doc.once('update', () => {
            extraAdded = true;
          });
          Y.applyUpdate(doc, extra);
        }
        if (rows.length === 0 && !extraAdded) return { folded: 0, bytes: snapshot?.size ?? 0 };
        const state = Y.encodeStateAsUpdate(doc);
        const uptoSeq = rows.reduce((max, r) => Math.max(max, r.seq), snapshot?.uptoSeq ?? 0);
        await tx
          .insert(docSnapshots)
          .values({ docName, state, uptoSeq, size: state.length })
          .onConflictDoUpdate({ target: docSnapshots.docName, set: { state, uptoSeq, size: state.length, updatedAt: new Date() } });
        // Exactly the rows read above, by seq: rows committed meanwhile stay for the next compaction.
        const seqs = rows.map((r) => r.seq);
        for (let i = 0; i < seqs.length; i += DELETE_CHUNK) {
          await tx.delete(docUpdates).where(inArray(docUpdates.seq, seqs.slice(i, i + DELETE_CHUNK)));
        }
        return { folded: rows.length, bytes: state.length };
      } finally {
        doc.destroy();
      }
    });
  }

  async saveBodyText(ideaId: string, text: string): Promise<void> {
    await this.db
      .update(ideas)
      .set({ bodyText: text, updatedAt: new Date() })
      .where(and(eq(ideas.id, ideaId), ne(ideas.bodyText, text)));
  }
}
