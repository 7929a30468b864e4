import { Counter } from 'prom-client';
import type { Metrics } from '../plugins/metrics.js';
import type { DocManager } from './manager.js';

/** The collab gauges and counters of /metrics, read at scrape time from the manager's own totals. */
export function registerCollabMetrics(
  metrics: Metrics,
  manager: DocManager,
  extra: { closes: ReadonlyMap<string, number>; dropped: () => number },
): void {
  const m = metrics;
  m.gauge('cocreate_collab_documents', 'collaborative documents loaded on this node', () => manager.documents);
  m.gauge('cocreate_collab_connections', '/collab connections attached to a document on this node', () => manager.connections);
  m.gauge('cocreate_collab_persist_lag_seconds', 'age of the oldest accepted update not yet stored', () => manager.writer.lagMs() / 1000);
  m.counterFrom('cocreate_collab_updates_total', 'document updates accepted from local connections', () => manager.stats.updates);
  m.counterFrom(
    'cocreate_collab_rows_written_total',
    'doc_updates rows written (one per document and author per batch)',
    () => manager.writer.stats.rows,
  );
  m.counterFrom('cocreate_collab_write_errors_total', 'failed group-commit batches (retried)', () => manager.writer.stats.errors);
  m.counterFrom('cocreate_collab_compactions_total', 'compactions that wrote a new snapshot', () => manager.stats.compactions);
  m.counterFrom('cocreate_collab_compaction_errors_total', 'compactions that failed (rows kept)', () => manager.stats.compactionErrors);
  m.counterFrom('cocreate_collab_unloads_total', 'documents unloaded after their idle period', () => manager.stats.unloads);
  m.counterFrom(
    'cocreate_collab_peer_diffs_total',
    'missing state sent to other nodes after a state-vector exchange',
    () => manager.peers.stats.diffsSent,
  );
  m.counterFrom('cocreate_collab_readonly_drops_total', 'updates from read-only connections, dropped', extra.dropped);
  let seen = new Map<string, number>();
  new Counter({
    name: 'cocreate_collab_refusals_total',
    help: '/collab connections closed by the server, by error code',
    labelNames: ['code'],
    registers: [m.registry],
    collect() {
      for (const [code, n] of extra.closes) {
        const delta = n - (seen.get(code) ?? 0);
        if (delta > 0) this.inc({ code }, delta);
      }
      seen = new Map(extra.closes);
    },
  });
}
