/**
 * The API contract the dashboard is built against (REST under `/api/v1`, WebSocket at `/ws`).
 * Mirrors the server's shapes (src/analytics/types.ts, src/book/health.ts, src/bus/types.ts) as JSON:
 * NaN becomes `null`. Units: prices in quote currency, sizes in base units (or contracts), notional in
 * quote currency, spreads in quote units and basis points, imbalances in [-1, 1], times in ms since epoch UTC.
 */

/** Lifecycle of one instrument's book (see src/book/health.ts). */
export type BookState = 'connecting' | 'syncing' | 'live' | 'resyncing' | 'stale' | 'invalid';

/** Every book state, in display order. */
export const BOOK_STATES: readonly BookState[] = [
  'live',
  'syncing',
  'connecting',
  'resyncing',
  'stale',
  'invalid',
];

/** Per-instrument counters since start (monotonic). Extra server counters are kept but not typed. */
export interface BookCounters {
  frames: number;
  snapshots: number;
  deltasApplied: number;
  gaps: number;
  checksumFailures: number;
  crossedBooks: number;
  resyncs: number;
  dropped: number;
  oracleChecked: number;
  oracleMatched: number;
  trades: number;
  [extra: string]: number;
}

/** Price range over which the book is known; `null` bound = unbounded on that side. */
export interface Coverage {
  bidFloor: number | null;
  askCeiling: number | null;
}

/** One entry of `GET /api/v1/instruments`. */
export interface InstrumentInfo {
  /** `<venue>:<symbol>`, e.g. `binance-usdm:BTCUSDT`. */
  instrument: string;
  venue: string;
  symbol: string;
  state: BookState;
  /** Why the book is in this state; null when live. */
  reason: string | null;
  /** Local ms since epoch when the state last changed. */
  since: number;
  counters: BookCounters;
  lastResyncAt: number | null;
  sequence: number | null;
  /** Exchange-to-local latency of the last update, ms. */
  latencyMs: number | null;
  coverage: Coverage;
}

/** `GET /api/v1/instruments`. `dropped`: frames dropped before reaching a book, by venue then reason code. */
export interface InstrumentsResponse {
  instruments: InstrumentInfo[];
  dropped: Record<string, Record<string, number>>;
}

/** One level: [price quote, size base]. */
export type Level = [number, number];

/** `GET /api/v1/books/:instrument?depth=N`: bids and asks best first. */
export interface BookResponse {
  instrument: string;
  state: BookState;
  sequence: number | null;
  bids: Level[];
  asks: Level[];
}

/** Book metrics; `null` = unknown (empty side or beyond coverage). More fields may come. */
export interface BookMetrics {
  bestBid: number | null;
  bestBidSize: number | null;
  bestAsk: number | null;
  bestAskSize: number | null;
  mid: number | null;
  /** bestAsk − bestBid, quote units. */
  spread: number | null;
  /** spread / mid × 1e4. */
  spreadBps: number | null;
  microprice: number | null;
  /** (bidSize − askSize)/(bidSize + askSize) at L1, in [-1, 1]. */
  imbalanceL1: number | null;
  /** Same over the top 10 levels per side. */
  imbalanceTopN: number | null;
  /** Bid notional within 0.5% below mid, quote. */
  bidNotional50bps: number | null;
  askNotional50bps: number | null;
  bidNotional100bps: number | null;
  askNotional100bps: number | null;
  [extra: string]: number | null;
}

/** `GET /api/v1/metrics/:instrument`, history rows, and the `metrics` channel payload. */
export interface MetricsSample {
  instrument: string;
  exchangeTs: number | null;
  localTs: number;
  state: BookState;
  sequence: number | null;
  metrics: BookMetrics;
}

/** `book` channel payload: top of book after a change, best first. */
export interface BookUpdate {
  instrument: string;
  exchangeTs: number | null;
  localTs: number;
  sequence: number | null;
  state: BookState;
  bids: Level[];
  asks: Level[];
}

/** Taker side of a trade. */
export type TradeSide = 'buy' | 'sell' | 'unknown';

/** `trades` channel payload. Price and size are wire decimal strings. */
export interface TradeUpdate {
  instrument: string;
  exchangeTs: number | null;
  localTs: number;
  id: string;
  price: string;
  size: string;
  side: TradeSide;
}

/** `health` channel payload (BookHealth). */
export interface BookHealth {
  instrument: string;
  state: BookState;
  reason: string | null;
  since: number;
  counters: BookCounters;
  lastResyncAt: number | null;
  sequence: number | null;
  lastUpdateLocalTs?: number;
  latencyMs: number | null;
  coverage: Coverage;
}

/** WebSocket channels the dashboard uses. */
export type Channel = 'metrics' | 'book' | 'trades' | 'health';

/** Payload type per channel. */
export interface ChannelPayload {
  metrics: MetricsSample;
  book: BookUpdate;
  trades: TradeUpdate;
  health: BookHealth;
}

/** A server → client data message. */
export interface ServerMessage<C extends Channel = Channel> {
  channel: C;
  instrument: string;
  data: ChannelPayload[C];
}

/** A client → server control message. `instrument` is an id or `*` (all). */
export interface ClientMessage {
  op: 'subscribe' | 'unsubscribe';
  channel: Channel;
  instrument: string;
  /** Conflate updates to at most one per this many ms (server side). */
  throttleMs?: number;
}

/**
 * One stored book snapshot (`GET /api/v1/history/orderbook`): the top levels of a live book at `localTs`
 * (when it was taken). Levels are `[price, size]` exact wire decimal strings (not numbers), best first.
 */
export interface BookSnapshot {
  instrument: string;
  localTs: number;
  /** Exchange time of the last applied update (null when unknown). */
  exchangeTs: number | null;
  sequence: number | null;
  state: BookState;
  bids: [string, string][];
  asks: [string, string][];
}

/** `GET /api/v1/history/orderbook`: snapshots oldest first (with `at=`: zero or one). */
export type HistoryOrderbookResponse = BookSnapshot[];

/** A heatmap run: bucket `[price, price + bucketSize)` held `size` at every bin start in `[from, to]`. */
export interface HeatmapRun {
  side: 'bid' | 'ask';
  price: number;
  from: number;
  to: number;
  size: number;
}

/** A time range `[from, to)` the book was not live (nothing recorded). */
export interface HeatmapGap {
  from: number;
  to: number;
  state: BookState;
}

/** Covered price range of a run of bins. */
export interface HeatmapCoverage {
  from: number;
  to: number;
  priceLow: number;
  priceHigh: number;
}

/**
 * `GET /api/v1/history/heatmap`: stored closed runs merged with the in-memory heatmap, re-bucketed to
 * `bucketSize`; gaps and coverage from memory only (last hour by default).
 */
export interface HeatmapResponse {
  instrument: string;
  from: number;
  to: number;
  bucketSize: number;
  binMs: number;
  runs: HeatmapRun[];
  gaps: HeatmapGap[];
  coverage: HeatmapCoverage[];
  /** Runs read from the store (0 when it keeps none). */
  storedRuns: number;
}
