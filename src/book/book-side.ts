/**
 * One side of an L2 book, kept sorted by price in chunks (a one-level B+tree), best level last.
 *
 * Keys are `goodness` = price for bids, -price for asks, ascending; keys come from `parseDecimal`, which
 * guarantees an exact (injective) mapping from the wire decimal (see core/decimal.ts).
 *
 * Layout: the levels are split into chunks of at most CHUNK levels, each one Float64Array of
 * (key, size, pool slot) triples sorted by key; chunk `c` holds keys below those of chunk `c + 1`, so the
 * best level is the last triple of the last chunk. An insert or delete finds its chunk by binary search
 * over the chunks' first keys and moves at most one chunk's tail (<= 3 KiB), however deep the book; a
 * full chunk splits in two, an empty one is removed. Each chunk caches its size and notional sums
 * (recomputed lazily after a change), so `sumTo` adds whole chunks inside the band and walks only the
 * chunk that straddles the limit. Reads by rank (`price(i)`) keep a cursor, so walking i = 0, 1, 2, ... is
 * O(1) per step. Wire strings of price and size live in a pool that never moves (`slot` indexes it).
 */

import type { WireLevel } from '../core/model.ts';

/** Most levels per chunk. */
const CHUNK = 128;
/** Fewest levels for which setMany merges chunks instead of calling set per level. */
const MERGE_MIN = 24;
/**
 * setMany rewrites a chunk when it gets at least 1 change per this many of its levels (8 changes in a
 * full chunk): one pass over the chunk costs less than 8 searches and moves. Measured on the Binance
 * recordings (bench/big-frames.mts usdm, 2026-12-04): 16 against the former 4 cut the apply of the
 * 500+-level USD-M frames from ~50-55 to ~41-45 µs; 64 was no better.
 */
const MERGE_DENSITY = 16;

/**
 * Below this many numbers a move is a plain loop: `copyWithin` is a call into the runtime that costs
 * about as much as moving ~60 numbers one by one, and moves near the top of book (the end of the last
 * chunk, where most changes land) are short.
 */
const SHORT_MOVE = 48;

/** Move a[o, end) up by one triple (to a[o + 3, end + 3)), making room at o. */
function openGap(a: Float64Array, o: number, end: number): void {
  if (end - o > SHORT_MOVE) a.copyWithin(o + 3, o, end);
  else for (let j = end - 1; j >= o; j--) a[j + 3] = a[j]!;
}

/** Move a[o + 3, end) down by one triple (to a[o, end - 3)), closing the triple at o. */
function closeGap(a: Float64Array, o: number, end: number): void {
  if (end - o > SHORT_MOVE) a.copyWithin(o, o + 3, end);
  else for (let j = o + 3; j < end; j++) a[j - 3] = a[j]!;
}

export class BookSide {
  /** +1 for bids (higher is better), -1 for asks (lower is better). */
  readonly sign: 1 | -1;
  /** Chunks of (key, size, slot) triples, ascending keys across and within chunks. */
  private ch: Float64Array[] = [new Float64Array(CHUNK * 3)];
  /** Levels per chunk. */
  private cnt: number[] = [0];
  /** Cached sum of sizes / of size × key per chunk, valid while `ok[c]` is 1. */
  private sumS: number[] = [0];
  private sumN: number[] = [0];
  private ok: number[] = [0];
  /** Wire price string per pool slot. */
  private readonly priceText: string[] = [];
  /** Wire size string per pool slot. */
  private readonly sizeText: string[] = [];
  /** Free pool slots. */
  private free: number[] = [];
  /** Number of levels. */
  length = 0;
  /** Rank cursor: chunk `curC` holds ranks [curRank, curRank + cnt[curC]) counted from the best; -1 = unset. */
  private curC = -1;
  private curRank = 0;

  /**
   * @param side which side this is
   * @param _initialCapacity kept for compatibility (chunks are allocated as the side grows)
   */
  constructor(side: 'bid' | 'ask', _initialCapacity = 1024) {
    this.sign = side === 'bid' ? 1 : -1;
  }

  /** Remove every level (the pool's strings are released). */
  clear(): void {
    this.ch = [this.ch[0]!];
    this.cnt = [0];
    this.sumS = [0];
    this.sumN = [0];
    this.ok = [0];
    this.length = 0;
    this.free.length = 0;
    this.priceText.length = 0;
    this.sizeText.length = 0;
    this.curC = -1;
    this.foundC = -1;
    this.missC = -1;
  }

  /** Chunk that holds (or would hold) key k: the last chunk whose first key is <= k, else 0. */
  private chunkOf(k: number): number {
    const ch = this.ch;
    let lo = 0;
    let hi = ch.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (ch[mid]![0]! <= k) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index in chunk `c` of the first key >= k. */
  private static lowerBound(a: Float64Array, n: number, k: number): number {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid * 3]! < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Set the size at a price; size 0 removes the level (removing an absent level is a no-op).
   * @param price exact price (from parseDecimal); @param size base size >= 0
   * @param priceText/sizeText the wire strings, kept for checksums and output
   * @returns the level's pool slot (stable while the level exists), or -1 when no level is left there
   */
  set(price: number, size: number, priceText: string, sizeText: string): number {
    const k = this.sign * price;
    const last = this.ch.length - 1;
    let c: number;
    let a: Float64Array;
    let n: number;
    let i: number;
    // Fast path: the top of book.
    const top = this.ch[last]!;
    const topN = this.cnt[last]!;
    if (topN > 0 && top[(topN - 1) * 3] === k) {
      c = last;
      a = top;
      n = topN;
      i = topN - 1;
    } else {
      // The chunk of the previous set first: a delta lists its levels in price order, so consecutive
      // levels mostly fall in the same chunk (the same test chunkOf's binary search ends with).
      c = this.hintC;
      const ch = this.ch;
      if (c > last || (c > 0 && ch[c]![0]! > k) || (c < last && ch[c + 1]![0]! <= k)) {
        c = this.chunkOf(k);
        this.hintC = c;
      }
      a = ch[c]!;
      n = this.cnt[c]!;
      i = BookSide.lowerBound(a, n, k);
    }
    const o = i * 3;
    if (i < n && a[o] === k) {
      this.ok[c] = 0;
      if (size === 0) {
        const slot = a[o + 2]!;
        this.priceText[slot] = '';
        this.sizeText[slot] = '';
        this.free.push(slot);
        if (i + 1 < n) closeGap(a, o, n * 3);
        this.cnt[c] = n - 1;
        this.length--;
        this.curC = -1;
        this.foundC = -1;
        this.missC = -1;
        if (n === 1 && this.ch.length > 1) this.removeChunk(c);
        return -1;
      }
      a[o + 1] = size;
      this.sizeText[a[o + 2]!] = sizeText;
      return a[o + 2]!;
    }
    if (size === 0) return -1;
    return this.insertAt(c, i, k, size, priceText, sizeText);
  }

  /**
   * Insert a new level with key `k` at index `i` of chunk `c` (the position a search found for it),
   * splitting a full chunk. @returns the level's pool slot
   */
  private insertAt(
    c: number,
    i: number,
    k: number,
    size: number,
    priceText: string,
    sizeText: string,
  ): number {
    let a = this.ch[c]!;
    let n = this.cnt[c]!;
    let slot: number;
    if (this.free.length > 0) {
      slot = this.free.pop()!;
      this.priceText[slot] = priceText;
      this.sizeText[slot] = sizeText;
    } else {
      slot = this.priceText.length;
      this.priceText.push(priceText);
      this.sizeText.push(sizeText);
    }
    if (n === CHUNK) {
      // Split the full chunk in two halves, then insert into the half that covers k.
      const half = CHUNK >> 1;
      const b = new Float64Array(CHUNK * 3);
      b.set(a.subarray(half * 3, CHUNK * 3));
      this.ch.splice(c + 1, 0, b);
      this.cnt.splice(c + 1, 0, CHUNK - half);
      this.sumS.splice(c + 1, 0, 0);
      this.sumN.splice(c + 1, 0, 0);
      this.ok.splice(c + 1, 0, 0);
      this.cnt[c] = half;
      this.ok[c] = 0; // its cached sums covered the half that moved (even when k goes to the new half)
      n = half;
      if (i > half) {
        c++;
        a = b;
        i -= half;
        n = CHUNK - half;
      }
    }
    const p = i * 3;
    if (i < n) openGap(a, p, n * 3);
    a[p] = k;
    a[p + 1] = size;
    a[p + 2] = slot;
    this.cnt[c] = n + 1;
    this.ok[c] = 0;
    this.length++;
    this.curC = -1;
    this.foundC = -1;
    this.missC = -1;
    return slot;
  }

  /**
   * Apply many levels at once, as `set` one by one in order would: the level at `levels[j]` (wire
   * strings) with exact price `pairs[from + 2j]` and size `pairs[from + 2j + 1]`, for the pairs in
   * [from, end). When the prices are strictly monotonic (a venue's delta lists each side in price order)
   * and there are many, each touched chunk is rewritten once by a merge instead of one search and one
   * move per level; otherwise (or for a few levels) this is `set` per level.
   * @returns the change in this side's number of levels
   */
  setMany(pairs: Float64Array, from: number, end: number, levels: readonly WireLevel[]): number {
    const before = this.length;
    const m = (end - from) >> 1;
    let dir = 0; // +1: keys ascending in list order, -1: descending
    if (m >= MERGE_MIN) {
      const sign = this.sign;
      dir = sign * pairs[from + 2]! > sign * pairs[from]! ? 1 : -1;
      for (let o = from + 2; o < end; o += 2) {
        const d = sign * pairs[o]! - sign * pairs[o - 2]!;
        if (!(dir > 0 ? d > 0 : d < 0)) {
          dir = 0;
          break;
        }
      }
    }
    if (dir === 0) {
      for (let o = from, j = 0; o < end; o += 2, j++) {
        const l = levels[j]!;
        this.set(pairs[o]!, pairs[o + 1]!, l[0], l[1]);
      }
      return this.length - before;
    }
    // Ascending keys: level j = first + step * t for t = 0 .. m-1.
    const first = dir > 0 ? 0 : m - 1;
    const step = dir;
    let t = 0;
    let c = 0;
    while (t < m) {
      const k = this.sign * pairs[from + 2 * (first + step * t)]!;
      // The chunk of key k: chunkOf, starting from where the previous run ended.
      const ch = this.ch;
      while (c + 1 < ch.length && ch[c + 1]![0]! <= k) c++;
      // This chunk takes every following key below the next chunk's first key.
      const limit = c + 1 < ch.length ? ch[c + 1]![0]! : Infinity;
      let u = t + 1;
      while (u < m && this.sign * pairs[from + 2 * (first + step * u)]! < limit) u++;
      if ((u - t) * MERGE_DENSITY >= this.cnt[c]!)
        c = this.mergeChunk(c, pairs, from, levels, first, step, t, u);
      else {
        // Few changes for this chunk's size: a rewrite would copy more than set's searches and moves.
        for (let v = t; v < u; v++) {
          const j = first + step * v;
          const l = levels[j]!;
          this.set(pairs[from + 2 * j]!, pairs[from + 2 * j + 1]!, l[0], l[1]);
        }
        // set may have split or removed chunk c: every chunk up to index c still holds keys below the
        // next run's, so the scan for its chunk can go on from c.
        c = Math.min(c, this.ch.length - 1);
      }
      t = u;
    }
    this.curC = -1;
    this.foundC = -1;
    return this.length - before;
  }

  /**
   * Scratch of mergeChunk: the merged triples when they fit in one chunk. Exactly one chunk's size: a
   * merge that stays one chunk swaps it with the chunk's array instead of copying the result back.
   */
  private static mergeBuf: Float64Array = new Float64Array(CHUNK * 3);
  /** Scratch of mergeChunk when the merge may outgrow one chunk (grown as needed). */
  private static mergeBig: Float64Array = new Float64Array(CHUNK * 6);

  /**
   * Merge levels t..u-1 of a setMany run (ascending keys, all in chunk `c`'s key range) into chunk `c`,
   * splitting the result into several chunks when it outgrows one, removing the chunk when it empties.
   * @returns the index of the chunk after the merged one(s)
   */
  private mergeChunk(
    c: number,
    pairs: Float64Array,
    from: number,
    levels: readonly WireLevel[],
    first: number,
    step: number,
    t: number,
    u: number,
  ): number {
    const a = this.ch[c]!;
    const n = this.cnt[c]!;
    const need = (n + u - t) * 3;
    let out = BookSide.mergeBuf;
    if (need > out.length) {
      out = BookSide.mergeBig;
      if (out.length < need) out = BookSide.mergeBig = new Float64Array(need * 2);
    }
    const sign = this.sign;
    let x = 0; // next triple of the chunk
    let o = 0; // next number written to out
    for (let v = t; v < u; v++) {
      const j = first + step * v;
      const k = sign * pairs[from + 2 * j]!;
      const size = pairs[from + 2 * j + 1]!;
      while (x < n && a[x * 3]! < k) {
        out[o] = a[x * 3]!;
        out[o + 1] = a[x * 3 + 1]!;
        out[o + 2] = a[x * 3 + 2]!;
        o += 3;
        x++;
      }
      if (x < n && a[x * 3] === k) {
        const slot = a[x * 3 + 2]!;
        x++;
        if (size === 0) {
          this.priceText[slot] = '';
          this.sizeText[slot] = '';
          this.free.push(slot);
          this.length--;
          continue;
        }
        this.sizeText[slot] = levels[j]![1];
        out[o] = k;
        out[o + 1] = size;
        out[o + 2] = slot;
        o += 3;
        continue;
      }
      if (size === 0) continue; // removing an absent level
      const l = levels[j]!;
      let slot: number;
      if (this.free.length > 0) {
        slot = this.free.pop()!;
        this.priceText[slot] = l[0];
        this.sizeText[slot] = l[1];
      } else {
        slot = this.priceText.length;
        this.priceText.push(l[0]);
        this.sizeText.push(l[1]);
      }
      this.length++;
      out[o] = k;
      out[o + 1] = size;
      out[o + 2] = slot;
      o += 3;
    }
    for (; x < n; x++) {
      out[o] = a[x * 3]!;
      out[o + 1] = a[x * 3 + 1]!;
      out[o + 2] = a[x * 3 + 2]!;
      o += 3;
    }
    const total = o / 3;
    if (total === 0) {
      if (this.ch.length > 1) {
        this.removeChunk(c);
        return c;
      }
      this.cnt[c] = 0;
      this.ok[c] = 0;
      return c; // the only chunk: it covered every key of the run
    }
    if (out === BookSide.mergeBuf) {
      // One chunk's worth, merged into a chunk-sized buffer: that buffer becomes the chunk, and the
      // chunk's old array the next merge's scratch (no copy back).
      this.ch[c] = out;
      BookSide.mergeBuf = a;
      this.cnt[c] = total;
      this.ok[c] = 0;
      return c + 1;
    }
    // Split into pieces of at most 3/4 of a chunk (room for the next inserts) when it does not fit.
    const pieces = total <= CHUNK ? 1 : Math.ceil(total / ((CHUNK * 3) >> 2));
    let done = 0;
    for (let p = 0; p < pieces; p++) {
      const cntP = Math.floor((total * (p + 1)) / pieces) - done;
      const dst = p === 0 ? a : new Float64Array(CHUNK * 3);
      dst.set(out.subarray(done * 3, (done + cntP) * 3));
      if (p === 0) {
        this.cnt[c] = cntP;
        this.ok[c] = 0;
      } else {
        this.ch.splice(c + p, 0, dst);
        this.cnt.splice(c + p, 0, cntP);
        this.sumS.splice(c + p, 0, 0);
        this.sumN.splice(c + p, 0, 0);
        this.ok.splice(c + p, 0, 0);
      }
      done += cntP;
    }
    return c + pieces;
  }

  /** Chunk of the last `set` or `find` outside the top of book (a hint, checked before use). */
  private hintC = 0;

  /** Chunk and index of the level `find` returned (valid until the side changes); -1 = none. */
  private foundC = -1;
  private foundI = 0;

  /**
   * Pool slot of the level at an exact price, or -1 when there is none. Remembers the level's position
   * for `setFoundSize` (one search for a read-then-write, as the consolidated book does per level).
   */
  find(price: number): number {
    const k = this.sign * price;
    const ch = this.ch;
    const last = ch.length - 1;
    const top = ch[last]!;
    const topN = this.cnt[last]!;
    let c: number;
    let i: number;
    if (topN > 0 && top[(topN - 1) * 3] === k) {
      c = last;
      i = topN - 1;
    } else {
      // Finger: a delta's levels come sorted, so the next one is usually in the chunk of the previous one.
      c = this.hintC;
      if (!(c >= 0 && c <= last && ch[c]![0]! <= k && (c === last || ch[c + 1]![0]! > k)))
        c = this.chunkOf(k);
      this.hintC = c;
      i = BookSide.lowerBound(ch[c]!, this.cnt[c]!, k);
      if (i >= this.cnt[c]! || ch[c]![i * 3] !== k) {
        this.foundC = -1;
        this.missC = c;
        this.missI = i;
        this.missK = k;
        return -1;
      }
    }
    this.foundC = c;
    this.foundI = i;
    return ch[c]![i * 3 + 2]!;
  }

  /** Where the last `find` that missed would insert its price (valid until the side changes); -1 = none. */
  private missC = -1;
  private missI = 0;
  private missK = NaN;

  /**
   * Insert a level at the price the last `find` missed, with no change to the side in between (saves the
   * second search of a find-then-set). Wire strings are left empty (a derived book, e.g. consolidated).
   * @param size > 0
   * @returns the new level's pool slot
   * @throws {Error} when the last find did not miss or the side changed since (a bug in the caller)
   */
  insertAtMiss(size: number): number {
    const c = this.missC;
    if (c < 0) throw new Error('BookSide.insertAtMiss without a missed find');
    return this.insertAt(c, this.missI, this.missK, size, '', '');
  }

  /**
   * Set the size of the level the last `find` located, with no change to the side in between (the
   * wire strings are kept). Size 0 removes the level.
   * @throws {Error} when there is no such level (a bug in the caller)
   */
  setFoundSize(size: number): void {
    const c = this.foundC;
    if (c < 0) throw new Error('BookSide.setFoundSize without a found level');
    const a = this.ch[c]!;
    const o = this.foundI * 3;
    this.ok[c] = 0;
    if (size > 0) {
      a[o + 1] = size;
      return;
    }
    this.foundC = -1;
    this.missC = -1;
    const n = this.cnt[c]!;
    const slot = a[o + 2]!;
    this.priceText[slot] = '';
    this.sizeText[slot] = '';
    this.free.push(slot);
    if (this.foundI + 1 < n) closeGap(a, o, n * 3);
    this.cnt[c] = n - 1;
    this.length--;
    this.curC = -1;
    if (n === 1 && this.ch.length > 1) this.removeChunk(c);
  }

  /**
   * Visit the levels at least as good as `limitPrice` (bids with price >= limit, asks with price <=
   * limit), best first, walking the chunks directly (no rank lookups). `fn` must not change the side.
   * @param fn receives price (quote), size, rank (0 = best) and the level's pool slot
   */
  forEachTo(limitPrice: number, fn: (price: number, size: number, rank: number, slot: number) => void): void {
    const k = this.sign * limitPrice;
    const sign = this.sign;
    let rank = 0;
    for (let c = this.ch.length - 1; c >= 0; c--) {
      const a = this.ch[c]!;
      for (let j = this.cnt[c]! - 1; j >= 0; j--) {
        const key = a[j * 3]!;
        if (key < k) return;
        fn(sign * key, a[j * 3 + 1]!, rank++, a[j * 3 + 2]!);
      }
    }
  }

  /** Pool slot of the i-th best level (0 = best); -1 when absent. */
  slot(i: number): number {
    const o = this.locate(i);
    return o >= 0 ? this.ch[this.posC]![o + 2]! : -1;
  }

  private removeChunk(c: number): void {
    this.ch.splice(c, 1);
    this.cnt.splice(c, 1);
    this.sumS.splice(c, 1);
    this.sumN.splice(c, 1);
    this.ok.splice(c, 1);
  }

  /** Position of the i-th best level as chunk `posC` and triple offset (return value); -1 when absent. */
  private locate(i: number): number {
    if (i < 0 || i >= this.length) return -1;
    let c = this.curC;
    let r = this.curRank;
    if (c < 0 || i < r) {
      c = this.ch.length - 1;
      r = 0;
    }
    const cnt = this.cnt;
    while (i >= r + cnt[c]!) {
      r += cnt[c]!;
      c--;
    }
    this.curC = c;
    this.curRank = r;
    this.posC = c;
    return (cnt[c]! - 1 - (i - r)) * 3;
  }

  private posC = 0;

  /** Price of the i-th best level (0 = best); NaN when absent. */
  price(i: number): number {
    const o = this.locate(i);
    return o >= 0 ? this.sign * this.ch[this.posC]![o]! : NaN;
  }

  /** Size of the i-th best level (0 = best); NaN when absent. */
  size(i: number): number {
    const o = this.locate(i);
    return o >= 0 ? this.ch[this.posC]![o + 1]! : NaN;
  }

  /** Wire price string of the i-th best level; undefined when absent. */
  priceString(i: number): string | undefined {
    const o = this.locate(i);
    return o >= 0 ? this.priceText[this.ch[this.posC]![o + 2]!] : undefined;
  }

  /** Wire size string of the i-th best level; undefined when absent. */
  sizeString(i: number): string | undefined {
    const o = this.locate(i);
    return o >= 0 ? this.sizeText[this.ch[this.posC]![o + 2]!] : undefined;
  }

  /** Size at an exact price, 0 when there is no level there. */
  sizeAt(price: number): number {
    const k = this.sign * price;
    const c = this.chunkOf(k);
    const a = this.ch[c]!;
    const i = BookSide.lowerBound(a, this.cnt[c]!, k);
    return i < this.cnt[c]! && a[i * 3] === k ? a[i * 3 + 1]! : 0;
  }

  /** Keep only the best `n` levels (drops the worst ones). */
  truncate(n: number): void {
    let drop = this.length - Math.max(0, n);
    if (drop <= 0) return;
    this.curC = -1;
    this.foundC = -1;
    this.missC = -1;
    this.length -= drop;
    while (drop > 0) {
      const a = this.ch[0]!;
      const m = this.cnt[0]!;
      const d = Math.min(drop, m);
      for (let j = 0; j < d; j++) {
        const slot = a[j * 3 + 2]!;
        this.priceText[slot] = '';
        this.sizeText[slot] = '';
        this.free.push(slot);
      }
      drop -= d;
      if (d === m && this.ch.length > 1) this.removeChunk(0);
      else {
        a.copyWithin(0, d * 3, m * 3);
        this.cnt[0] = m - d;
        this.ok[0] = 0;
      }
    }
  }

  /** Worst (furthest from the top) price held; NaN when empty. */
  worstPrice(): number {
    return this.length > 0 ? this.sign * this.ch[0]![0]! : NaN;
  }

  /**
   * Sum of size and notional (price × size, quote currency) over levels at least as good as `limitPrice`
   * (bids with price >= limit, asks with price <= limit). Whole chunks inside the band add their cached
   * sums, so the result may differ from a level-by-level sum in the last bits.
   */
  sumTo(limitPrice: number, out: { size: number; notional: number }): void {
    const k = this.sign * limitPrice;
    let size = 0;
    let notional = 0;
    for (let c = this.ch.length - 1; c >= 0; c--) {
      const a = this.ch[c]!;
      const m = this.cnt[c]!;
      if (m === 0) continue;
      if (a[0]! >= k) {
        if (this.ok[c] === 0) {
          let s = 0;
          let x = 0;
          for (let j = m - 1; j >= 0; j--) {
            const q = a[j * 3 + 1]!;
            s += q;
            x += q * a[j * 3]!;
          }
          this.sumS[c] = s;
          this.sumN[c] = x;
          this.ok[c] = 1;
        }
        size += this.sumS[c]!;
        notional += this.sumN[c]!;
        continue;
      }
      for (let j = m - 1; j >= 0; j--) {
        const key = a[j * 3]!;
        if (key < k) break;
        const q = a[j * 3 + 1]!;
        size += q;
        notional += q * key;
      }
      break;
    }
    out.size = size;
    out.notional = this.sign * notional + 0; // + 0: no -0 on an empty range
  }
}
