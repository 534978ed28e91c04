/**
 * PostgreSQL history behind the durable buffer/spool: an outage or a slow server never loses accepted
 * rows (see store/durable.ts for the guarantee and its one-flush-interval crash bound).
 */
import { DurableStore } from './durable.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import type { HistoryStore, StoreChoice } from './types.ts';

/**
 * Split depthwatch's own `schema` query parameter off a PostgreSQL URL
 * (`postgres://host/db?schema=research` → the URL without it, schema `research`): the driver would
 * otherwise send it to the server as a startup parameter, which the server refuses.
 * @throws {TypeError} when the URL does not parse or the schema is not a plain identifier
 *   (`[A-Za-z_][A-Za-z0-9_]*`)
 */
export function splitSchemaParam(url: string): { url: string; schema?: string } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema');
  if (schema === null) return { url };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema))
    throw new TypeError(`schema "${schema}" in the store URL is not a plain identifier`);
  u.searchParams.delete('schema');
  return { url: u.toString(), schema };
}

/**
 * Create the durable PostgreSQL store for a `postgres://` URL; `?schema=NAME` picks the schema
 * (default `depthwatch`), so several deployments or backfills can share one database.
 * @throws {TypeError} on a bad `schema` parameter (see splitSchemaParam)
 */
export function createPostgresHistory(c: StoreChoice): HistoryStore {
  const { url, schema } = splitSchemaParam(c.url);
  const inner = new PostgresStore({
    url,
    ...(schema ? { schema } : {}),
    flushIntervalMs: 0, // the durable wrapper pumps
    ...(c.retentionDays > 0 ? { retentionDays: c.retentionDays } : {}),
    bookSnapshotRetentionDays: c.bookSnapshotRetentionDays ?? 7,
    heatmapRetentionDays: c.heatmapRetentionDays ?? 30,
    newsRetentionDays: c.newsRetentionDays ?? 90,
    eventRetentionDays: c.eventRetentionDays ?? c.retentionDays,
  });
  return new DurableStore(inner, {
    spoolDir: c.spoolDir ?? './data/spool',
    flushIntervalMs: c.flushIntervalMs,
    ...(c.onError ? { onError: c.onError } : {}),
  });
}
