/**
 * Small allocation-free rolling-window helpers shared by the stateful analytics.
 */

/**
 * A time-ordered window of (ts, value) samples in growable ring buffers. Times are ms (any epoch);
 * samples must be pushed in non-decreasing time order (an older sample is clamped to the newest time).
 */
export class TimeWindow {
  private ts: Float64Array;
  private vs: Float64Array;
  private head = 0;
  /** Number of samples held. */
  length = 0;

  constructor(initialCapacity = 64) {
    this.ts = new Float64Array(initialCapacity);
    this.vs = new Float64Array(initialCapacity);
  }

  /** Append a sample (grows the buffers when full). */
  push(ts: number, v: number): void {
    if (this.length > 0 && ts < this.newestTs()) ts = this.newestTs();
    if (this.length === this.ts.length) this.grow();
    const i = (this.head + this.length) % this.ts.length;
    this.ts[i] = ts;
    this.vs[i] = v;
    this.length++;
  }

  /** Drop samples with time < `cutoff`. */
  evictBefore(cutoff: number): void {
    while (this.length > 0 && this.ts[this.head]! < cutoff) {
      this.head = (this.head + 1) % this.ts.length;
      this.length--;
    }
  }

  /** Drop the oldest sample. */
  shift(): void {
    if (this.length === 0) return;
    this.head = (this.head + 1) % this.ts.length;
    this.length--;
  }

  /** Time of the i-th oldest sample (0 = oldest). */
  tsAt(i: number): number {
    return this.ts[(this.head + i) % this.ts.length]!;
  }

  /** Value of the i-th oldest sample (0 = oldest). */
  valueAt(i: number): number {
    return this.vs[(this.head + i) % this.ts.length]!;
  }

  /** Time of the newest sample (NaN when empty). */
  newestTs(): number {
    return this.length > 0 ? this.tsAt(this.length - 1) : NaN;
  }

  /** Copy the values, oldest first, into `out` (grown as needed); @returns the count. */
  copyValues(out: { buf: Float64Array }): number {
    if (out.buf.length < this.length) out.buf = new Float64Array(Math.max(this.length, out.buf.length * 2));
    for (let i = 0; i < this.length; i++) out.buf[i] = this.valueAt(i);
    return this.length;
  }

  /** Remove every sample. */
  clear(): void {
    this.head = 0;
    this.length = 0;
  }

  private grow(): void {
    const cap = this.ts.length * 2;
    const ts = new Float64Array(cap);
    const vs = new Float64Array(cap);
    for (let i = 0; i < this.length; i++) {
      ts[i] = this.tsAt(i);
      vs[i] = this.valueAt(i);
    }
    this.ts = ts;
    this.vs = vs;
    this.head = 0;
  }
}

/** Median of the first `n` entries of `a` (sorts them in place). NaN when n = 0. */
export function medianInPlace(a: Float64Array, n: number): number {
  if (n === 0) return NaN;
  const v = a.subarray(0, n).sort();
  const h = n >> 1;
  return n % 2 === 1 ? v[h]! : (v[h - 1]! + v[h]!) / 2;
}

/**
 * Robust location and scale of the first `n` values: median and MAD (median absolute deviation,
 * unscaled). Uses `a` as scratch (its first n entries are overwritten).
 */
export function medianMad(a: Float64Array, n: number): { median: number; mad: number } {
  const med = medianInPlace(a, n);
  for (let i = 0; i < n; i++) a[i] = Math.abs(a[i]! - med);
  return { median: med, mad: medianInPlace(a, n) };
}
