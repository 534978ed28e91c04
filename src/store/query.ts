/**
 * The one query layer of the history stores: what a range query, a limit, a downsampling interval, a
 * candle interval and a retention cut-off mean, and how metric fields map to columns. Both stores
 * (DuckDB in store/duckdb.ts, PostgreSQL in store/postgres/) validate and shape queries here, so they
 * answer the same question the same way (they used to disagree on `limit <= 0`).
 *
 * Rules:
 * - Ranges are `from <= localTs < to`, ms since epoch UTC (local receive time), both finite; `from` may
 *   equal `to` (an empty range); `from > to` is refused.
 * - `limit` is an integer >= 1 when given (else RangeError); absent → {@link DEFAULT_QUERY_LIMIT}; capped
 *   at the store's `maxQueryRows` (default {@link MAX_QUERY_ROWS}).
 * - Downsampling (`interval` ms > 0): one row per bucket `[floor(ts / interval) × interval, + interval)`,
 *   imbalances averaged over the bucket, every other field the bucket's last value; `interval` 0 or
 *   absent = raw rows.
 * - Retention: a table with `days > 0` keeps rows with `localTs >= now - days × 86,400,000`; 0 = forever.
 */
import { BOOK_METRIC_FIELDS, LEGACY_METRIC_NAMES } from '../analytics/types.ts';
import { CANDLE_INTERVALS, type CandleInterval, type RangeQuery } from './types.ts';

/** Rows a query returns when it gives no limit. */
export const DEFAULT_QUERY_LIMIT = 10_000;
/** Default cap of rows per query (a store option can lower or raise it). */
export const MAX_QUERY_ROWS = 100_000;

const DAY_MS = 86_400_000;

/** A validated range query. */
export interface CheckedRange {
  instrument: string;
  /** ms since epoch UTC, integers (from floored, to ceiled). */
  from: number;
  to: number;
  limit: number;
}

/**
 * Validate a limit: absent → `DEFAULT_QUERY_LIMIT`; else an integer >= 1, capped at `cap`.
 * @throws {RangeError} when given and not an integer >= 1
 */
export function checkLimit(limit: number | undefined, cap: number = MAX_QUERY_ROWS): number {
  if (limit === undefined) return Math.min(cap, DEFAULT_QUERY_LIMIT);
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be an integer >= 1');
  return Math.min(cap, limit);
}

/**
 * Validate a range query.
 * @throws {RangeError} on an empty instrument, non-finite bounds, `from > to` or a bad limit
 */
export function checkRange(q: RangeQuery, cap: number = MAX_QUERY_ROWS): CheckedRange {
  if (typeof q.instrument !== 'string' || q.instrument.length === 0)
    throw new RangeError('instrument must be a non-empty string');
  if (!Number.isFinite(q.from) || !Number.isFinite(q.to)) throw new RangeError('from/to must be finite ms');
  if (q.from > q.to) throw new RangeError('from must not be after to');
  return {
    instrument: q.instrument,
    from: Math.floor(q.from),
    to: Math.ceil(q.to),
    limit: checkLimit(q.limit, cap),
  };
}

/**
 * Validate a metrics downsampling interval (ms).
 * @returns the interval, 0 for raw rows
 * @throws {RangeError} when negative or not finite
 */
export function checkInterval(interval: number | undefined): number {
  const iv = interval ?? 0;
  if (!Number.isFinite(iv) || iv < 0) throw new RangeError('interval must be ms >= 0');
  return iv;
}

/**
 * The width of a candle interval name, ms.
 * @throws {RangeError} for an unknown name
 */
export function candleIntervalMs(name: CandleInterval | string): number {
  const iv = (CANDLE_INTERVALS as Record<string, number>)[name];
  if (iv === undefined)
    throw new RangeError(`interval must be one of ${Object.keys(CANDLE_INTERVALS).join(', ')}`);
  return iv;
}

/** Start of the bucket of width `interval` holding `ts` (ms). */
export function bucketStart(ts: number, interval: number): number {
  return Math.floor(ts / interval) * interval;
}

/** Whether a metric field is averaged over a downsampling bucket (imbalances); others take the last value. */
export function isAveraged(field: string): boolean {
  return field.startsWith('imbalance');
}

/**
 * The oldest `localTs` a table keeps under `days` of retention at `now`, or null when it keeps
 * everything (`days` 0).
 */
export function retentionCutoff(now: number, days: number): number | null {
  return days > 0 ? now - days * DAY_MS : null;
}

/** Column name of a metric field: camelCase → snake_case (`bidNotional50bps` → `bid_notional50bps`). */
export function metricColumn(field: string): string {
  return field.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

/** Metric value columns, in BOOK_METRIC_FIELDS order. */
export const METRIC_COLUMNS: readonly string[] = BOOK_METRIC_FIELDS.map(metricColumn);

/** Columns of deprecated metric names and the current columns they were renamed to. */
export const LEGACY_METRIC_COLUMNS: readonly (readonly [old: string, current: string])[] = Object.entries(
  LEGACY_METRIC_NAMES,
).map(([old, cur]) => [metricColumn(old), metricColumn(cur)] as const);

/**
 * The renames that bring an existing metrics table to the current column names: each deprecated column
 * present while its current one is absent (data kept, not copied).
 */
export function legacyRenames(existing: readonly string[]): (readonly [old: string, current: string])[] {
  return LEGACY_METRIC_COLUMNS.filter(([old, cur]) => existing.includes(old) && !existing.includes(cur));
}

/**
 * The statements that (re)create `<view>` over `<table>`: every column plus the deprecated metric names
 * as aliases of their current columns, so SQL written against the old names keeps working for one
 * release. Dropped and created again (not replaced): `SELECT *` expands at creation, and a replaced
 * view may not change its columns once the table gained one. Run after the table's columns are final;
 * `table` and `view` must be already quoted/qualified identifiers.
 */
export function legacyMetricsViewSql(table: string, view: string): string[] {
  const aliases = LEGACY_METRIC_COLUMNS.map(([old, cur]) => `${cur} AS ${old}`).join(', ');
  return [`DROP VIEW IF EXISTS ${view}`, `CREATE VIEW ${view} AS SELECT *, ${aliases} FROM ${table}`];
}
