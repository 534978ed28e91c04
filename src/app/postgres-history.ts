/**
 * PostgreSQL history behind the durable buffer/spool: an outage or a slow server never loses accepted
 * rows (see store/durable.ts for the guarantee and its one-flush-interval crash bound).
 */
import { DurableStore } from '../store/durable.ts';
import { PostgresStore } from '../store/postgres/postgres-store.ts';
import type { HistoryStore } from '../store/types.ts';
import type { StoreChoice } from './store-factory.ts';

/** Create the durable PostgreSQL store for a `postgres://` URL. */
export function createPostgresHistory(c: StoreChoice): HistoryStore {
  const inner = new PostgresStore({
    url: c.url,
    flushIntervalMs: 0, // the durable wrapper pumps
    ...(c.retentionDays > 0 ? { retentionDays: c.retentionDays } : {}),
    bookSnapshotRetentionDays: c.bookSnapshotRetentionDays ?? 7,
    heatmapRetentionDays: c.heatmapRetentionDays ?? 30,
  });
  return new DurableStore(inner, {
    spoolDir: c.spoolDir ?? './data/spool',
    flushIntervalMs: c.flushIntervalMs,
    ...(c.onError ? { onError: c.onError } : {}),
  });
}
