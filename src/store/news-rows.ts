/**
 * The `news` table shared by both stores: row validation, the stored JSON body, query checks and the
 * cursor. Both stores keep one row per item id (`upsertNews` is idempotent: importing or polling an
 * item again updates its row, votes included, and never adds a second one; the first `received_ts` is
 * kept). Columns: `id` (primary key), `published_ts` and `received_ts` (ms since epoch UTC), `source`,
 * `assets` (list of asset codes, the filter), and `body` (the whole NewsItem as JSON). Retention deletes
 * rows by `received_ts`, so a backfill of old articles stays for the retention period after its import.
 */
import type { NewsItem, NewsQuery } from '../news/types.ts';
import { decodeAlertCursor, encodeAlertCursor } from './types.ts';

/** Most items one news query returns. */
export const NEWS_MAX_LIMIT = 1000;

/**
 * Why an item cannot be stored (null when it can): an id, a title, finite `publishedAt`/`receivedAt`,
 * `assets` an array of strings.
 */
export function invalidNewsItem(it: NewsItem): string | null {
  if (typeof it.id !== 'string' || it.id.length === 0 || it.id.length > 128) return 'item without a valid id';
  if (typeof it.title !== 'string' || it.title.length === 0) return `item ${it.id} without a title`;
  if (!Number.isFinite(it.publishedAt) || !Number.isFinite(it.receivedAt))
    return `item ${it.id} with a non-finite publishedAt/receivedAt`;
  if (!Array.isArray(it.assets) || it.assets.some((a) => typeof a !== 'string'))
    return `item ${it.id} with invalid assets`;
  return null;
}

/**
 * Items that can be stored, the last copy of each id (a batch repeating an id upserts it once).
 * @throws {RangeError} naming the first invalid item
 */
export function checkNewsBatch(items: readonly NewsItem[]): NewsItem[] {
  const byId = new Map<string, NewsItem>();
  for (const it of items) {
    const bad = invalidNewsItem(it);
    if (bad) throw new RangeError(`news: ${bad}`);
    byId.set(it.id, it);
  }
  return [...byId.values()];
}

/** A stored body back to an item, with the row's `received_ts` (the first receive time) as `receivedAt`. */
export function newsFromRow(body: unknown, receivedTs: number): NewsItem {
  const it = (typeof body === 'string' ? JSON.parse(body) : body) as NewsItem;
  return { ...it, receivedAt: receivedTs };
}

/** A validated news query. */
export interface CheckedNewsQuery {
  asset?: string;
  source?: string;
  from?: number;
  to?: number;
  limit: number;
  /** Position after the previous page's last item. */
  after?: { ts: number; id: string };
}

/**
 * Validate a news query. @throws {RangeError} on non-finite from/to, limit < 1 or a bad cursor
 */
export function checkNewsQuery(q: NewsQuery): CheckedNewsQuery {
  if (!(q.limit >= 1)) throw new RangeError('limit must be >= 1');
  const out: CheckedNewsQuery = { limit: Math.min(NEWS_MAX_LIMIT, Math.floor(q.limit)) };
  if (q.asset !== undefined) out.asset = q.asset.toUpperCase();
  if (q.source !== undefined) out.source = q.source;
  for (const k of ['from', 'to'] as const) {
    const v = q[k];
    if (v === undefined) continue;
    if (!Number.isFinite(v)) throw new RangeError(`${k} must be finite ms`);
    out[k] = v;
  }
  if (q.cursor !== undefined) out.after = decodeAlertCursor(q.cursor);
  return out;
}

/** Cursor after an item (base64url of `[publishedAt, id]`, like the alerts cursor). */
export function newsCursor(it: NewsItem): string {
  return encodeAlertCursor({ ts: it.publishedAt, id: it.id });
}
