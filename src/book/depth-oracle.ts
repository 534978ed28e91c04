/**
 * Comparing a venue's own top-N image of its book (a DepthOracle, e.g. a LOBSTER orderbook file row)
 * with the rebuilt book, on the levels the book knows.
 *
 * The rule, per side (bids shown; asks mirror it with the ask ceiling):
 * - The book is exact for bid prices >= `coverage.bidFloor` (NaN: the whole side is known) and knows
 *   nothing below it.
 * - R = the oracle's bid levels with price >= bidFloor, in order; B = the book's best bid levels with
 *   price >= bidFloor, at most `depth` of them.
 * - The side matches when R and B are the same list (same length, same prices, same sizes, numerically).
 *
 * Why this is exact and never compares an unknown level: the venue's top `depth` levels restricted to
 * the known range are the venue's best levels in that range. When the oracle lists `depth` levels all
 * inside the range, they must be the book's best `depth` there; when fewer of its levels lie inside the
 * range (the others are below the floor, or the side has fewer than `depth` levels), R is every venue
 * level in the range, so B must hold exactly those and nothing more.
 *
 * Counting (what `oracle: {checked, matched}` means): a row is **checked** when at least one of its
 * levels lies inside coverage on either side, or a side is wholly known (unbounded coverage: the row's
 * claim about that side, even "empty", is comparable). A checked row **matches** when both sides match.
 * A row none of whose levels lies inside a bounded coverage is **uncovered**: nothing is compared. A
 * checked row with some of its levels beyond coverage is **partial** (only the covered levels count).
 */
import { parseDecimal } from '../core/decimal.ts';
import type { DepthOracle, WireLevel } from '../core/model.ts';
import type { Coverage } from './health.ts';
import type { L2Book } from './l2-book.ts';
import type { BookSide } from './book-side.ts';

/** Result of one comparison. */
export interface DepthOracleResult {
  /** False when no level of the oracle lies inside coverage and no side is wholly known. */
  checked: boolean;
  /** Both sides equal on the covered levels (false when not checked). */
  matched: boolean;
  /** Oracle levels compared (inside coverage), both sides. */
  levels: number;
  /** Oracle levels left out as beyond coverage, both sides. */
  beyond: number;
  /** First difference, human readable (null when matched or not checked). */
  diff: string | null;
}

/**
 * Compare a depth oracle with the book on the levels inside `coverage` (rule in the module doc).
 * @throws {MalformedFrameError} when an oracle level is not a valid decimal (the caller drops it)
 */
export function compareDepthOracle(book: L2Book, coverage: Coverage, oracle: DepthOracle): DepthOracleResult {
  const b = compareSide(book.bids, oracle.bids, coverage.bidFloor, oracle.depth, 'bid');
  const a = compareSide(book.asks, oracle.asks, coverage.askCeiling, oracle.depth, 'ask');
  const checked = b.comparable || a.comparable;
  const diff = checked ? (b.diff ?? a.diff) : null;
  return {
    checked,
    matched: checked && diff === null,
    levels: b.levels + a.levels,
    beyond: b.beyond + a.beyond,
    diff,
  };
}

interface SideResult {
  comparable: boolean;
  levels: number;
  beyond: number;
  diff: string | null;
}

function compareSide(
  side: BookSide,
  levels: readonly WireLevel[],
  bound: number,
  depth: number,
  name: 'bid' | 'ask',
): SideResult {
  const bounded = !Number.isNaN(bound);
  // Inside coverage: bids at or above the floor, asks at or below the ceiling.
  const inside = (p: number): boolean => !bounded || (name === 'bid' ? p >= bound : p <= bound);
  let n = 0;
  let beyond = 0;
  let diff: string | null = null;
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    const price = parseDecimal(l[0]);
    const size = parseDecimal(l[1]);
    if (!inside(price)) {
      beyond++;
      continue;
    }
    if (diff === null) {
      const bp = side.price(n);
      if (n >= side.length || !inside(bp) || n >= depth)
        diff = `${name} level ${n + 1}: venue ${l[0]} x ${l[1]}, book has no level`;
      else if (bp !== price || side.size(n) !== size)
        diff = `${name} level ${n + 1}: venue ${l[0]} x ${l[1]}, book ${side.priceString(n)} x ${side.sizeString(n)}`;
    }
    n++;
  }
  // The book must hold nothing more inside coverage within the top `depth`.
  if (diff === null && n < depth && n < side.length && inside(side.price(n)))
    diff = `${name} level ${n + 1}: venue has no level, book ${side.priceString(n)} x ${side.sizeString(n)}`;
  return { comparable: n > 0 || !bounded, levels: n, beyond, diff };
}
