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
  /** Same over the top 10 levels per side (size-summed). */
  imbalance10: number | null;
  /** Bid notional within 0.5% below mid (quote). */
  bidNotional0_5: number | null;
  askNotional0_5: number | null;
  bidNotional1: number | null;
  askNotional1: number | null;
  /**
   * Distance-weighted imbalance over the top N levels per side, in [-1, 1]: each level's size weighs
   * exp(-distanceBps / decayBps), distanceBps = |price - mid| / mid × 1e4 (config `weightDecayBps`).
   */
  imbalanceWeighted: number | null;
  /** (bestBidSize + bestAskSize) / (size of the top N levels of both sides), in (0, 1]. */
  topVolumeRatio: number | null;
  /** Bid / ask notional within 0.1% of mid (quote). */
  bidNotional0_1: number | null;
  askNotional0_1: number | null;
  /** Bid / ask notional within 2% of mid (quote). */
  bidNotional2: number | null;
  askNotional2: number | null;
  /**
   * Market buy of `impactNotional` (quote) walked through the asks: VWAP fill price (quote) and impact
   * (vwapBuy - mid) / mid × 1e4 bps. null when the known book (within coverage) cannot fill it.
   */
  buyVwap: number | null;
  buyImpactBps: number | null;
  /** Market sell of `impactNotional` walked through the bids: VWAP and impact (mid - vwap) / mid × 1e4 bps. */
  sellVwap: number | null;
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
  'imbalance10',
  'bidNotional0_5',
  'askNotional0_5',
  'bidNotional1',
  'askNotional1',
  'imbalanceWeighted',
  'topVolumeRatio',
  'bidNotional0_1',
  'askNotional0_1',
  'bidNotional2',
  'askNotional2',
  'buyVwap',
  'buyImpactBps',
  'sellVwap',
  'sellImpactBps',
  'bidDepthToMove',
  'askDepthToMove',
  'imbalanceVelocity',
] as const satisfies readonly (keyof BookMetrics)[];

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
