/**
 * One side of an L2 book: levels kept sorted in typed arrays with the best level at the END, so the
 * common case (changes near the top of book) shifts only the few levels between the change and the top.
 *
 * Keys are `goodness` = price for bids, -price for asks, ascending; keys come from `parseDecimal`, which
 * guarantees an exact (injective) mapping from the wire decimal (see core/decimal.ts).
 * The wire strings of price and size are kept per level for checksums and lossless output.
 */
export class BookSide {
  /** +1 for bids (higher is better), -1 for asks (lower is better). */
  readonly sign: 1 | -1;
  private keys: Float64Array;
  private sizes: Float64Array;
  private priceText: string[];
  private sizeText: string[];
  /** Number of levels. */
  length = 0;

  constructor(side: 'bid' | 'ask', initialCapacity = 1024) {
    this.sign = side === 'bid' ? 1 : -1;
    this.keys = new Float64Array(initialCapacity);
    this.sizes = new Float64Array(initialCapacity);
    this.priceText = new Array<string>(initialCapacity);
    this.sizeText = new Array<string>(initialCapacity);
  }

  /** Remove every level. */
  clear(): void {
    this.length = 0;
  }

  /** Index of the first key >= k (binary search over the ascending keys). */
  private lowerBound(k: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < k) lo = mid + 1;
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
    const k = this.sign * price;
    const len = this.length;
    // Fast path: the top of book.
    let i: number;
    if (len > 0 && this.keys[len - 1] === k) i = len - 1;
    else i = this.lowerBound(k);
    if (i < len && this.keys[i] === k) {
      if (size === 0) {
        this.keys.copyWithin(i, i + 1, len);
        this.sizes.copyWithin(i, i + 1, len);
        this.priceText.copyWithin(i, i + 1, len);
        this.sizeText.copyWithin(i, i + 1, len);
        this.length = len - 1;
      } else {
        this.sizes[i] = size;
        this.sizeText[i] = sizeText;
      }
      return;
    }
    if (size === 0) return;
    if (len === this.keys.length) this.grow();
    if (i < len) {
      this.keys.copyWithin(i + 1, i, len);
      this.sizes.copyWithin(i + 1, i, len);
      this.priceText.copyWithin(i + 1, i, len);
      this.sizeText.copyWithin(i + 1, i, len);
    }
    this.keys[i] = k;
    this.sizes[i] = size;
    this.priceText[i] = priceText;
    this.sizeText[i] = sizeText;
    this.length = len + 1;
  }

  private grow(): void {
    const cap = this.keys.length * 2;
    const keys = new Float64Array(cap);
    keys.set(this.keys);
    const sizes = new Float64Array(cap);
    sizes.set(this.sizes);
    this.keys = keys;
    this.sizes = sizes;
    this.priceText.length = cap;
    this.sizeText.length = cap;
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
    return j >= 0 ? this.priceText[j] : undefined;
  }

  /** Wire size string of the i-th best level; undefined when absent. */
  sizeString(i: number): string | undefined {
    const j = this.length - 1 - i;
    return j >= 0 ? this.sizeText[j] : undefined;
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
    this.keys.copyWithin(0, drop, this.length);
    this.sizes.copyWithin(0, drop, this.length);
    this.priceText.copyWithin(0, drop, this.length);
    this.sizeText.copyWithin(0, drop, this.length);
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
    let size = 0;
    let notional = 0;
    for (let j = this.length - 1; j >= 0; j--) {
      const key = this.keys[j]!;
      if (key < k) break;
      const s = this.sizes[j]!;
      size += s;
      notional += s * this.sign * key;
    }
    out.size = size;
    out.notional = notional;
  }
}
