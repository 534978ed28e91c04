/**
 * Book metrics on every update (pure). See analytics/types.ts for units.
 *
 * Cost: one pass over the top N levels per side (imbalances, weighted imbalance, top-volume ratio) and one
 * walk per side from the best level outwards that stops as soon as every band (±0.1/0.5/1/2 %), the
 * depth-to-move limit and the market-order fill are settled. No allocation besides the result object.
 */
import type { L2Book } from '../book/l2-book.ts';
import type { BookSide } from '../book/book-side.ts';
import type { Coverage } from '../book/health.ts';
import type { BookMetrics } from './types.ts';

/** Configuration of the per-update metrics. */
export interface BookMetricsConfig {
  /** Levels per side for the top-N imbalance, weighted imbalance and top-volume ratio (default 10). */
  depthLevels: number;
  /** Decay of the distance-weighted imbalance, bps: a level `d` bps from mid weighs exp(-d / decay). Default 10. */
  weightDecayBps?: number;
  /** Notional (quote) of the simulated market order for VWAP fill and price impact. Default 100,000. */
  impactNotional?: number;
  /** Price move (percent) for "depth to move price X%". Default 1. */
  movePct?: number;
}

/** Defaults: N = 10, decay 10 bps, impact notional 100,000 quote, move 1 %. */
export const defaultBookMetricsConfig: BookMetricsConfig = {
  depthLevels: 10,
  weightDecayBps: 10,
  impactNotional: 100_000,
  movePct: 1,
};

const acc = { size: 0, notional: 0 };

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

/** Band percentages of the notional-within fields, in walk order. */
const BANDS = [0.1, 0.5, 1, 2] as const;

/** Scratch results of one side walk (reused: the metrics are computed single-threaded). */
const walk = {
  band: new Float64Array(4),
  moveNotional: 0,
  vwap: NaN,
};

/**
 * Walk one side from the best level outwards (goodness order), settling the band notionals, the
 * depth-to-move notional and the fill of a market order of `target` notional. Results go to `walk`
 * (NaN = unknown: beyond coverage, or the known book cannot fill).
 *
 * `s` = +1 bids, -1 asks. For bids "within" means price >= limit; for asks price <= limit, so with
 * keys k = s × price a level is within when k >= s × limit.
 */
function walkSide(
  side: BookSide,
  mid: number,
  best: number,
  target: number,
  movePct: number,
  edge: number,
): void {
  const s = side.sign;
  // Coverage edge as a key: levels with key < edgeKey are beyond what the book knows.
  const edgeKey = Number.isNaN(edge) ? -Infinity : s * edge;
  const bandKey0 = s * mid * (1 - (s * BANDS[0]) / 100);
  const bandKey1 = s * mid * (1 - (s * BANDS[1]) / 100);
  const bandKey2 = s * mid * (1 - (s * BANDS[2]) / 100);
  const bandKey3 = s * mid * (1 - (s * BANDS[3]) / 100);
  const moveKey = s * best * (1 - (s * movePct) / 100);
  // Farthest limit worth walking to: bands/move limits beyond coverage are unknown anyway (null).
  let stopKey = Infinity;
  if (bandKey0 >= edgeKey) stopKey = bandKey0;
  if (bandKey1 >= edgeKey) stopKey = bandKey1;
  if (bandKey2 >= edgeKey) stopKey = bandKey2;
  if (bandKey3 >= edgeKey) stopKey = bandKey3;
  if (moveKey >= edgeKey && moveKey < stopKey) stopKey = moveKey;
  let b0 = NaN;
  let b1 = NaN;
  let b2 = NaN;
  let b3 = NaN;
  let mv = NaN;
  let cum = 0;
  let remaining = target;
  let base = 0;
  let vwap = target > 0 ? NaN : best;
  const n = side.length;
  let i = 0;
  for (; i < n; i++) {
    const p = side.price(i);
    const k = s * p;
    if (k < edgeKey) break; // beyond coverage: unknown from here on
    // A level outside a band closes that band (strict for depth-to-move: the move is reached there).
    if (k < bandKey0 && Number.isNaN(b0)) b0 = cum;
    if (k < bandKey1 && Number.isNaN(b1)) b1 = cum;
    if (k < bandKey2 && Number.isNaN(b2)) b2 = cum;
    if (k < bandKey3 && Number.isNaN(b3)) b3 = cum;
    if (k <= moveKey && Number.isNaN(mv)) mv = cum;
    const notional = p * side.size(i);
    if (remaining > 0) {
      if (notional >= remaining) {
        base += remaining / p;
        remaining = 0;
        vwap = target / base;
      } else {
        base += notional / p;
        remaining -= notional;
      }
    }
    cum += notional;
    if (remaining <= 0 && k < stopKey) break;
  }
  // Walk ended (side exhausted, or the coverage edge reached): a band still open is complete when its
  // limit lies inside coverage (every level up to it was counted), unknown otherwise.
  if (Number.isNaN(b0) && bandKey0 >= edgeKey) b0 = cum;
  if (Number.isNaN(b1) && bandKey1 >= edgeKey) b1 = cum;
  if (Number.isNaN(b2) && bandKey2 >= edgeKey) b2 = cum;
  if (Number.isNaN(b3) && bandKey3 >= edgeKey) b3 = cum;
  if (Number.isNaN(mv) && moveKey >= edgeKey) mv = cum;
  walk.band[0] = b0;
  walk.band[1] = b1;
  walk.band[2] = b2;
  walk.band[3] = b3;
  walk.moveNotional = mv;
  walk.vwap = vwap;
}

const nn = (x: number): number | null => (Number.isNaN(x) ? null : x);

/**
 * Compute the per-update book metrics.
 * @param book the book; @param coverage its known price range (health.coverage)
 * @param cfg see BookMetricsConfig (missing optional fields take the defaults)
 * @returns a fresh BookMetrics (fields null where unknown; `imbalanceVelocity` is always null here)
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
    imbalanceWeighted: null,
    topVolumeRatio: null,
    bidNotional0_1: null,
    askNotional0_1: null,
    bidNotional2: null,
    askNotional2: null,
    buyVwap: null,
    buyImpactBps: null,
    sellVwap: null,
    sellImpactBps: null,
    bidDepthToMove: null,
    askDepthToMove: null,
    imbalanceVelocity: null,
  };
  if (bestBid === null || bestAsk === null || bestBidSize === null || bestAskSize === null) return m;
  const mid = (bestBid + bestAsk) / 2;
  m.mid = mid;
  m.spread = bestAsk - bestBid;
  m.spreadBps = (m.spread / mid) * 1e4;
  const l1 = bestBidSize + bestAskSize;
  m.microprice = (bestBid * bestAskSize + bestAsk * bestBidSize) / l1;
  m.imbalanceL1 = (bestBidSize - bestAskSize) / l1;

  // One pass over the top N levels per side.
  const n = cfg.depthLevels;
  const decay = cfg.weightDecayBps ?? 10;
  const k = 1e4 / (mid * decay);
  let bn = 0;
  let bw = 0;
  const mb = Math.min(n, bids.length);
  for (let i = 0; i < mb; i++) {
    const sz = bids.size(i);
    bn += sz;
    bw += sz * Math.exp(-(mid - bids.price(i)) * k);
  }
  let an = 0;
  let aw = 0;
  const ma = Math.min(n, asks.length);
  for (let i = 0; i < ma; i++) {
    const sz = asks.size(i);
    an += sz;
    aw += sz * Math.exp(-(asks.price(i) - mid) * k);
  }
  m.imbalance10 = (bn - an) / (bn + an);
  m.imbalanceWeighted = (bw - aw) / (bw + aw);
  m.topVolumeRatio = l1 / (bn + an);

  const target = cfg.impactNotional ?? 100_000;
  const movePct = cfg.movePct ?? 1;
  walkSide(bids, mid, bestBid, target, movePct, coverage.bidFloor);
  m.bidNotional0_1 = nn(walk.band[0]!);
  m.bidNotional0_5 = nn(walk.band[1]!);
  m.bidNotional1 = nn(walk.band[2]!);
  m.bidNotional2 = nn(walk.band[3]!);
  m.bidDepthToMove = nn(walk.moveNotional);
  m.sellVwap = nn(walk.vwap);
  m.sellImpactBps = m.sellVwap === null ? null : ((mid - m.sellVwap) / mid) * 1e4;
  walkSide(asks, mid, bestAsk, target, movePct, coverage.askCeiling);
  m.askNotional0_1 = nn(walk.band[0]!);
  m.askNotional0_5 = nn(walk.band[1]!);
  m.askNotional1 = nn(walk.band[2]!);
  m.askNotional2 = nn(walk.band[3]!);
  m.askDepthToMove = nn(walk.moveNotional);
  m.buyVwap = nn(walk.vwap);
  m.buyImpactBps = m.buyVwap === null ? null : ((m.buyVwap - mid) / mid) * 1e4;
  return m;
}
