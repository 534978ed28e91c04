/**
 * Shapes of the HTTP and WebSocket API (the dashboard codes against these). JSON on the wire: every
 * NaN/±Infinity number is sent as `null` (JSON.stringify), so a field typed `number` may arrive as null
 * when unknown (e.g. `sequence` before the first snapshot, `exchangeTs` of a venue that sends none).
 * Times are ms since epoch UTC; prices quote currency; sizes base units.
 */
import type { MetricsSample } from '../analytics/types.ts';
import type { BookCounters, BookHealth, BookState, Coverage, HealthReasonCode } from '../book/health.ts';
import type { DropCounters, Engine } from '../pipeline/engine.ts';
import type { BookView } from '../pipeline/topics.ts';
import type { InstrumentBook } from '../book/instrument-book.ts';
import type { AnalyticsStage } from '../analytics/stage.ts';
import type { Trade } from '../core/model.ts';
import type { BookSnapshotRow, Candle, TradeRow } from '../store/types.ts';
import type { Alert } from '../alerts/types.ts';
import type { AlertRule } from '../alerts/schema.ts';
import type { InstrumentAnalytics, InstrumentAnalyticsView } from '../analytics/instrument.ts';
import type { HeatmapSlice } from '../analytics/heatmap.ts';
import type { NewsItem } from '../news/types.ts';
import type { InstrumentCatalog, InstrumentSpec } from '../core/instrument.ts';

/** What the API reads from the pipeline (see {@link engineView}). Read-only use. */
export interface ApiEngine {
  /** Verified books by instrument id. */
  readonly books: ReadonlyMap<string, InstrumentBook>;
  /** Dropped frames by venue then reason. */
  readonly dropped: DropCounters;
  /** Frames handled by venue. */
  readonly frames: Readonly<Record<string, number>>;
  /** Latest metrics per instrument (empty when metrics are not computed here). */
  readonly latest: ReadonlyMap<string, MetricsSample>;
  /** An instrument's stateful analytics, undefined when analytics are off. */
  analytics?(instrument: string): InstrumentAnalytics | undefined;
  /** An instrument's spec (loaded reference data, or the documented fallback); absent: not known here. */
  spec?(instrument: string): InstrumentSpec;
}

/**
 * The API's read view of an engine and its analytics stage (null: books only).
 * @param instruments the specs to show per instrument (the pipeline's catalog); none: no `spec` shown
 */
export function engineView(
  engine: Pick<Engine, 'books' | 'dropped' | 'frames'>,
  analytics: Pick<AnalyticsStage, 'latest' | 'analytics'> | null,
  instruments?: Pick<InstrumentCatalog, 'get'>,
): ApiEngine {
  return {
    books: engine.books,
    dropped: engine.dropped,
    frames: engine.frames,
    latest: analytics?.latest ?? new Map(),
    ...(analytics ? { analytics: (id: string) => analytics.analytics(id) } : {}),
    ...(instruments ? { spec: (id: string) => instruments.get(id) } : {}),
  };
}

/** One instrument in `GET /api/v1/instruments` (its book health, flattened). */
export interface InstrumentInfo {
  /** `<venue>:<symbol>`. */
  instrument: string;
  venue: string;
  symbol: string;
  state: BookState;
  /** Why the book is in its state, as a stable code (null when live). */
  reasonCode: HealthReasonCode | null;
  /** The detail of `reasonCode` in words. */
  reason: string | null;
  /** When the state last changed. */
  since: number;
  counters: BookCounters;
  lastResyncAt: number | null;
  /** Last applied venue sequence (null when none yet). */
  sequence: number;
  /** Exchange-to-local latency of the last update, ms (null when unknown). */
  latencyMs: number;
  coverage: Coverage;
  /** Local time of the last book change (0 when none yet). */
  lastUpdateLocalTs: number;
  /**
   * The instrument's reference data: base, quote, settle, kind, margin (spot / linear / inverse),
   * contract size, size unit, tick, lot, precisions, expiry, and `source` (`reference` loaded at start,
   * `recording`, or the documented `fallback`); null where the server keeps no catalog.
   */
  spec: InstrumentSpec | null;
}

/** `GET /api/v1/instruments`. */
export interface InstrumentsResponse {
  /** Sorted by instrument id. */
  instruments: InstrumentInfo[];
  /** Frames dropped before reaching a book, by venue then reason code. */
  dropped: DropCounters;
  /** Frames handled, by venue. */
  frames: Record<string, number>;
}

/** `GET /api/v1/books/:instrument?depth=N`: the top N levels per side, best first, [price, size]. */
export interface BookResponse {
  instrument: string;
  state: BookState;
  sequence: number;
  /** Exchange time of the last applied update (null when unknown). */
  exchangeTs: number;
  /** Local receive time of the last applied update (0 when none yet). */
  localTs: number;
  bids: [number, number][];
  asks: [number, number][];
}

/** `GET /api/v1/metrics/:instrument`: the latest sample as computed after the last book update. */
export type LatestMetricsResponse = MetricsSample;

/**
 * `GET /api/v1/history/metrics`: stored samples oldest first, a bare array (the range is the one asked
 * for); downsampled when `interval` was given (then `localTs` is the bucket start).
 */
export type HistoryMetricsResponse = MetricsSample[];

/** `GET /api/v1/history/trades`: stored trades oldest first, a bare array. */
export type HistoryTradesResponse = TradeRow[];

/**
 * `GET /api/v1/history/orderbook`: stored book snapshots oldest first (with `at`: zero or one, the latest
 * at or before it), a bare array. Levels are `[price, size]` exact wire decimal strings, best first.
 */
export type HistoryOrderbookResponse = BookSnapshotRow[];

/** `GET /api/v1/history/candles`: OHLCV from stored trades oldest first, a bare array. */
export type HistoryCandlesResponse = Candle[];

/** `GET /api/v1/alerts`: stored alerts newest first; pass `nextCursor` as `cursor` for the next page. */
export interface AlertsResponse {
  alerts: Alert[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
}

/**
 * `GET /api/v1/alert-rules`: the effective rules (built-ins minus disabled ones, same-id configured
 * rules replacing them, then the other configured rules), each with its per-instrument `overrides`.
 */
export interface AlertRulesResponse {
  rules: AlertRule[];
}

/** `GET /api/v1/analytics/:instrument`: walls (with lifecycle), clusters, flow/CVD/VWAP, candles + indicators. */
export type AnalyticsResponse = InstrumentAnalyticsView;

/**
 * `GET /api/v1/history/heatmap`: runs in the range (closed runs from the store merged with the in-memory
 * heatmap's runs, open ones included), re-bucketed to `bucketSize`; gaps and coverage come from memory only
 * (the in-memory retention, 1 h by default; empty for ranges before it or after a restart).
 */
export type HeatmapResponse = HeatmapSlice & {
  instrument: string;
  from: number;
  to: number;
  /** Runs that came from the store (before merging and re-bucketing); 0 when the store keeps none. */
  storedRuns: number;
};

/** Error body of every 4xx/5xx answer. */
export interface ErrorResponse {
  statusCode: number;
  error: string;
  message: string;
}

/** WebSocket channels. */
export type WsChannel = 'metrics' | 'book' | 'trades' | 'health' | 'alerts' | 'news';

/** Client → server messages on `/ws`. */
export type WsClientMessage =
  | {
      op: 'subscribe';
      channel: WsChannel;
      /** An instrument id, or `*` for all. */
      instrument: string;
      /** At most one message per instrument per this many ms (latest value wins; trades are queued, not conflated). */
      throttleMs?: number;
    }
  | { op: 'unsubscribe'; channel: WsChannel; instrument: string }
  | { op: 'ping' };

/** Server → client data messages on `/ws`. */
export type WsDataMessage =
  | { channel: 'metrics'; instrument: string; data: MetricsSample }
  | { channel: 'book'; instrument: string; data: BookView }
  | { channel: 'trades'; instrument: string; data: Trade }
  | { channel: 'health'; instrument: string; data: BookHealth }
  | { channel: 'alerts'; instrument: string; data: Alert }
  /** `instrument` is the subscription it matched: `*` or `asset:<CODE>`. */
  | { channel: 'news'; instrument: string; data: NewsItem };

/** Server → client control messages on `/ws`. */
export type WsControlMessage =
  | {
      op: 'subscribed';
      channel: WsChannel;
      instrument: string;
      throttleMs: number;
      /** Whether the engine knows the instrument now (an unknown one may appear later). */
      known: boolean;
    }
  | { op: 'unsubscribed'; channel: WsChannel; instrument: string }
  | { op: 'pong'; ts: number }
  | { error: string };

/** Everything the server sends on `/ws`. */
export type WsServerMessage = WsDataMessage | WsControlMessage;
