/**
 * L2 order book: two sorted sides, exact price keys, wire strings kept per level.
 * Pure data structure: no sequence logic (see instrument-book.ts) and no I/O.
 */
import { parseDecimal } from '../core/decimal.ts';
import { MalformedFrameError } from '../core/errors.ts';
import type { WireLevel } from '../core/model.ts';
import { BookSide } from './book-side.ts';
import { growLevelScratch, levelScratch } from './level-scratch.ts';

/**
 * Validate a list of wire levels into the shared level scratch (level-scratch.ts) as price,size pairs
 * starting at `offset` (bumps its generation and clears a scanner's tag).
 * @returns the next free offset
 * @throws {MalformedFrameError} on a non-array level, non-string or malformed decimal
 */
function validateLevels(levels: readonly WireLevel[], offset: number): number {
  levelScratch.generation++;
  levelScratch.bids = null;
  levelScratch.asks = null;
  if (!Array.isArray(levels)) throw new MalformedFrameError('invalid_field', 'levels must be an array');
  const scratch = growLevelScratch(offset + levels.length * 2, offset);
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (!Array.isArray(level)) throw new MalformedFrameError('invalid_field', 'level must be [price, size]');
    const p = level[0];
    const s = level[1];
    if (typeof p !== 'string' || typeof s !== 'string')
      throw new MalformedFrameError('invalid_field', 'level price and size must be decimal strings');
    const price = parseDecimal(p);
    if (price === 0) throw new MalformedFrameError('invalid_field', 'level price must be positive');
    scratch[offset++] = price;
    // A size is never a key: more than 15 significant digits (Bitstamp sends 16-digit XRP amounts) is
    // accepted as its nearest double; the level keeps the exact wire string (checksums, output).
    scratch[offset++] = parseDecimal(s, true);
  }
  return offset;
}

/** Where `parseLevels` put the asks in the scratch (the bids are in [0, parsedMid)). */
let parsedMid = 0;

/**
 * Both sides' levels as price,size pairs in the level scratch: a scanner's own parse when it tagged the
 * scratch with these very arrays (level-scratch.ts), else a validation of the wire strings. Sets
 * `parsedMid`. @returns the end of the asks in the scratch
 * @throws {MalformedFrameError} on any malformed level (see validateLevels)
 */
function parseLevels(bids: readonly WireLevel[], asks: readonly WireLevel[]): number {
  const ls = levelScratch;
  if (ls.bids === bids && ls.asks === asks) {
    parsedMid = ls.mid;
    return ls.end;
  }
  const mid = validateLevels(bids, 0);
  const end = validateLevels(asks, mid);
  parsedMid = mid;
  return end;
}

/** A plain L2 book. Prices in quote currency, sizes in base units (or contracts), as the venue quotes. */
export class L2Book {
  readonly bids = new BookSide('bid');
  readonly asks = new BookSide('ask');
  /** Where the last applied delta's parsed levels sit in the scratch, and the scratch generation then. */
  private lastMid = 0;
  private lastEnd = 0;
  private lastGeneration = -1;

  /** Remove every level. */
  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  /**
   * Replace the book with a snapshot. All levels are validated before the book changes (or were, by the
   * scanner that tagged the scratch with these very arrays: level-scratch.ts).
   * Zero-size levels in a snapshot are ignored.
   * @throws {MalformedFrameError} on any malformed level (the book is left untouched)
   */
  applySnapshot(bids: readonly WireLevel[], asks: readonly WireLevel[]): void {
    const end = parseLevels(bids, asks);
    this.clear();
    this.applyValidated(bids, asks, parsedMid, end);
  }

  /**
   * Apply absolute level changes (size 0 deletes). All levels are validated before the book changes.
   * @returns number of level changes applied
   * @throws {MalformedFrameError} on any malformed level (the book is left untouched)
   */
  applyDelta(bids: readonly WireLevel[], asks: readonly WireLevel[]): number {
    const end = parseLevels(bids, asks);
    const mid = parsedMid;
    this.applyValidated(bids, asks, mid, end);
    this.lastMid = mid;
    this.lastEnd = end;
    this.lastGeneration = levelScratch.generation;
    return end >> 1;
  }

  /**
   * The levels the last `applyDelta` changed, as parsed (exact prices, new sizes: 0 = removed), while
   * no other book has parsed levels since (a stage reading them right after the update, on the same
   * thread): `keys` holds price,size pairs, bids in [0, bidEnd), asks in [bidEnd, end). Null once
   * overwritten: parse the delta's wire levels instead. Saves consumers that follow the changes (the
   * consolidated book) a second parse. The returned object is this book's own, refilled on each call
   * (nothing allocated per update): read it before the next call.
   */
  lastDeltaLevels(): { keys: Float64Array; bidEnd: number; end: number } | null {
    if (this.lastGeneration !== levelScratch.generation) return null;
    const v = this.lastLevels;
    v.keys = levelScratch.keys;
    v.bidEnd = this.lastMid;
    v.end = this.lastEnd;
    return v;
  }

  /** What lastDeltaLevels returns (refilled by each call). */
  private readonly lastLevels = { keys: levelScratch.keys, bidEnd: 0, end: 0 };

  private applyValidated(
    bids: readonly WireLevel[],
    asks: readonly WireLevel[],
    mid: number,
    end: number,
  ): void {
    const s = levelScratch.keys;
    this.bids.setMany(s, 0, mid, bids);
    this.asks.setMany(s, mid, end, asks);
  }

  /**
   * Whether the top of book is sound: `crossed` when best bid > best ask, `locked` when they are equal
   * (both sides non-empty), else `ok`. A single venue's aggregated L2 book is neither: either is an
   * integrity failure, reported separately (as nautilus_trader does).
   */
  crossState(): 'ok' | 'crossed' | 'locked' {
    if (this.bids.length === 0 || this.asks.length === 0) return 'ok';
    const bid = this.bids.price(0);
    const ask = this.asks.price(0);
    return bid < ask ? 'ok' : bid === ask ? 'locked' : 'crossed';
  }

  /** True when both sides are non-empty and best bid >= best ask (crossed or locked). */
  isCrossedOrLocked(): boolean {
    return this.bids.length > 0 && this.asks.length > 0 && this.bids.price(0) >= this.asks.price(0);
  }

  /**
   * Top `n` levels per side as numbers: `{ bids: [[price, size]...], asks: [...] }`, best first.
   */
  top(n: number): { bids: [number, number][]; asks: [number, number][] } {
    const take = (side: BookSide): [number, number][] => {
      const m = Math.min(n, side.length);
      const out: [number, number][] = new Array(m);
      for (let i = 0; i < m; i++) out[i] = [side.price(i), side.size(i)];
      return out;
    };
    return { bids: take(this.bids), asks: take(this.asks) };
  }

  /** Top `n` levels per side as the wire strings, best first. */
  topStrings(n: number): { bids: [string, string][]; asks: [string, string][] } {
    const take = (side: BookSide): [string, string][] => {
      const m = Math.min(n, side.length);
      const out: [string, string][] = new Array(m);
      for (let i = 0; i < m; i++) out[i] = [side.priceString(i)!, side.sizeString(i)!];
      return out;
    };
    return { bids: take(this.bids), asks: take(this.asks) };
  }
}
