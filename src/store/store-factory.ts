/**
 * Pick the history store from its URL: `duckdb:<path>` (embedded default), `postgres://...` (wrapped in
 * the durable buffer/spool so an outage loses nothing), or `memory` (DuckDB in memory, for demos/tests).
 */
import type { HistoryStore, StoreChoice } from './types.ts';
import { DuckDbStore } from './duckdb.ts';

/**
 * Create (not yet initialised) the configured store.
 * @throws {Error} for an unsupported URL scheme
 */
export async function createStore(c: StoreChoice): Promise<HistoryStore> {
  const retention = {
    metrics: c.retentionDays,
    trades: c.retentionDays,
    bookSnapshots: c.bookSnapshotRetentionDays ?? 7,
    heatmapRuns: c.heatmapRetentionDays ?? 30,
    news: c.newsRetentionDays ?? 90,
    analyticsEvents: c.eventRetentionDays ?? c.retentionDays,
  };
  if (c.url === 'memory')
    return new DuckDbStore({
      path: ':memory:',
      flushIntervalMs: c.flushIntervalMs,
      ...(c.onError ? { onError: c.onError } : {}),
    });
  if (c.url.startsWith('duckdb:')) {
    return new DuckDbStore({
      path: c.url.slice('duckdb:'.length),
      flushIntervalMs: c.flushIntervalMs,
      retentionDays: retention,
      ...(c.onError ? { onError: c.onError } : {}),
    });
  }
  if (c.url.startsWith('postgres://') || c.url.startsWith('postgresql://')) {
    const { createPostgresHistory } = await import('./postgres-history.ts');
    return createPostgresHistory(c);
  }
  throw new Error(`unsupported store URL "${c.url}": use duckdb:<path>, postgres://..., or memory`);
}
