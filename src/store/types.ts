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
  /** Metric samples of one instrument in a range, oldest first. */
  queryMetrics(q: RangeQuery): Promise<MetricsSample[]>;
  /** Trades of one instrument in a range, oldest first. */
  queryTrades(q: RangeQuery): Promise<TradeRow[]>;
  /** Row counts per table (for tests, /metrics and fleet comparisons). */
  counts(): Promise<Record<string, number>>;
  /** Flush and release resources. */
  close(): Promise<void>;
}
