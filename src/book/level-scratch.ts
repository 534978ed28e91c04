/**
 * The one scratch buffer of parsed levels shared by L2Book's validation and the feed scanners (single
 * thread: the book path runs frame by frame).
 *
 * `keys` holds price,size pairs (exact prices from parseDecimal, sizes rounded as parseDecimal(s, true)
 * gives them): bids in [0, mid), asks in [mid, end). Whoever writes it bumps `generation` (so
 * L2Book.lastDeltaLevels knows whether it still holds a book's last delta).
 *
 * A scanner that has already parsed a delta's levels while reading the frame (the Binance, OKX, Bybit,
 * Bitget and Gate.io scanners, through src/feeds/frame-scan.ts) tags the scratch with the level arrays it
 * built (`bids`, `asks`): `L2Book.applyDelta` called with those very arrays applies the scratch instead of
 * validating the wire strings a second time. The tag is only set
 * when every level parsed exactly as `parseDecimal` accepts it (else the strings are validated as usual,
 * with the usual typed errors); any other writer clears it. The arrays are the event's own (readonly by
 * type): mutating a delta's level arrays between parse and apply is not supported.
 */
import type { WireLevel } from '../core/model.ts';

/** Parsed levels of the last validation or scan, see the module doc. */
export const levelScratch = {
  keys: new Float64Array(2048) as Float64Array,
  generation: 0,
  /** Level arrays the scratch was parsed from by a scanner, or null (see the module doc). */
  bids: null as readonly WireLevel[] | null,
  asks: null as readonly WireLevel[] | null,
  mid: 0,
  end: 0,
};

/**
 * Make `levelScratch.keys` hold at least `need` numbers, keeping its first `keep`.
 * @returns the (possibly new) keys buffer
 */
export function growLevelScratch(need: number, keep: number): Float64Array {
  const s = levelScratch.keys;
  if (need <= s.length) return s;
  const bigger = new Float64Array(Math.max(need, s.length * 2));
  bigger.set(s.subarray(0, keep));
  levelScratch.keys = bigger;
  return bigger;
}
