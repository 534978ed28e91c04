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
}
