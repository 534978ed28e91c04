/**
 * Book metrics on every update (pure). See analytics/types.ts for units.
 */
import type { L2Book } from '../book/l2-book.ts';
import type { BookSide } from '../book/book-side.ts';
import type { Coverage } from '../book/health.ts';
import type { BookMetrics } from './types.ts';

/** Configuration of the per-update metrics. */
export interface BookMetricsConfig {
  /** Levels per side for the top-N imbalance (default 10). */
  depthLevels: number;
}

export const defaultBookMetricsConfig: BookMetricsConfig = { depthLevels: 10 };

const acc = { size: 0, notional: 0 };

function sumTopSize(side: BookSide, n: number): number {
  const m = Math.min(n, side.length);
  let s = 0;
  for (let i = 0; i < m; i++) s += side.size(i);
  return s;
}

/**
 * Notional (quote) resting on one side within `pct` percent of mid, or null when the band reaches past
 * the book's known coverage (the answer would be a guess).
 */
export function notionalWithin(side: BookSide, mid: number, pct: number, coverage: Coverage): number | null {
  if (side.sign === 1) {
    const limit = mid * (1 - pct / 100);
    if (!Number.isNaN(coverage.bidFloor) && limit < coverage.bidFloor) return null;
    side.sumTo(limit, acc);
  } else {
    const limit = mid * (1 + pct / 100);
    if (!Number.isNaN(coverage.askCeiling) && limit > coverage.askCeiling) return null;
    side.sumTo(limit, acc);
  }
  return acc.notional;
}

/**
 * Compute the per-update book metrics.
 * @param book the book; @param coverage its known price range (health.coverage)
 * @returns a fresh BookMetrics (fields null where unknown)
 */
export function computeBookMetrics(
  book: L2Book,
  coverage: Coverage,
  cfg: BookMetricsConfig = defaultBookMetricsConfig,
): BookMetrics {
  const bids = book.bids;
  const asks = book.asks;
  const hasBid = bids.length > 0;
  const hasAsk = asks.length > 0;
  const bestBid = hasBid ? bids.price(0) : null;
  const bestBidSize = hasBid ? bids.size(0) : null;
  const bestAsk = hasAsk ? asks.price(0) : null;
  const bestAskSize = hasAsk ? asks.size(0) : null;
  const m: BookMetrics = {
    bestBid,
    bestBidSize,
    bestAsk,
    bestAskSize,
    mid: null,
    spread: null,
    spreadBps: null,
    microprice: null,
    imbalanceL1: null,
    imbalance10: null,
    bidNotional0_5: null,
    askNotional0_5: null,
    bidNotional1: null,
    askNotional1: null,
  };
  if (bestBid === null || bestAsk === null || bestBidSize === null || bestAskSize === null) return m;
  const mid = (bestBid + bestAsk) / 2;
  m.mid = mid;
  m.spread = bestAsk - bestBid;
  m.spreadBps = (m.spread / mid) * 1e4;
  const l1 = bestBidSize + bestAskSize;
  m.microprice = (bestBid * bestAskSize + bestAsk * bestBidSize) / l1;
  m.imbalanceL1 = (bestBidSize - bestAskSize) / l1;
  const bn = sumTopSize(bids, cfg.depthLevels);
  const an = sumTopSize(asks, cfg.depthLevels);
  m.imbalance10 = (bn - an) / (bn + an);
  m.bidNotional0_5 = notionalWithin(bids, mid, 0.5, coverage);
  m.askNotional0_5 = notionalWithin(asks, mid, 0.5, coverage);
  m.bidNotional1 = notionalWithin(bids, mid, 1, coverage);
  m.askNotional1 = notionalWithin(asks, mid, 1, coverage);
  return m;
}
