/**
 * Helpers to visit the book's levels near mid, within the known coverage, for the periodic scans
 * (walls, clusters, heatmap).
 */
import type { BookSide } from '../book/book-side.ts';
import { baseSize, type InstrumentSpec } from '../core/instrument.ts';

/**
 * Visit one side's levels from the best outwards while they lie within `rangePct` percent of `mid`
 * and inside the coverage `edge` (NaN = unbounded). Levels beyond coverage are not visited (unknown).
 * @param fn receives price (quote), size (base), level index (0 = best)
 */
export function forEachLevelNear(
  side: BookSide,
  mid: number,
  rangePct: number,
  edge: number,
  fn: (price: number, size: number, i: number) => void,
): void {
  const s = side.sign;
  const limit = mid * (1 - (s * rangePct) / 100);
  // the tighter of the band and the coverage edge (bids: the higher price, asks: the lower)
  side.forEachTo(Number.isNaN(edge) ? limit : s > 0 ? Math.max(limit, edge) : Math.min(limit, edge), fn);
}

/** Bucket index of a price for a bucket size (quote): bucket i covers [i × size, (i + 1) × size). */
export function bucketOf(price: number, bucketSize: number): number {
  // the small epsilon keeps prices on a boundary (e.g. 61230 with size 10) in their own bucket
  return Math.floor(price / bucketSize + 1e-9);
}

/**
 * Converts a level's or trade's wire size at a price to base units (see core/instrument.ts `baseSize`):
 * the scans and the trade flow keep sizes in base units, so `price × size` is the quote notional for
 * spot, linear and inverse instruments alike.
 */
export type ToBase = (price: number, size: number) => number;

/** Sizes already in base units. */
export const identityBase: ToBase = (_price, size) => size;

/** The ToBase of an instrument (identity for spot and base-unit sizes; no spec: identity). */
export function toBaseOf(spec: InstrumentSpec | undefined): ToBase {
  if (spec === undefined || spec.sizeUnit === 'base') return identityBase;
  return (price, size) => baseSize(spec, price, size);
}
