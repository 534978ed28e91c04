/**
 * Metric shapes. Units: prices in quote currency, sizes in base units (or contracts), notional in
 * quote currency, spreads in quote units and basis points (bps = 1e-4 of mid), times in ms since epoch UTC.
 * `null` means unknown: an empty side, or a query beyond the book's known coverage.
 */
import type { BookState } from '../book/health.ts';

/** Book metrics computed on every book update. */
export interface BookMetrics {
  bestBid: number | null;
  bestBidSize: number | null;
  bestAsk: number | null;
  bestAskSize: number | null;
  /** (bestBid + bestAsk) / 2. */
  mid: number | null;
  /** bestAsk - bestBid, quote units. */
  spread: number | null;
  /** spread / mid × 1e4. */
  spreadBps: number | null;
  /** Size-weighted mid: (bestBid × askSize + bestAsk × bidSize) / (bidSize + askSize). */
  microprice: number | null;
  /** (bidSize - askSize) / (bidSize + askSize) at L1, in [-1, 1]. */
  imbalanceL1: number | null;
  /** Same over the top N levels per side (size-summed; N = config `metrics.depthLevels`, default 10). */
  imbalanceTopN: number | null;
  /** Bid / ask notional within 50 bps (0.5 %) of mid, quote currency. */
  bidNotional50bps: number | null;
  askNotional50bps: number | null;
  /** Bid / ask notional within 100 bps (1 %) of mid, quote currency. */
  bidNotional100bps: number | null;
  askNotional100bps: number | null;
  /**
   * Distance-weighted imbalance over the top N levels per side, in [-1, 1]: each level's size weighs
   * exp(-distanceBps / decayBps), distanceBps = |price - mid| / mid × 1e4 (config `weightDecayBps`).
   */
  imbalanceWeighted: number | null;
  /** (bestBidSize + bestAskSize) / (size of the top N levels of both sides), in (0, 1]. */
  topVolumeRatio: number | null;
  /** Bid / ask notional within 10 bps (0.1 %) of mid, quote currency. */
  bidNotional10bps: number | null;
  askNotional10bps: number | null;
  /** Bid / ask notional within 200 bps (2 %) of mid, quote currency. */
  bidNotional200bps: number | null;
  askNotional200bps: number | null;
  /**
   * Market buy of `impactNotional` (quote) walked through the asks: its average fill price (the VWAP of
   * the levels it takes, quote) and impact (fill - mid) / mid × 1e4 bps. null when the known book
   * (within coverage) cannot fill it.
   */
  buyFillPrice: number | null;
  buyImpactBps: number | null;
  /** Market sell of `impactNotional` walked through the bids: average fill price and impact (mid - fill) / mid × 1e4 bps. */
  sellFillPrice: number | null;
  sellImpactBps: number | null;
  /**
   * Notional (quote) a market sell must take to move the best bid down by `movePct`%: the bids priced
   * at or above bestBid × (1 - movePct/100); null beyond coverage.
   */
  bidDepthToMove: number | null;
  /** Notional a market buy must take to move the best ask up by `movePct`% (asks at or below bestAsk × (1 + movePct/100)). */
  askDepthToMove: number | null;
  /**
   * Rate of change of the top-N imbalance over the rolling velocity window, per second. Filled by the
   * engine's per-instrument analytics (needs history); null from computeBookMetrics alone.
   */
  imbalanceVelocity: number | null;
}

/** Names of the BookMetrics fields, in storage column order. */
export const BOOK_METRIC_FIELDS = [
  'bestBid',
  'bestBidSize',
  'bestAsk',
  'bestAskSize',
  'mid',
  'spread',
  'spreadBps',
  'microprice',
  'imbalanceL1',
  'imbalanceTopN',
  'bidNotional50bps',
  'askNotional50bps',
  'bidNotional100bps',
  'askNotional100bps',
  'imbalanceWeighted',
  'topVolumeRatio',
  'bidNotional10bps',
  'askNotional10bps',
  'bidNotional200bps',
  'askNotional200bps',
  'buyFillPrice',
  'buyImpactBps',
  'sellFillPrice',
  'sellImpactBps',
  'bidDepthToMove',
  'askDepthToMove',
  'imbalanceVelocity',
] as const satisfies readonly (keyof BookMetrics)[];

/**
 * Metric names of releases before 0.2, kept as aliases for one release (removed in 0.3): the API also
 * answers them (same values) and the stores keep them as columns of a `metrics_legacy` view. `imbalance10`
 * was computed over `metrics.depthLevels` levels (so `depthLevels: 20` gave a field named 10); the
 * bands are now named by their width in bps of mid; the "VWAP" of a market order is its fill price.
 */
export const LEGACY_METRIC_NAMES = {
  imbalance10: 'imbalanceTopN',
  bidNotional0_1: 'bidNotional10bps',
  askNotional0_1: 'askNotional10bps',
  bidNotional0_5: 'bidNotional50bps',
  askNotional0_5: 'askNotional50bps',
  bidNotional1: 'bidNotional100bps',
  askNotional1: 'askNotional100bps',
  bidNotional2: 'bidNotional200bps',
  askNotional2: 'askNotional200bps',
  buyVwap: 'buyFillPrice',
  sellVwap: 'sellFillPrice',
} as const satisfies Record<string, keyof BookMetrics>;

/** A deprecated metric name (see LEGACY_METRIC_NAMES). */
export type LegacyMetricName = keyof typeof LEGACY_METRIC_NAMES;

/**
 * The current name of a metric given by its current or its deprecated name (config, alert rules, API
 * parameters); undefined when it is neither.
 */
export function resolveMetricName(name: string): keyof BookMetrics | undefined {
  if ((BOOK_METRIC_FIELDS as readonly string[]).includes(name)) return name as keyof BookMetrics;
  return (LEGACY_METRIC_NAMES as Record<string, keyof BookMetrics>)[name];
}

/**
 * A copy of `m` with the deprecated names added (same values), for API responses during the
 * deprecation release.
 */
export function withLegacyMetricNames(m: BookMetrics): BookMetrics & Record<LegacyMetricName, number | null> {
  const out = { ...m } as BookMetrics & Record<LegacyMetricName, number | null>;
  for (const [old, cur] of Object.entries(LEGACY_METRIC_NAMES)) out[old as LegacyMetricName] = m[cur];
  return out;
}

/** One metrics record, stamped with the book state it was computed on. */
export interface MetricsSample {
  instrument: string;
  /** Exchange time of the update the metrics follow (ms since epoch UTC); NaN when unknown. */
  exchangeTs: number;
  /** Local receive time of that update (ms since epoch UTC). */
  localTs: number;
  /** Book state when computed: metrics of a non-live book are not to be trusted. */
  state: BookState;
  /** Venue sequence of the book the metrics were computed on. */
  sequence: number;
  metrics: BookMetrics;
  /**
   * The instrument's stateful analytics values at this update (depth z-score, liquidity ratio and
   * shrinkage, CVD, buy/sell volume, wall count; see InstrumentAnalytics.values), when analytics run. Live
   * only (alert inputs, API): history stores keep the book metrics, not these.
   */
  analytics?: AnalyticsValues;
}

/** Named analytics values of one instrument (null = unknown yet). */
export type AnalyticsValues = Record<string, number | null>;
