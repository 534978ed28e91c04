/**
 * Price ladder (DOM) model, pure (no DOM, no Vue): a book's levels grouped into buckets of `group` ticks,
 * one row per bucket price around the mid (empty buckets included, so the price column is contiguous),
 * with bid/ask size, cumulative size from the best price outwards, recent trades printed at their
 * bucket, and flags for walls (where that side still rests) and support/resistance clusters the
 * analytics API reports.
 *
 * Units: prices quote currency, sizes the book's size unit (base units or contracts, as the API sends
 * them). Bucketing works in whole ticks (`Math.round(price / tick)`), so float noise never moves a level
 * to the neighbour bucket: bids round down to their bucket (`floor`), asks up (`ceil`), as DOM ladders
 * do, so a grouped bid never shows above a grouped ask.
 */
import type { Level } from '../api/types.ts';

/** Grouping choices: bucket width in ticks. */
export const LADDER_GROUPS: readonly number[] = [1, 2, 5, 10, 25, 50, 100];

/** A wall (analytics `walls[]`): side, price (quote), size (base). */
export interface LadderWall {
  side: 'bid' | 'ask';
  price: number;
  size: number;
}

/** A support/resistance cluster (analytics `clusters[]`): price range `[priceFrom, priceTo)` (quote). */
export interface LadderCluster {
  side: 'bid' | 'ask';
  priceFrom: number;
  priceTo: number;
  strength: number;
}

/** A trade for the ladder: price (quote), size, aggressor, local time (ms). */
export interface LadderTrade {
  price: number;
  size: number;
  side: 'buy' | 'sell' | 'unknown';
  ts: number;
}

/** One ladder row (one bucket price). */
export interface LadderRow {
  /** Bucket price, quote (bids: the bucket's floor; asks: its ceiling). */
  price: number;
  /** Price in ticks (exact integer key). */
  ticks: number;
  bid: number;
  ask: number;
  /** Cumulative size from the best price to this row, on the side present (0 on the other). */
  cumBid: number;
  cumAsk: number;
  /** Recent trade volume printed at this bucket by buy and sell aggressors. */
  buyVol: number;
  sellVol: number;
  wall: 'bid' | 'ask' | null;
  /** Strongest S/R cluster covering the row (0 when none), and its side. */
  cluster: number;
  clusterSide: 'bid' | 'ask' | null;
}

/** The ladder as rendered. */
export interface LadderModel {
  rows: LadderRow[];
  /** Largest single-row size (bars scale against it) and largest cumulative size. */
  maxSize: number;
  maxCum: number;
  /** Best bid/ask bucket prices (null when a side is empty). */
  bestBid: number | null;
  bestAsk: number | null;
  /** Bucket width, quote. */
  step: number;
}

/** Options of {@link buildLadder}. */
export interface LadderOptions {
  /** Tick size, quote (> 0). */
  tick: number;
  /** Bucket width in ticks (≥ 1). */
  group: number;
  /** Rows shown on each side of the spread (≥ 1). */
  rowsPerSide: number;
  walls?: readonly LadderWall[];
  clusters?: readonly LadderCluster[];
  trades?: readonly LadderTrade[];
}

/** Decimal places of a tick given as text (`"0.10"` → 2, `"1"` → 0, `"1e-8"` → 8). */
export function tickDecimals(tickText: string): number {
  const m = /^\d*\.?(\d*?)0*$/.exec(tickText.trim());
  if (m) return m[1]!.length;
  const e = /e-(\d+)$/i.exec(tickText);
  return e ? Number(e[1]) : 8;
}

/** Bucket of `price` in ticks: bids floor, asks ceil (to whole multiples of `group`). */
export function bucketTicks(price: number, tick: number, group: number, side: 'bid' | 'ask'): number {
  const t = Math.round(price / tick);
  return side === 'bid' ? Math.floor(t / group) * group : Math.ceil(t / group) * group;
}

/** Sum levels (best first) into buckets: ticks → size, in best-first order. */
export function groupLevels(
  levels: readonly Level[],
  tick: number,
  group: number,
  side: 'bid' | 'ask',
): Map<number, number> {
  const out = new Map<number, number>();
  for (const [p, s] of levels) {
    const k = bucketTicks(p, tick, group, side);
    out.set(k, (out.get(k) ?? 0) + s);
  }
  return out;
}

/**
 * Build the ladder: `rowsPerSide` bucket rows below the best bid bucket (inclusive) and above the best
 * ask bucket (inclusive), plus any empty buckets between them, highest price first.
 * @throws {RangeError} for a non-positive tick, group or row count
 */
export function buildLadder(bids: readonly Level[], asks: readonly Level[], o: LadderOptions): LadderModel {
  if (!(o.tick > 0)) throw new RangeError('ladder tick must be > 0');
  if (!(o.group >= 1) || !Number.isInteger(o.group))
    throw new RangeError('ladder group must be an integer ≥ 1');
  if (!(o.rowsPerSide >= 1)) throw new RangeError('ladder rowsPerSide must be ≥ 1');
  const g = o.group;
  const step = o.tick * g;
  const bidMap = groupLevels(bids, o.tick, g, 'bid');
  const askMap = groupLevels(asks, o.tick, g, 'ask');
  const bestBidT = bids.length ? bucketTicks(bids[0]![0], o.tick, g, 'bid') : null;
  const bestAskT = asks.length ? bucketTicks(asks[0]![0], o.tick, g, 'ask') : null;
  if (bestBidT === null && bestAskT === null)
    return { rows: [], maxSize: 0, maxCum: 0, bestBid: null, bestAsk: null, step };
  const top = (bestAskT ?? bestBidT! + g) + (o.rowsPerSide - 1) * g;
  const bottom = (bestBidT ?? bestAskT! - g) - (o.rowsPerSide - 1) * g;

  const trades = new Map<number, { buy: number; sell: number }>();
  for (const t of o.trades ?? []) {
    // A trade prints at the bucket of its price: the bid-side bucket below the mid, ask-side above.
    const side = bestAskT !== null && t.price >= bestAskT * o.tick ? 'ask' : 'bid';
    const k = bucketTicks(t.price, o.tick, g, side);
    const e = trades.get(k) ?? { buy: 0, sell: 0 };
    if (t.side === 'buy') e.buy += t.size;
    else if (t.side === 'sell') e.sell += t.size;
    trades.set(k, e);
  }
  const walls = new Map<number, 'bid' | 'ask'>();
  for (const w of o.walls ?? []) walls.set(bucketTicks(w.price, o.tick, g, w.side), w.side);

  const rows: LadderRow[] = [];
  let maxSize = 0;
  for (let k = top; k >= bottom; k -= g) {
    const price = k * o.tick;
    const bid = bidMap.get(k) ?? 0;
    const ask = askMap.get(k) ?? 0;
    maxSize = Math.max(maxSize, bid, ask);
    const tr = trades.get(k);
    let cluster = 0;
    let clusterSide: 'bid' | 'ask' | null = null;
    for (const c of o.clusters ?? []) {
      // The row's bucket [price, price + step) for bids, (price - step, price] for asks overlaps the cluster.
      const lo = price - (k === bestAskT || (bestAskT !== null && k > bestAskT) ? step : 0);
      const hi = lo + step;
      if (c.priceFrom < hi && c.priceTo > lo && c.strength >= cluster) {
        cluster = c.strength;
        clusterSide = c.side;
      }
    }
    rows.push({
      price,
      ticks: k,
      bid,
      ask,
      cumBid: 0,
      cumAsk: 0,
      buyVol: tr?.buy ?? 0,
      sellVol: tr?.sell ?? 0,
      // A wall shows where its side still rests (the analytics poll may be older than the book).
      wall: walls.get(k) === 'bid' && bid > 0 ? 'bid' : walls.get(k) === 'ask' && ask > 0 ? 'ask' : null,
      cluster,
      clusterSide,
    });
  }
  // Cumulative sizes from the best price outwards, counting the whole side (levels beyond the rows too
  // would only add at the far end, so the rows' own sums are exact within the view).
  let cum = 0;
  let maxCum = 0;
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i]!;
    if (bestAskT !== null && r.ticks >= bestAskT) {
      cum += r.ask;
      r.cumAsk = cum;
      maxCum = Math.max(maxCum, cum);
    }
  }
  cum = 0;
  for (const r of rows) {
    if (bestBidT !== null && r.ticks <= bestBidT) {
      cum += r.bid;
      r.cumBid = cum;
      maxCum = Math.max(maxCum, cum);
    }
  }
  return {
    rows,
    maxSize,
    maxCum,
    bestBid: bestBidT === null ? null : bestBidT * o.tick,
    bestAsk: bestAskT === null ? null : bestAskT * o.tick,
    step,
  };
}

/**
 * The tick of a book when the instrument's spec is unknown: the smallest gap between adjacent levels
 * on either side, rounded to 6 significant digits so float noise goes (61822.02 − 61822.01 → 0.01; null
 * for fewer than two levels on both sides).
 */
export function inferTick(bids: readonly Level[], asks: readonly Level[]): number | null {
  let best = Infinity;
  for (const side of [bids, asks])
    for (let i = 1; i < side.length; i++) {
      const d = Math.abs(side[i]![0] - side[i - 1]![0]);
      if (d > 0 && d < best) best = d;
    }
  return Number.isFinite(best) ? Number(best.toPrecision(6)) : null;
}
