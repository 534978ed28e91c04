/**
 * Smart-order-routing estimate on a consolidated book: the cost of a market order of `quantity` base
 * units filled across every member at the best effective prices (price net of each venue's taker fee),
 * against the best single venue alone; and each member's share of the depth within ±X % of the group mid.
 * Pure; reads the members' sizes from the ConsolidatedBook's attribution by rank (O(1) a level), so it
 * costs one walk of the merged levels the order takes (a single member's walk stops after its last level).
 */
import type { BookSide } from '../../book/book-side.ts';
import type { ConsolidatedBook } from './book.ts';

/** A market order's estimated fill. */
export interface FillEstimate {
  /** Base units filled (less than asked when the known books cannot fill it). */
  filled: number;
  /** Quote spent (buy) or received (sell), fees included (added on buys, taken off sells). */
  cost: number;
  /** Average price paid/received per base unit, fees included; null when nothing filled. */
  avgPrice: number | null;
  /** Base units taken from each member (member order). */
  perMember: number[];
}

/** Routed versus best single venue. */
export interface RoutingEstimate {
  side: 'buy' | 'sell';
  quantity: number;
  routed: FillEstimate;
  /** The best member filling the whole order alone (null when none can). */
  bestSingle: { member: number; fill: FillEstimate } | null;
  /** What routing saves against the best single venue, bps of its cost (null without a single fill). */
  savingBps: number | null;
}

/**
 * Estimate a market order of `quantity` base units on `side` (`buy` takes asks, `sell` hits bids).
 * @param takerFee fee rate per member (0.0004 = 4 bps), same order as the book's members
 */
export function routeMarketOrder(
  cb: ConsolidatedBook,
  side: 'buy' | 'sell',
  quantity: number,
  takerFee: readonly number[],
): RoutingEstimate {
  const bookSide = side === 'buy' ? cb.book.asks : cb.book.bids;
  const levelSide = side === 'buy' ? 'ask' : 'bid';
  const n = cb.members.length;
  const sign = side === 'buy' ? 1 : -1;
  // Routed: the effective price p × (1 ± fee_m) orders (member, level) pairs; a low-fee member's next
  // level can beat a high-fee member's current one. Gather pairs level by level until they cover the
  // order and no further level can still beat the marginal pair (its price at the lowest fee), then take
  // the pairs cheapest first.
  const routed = emptyFill(n);
  const minFee = n > 0 ? Math.min(...cb.members.map((_, m) => takerFee[m] ?? 0)) : 0;
  const pairs: { m: number; eff: number; size: number }[] = [];
  let gathered = 0;
  let marginal = NaN;
  const attr = cb.attribution(levelSide);
  for (let i = 0; i < bookSide.length; i++) {
    const p = bookSide.price(i);
    if (gathered >= quantity && sign * (p * (1 + sign * minFee) - marginal) >= 0) break;
    const row = cb.rowAt(levelSide, i);
    for (let m = 0; m < n; m++) {
      const size = attr[row + m]!;
      if (size > 0) {
        pairs.push({ m, eff: p * (1 + sign * (takerFee[m] ?? 0)), size });
        gathered += size;
      }
    }
    if (gathered >= quantity) marginal = marginalPrice(pairs, quantity, sign);
  }
  pairs.sort((a, b) => sign * (a.eff - b.eff));
  let left = quantity;
  for (const c of pairs) {
    if (left <= 1e-15) break;
    const q = Math.min(left, c.size);
    routed.filled += q;
    routed.cost += q * c.eff;
    routed.perMember[c.m]! += q;
    left -= q;
  }
  finish(routed);
  let best: { member: number; fill: FillEstimate } | null = null;
  for (let m = 0; m < n; m++) {
    if (!cb.included[m]) continue;
    const f = singleVenueFill(cb, bookSide, levelSide, m, quantity, takerFee[m] ?? 0, sign);
    if (f.filled < quantity * (1 - 1e-12)) continue;
    if (best === null || sign * (f.cost - best.fill.cost) < 0) best = { member: m, fill: f };
  }
  const savingBps =
    best && routed.filled >= quantity * (1 - 1e-12) && best.fill.cost > 0
      ? ((sign * (best.fill.cost - routed.cost)) / best.fill.cost) * 1e4
      : null;
  return { side, quantity, routed, bestSingle: best, savingBps };
}

/** Effective price of the unit that completes `quantity` when `pairs` are taken cheapest first. */
function marginalPrice(
  pairs: readonly { eff: number; size: number }[],
  quantity: number,
  sign: 1 | -1,
): number {
  const sorted = [...pairs].sort((a, b) => sign * (a.eff - b.eff));
  let acc = 0;
  for (const p of sorted) {
    acc += p.size;
    if (acc >= quantity) return p.eff;
  }
  return NaN;
}

function emptyFill(n: number): FillEstimate {
  return { filled: 0, cost: 0, avgPrice: null, perMember: new Array<number>(n).fill(0) };
}

function finish(f: FillEstimate): void {
  f.avgPrice = f.filled > 0 ? f.cost / f.filled : null;
}

function singleVenueFill(
  cb: ConsolidatedBook,
  side: BookSide,
  levelSide: 'bid' | 'ask',
  m: number,
  quantity: number,
  fee: number,
  sign: 1 | -1,
): FillEstimate {
  const f = emptyFill(cb.members.length);
  let left = quantity;
  // Walk the merged levels by rank (O(1) a step) and stop after the member's last level.
  const attr = cb.attribution(levelSide);
  let seen = 0;
  const held = cb.heldCount(levelSide, m);
  for (let i = 0; i < side.length && left > 1e-15 && seen < held; i++) {
    const size = attr[cb.rowAt(levelSide, i) + m]!;
    if (size <= 0) continue;
    seen++;
    const p = side.price(i);
    const q = Math.min(left, size);
    f.filled += q;
    f.cost += q * p * (1 + sign * fee);
    f.perMember[m]! += q;
    left -= q;
  }
  finish(f);
  return f;
}

/** Each member's share of the depth within ±`pct` % of `mid`, both sides, by base size. */
export function depthShares(
  cb: ConsolidatedBook,
  mid: number,
  pct: number,
): { member: number; share: number; base: number }[] {
  const n = cb.members.length;
  const base = new Array<number>(n).fill(0);
  const lo = mid * (1 - pct / 100);
  const hi = mid * (1 + pct / 100);
  for (const [side, s, limit] of [
    ['bid', cb.book.bids, lo],
    ['ask', cb.book.asks, hi],
  ] as const) {
    const attr = cb.attribution(side);
    s.forEachTo(limit, (_p, _size, _rank, slot) => {
      const row = slot * n;
      for (let m = 0; m < n; m++) base[m]! += attr[row + m]!;
    });
  }
  const total = base.reduce((a, b) => a + b, 0);
  return base.map((b, m) => ({ member: m, base: b, share: total > 0 ? b / total : 0 }));
}
