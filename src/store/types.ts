/**
 * History store contract: the embedded DuckDB store (default) and PostgreSQL implement it, so the API's
 * history endpoints and the writers do not care which one runs.
 *
 * Writes are buffered and batched by the implementation; `append*` never blocks the data path and never
 * throws for a store that is down (accepted rows are kept and retried; see store/durable.ts when present).
 */
import type { ForeignFlowView, IndexView } from '../analytics/ssi/views.ts';
import type { WallEvent } from '../analytics/walls.ts';
import type { AnalyticsMarker } from '../analytics/markers.ts';
import type { Side, Trade } from '../core/model.ts';
import type { BookState } from '../book/health.ts';
import type { MetricsSample } from '../analytics/types.ts';
import type { Alert, Severity } from '../alerts/types.ts';
import type { NewsItem, NewsPage, NewsQuery } from '../news/types.ts';
import type { CrossedMarket } from '../analytics/consolidated/arbitrage.ts';
import type { ConsolidatedBasis } from '../analytics/consolidated/stage.ts';

/** A time range query. Times in ms since epoch UTC, inclusive from, exclusive to. */
export interface RangeQuery {
  instrument: string;
  from: number;
  to: number;
  /** Most rows returned (implementations cap it, default 10,000). */
  limit?: number;
  /**
   * Row order by `localTs` (ties in insertion order): `asc` (default) or `desc` (newest first; the
   * `limit` then keeps the newest rows). Honoured by queryTrades and queryMetrics.
   */
  order?: 'asc' | 'desc';
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

/**
 * A stored order-book snapshot: the top levels of one verified book at one moment. Prices (quote
 * currency) and sizes (base units, or contracts where the venue quotes contracts) are the exact wire
 * decimal strings the venue sent, never converted to floating point, best first.
 */
export interface BookSnapshotRow {
  instrument: string;
  /** Local time the snapshot was taken (the book held exactly these levels then), ms since epoch UTC. */
  localTs: number;
  /** Exchange time of the last applied update, ms since epoch UTC (NaN when unknown). */
  exchangeTs: number;
  /** Last applied venue sequence (NaN when none). */
  sequence: number;
  /** Book state when taken (the producer only stores `live` books). */
  state: BookState;
  /** Bids best (highest) first, `[price, size]` wire strings. */
  bids: [string, string][];
  /** Asks best (lowest) first, `[price, size]` wire strings. */
  asks: [string, string][];
}

/**
 * A book snapshot query. Range mode (`at` absent): snapshots with `from <= localTs < to`, oldest first,
 * at most `limit`. Point mode (`at` set): the one latest snapshot with `localTs <= at` (from/to/limit
 * ignored; empty when none). `depth` (>= 1) trims each side to its best `depth` levels.
 */
export interface BookSnapshotQuery extends RangeQuery {
  depth?: number;
  /** ms since epoch UTC: return the latest snapshot at or before it. */
  at?: number;
}

/**
 * A stored heatmap run (analytics/heatmap.ts HeatmapRun plus what re-bucketing needs): the price bucket
 * `[price, price + bucketSize)` of one side held `size` (base units, summed over the bucket's levels and
 * rounded to the heatmap's significant digits) at every time bin start in `[from, to]` (inclusive bin
 * starts, bins of `binMs`). Written when the run closes.
 */
export interface HeatmapRunRow {
  instrument: string;
  side: Side;
  /** Bucket lower price bound, quote currency. */
  price: number;
  /** Bucket width, quote currency. */
  bucketSize: number;
  /** Time bin width, ms. */
  binMs: number;
  /** First and last bin start, ms since epoch UTC. */
  from: number;
  to: number;
  size: number;
}

/** Validate a snapshot depth. @throws {RangeError} unless undefined or an integer >= 1 */
export function checkDepth(depth: number | undefined): number | undefined {
  if (depth !== undefined && !(Number.isInteger(depth) && depth >= 1))
    throw new RangeError('depth must be an integer >= 1');
  return depth;
}

/** A heatmap runs query: runs overlapping `[from, to)` (`run.to >= from && run.from < to`), by `from`. */
export type HeatmapRunQuery = RangeQuery;

/**
 * What an analytics event row records: a consolidated group's crossed market or basis sample; a
 * Vietnamese market (SSI) index value with its breadth (`index`) or foreign-investor flow sample
 * (`foreign`); or an instrument's analytics marker: wall lifecycle (`wall`), support/resistance cluster
 * formed/dissolved (`cluster`), depth-anomaly and liquidity-shrinkage episodes (`anomaly`, `shrinkage`).
 */
export type AnalyticsEventKind =
  'crossed' | 'basis' | 'index' | 'foreign' | 'wall' | 'cluster' | 'anomaly' | 'shrinkage';

/** Every kind, for validation and the API's enum. */
export const ANALYTICS_EVENT_KINDS: readonly AnalyticsEventKind[] = [
  'crossed',
  'basis',
  'index',
  'foreign',
  'wall',
  'cluster',
  'anomaly',
  'shrinkage',
];

/** One stored analytics event (table `analytics_events`; layout and rules in store/event-rows.ts). */
export interface AnalyticsEventRow {
  /** Unique row id. */
  id: string;
  kind: AnalyticsEventKind;
  /** Consolidation group name (`ssi` for SSI rows; the instrument's venue for instrument markers). */
  group: string;
  /** crossed: sell-on member (high bid); basis: the derivative member. Instrument ids. */
  instrument: string;
  /** crossed: buy-on member (low ask); basis: null. */
  counterparty: string | null;
  /** Local time of the event, whole ms since epoch UTC. */
  ts: number;
  /** crossed: `open` | `update` (new maximum edge) | `close`; basis: `sample`. */
  status: 'open' | 'update' | 'close' | 'sample';
  /** crossed: net edge (bps) at that moment; basis: basis (bps); null when not finite. */
  valueBps: number | null;
  /**
   * The bus event as published (CrossedMarket, ConsolidatedBasis, SSI IndexView or ForeignFlowView, a
   * WallEvent or an AnalyticsMarker).
   */
  body: CrossedMarket | ConsolidatedBasis | IndexView | ForeignFlowView | WallEvent | AnalyticsMarker;
}

/**
 * An analytics events query: every filter optional. `instrument` matches either side of a crossing
 * (`instrument` or `counterparty`); `from`/`to` ms since epoch UTC on `ts` (inclusive/exclusive);
 * `limit` as store/query.ts checkLimit (default 10,000, capped); `cursor` = the previous page's
 * `nextCursor`.
 */
export interface AnalyticsEventQuery {
  group?: string;
  instrument?: string;
  kind?: AnalyticsEventKind;
  from?: number;
  to?: number;
  limit?: number;
  cursor?: string;
}

/** One page of events, newest first; `nextCursor` is null on the last page. */
export interface AnalyticsEventPage {
  events: AnalyticsEventRow[];
  nextCursor: string | null;
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
  /**
   * Queue book snapshots (rows with an empty instrument, a `localTs` that is not finite ms, or a level
   * that is not a pair of decimal strings are refused and counted). Optional: the API answers 501 without.
   */
  appendBookSnapshots?(rows: readonly BookSnapshotRow[]): void;
  /** Stored book snapshots (see BookSnapshotQuery). @throws {RangeError} on a bad range or depth */
  queryBookSnapshots?(q: BookSnapshotQuery): Promise<BookSnapshotRow[]>;
  /** Queue closed heatmap runs (invalid rows refused and counted). Optional: memory-only heatmap without. */
  appendHeatmapRuns?(rows: readonly HeatmapRunRow[]): void;
  /** Stored heatmap runs overlapping a range, oldest `from` first. @throws {RangeError} on a bad range */
  queryHeatmapRuns?(q: HeatmapRunQuery): Promise<HeatmapRunRow[]>;
  /**
   * Upsert news items by id (store/news-rows.ts): idempotent, an item stored again updates its row.
   * Optional: without it news is not kept (the news API answers 501).
   * @returns how many items were new to the store
   * @throws {RangeError} for an invalid item; the store's error when the write fails (nothing is queued)
   */
  upsertNews?(items: readonly NewsItem[]): Promise<number>;
  /** Stored news, newest first, filtered and paginated. @throws {RangeError} on a bad query or cursor */
  queryNews?(q: NewsQuery): Promise<NewsPage>;
  /**
   * Queue analytics events (crossed markets, basis; store/event-rows.ts), invalid rows refused and
   * counted. Optional: without it the events history is not kept (the API answers 501).
   */
  appendAnalyticsEvents?(rows: readonly AnalyticsEventRow[]): void;
  /** Stored analytics events, newest first, filtered and paginated. @throws {RangeError} on a bad query or cursor */
  queryAnalyticsEvents?(q: AnalyticsEventQuery): Promise<AnalyticsEventPage>;
  /** Row counts per table (for tests, /metrics and fleet comparisons). */
  counts(): Promise<Record<string, number>>;
  /** Flush and release resources. */
  close(): Promise<void>;
}

/** Options from the config's `store` section. */
export interface StoreChoice {
  url: string;
  flushIntervalMs: number;
  retentionDays: number;
  /** Days of book snapshots kept (0 = forever; default 7). */
  bookSnapshotRetentionDays?: number;
  /** Days of closed heatmap runs kept (0 = forever; default 30). */
  heatmapRetentionDays?: number;
  /** Days of news kept, by receive time (0 = forever; default 90). */
  newsRetentionDays?: number;
  /** Days of analytics events (crossed markets, basis) kept (0 = forever; default `retentionDays`). */
  eventRetentionDays?: number;
  /** Spool directory for the durable wrapper (PostgreSQL). */
  spoolDir?: string;
  onError?: (err: unknown) => void;
}
