/**
 * Pure book helpers for the depth chart (no DOM, no Vue): merging the live top of book with a deeper
 * REST book, and cumulative depth. Prices in quote currency, sizes in base units, levels best first.
 */
import type { BookState, Level } from '../api/types.ts';

/** The book drawn by the depth chart, best first. */
export interface BookView {
  state: BookState;
  sequence: number | null;
  bids: Level[];
  asks: Level[];
}

/**
 * Merge the live top of book (few levels, fresh) with a deeper REST book (many levels, up to a poll
 * interval old): the live levels are authoritative up to their worst price, deeper REST levels extend
 * beyond it. Both sides best first. Either input may be null (the other is returned).
 */
export function mergeBook(top: BookView | null, deep: BookView | null): BookView | null {
  if (!top) return deep;
  if (!deep) return top;
  const lastBid = top.bids[top.bids.length - 1];
  const lastAsk = top.asks[top.asks.length - 1];
  const bids = lastBid ? top.bids.concat(deep.bids.filter((l) => l[0] < lastBid[0])) : deep.bids;
  const asks = lastAsk ? top.asks.concat(deep.asks.filter((l) => l[0] > lastAsk[0])) : deep.asks;
  return { state: top.state, sequence: top.sequence, bids, asks };
}

/** Cumulative [price, size] points from the best level outwards (input best first). */
export function cumulate(levels: readonly Level[]): Level[] {
  let sum = 0;
  return levels.map(([p, s]) => [p, (sum += s)]);
}
