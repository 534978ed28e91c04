/**
 * History store contract: the embedded DuckDB store (default) and PostgreSQL implement it, so the API's
 * history endpoints and the writers do not care which one runs.
 *
 * Writes are buffered and batched by the implementation; `append*` never blocks the data path and never
 * throws for a store that is down (accepted rows are kept and retried; see store/durable.ts when present).
 */
import type { Trade } from '../core/model.ts';
import type { MetricsSample } from '../analytics/types.ts';

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
  /** Row counts per table (for tests, /metrics and fleet comparisons). */
  counts(): Promise<Record<string, number>>;
  /** Flush and release resources. */
  close(): Promise<void>;
}
