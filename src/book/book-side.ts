/**
 * One side of an L2 book: levels kept sorted in typed arrays with the best level at the END, so the
 * common case (changes near the top of book) shifts only the few levels between the change and the top.
 *
 * Keys are `goodness` = price for bids, -price for asks, ascending; keys come from `parseDecimal`, which
 * guarantees an exact (injective) mapping from the wire decimal (see core/decimal.ts).
 *
 * The wire strings of price and size are kept per level for checksums and lossless output, in a pool that
 * never moves: the sorted arrays hold a slot index into it. An insert or delete therefore shifts three
 * typed arrays (a memmove each) and never a JS array of strings (`Array.prototype.copyWithin` on a string
 * array is an element-by-element builtin, ~100x slower than a typed-array memmove on deep books).
 */
export class BookSide {
  /** +1 for bids (higher is better), -1 for asks (lower is better). */
  readonly sign: 1 | -1;
  /** Sorted keys (sign × price), ascending: index `length - 1` is the best level. */
  private keys: Float64Array;
  /** Size (base units or contracts) per sorted position. */
  private sizes: Float64Array;
  /** Pool slot of each sorted position's wire strings. */
  private slots: Int32Array;
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
    this.keys = new Float64Array(cap);
    this.sizes = new Float64Array(cap);
    this.slots = new Int32Array(cap);
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

  /** Index of the first key >= k (binary search over the ascending keys). */
  private lowerBound(k: number): number {
    const keys = this.keys;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < k) lo = mid + 1;
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
    const keys = this.keys;
    // Fast path: the top of book.
    let i: number;
    if (len > 0 && keys[len - 1] === k) i = len - 1;
    else i = this.lowerBound(k);
    if (i < len && keys[i] === k) {
      if (size === 0) {
        const slot = this.slots[i]!;
        this.priceText[slot] = '';
        this.sizeText[slot] = '';
        this.free[this.freeCount++] = slot;
        if (i + 1 < len) {
          keys.copyWithin(i, i + 1, len);
          this.sizes.copyWithin(i, i + 1, len);
          this.slots.copyWithin(i, i + 1, len);
        }
        this.length = len - 1;
      } else {
        this.sizes[i] = size;
        this.sizeText[this.slots[i]!] = sizeText;
      }
      return;
    }
    if (size === 0) return;
    if (len === keys.length) this.grow();
    const K = this.keys;
    const S = this.sizes;
    const L = this.slots;
    if (i < len) {
      K.copyWithin(i + 1, i, len);
      S.copyWithin(i + 1, i, len);
      L.copyWithin(i + 1, i, len);
    }
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
    K[i] = k;
    S[i] = size;
    L[i] = slot;
    this.length = len + 1;
  }

  private grow(): void {
    const cap = this.keys.length * 2;
    const keys = new Float64Array(cap);
    keys.set(this.keys);
    const sizes = new Float64Array(cap);
    sizes.set(this.sizes);
    const slots = new Int32Array(cap);
    slots.set(this.slots);
    const free = new Int32Array(cap);
    free.set(this.free);
    this.keys = keys;
    this.sizes = sizes;
    this.slots = slots;
    this.free = free;
  }

  /** Price of the i-th best level (0 = best); NaN when absent. */
  price(i: number): number {
    const j = this.length - 1 - i;
    return j >= 0 ? this.sign * this.keys[j]! : NaN;
  }

  /** Size of the i-th best level (0 = best); NaN when absent. */
  size(i: number): number {
    const j = this.length - 1 - i;
    return j >= 0 ? this.sizes[j]! : NaN;
  }

  /** Wire price string of the i-th best level; undefined when absent. */
  priceString(i: number): string | undefined {
    const j = this.length - 1 - i;
    return j >= 0 && i >= 0 ? this.priceText[this.slots[j]!] : undefined;
  }

  /** Wire size string of the i-th best level; undefined when absent. */
  sizeString(i: number): string | undefined {
    const j = this.length - 1 - i;
    return j >= 0 && i >= 0 ? this.sizeText[this.slots[j]!] : undefined;
  }

  /** Size at an exact price, 0 when there is no level there. */
  sizeAt(price: number): number {
    const k = this.sign * price;
    const i = this.lowerBound(k);
    return i < this.length && this.keys[i] === k ? this.sizes[i]! : 0;
  }

  /** Keep only the best `n` levels (drops the worst ones). */
  truncate(n: number): void {
    const drop = this.length - n;
    if (drop <= 0) return;
    this.version++;
    for (let j = 0; j < drop; j++) {
      const slot = this.slots[j]!;
      this.priceText[slot] = '';
      this.sizeText[slot] = '';
      this.free[this.freeCount++] = slot;
    }
    this.keys.copyWithin(0, drop, this.length);
    this.sizes.copyWithin(0, drop, this.length);
    this.slots.copyWithin(0, drop, this.length);
    this.length = n;
  }

  /** Worst (furthest from the top) price held; NaN when empty. */
  worstPrice(): number {
    return this.length > 0 ? this.sign * this.keys[0]! : NaN;
  }

  /**
   * Sum of size and notional (price × size, quote currency) over levels at least as good as `limitPrice`
   * (bids with price >= limit, asks with price <= limit).
   */
  sumTo(limitPrice: number, out: { size: number; notional: number }): void {
    const k = this.sign * limitPrice;
    const keys = this.keys;
    const sizes = this.sizes;
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
      const key = keys[j]!;
      if (key < k) break;
      const s = sizes[j]!;
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
