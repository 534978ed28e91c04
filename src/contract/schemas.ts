/**
 * Response and payload schemas of the API (zod): one representation per concept, shared by the REST
 * routes (routes.ts), the WebSocket channels (ws.ts), the OpenAPI/AsyncAPI documents and the client SDK.
 * Conventions: see common.ts. Objects are open (`object`) where the server may add fields in a
 * minor release; the contract test checks every listed field.
 */
import { z } from 'zod';
import {
  BookState,
  DecimalText,
  InstrumentId,
  Level,
  LevelText,
  Severity,
  TradeSide,
  msTime,
  msTimeOrNull,
  nullableNumber,
  page,
} from './common.ts';

/** Per-instrument counters since start (monotonic; see book/health.ts). */
export const BookCounters = z.object({
  frames: z.number(),
  snapshots: z.number(),
  deltasApplied: z.number(),
  staleDeltas: z.number(),
  levelsApplied: z.number(),
  gaps: z.number(),
  checksumChecked: z.number(),
  checksumMatched: z.number(),
  checksumFailures: z.number(),
  crossedBooks: z.number(),
  lockedBooks: z.number(),
  resyncs: z.number().describe('resyncs started: integrity faults (gap, checksum, crossed, reconnect...)'),
  restarts: z
    .number()
    .optional()
    .describe(
      'feed restarts (the demo looping its recording, reason replay_restart): not faults, not in resyncs',
    ),
  dropped: z.number(),
  oracleChecked: z.number(),
  oracleMatched: z.number(),
  oracleDeferred: z.number(),
  oracleLevels: z.number(),
  oraclePartial: z.number(),
  oracleUncovered: z.number(),
  trades: z.number(),
});
export type BookCounters = z.infer<typeof BookCounters>;

/** Price range over which the book is known; a null bound is unbounded on that side. */
export const Coverage = z.object({ bidFloor: nullableNumber, askCeiling: nullableNumber });
export type Coverage = z.infer<typeof Coverage>;

/** Health of one book (`health` channel payload). */
export const BookHealth = z.object({
  instrument: InstrumentId,
  state: BookState,
  /** Stable code of why the book is in its state (null when live). */
  reasonCode: z.string().nullable(),
  reason: z.string().nullable(),
  since: msTime,
  counters: BookCounters,
  lastResyncAt: msTimeOrNull,
  sequence: nullableNumber.describe('last applied venue sequence (null when none yet)'),
  lastUpdateLocalTs: msTime.describe('local time of the last book change (0 when none yet)'),
  latencyMs: nullableNumber.describe('exchange-to-local latency of the last update, ms'),
  coverage: Coverage,
});
export type BookHealth = z.infer<typeof BookHealth>;

/** One instrument of `GET /api/v1/instruments`: its book health with venue and symbol. */
/**
 * An instrument's reference data (core/instrument.ts InstrumentSpec): contract size (quote currency for
 * inverse contracts, base units for linear), tick and lot as decimal text, expiry ms since epoch UTC,
 * `source`: loaded `reference`, `recording`, or the documented `fallback`.
 */
export const InstrumentSpec = z.object({
  id: z.string(),
  venue: z.string(),
  symbol: z.string(),
  base: z.string(),
  quote: z.string(),
  settle: z.string(),
  kind: z.enum(['spot', 'perpetual', 'future', 'option']),
  margin: z.enum(['spot', 'linear', 'inverse']),
  contractSize: z.number(),
  sizeUnit: z.enum(['base', 'contracts']),
  tickSize: z.string(),
  lotSize: z.string(),
  pricePrecision: z.number().nullable(),
  sizePrecision: z.number().nullable(),
  expiry: z.number().nullable(),
  option: z.object({ strike: z.number(), type: z.enum(['call', 'put']) }).optional(),
  source: z.enum(['reference', 'recording', 'fallback']),
});
export type InstrumentSpec = z.infer<typeof InstrumentSpec>;

export const InstrumentInfo = BookHealth.extend({
  venue: z.string(),
  symbol: z.string(),
  spec: InstrumentSpec.nullable().describe('reference data; null where the server keeps no catalog'),
});
export type InstrumentInfo = z.infer<typeof InstrumentInfo>;

/** `GET /api/v1/instruments`: a page of instruments, sorted by id, plus drop and frame counters. */
export const InstrumentsResponse = page(InstrumentInfo).extend({
  dropped: z
    .record(z.string(), z.record(z.string(), z.number()))
    .describe('frames dropped before reaching a book, by venue then reason code'),
  frames: z.record(z.string(), z.number()).describe('frames handled, by venue'),
});
export type InstrumentsResponse = z.infer<typeof InstrumentsResponse>;

/** A top-of-book view: REST `GET /api/v1/books/:instrument` and the `book` channel payload. */
export const BookView = z.object({
  instrument: InstrumentId,
  state: BookState,
  sequence: nullableNumber,
  exchangeTs: msTimeOrNull,
  localTs: msTime,
  /** Best first. */
  bids: z.array(Level),
  asks: z.array(Level),
});
export type BookView = z.infer<typeof BookView>;

/**
 * Book metrics (units and definitions: analytics/types.ts BookMetrics); null = unknown (empty side or
 * beyond coverage). During the deprecation release the answers also carry the old names
 * (LEGACY_METRIC_NAMES), which are not part of the contract.
 */
export const BookMetrics = z.object({
  bestBid: nullableNumber,
  bestBidSize: nullableNumber,
  bestAsk: nullableNumber,
  bestAskSize: nullableNumber,
  mid: nullableNumber,
  spread: nullableNumber,
  spreadBps: nullableNumber,
  microprice: nullableNumber,
  imbalanceL1: nullableNumber,
  imbalanceTopN: nullableNumber,
  bidNotional50bps: nullableNumber,
  askNotional50bps: nullableNumber,
  bidNotional100bps: nullableNumber,
  askNotional100bps: nullableNumber,
  imbalanceWeighted: nullableNumber,
  topVolumeRatio: nullableNumber,
  bidNotional10bps: nullableNumber,
  askNotional10bps: nullableNumber,
  bidNotional200bps: nullableNumber,
  askNotional200bps: nullableNumber,
  buyFillPrice: nullableNumber,
  buyImpactBps: nullableNumber,
  sellFillPrice: nullableNumber,
  sellImpactBps: nullableNumber,
  bidDepthToMove: nullableNumber,
  askDepthToMove: nullableNumber,
  imbalanceVelocity: nullableNumber,
});
export type BookMetrics = z.infer<typeof BookMetrics>;

/** A metrics sample: `GET /api/v1/metrics/:instrument`, history rows and the `metrics` channel payload. */
export const MetricsSample = z.object({
  instrument: InstrumentId,
  exchangeTs: msTimeOrNull,
  localTs: msTime,
  state: BookState,
  sequence: nullableNumber,
  metrics: BookMetrics,
  /** Stateful analytics values at this update (live only). */
  analytics: z.record(z.string(), z.unknown()).optional(),
});
export type MetricsSample = z.infer<typeof MetricsSample>;

/** A trade: history rows and the `trades` channel payload. */
export const Trade = z.object({
  instrument: InstrumentId,
  exchangeTs: msTimeOrNull,
  localTs: msTime,
  id: z.string(),
  price: z.number(),
  size: z.number(),
  /** The exact decimals (the wire's live; the stored value's shortest decimal in history). */
  priceText: DecimalText,
  sizeText: DecimalText,
  side: TradeSide,
});
export type Trade = z.infer<typeof Trade>;

/** One OHLCV candle (prices quote, volumes base), open time `start`. */
export const Candle = z.object({
  start: msTime,
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  buyVolume: z.number(),
  sellVolume: z.number(),
  trades: z.number(),
});
export type Candle = z.infer<typeof Candle>;

/**
 * A book's top N levels as numbers and as the exact wire decimals: `GET /api/v1/books/:instrument` and
 * the stored snapshots of `GET /api/v1/history/orderbook`.
 */
export const BookSnapshot = BookView.extend({
  bidsText: z.array(LevelText),
  asksText: z.array(LevelText),
});
export type BookSnapshot = z.infer<typeof BookSnapshot>;

/** An alert (fired or resolved). */
export const Alert = z.object({
  id: z.string(),
  ruleId: z.string(),
  kind: z.enum(['metric', 'state', 'event']),
  status: z.enum(['firing', 'resolved']),
  severity: Severity,
  instrument: z.string().describe('instrument id, or the pair/group name'),
  metric: z.string(),
  value: nullableNumber,
  threshold: nullableNumber,
  comparator: z.string().nullable(),
  message: z.string(),
  ts: msTime.describe('local time of the input that fired it'),
  exchangeTs: msTimeOrNull,
  state: BookState.nullable(),
  sequence: nullableNumber,
  details: z.record(z.string(), z.unknown()).optional(),
});
export type Alert = z.infer<typeof Alert>;

/** An effective alert rule (the config schema's rule, with per-instrument `overrides`). */
export const AlertRule = z.object({
  id: z.string(),
  kind: z.enum(['metric', 'state', 'event']),
  severity: Severity.optional(),
});
export type AlertRule = z.infer<typeof AlertRule>;

/** `GET /api/v1/alert-rules`. */
export const AlertRulesResponse = page(AlertRule);

/** Trade flow since start: volumes by aggressor, CVD, VWAP (see analytics/flow.ts). */
export const FlowStats = z.object({
  buyVolume: z.number(),
  sellVolume: z.number(),
  unknownVolume: z.number(),
  cvd: z.number(),
  vwap: nullableNumber,
  notional: z.number(),
  buyCount: z.number(),
  sellCount: z.number(),
  unknownCount: z.number(),
  bySource: z.record(z.string(), z.number()),
  lastPrice: nullableNumber,
  lastTs: msTimeOrNull,
});

/** Per-instrument analytics view (walls, clusters, flow, candles with indicators). */
export const AnalyticsView = z.object({
  instrument: InstrumentId,
  ts: msTime,
  state: BookState,
  sequence: nullableNumber,
  imbalanceVelocity: nullableNumber,
  liquidity: z.record(z.string(), z.unknown()),
  walls: z.array(z.record(z.string(), z.unknown())),
  wallDistribution: z.array(z.unknown()),
  wallThreshold: nullableNumber,
  clusters: z.array(z.record(z.string(), z.unknown())),
  flow: FlowStats,
  candles: z.record(z.string(), z.array(Candle)),
  indicators: z.record(z.string(), z.record(z.string(), z.unknown())),
  droppedTrades: z.number(),
});
export type AnalyticsView = z.infer<typeof AnalyticsView>;

/**
 * Indicator values of one candle interval after its last closed candle (analytics/flow.ts, computed
 * server-side with `trading-signals` on close prices; periods from the config's `analytics.indicators`,
 * default EMA 20, RSI 14, MACD 12/26/9, Bollinger 20 × 2σ). null while the library gives no value yet
 * (the EMA is seeded with the first close; the others wait for enough closed candles).
 * EMA, MACD and Bollinger in quote currency; RSI 0-100.
 */
export const IndicatorValues = z.object({
  ema: nullableNumber,
  rsi: nullableNumber,
  macd: z.object({ macd: z.number(), signal: z.number(), histogram: z.number() }).nullable(),
  bollinger: z.object({ lower: z.number(), middle: z.number(), upper: z.number() }).nullable(),
});
export type IndicatorValues = z.infer<typeof IndicatorValues>;

/** One interval of a `candles` channel message. */
export const CandleIntervalUpdate = z.object({
  intervalMs: z
    .number()
    .int()
    .positive()
    .describe('candle length, ms; candles start at multiples of it (UTC)'),
  closed: z
    .array(Candle)
    .describe(
      'closed candles, oldest first: the most recent ones (up to 120) in the first message after a subscription, the last 3 afterwards (upsert by `start`)',
    ),
  forming: Candle.nullable().describe(
    'the candle still open (changes until the next one starts), null before any trade',
  ),
  indicators: IndicatorValues,
});
export type CandleIntervalUpdate = z.infer<typeof CandleIntervalUpdate>;

/**
 * The `candles` channel payload: live OHLCV candles of one instrument built from its trades by the
 * analytics stage, per interval (`1s`, `5s`, `1m`, `15m`, `1h`). Units: prices quote currency, volumes
 * base units (contracts converted), `buyVolume`/`sellVolume` by aggressor (the rest unknown), `trades`
 * the trade count, `start` and `ts` ms since epoch UTC on the trades' exchange clock (recorded time
 * when the feed replays recordings). Non-market prints (Trade.kind) are left out.
 */
export const CandlesUpdate = z.object({
  instrument: InstrumentId,
  ts: msTimeOrNull.describe('exchange time of the last trade counted, null before any'),
  intervals: z.record(z.string(), CandleIntervalUpdate),
});
export type CandlesUpdate = z.infer<typeof CandlesUpdate>;

/**
 * A wall lifecycle event (analytics/walls.ts WallEvent; the `analytics` channel): `appeared`, `resized`,
 * `moved`, `pulled` or `consumed`, inferred from L2 data and trades (heuristic). Prices quote, sizes
 * base units, `ts` the local time (ms since epoch UTC) of the book update the scan ran on.
 */
export const WallEventSchema = z.object({
  type: z.literal('wall'),
  kind: z.enum(['appeared', 'resized', 'moved', 'pulled', 'consumed']),
  instrument: InstrumentId,
  side: z.enum(['bid', 'ask']),
  price: z.number(),
  size: z.number(),
  prevPrice: nullableNumber,
  prevSize: nullableNumber,
  notional: z.number(),
  tradedSize: z.number(),
  ageMs: z.number(),
  ts: msTime,
  state: BookState,
  sequence: z.number(),
  heuristic: z.literal(true),
  confidence: z.number(),
});
export type WallEventSchema = z.infer<typeof WallEventSchema>;

/** A heatmap run: bucket `[price, price + bucketSize)` held `size` at every bin start in `[from, to]`. */
export const HeatmapRun = z.object({
  side: z.enum(['bid', 'ask']),
  price: z.number(),
  from: msTime,
  to: msTime,
  size: z.number(),
});
export type HeatmapRun = z.infer<typeof HeatmapRun>;
/** A time range `[from, to)` the book was not live. */
export const HeatmapGap = z.object({ from: msTime, to: msTime, state: BookState });
export type HeatmapGap = z.infer<typeof HeatmapGap>;
/** Covered price range of a run of bins. */
export const HeatmapCoverage = z.object({
  from: msTime,
  to: msTime,
  priceLow: z.number(),
  priceHigh: z.number(),
});
export type HeatmapCoverage = z.infer<typeof HeatmapCoverage>;

/** `GET /api/v1/history/heatmap`. */
export const HeatmapResponse = z.object({
  instrument: InstrumentId,
  from: msTime,
  to: msTime,
  bucketSize: z.number(),
  binMs: z.number(),
  runs: z.array(HeatmapRun).describe('earliest first, at most `limit`'),
  /** True when `limit` cut runs off (ask a shorter range). */
  truncated: z.boolean(),
  gaps: z.array(HeatmapGap),
  coverage: z.array(HeatmapCoverage),
  storedRuns: z.number().describe('runs read from the store (0 when it keeps none)'),
});
export type HeatmapResponse = z.infer<typeof HeatmapResponse>;

/** VADER scores. */
export const NewsSentiment = z.object({
  compound: z.number(),
  pos: z.number(),
  neu: z.number(),
  neg: z.number(),
});

/** A stored news item. */
export const NewsItem = z.object({
  id: z.string(),
  source: z.string(),
  outlet: z.string(),
  title: z.string(),
  link: z.string(),
  summary: z.string(),
  publishedAt: msTime,
  receivedAt: msTime,
  categories: z.array(z.string()),
  assets: z.array(z.string()),
  instruments: z.array(z.string()),
  sentiment: NewsSentiment,
  votes: z
    .object({
      negative: z.number(),
      positive: z.number(),
      important: z.number(),
      liked: z.number(),
      disliked: z.number(),
      lol: z.number(),
      toxic: z.number(),
      saved: z.number(),
      comments: z.number(),
    })
    .optional(),
  kind: z.string().optional(),
  replayed: z.boolean().optional(),
});
export type NewsItem = z.infer<typeof NewsItem>;

/** `GET /api/v1/news`: newest first. */
export const NewsResponse = page(NewsItem);

/** Sentiment over one window. */
export const SentimentWindow = z.object({
  count: z.number(),
  mean: nullableNumber,
  recencyMean: nullableNumber,
  positive: z.number(),
  negative: z.number(),
  neutral: z.number(),
});
export type SentimentWindow = z.infer<typeof SentimentWindow>;
/** One bucket of a sentiment series. */
export const SentimentPoint = z.object({
  ts: msTime.describe('bucket start'),
  count: z.number(),
  mean: nullableNumber,
  rolling1h: nullableNumber,
  rolling24h: nullableNumber,
});
export type SentimentPoint = z.infer<typeof SentimentPoint>;
/** Sentiment of one asset (`*` = every item). */
export const AssetSentiment = z.object({
  asset: z.string(),
  windows: z.object({ '1h': SentimentWindow, '24h': SentimentWindow }),
  burst: z.object({ count: z.number(), expected: z.number(), ratio: z.number(), active: z.boolean() }),
  series: z.array(SentimentPoint).optional(),
});
export type AssetSentiment = z.infer<typeof AssetSentiment>;

/** `GET /api/v1/news/sentiment`. */
export const NewsSentimentResponse = z.object({
  now: msTime,
  bucketMs: z.number(),
  assets: z.array(AssetSentiment),
  items: z.number().describe('items the aggregates were computed from'),
});
export type NewsSentimentResponse = z.infer<typeof NewsSentimentResponse>;

/** A polled news source. */
export const NewsSourceStatus = z.object({
  id: z.string(),
  kind: z.enum(['rss', 'cryptopanic']),
  url: z.string(),
  intervalMs: z.number(),
  priority: z.number(),
  enabled: z.boolean(),
  state: z.enum(['idle', 'ok', 'error', 'backoff', 'disabled']),
  lastPollAt: msTimeOrNull,
  lastOkAt: msTimeOrNull,
  lastError: z.string().nullable(),
  lastErrorAt: msTimeOrNull,
  nextPollAt: msTimeOrNull,
  counters: z.object({
    polls: z.number(),
    fetched: z.number(),
    notModified: z.number(),
    errors: z.number(),
    malformed: z.number(),
    itemsSeen: z.number(),
    itemsNew: z.number(),
  }),
});
export type NewsSourceStatus = z.infer<typeof NewsSourceStatus>;

/** `GET /api/v1/news/sources`. */
export const NewsSourcesResponse = page(NewsSourceStatus).extend({
  polling: z.boolean().describe('whether this node polls news'),
});

/** A crossed market across members of a group (bus topic `arbitrage`). */
export const CrossedMarket = z.object({
  id: z.string(),
  group: z.string(),
  sellOn: InstrumentId,
  buyOn: InstrumentId,
  bid: z.number(),
  ask: z.number(),
  size: z.number(),
  edgeBps: z.number(),
  maxEdgeBps: z.number(),
  startTs: msTime,
  endTs: msTimeOrNull,
  durationMs: z.number(),
  status: z.enum(['open', 'update', 'close']),
});

/** A consolidated level: `[price, size, sizePerMember]` (group quote, base units, member order). */
export const ConsolidatedLevel = z.tuple([z.number(), z.number(), z.array(z.number())]);

/** One consolidation group's view: `GET /api/v1/consolidated/:group` and the `consolidated` channel. */
export const ConsolidatedView = z.object({
  group: z.string(),
  quote: z.string(),
  state: z.enum(['live', 'partial', 'down']),
  excluded: z.array(z.object({ instrument: InstrumentId, state: BookState })),
  members: z.array(
    z.object({
      instrument: InstrumentId,
      state: BookState,
      included: z.boolean(),
      kind: z.string(),
      priceFactor: z.number(),
      bestBid: nullableNumber,
      bestAsk: nullableNumber,
    }),
  ),
  bestBid: nullableNumber,
  bestAsk: nullableNumber,
  bestBidMembers: z.array(InstrumentId),
  bestAskMembers: z.array(InstrumentId),
  bids: z.array(ConsolidatedLevel),
  asks: z.array(ConsolidatedLevel),
  metrics: BookMetrics,
  shares: z.array(z.object({ instrument: InstrumentId, share: nullableNumber, base: z.number() })),
  route: z.record(z.string(), z.unknown()).nullable(),
  basis: z.array(
    z.object({
      instrument: InstrumentId,
      mid: nullableNumber,
      spotMid: nullableNumber,
      bps: nullableNumber,
      annualized: nullableNumber,
      fundingRate: nullableNumber.describe(
        'latest funding rate per interval (fraction), as the venue streams it',
      ),
      fundingIntervalHours: nullableNumber,
      fundingAnnualized: nullableNumber.describe('funding rate x 8760 / interval hours (fraction per year)'),
      nextFundingTime: msTimeOrNull,
    }),
  ),
  divergence: z
    .array(
      z.object({
        kind: z.string().describe('market kind: spot, perpetual, future:<expiry ms>'),
        bps: z.number().describe('(highest mid - lowest mid) / median mid x 1e4'),
        high: InstrumentId,
        low: InstrumentId,
        mids: z.record(z.string(), z.number()),
      }),
    )
    .describe('price divergence among the live members of each market kind'),
  crossed: z.array(CrossedMarket),
  flow: FlowStats,
  localTs: msTimeOrNull.describe('local time of the last member update'),
});
export type ConsolidatedView = z.infer<typeof ConsolidatedView>;

/**
 * `GET /api/v1/consolidated/:group/heatmap`: the group's consolidated heatmap (size summed over the
 * members, base units per price bucket of the group quote) and each member's share of it (the
 * venue-coloured heatmap), from memory (the group heatmap's retention, default 1 h).
 */
export const ConsolidatedHeatmapResponse = z.object({
  group: z.string(),
  from: msTime,
  to: msTime,
  bucketSize: z.number(),
  binMs: z.number(),
  runs: z.array(HeatmapRun).describe('summed over the members, earliest first'),
  gaps: z.array(HeatmapGap),
  coverage: z.array(HeatmapCoverage),
  members: z
    .array(
      z.object({
        instrument: InstrumentId,
        runs: z.array(HeatmapRun),
        gaps: z.array(HeatmapGap).describe('bins the member was not in the merged book, with its state'),
      }),
    )
    .describe('member order; empty when member heatmaps are off'),
  truncated: z.boolean().describe('a series hit `limit`'),
});
export type ConsolidatedHeatmapResponse = z.infer<typeof ConsolidatedHeatmapResponse>;

/** `GET /api/v1/consolidated`: every group's view, by name. */
export const ConsolidatedResponse = page(ConsolidatedView);

/** Breadth: advancers, decliners, unchanged. */
export const Breadth = z.object({
  advancers: z.number(),
  decliners: z.number(),
  unchanged: z.number(),
  ratio: nullableNumber,
});

/** A watchlist row (an instrument or a group) over the current session. */
export const WatchRow = z.object({
  id: z.string(),
  kind: z.enum(['instrument', 'group']),
  sessionStart: msTimeOrNull,
  open: nullableNumber,
  last: nullableNumber,
  high: nullableNumber,
  low: nullableNumber,
  change: nullableNumber,
  changePct: nullableNumber,
  volume: z.number(),
  notional: z.number(),
  trades: z.number(),
  spreadBps: nullableNumber,
  imbalance: nullableNumber,
  state: z.string(),
  localTs: msTimeOrNull,
});
export type WatchRow = z.infer<typeof WatchRow>;

/** `GET /api/v1/watchlist` and the `watchlist` channel payload. */
export const WatchlistResponse = page(WatchRow).extend({
  breadth: Breadth,
  lists: z.record(z.string(), Breadth),
  localTs: msTimeOrNull,
});
export type WatchlistResponse = z.infer<typeof WatchlistResponse>;

/** `GET /healthz`. */
export const HealthzResponse = z.object({
  status: z.literal('ok'),
  version: z.string(),
  startedAt: msTime,
  uptimeS: z.number(),
  timeBase: z
    .enum(['exchange', 'recorded'])
    .optional()
    .describe(
      "the clock of exchange times (trades, candles, heatmap): `recorded` when the feeds replay recordings (depthwatch demo, serve), the venues' live clock otherwise",
    ),
});

/** `GET /readyz`. */
export const ReadyzResponse = z.object({ status: z.literal('ready') });

/** Per-route list pages (TypeScript). */
export const HistoryMetricsResponse = page(MetricsSample);
export const HistoryTradesResponse = page(Trade);
export const HistoryCandlesResponse = page(Candle);
export const HistoryOrderbookResponse = page(BookSnapshot);
export const AlertsResponse = page(Alert);

/**
 * A stored analytics event of a consolidated group (store/types.ts AnalyticsEventRow): a crossed market
 * (`open` / `update` with a new maximum edge / `close`; instrument = sell-on member, counterparty =
 * buy-on member, valueBps = net edge) or a basis sample (instrument = the derivative member, valueBps =
 * basis). `ts` ms since epoch UTC; `body` the bus event as published.
 */
export const AnalyticsEvent = z.object({
  id: z.string(),
  kind: z.enum(['crossed', 'basis', 'index', 'foreign', 'wall', 'cluster', 'anomaly', 'shrinkage']),
  group: z.string(),
  instrument: z.string(),
  counterparty: z.string().nullable(),
  ts: z.number(),
  status: z.enum(['open', 'update', 'close', 'sample']),
  valueBps: z.number().nullable(),
  body: z.record(z.string(), z.unknown()),
});
export type AnalyticsEvent = z.infer<typeof AnalyticsEvent>;

/** `GET /api/v1/history/events`: newest first. */
export const EventsResponse = page(AnalyticsEvent);
export type EventsResponse = z.infer<typeof EventsResponse>;
