/**
 * One side of an L2 book: levels kept sorted in typed arrays with the best level at the END, so the
 * common case (changes near the top of book) shifts only the few levels between the change and the top.
 *
 * Keys are `goodness` = price for bids, -price for asks, ascending; keys come from `parseDecimal`, which
 * guarantees an exact (injective) mapping from the wire decimal (see core/decimal.ts).
 *
 * Layout: one Float64Array of (key, size, slot) triples, sorted by key. The wire strings of price and size
 * are kept per level for checksums and lossless output, in a pool that never moves; `slot` indexes it. An
 * insert or delete is therefore one typed-array memmove, never a shift of a JS array of strings
 * (`Array.prototype.copyWithin` on a string array is an element-by-element builtin, ~100x slower than a
 * typed-array memmove on deep books), and one call instead of one per array.
 */
export class BookSide {
  /** +1 for bids (higher is better), -1 for asks (lower is better). */
  readonly sign: 1 | -1;
  /** Levels as (key = sign × price, size, pool slot) triples, keys ascending: the best level is last. */
  private lv: Float64Array;
  /** Wire price string per pool slot. */
  private readonly priceText: string[] = [];
  /** Wire size string per pool slot. */
  private readonly sizeText: string[] = [];
  /** Free pool slots (a stack of `freeCount` entries). */
  private free: Int32Array;
  private freeCount = 0;
  /** Number of levels. */
  length = 0;
  /** Bumped by every change; lets sumTo continue its previous walk while the side is unchanged. */
  private version = 0;
  private sumVersion = -1;
  private sumKey = 0;
  private sumIndex = 0;
  private sumSize = 0;
  private sumNotional = 0;

  /**
   * @param side which side this is
   * @param initialCapacity levels allocated up front (the arrays double when full)
   */
  constructor(side: 'bid' | 'ask', initialCapacity = 1024) {
    this.sign = side === 'bid' ? 1 : -1;
    const cap = Math.max(16, initialCapacity | 0);
    this.lv = new Float64Array(cap * 3);
    this.free = new Int32Array(cap);
  }

  /** Remove every level (the pool's strings are released). */
  clear(): void {
    this.version++;
    this.length = 0;
    this.freeCount = 0;
    this.priceText.length = 0;
    this.sizeText.length = 0;
  }

  /** Index of the first level whose key is >= k (binary search over the ascending keys). */
  private lowerBound(k: number): number {
    const lv = this.lv;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lv[mid * 3]! < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Set the size at a price; size 0 removes the level (removing an absent level is a no-op).
   * @param price exact price (from parseDecimal); @param size base size >= 0
   * @param priceText/sizeText the wire strings, kept for checksums and output
   */
  set(price: number, size: number, priceText: string, sizeText: string): void {
    this.version++;
    const k = this.sign * price;
    const len = this.length;
    const lv = this.lv;
    // Fast path: the top of book.
    let i: number;
    if (len > 0 && lv[(len - 1) * 3] === k) i = len - 1;
    else i = this.lowerBound(k);
    const o = i * 3;
    if (i < len && lv[o] === k) {
      if (size === 0) {
        const slot = lv[o + 2]!;
        this.priceText[slot] = '';
        this.sizeText[slot] = '';
        this.free[this.freeCount++] = slot;
        if (i + 1 < len) lv.copyWithin(o, o + 3, len * 3);
        this.length = len - 1;
      } else {
        lv[o + 1] = size;
        this.sizeText[lv[o + 2]!] = sizeText;
      }
      return;
    }
    if (size === 0) return;
    if (len * 3 === lv.length) this.grow();
    const L = this.lv;
    if (i < len) L.copyWithin(o + 3, o, len * 3);
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.free[--this.freeCount]!;
      this.priceText[slot] = priceText;
      this.sizeText[slot] = sizeText;
    } else {
      slot = this.priceText.length;
      this.priceText.push(priceText);
      this.sizeText.push(sizeText);
    }
    L[o] = k;
    L[o + 1] = size;
    L[o + 2] = slot;
    this.length = len + 1;
  }

  private grow(): void {
    const lv = new Float64Array(this.lv.length * 2);
    lv.set(this.lv);
    const free = new Int32Array(this.free.length * 2);
    free.set(this.free);
    this.lv = lv;
    this.free = free;
  }

  /** Price of the i-th best level (0 = best); NaN when absent. */
  price(i: number): number {
    const j = this.length - 1 - i;
    return j >= 0 ? this.sign * this.lv[j * 3]! : NaN;
  }

  /** Size of the i-th best level (0 = best); NaN when absent. */
  size(i: number): number {
    const j = this.length - 1 - i;
    return j >= 0 ? this.lv[j * 3 + 1]! : NaN;
  }

  /** Wire price string of the i-th best level; undefined when absent. */
  priceString(i: number): string | undefined {
    const j = this.length - 1 - i;
    return j >= 0 && i >= 0 ? this.priceText[this.lv[j * 3 + 2]!] : undefined;
  }

  /** Wire size string of the i-th best level; undefined when absent. */
  sizeString(i: number): string | undefined {
    const j = this.length - 1 - i;
    return j >= 0 && i >= 0 ? this.sizeText[this.lv[j * 3 + 2]!] : undefined;
  }

  /** Size at an exact price, 0 when there is no level there. */
  sizeAt(price: number): number {
    const k = this.sign * price;
    const i = this.lowerBound(k);
    return i < this.length && this.lv[i * 3] === k ? this.lv[i * 3 + 1]! : 0;
  }

  /** Keep only the best `n` levels (drops the worst ones). */
  truncate(n: number): void {
    const drop = this.length - n;
    if (drop <= 0) return;
    this.version++;
    const lv = this.lv;
    for (let j = 0; j < drop; j++) {
      const slot = lv[j * 3 + 2]!;
      this.priceText[slot] = '';
      this.sizeText[slot] = '';
      this.free[this.freeCount++] = slot;
    }
    lv.copyWithin(0, drop * 3, this.length * 3);
    this.length = n;
  }

  /** Worst (furthest from the top) price held; NaN when empty. */
  worstPrice(): number {
    return this.length > 0 ? this.sign * this.lv[0]! : NaN;
  }

  /**
   * Sum of size and notional (price × size, quote currency) over levels at least as good as `limitPrice`
   * (bids with price >= limit, asks with price <= limit).
   */
  sumTo(limitPrice: number, out: { size: number; notional: number }): void {
    const k = this.sign * limitPrice;
    const lv = this.lv;
    let size = 0;
    let notional = 0;
    let j = this.length - 1;
    // A wider band asked right after a narrower one on the unchanged side (the metrics ask 0.5% then 1%)
    // continues the previous walk: the same additions in the same order, so bit-identical sums.
    if (this.sumVersion === this.version && k <= this.sumKey) {
      j = this.sumIndex;
      size = this.sumSize;
      notional = this.sumNotional;
    }
    for (; j >= 0; j--) {
      const key = lv[j * 3]!;
      if (key < k) break;
      const s = lv[j * 3 + 1]!;
      size += s;
      notional += s * key;
    }
    this.sumVersion = this.version;
    this.sumKey = k;
    this.sumIndex = j;
    this.sumSize = size;
    this.sumNotional = notional;
    out.size = size;
    out.notional = this.sign * notional + 0; // + 0: no -0 on an empty range
  }
}
