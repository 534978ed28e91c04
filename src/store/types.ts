/**
 * History store contract: the embedded DuckDB store (default) and PostgreSQL implement it, so the API's
 * history endpoints and the writers do not care which one runs.
 *
 * Writes are buffered and batched by the implementation; `append*` never blocks the data path and never
 * throws for a store that is down (accepted rows are kept and retried; see store/durable.ts when present).
 */
import type { Trade } from '../core/model.ts';
import type { MetricsSample } from '../analytics/types.ts';
import type { Alert, Severity } from '../alerts/types.ts';

/** A time range query. Times in ms since epoch UTC, inclusive from, exclusive to. */
export interface RangeQuery {
  instrument: string;
  from: number;
  to: number;
  /** Most rows returned (implementations cap it, default 10,000). */
  limit?: number;
}

/**
 * A metrics range query, optionally downsampled. With `interval` (ms, > 0) the rows are grouped into
 * buckets `[floor(localTs / interval) × interval, + interval)` and one sample per bucket is returned:
 * `localTs` = bucket start; `exchangeTs`, `state`, `sequence` and every price/size/notional/spread field =
 * the bucket's last row (latest `localTs`); the `imbalance*` fields = the bucket's average.
 * Without `interval`, raw rows. Implementations that cannot downsample must throw, not ignore it.
 */
export interface MetricsQuery extends RangeQuery {
  /** Bucket width, ms; omitted/0 = raw rows. */
  interval?: number;
}

/** Candle widths the stores compute (ms by name). */
export const CANDLE_INTERVALS = {
  '1s': 1_000,
  '5s': 5_000,
  '1m': 60_000,
  '15m': 900_000,
  '1h': 3_600_000,
} as const;

/** A candle width name: `1s`, `5s`, `1m`, `15m` or `1h`. */
export type CandleInterval = keyof typeof CANDLE_INTERVALS;

/** An OHLCV query over trades. Buckets as in MetricsQuery, keyed by trade `localTs`. */
export interface CandleQuery extends RangeQuery {
  interval: CandleInterval;
}

/** One OHLCV candle from trades (prices quote currency, volumes base units, ts ms since epoch UTC). */
export interface Candle {
  /** Bucket start, ms since epoch UTC. */
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Sum of trade sizes. */
  volume: number;
  /** Sum of sizes of `buy` (ask-lifting) and `sell` (bid-hitting) trades. */
  buyVolume: number;
  sellVolume: number;
  /** Number of trades. */
  trades: number;
}

/** A stored trade row. */
export interface TradeRow {
  instrument: string;
  exchangeTs: number;
  localTs: number;
  id: string;
  price: number;
  size: number;
  side: Trade['side'];
}

/**
 * An alerts query: every filter optional, newest first (`ts` descending, then `id` descending), at most
 * `limit` rows. Times ms since epoch UTC on the alert's `ts` (local time of the input that fired it),
 * inclusive `from`, exclusive `to`. `cursor` is the opaque `nextCursor` of the previous page.
 */
export interface AlertQuery {
  instrument?: string;
  severity?: Severity;
  /** Rule id. */
  rule?: string;
  from?: number;
  to?: number;
  limit: number;
  cursor?: string;
}

/** One page of alerts: `nextCursor` is null on the last page. */
export interface AlertPage {
  alerts: Alert[];
  nextCursor: string | null;
}

/** Position after the last row of a page: its `(ts, id)`. */
export interface AlertCursor {
  ts: number;
  id: string;
}

/** Encode an alerts cursor (base64url of `[ts, id]` JSON; clients treat it as opaque). */
export function encodeAlertCursor(c: AlertCursor): string {
  return Buffer.from(JSON.stringify([c.ts, c.id]), 'utf8').toString('base64url');
}

/**
 * Decode an alerts cursor made by {@link encodeAlertCursor}.
 * @throws {RangeError} when the text is not such a cursor
 */
export function decodeAlertCursor(s: string): AlertCursor {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    throw new RangeError('cursor: not a cursor returned by this API');
  }
  if (!Array.isArray(v) || v.length !== 2 || !Number.isFinite(v[0]) || typeof v[1] !== 'string')
    throw new RangeError('cursor: not a cursor returned by this API');
  return { ts: v[0] as number, id: v[1] as string };
}

/** Append-only history with range queries. */
export interface HistoryStore {
  /** Create or migrate the schema. Must be called (and awaited) before use. */
  init(): Promise<void>;
  /** Queue metric samples for writing (one row each). */
  appendMetrics(rows: readonly MetricsSample[]): void;
  /** Queue trades for writing. */
  appendTrades(rows: readonly Trade[]): void;
  /** Write everything queued; resolves when it is durable in the store. */
  flush(): Promise<void>;
  /** Metric samples of one instrument in a range, oldest first (downsampled when `q.interval` is set). */
  queryMetrics(q: MetricsQuery): Promise<MetricsSample[]>;
  /** Trades of one instrument in a range, oldest first. */
  queryTrades(q: RangeQuery): Promise<TradeRow[]>;
  /** OHLCV candles from stored trades, oldest first. Optional: the API answers 501 without it. */
  queryCandles?(q: CandleQuery): Promise<Candle[]>;
  /**
   * Queue alerts for writing (rows are kept as given; an alert without a finite `ts` is refused and
   * counted). Optional: stores without it keep no alert history (the API answers 501).
   */
  appendAlerts?(rows: readonly Alert[]): void;
  /** Stored alerts, newest first, filtered and paginated (see AlertQuery). @throws {RangeError} on a bad cursor */
  queryAlerts?(q: AlertQuery): Promise<AlertPage>;
  /** Row counts per table (for tests, /metrics and fleet comparisons). */
  counts(): Promise<Record<string, number>>;
  /** Flush and release resources. */
  close(): Promise<void>;
}
