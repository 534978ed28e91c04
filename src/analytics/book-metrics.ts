/**
 * Book metrics on every update (pure). See analytics/types.ts for units.
 *
 * Cost: one pass over the top N levels per side (imbalances, weighted imbalance, top-volume ratio); per
 * side, the bands (±0.1/0.5/1/2 %) and depth-to-move by BookSide.sumTo (skipped when beyond coverage),
 * and a walk until the market-order fill is settled. No allocation besides the result object.
 *
 * Units: book sizes are wire units (the instrument's `sizeUnit`: base units, or contracts); every
 * notional is quote currency through the instrument's spec (core/instrument.ts `notional`): spot and
 * base-unit sizes price × size, linear contracts price × size × contractSize, inverse contracts size ×
 * contractSize (BTCUSD_PERP: 100 USD a contract whatever the price). Without a spec, sizes count as base.
 */
import type { L2Book } from '../book/l2-book.ts';
import type { BookSide } from '../book/book-side.ts';
import type { Coverage } from '../book/health.ts';
import type { InstrumentSpec } from '../core/instrument.ts';
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
 * How wire sizes become quote notional, from a spec: `inverse` contracts are worth `mult` quote units each;
 * otherwise notional = price × size × `mult` (1 for base-unit sizes, the contract size for linear contracts).
 */
interface NotionalUnits {
  inverse: boolean;
  mult: number;
}

/** Scratch units (reused, like `walk`: the metrics are computed single-threaded). */
const units: NotionalUnits = { inverse: false, mult: 1 };

/** The NotionalUnits of a spec (base units without one), in the shared scratch. */
function unitsOf(spec: InstrumentSpec | undefined): NotionalUnits {
  const contracts = spec !== undefined && spec.sizeUnit === 'contracts';
  units.inverse = contracts && spec.margin === 'inverse';
  units.mult = contracts ? spec.contractSize : 1;
  return units;
}

/** Quote notional of a sumTo result under `u`. */
function accNotional(u: NotionalUnits): number {
  return u.inverse ? acc.size * u.mult : acc.notional * u.mult;
}

/**
 * Notional (quote) resting on one side within `pct` percent of mid, or null when the band reaches past
 * the book's known coverage (the answer would be a guess).
 */
export function notionalWithin(
  side: BookSide,
  mid: number,
  pct: number,
  coverage: Coverage,
  spec?: InstrumentSpec,
): number | null {
  if (side.sign === 1) {
    const limit = mid * (1 - pct / 100);
    if (!Number.isNaN(coverage.bidFloor) && limit < coverage.bidFloor) return null;
    side.sumTo(limit, acc);
  } else {
    const limit = mid * (1 + pct / 100);
    if (!Number.isNaN(coverage.askCeiling) && limit > coverage.askCeiling) return null;
    side.sumTo(limit, acc);
  }
  return accNotional(unitsOf(spec));
}

/** Scratch results of one side (reused: the metrics are computed single-threaded). */
const walk = {
  band: new Float64Array(4),
  moveNotional: 0,
  vwap: NaN,
};

/** Notional up to and including `limit` (sumTo's tight loop), or NaN when the limit is beyond coverage. */
function bandNotional(side: BookSide, limit: number, edgeKey: number, u: NotionalUnits): number {
  if (side.sign * limit < edgeKey) return NaN;
  side.sumTo(limit, acc);
  return accNotional(u);
}

/**
 * Settle one side: notional within ±0.1/0.5/1/2 % of mid and within `movePct` of the best price (each
 * by BookSide.sumTo, whose tight loop over the typed arrays beats one generic walk), and the fill of a
 * market order of `target` notional (walked level by level until filled, usually a few levels).
 * Results go to `walk`; NaN = unknown (beyond coverage, or the known book cannot fill).
 */
function walkSide(
  side: BookSide,
  mid: number,
  best: number,
  target: number,
  movePct: number,
  edge: number,
  u: NotionalUnits,
): void {
  const s = side.sign;
  // Coverage edge as a key (s × price): levels with a smaller key are beyond what the book knows.
  const edgeKey = Number.isNaN(edge) ? -Infinity : s * edge;
  walk.band[0] = bandNotional(side, mid * (1 - (s * 0.1) / 100), edgeKey, u);
  walk.band[1] = bandNotional(side, mid * (1 - (s * 0.5) / 100), edgeKey, u);
  walk.band[2] = bandNotional(side, mid * (1 - (s * 1) / 100), edgeKey, u);
  walk.band[3] = bandNotional(side, mid * (1 - (s * 2) / 100), edgeKey, u);
  walk.moveNotional = bandNotional(side, best * (1 - (s * movePct) / 100), edgeKey, u);
  let remaining = target;
  let base = 0;
  let vwap = target > 0 ? NaN : best;
  const n = side.length;
  for (let i = 0; i < n && remaining > 0; i++) {
    const p = side.price(i);
    if (s * p < edgeKey) break; // beyond coverage: unknown from here on
    const notional = u.inverse ? side.size(i) * u.mult : p * side.size(i) * u.mult;
    if (notional >= remaining) {
      base += remaining / p;
      remaining = 0;
      vwap = target / base;
    } else {
      base += notional / p;
      remaining -= notional;
    }
  }
  walk.vwap = vwap;
}

const nn = (x: number): number | null => (Number.isNaN(x) ? null : x);

/**
 * Compute the per-update book metrics.
 * @param book the book; @param coverage its known price range (health.coverage)
 * @param cfg see BookMetricsConfig (missing optional fields take the defaults)
 * @param spec the instrument's spec: notionals (bands, depth to move, the impact order's size) in quote
 *   currency for contract sizes (see the module comment); sizes count as base units without it
 * @returns a fresh BookMetrics (fields null where unknown; `imbalanceVelocity` is always null here)
 */
export function computeBookMetrics(
  book: L2Book,
  coverage: Coverage,
  cfg: BookMetricsConfig = defaultBookMetricsConfig,
  spec?: InstrumentSpec,
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
    imbalanceTopN: null,
    bidNotional50bps: null,
    askNotional50bps: null,
    bidNotional100bps: null,
    askNotional100bps: null,
    imbalanceWeighted: null,
    topVolumeRatio: null,
    bidNotional10bps: null,
    askNotional10bps: null,
    bidNotional200bps: null,
    askNotional200bps: null,
    buyFillPrice: null,
    buyImpactBps: null,
    sellFillPrice: null,
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
  m.imbalanceTopN = (bn - an) / (bn + an);
  m.imbalanceWeighted = (bw - aw) / (bw + aw);
  m.topVolumeRatio = l1 / (bn + an);

  const target = cfg.impactNotional ?? 100_000;
  const movePct = cfg.movePct ?? 1;
  const u = unitsOf(spec);
  walkSide(bids, mid, bestBid, target, movePct, coverage.bidFloor, u);
  m.bidNotional10bps = nn(walk.band[0]!);
  m.bidNotional50bps = nn(walk.band[1]!);
  m.bidNotional100bps = nn(walk.band[2]!);
  m.bidNotional200bps = nn(walk.band[3]!);
  m.bidDepthToMove = nn(walk.moveNotional);
  m.sellFillPrice = nn(walk.vwap);
  m.sellImpactBps = m.sellFillPrice === null ? null : ((mid - m.sellFillPrice) / mid) * 1e4;
  walkSide(asks, mid, bestAsk, target, movePct, coverage.askCeiling, u);
  m.askNotional10bps = nn(walk.band[0]!);
  m.askNotional50bps = nn(walk.band[1]!);
  m.askNotional100bps = nn(walk.band[2]!);
  m.askNotional200bps = nn(walk.band[3]!);
  m.askDepthToMove = nn(walk.moveNotional);
  m.buyFillPrice = nn(walk.vwap);
  m.buyImpactBps = m.buyFillPrice === null ? null : ((m.buyFillPrice - mid) / mid) * 1e4;
  return m;
}
