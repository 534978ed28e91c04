/**
 * Liquidity heatmap: resting size per price bucket over time, stored compactly as runs per bucket
 * (consecutive time bins with the same size collapse into one run), with gaps (book not live) and the
 * covered price range per bin marked. Queryable by time range and by a coarser bucket size.
 */
import type { L2Book } from '../book/l2-book.ts';
import type { BookState, Coverage } from '../book/health.ts';
import type { Side } from '../core/model.ts';
import { bucketOf, forEachLevelNear, identityBase, type ToBase } from './scan.ts';

/** Heatmap settings (per instrument). */
export interface HeatmapConfig {
  /**
   * Price bucket size, quote. Default 10 here; the per-instrument analytics (analytics/instrument.ts)
   * derive it from the tick and the price when not configured.
   */
  bucketSize: number;
  /** Time bin, ms. Default 1,000. */
  binMs: number;
  /** Buckets within this percent of mid are recorded. Default 2. */
  rangePct: number;
  /** History kept, ms. Default 3,600,000 (1 h). */
  retentionMs: number;
  /** Sizes are rounded to this many significant digits before comparing (so noise does not split runs). Default 4. */
  sizeDigits: number;
}

/** Defaults (see HeatmapConfig). */
export const defaultHeatmapConfig: HeatmapConfig = {
  bucketSize: 10,
  binMs: 1_000,
  rangePct: 2,
  retentionMs: 3_600_000,
  sizeDigits: 4,
};

/** One run: a bucket held `size` (base) at every bin start in [from, to] (ms, inclusive bin starts). */
export interface HeatmapRun {
  side: Side;
  /** Bucket lower price bound, quote; the bucket is [price, price + bucketSize). */
  price: number;
  from: number;
  to: number;
  size: number;
}

/** A time range the book was not live (no data recorded), ms [from, to). */
export interface HeatmapGap {
  from: number;
  to: number;
  state: BookState;
}

/** Covered price range of a run of bins (the scanned band clipped by the book's coverage). */
export interface HeatmapCoverage {
  from: number;
  to: number;
  /** Lowest and highest price recorded (quote). */
  priceLow: number;
  priceHigh: number;
}

/** Result of a heatmap query. */
export interface HeatmapSlice {
  bucketSize: number;
  binMs: number;
  runs: HeatmapRun[];
  gaps: HeatmapGap[];
  coverage: HeatmapCoverage[];
}

/** Receives each run as it closes (a bucket's size changed, the bucket left the scanned band, or a gap). */
export type HeatmapRunSink = (run: HeatmapRun) => void;

/**
 * A run clipped to the query range `[from, to)` (ms): its first bin moves up to the first bin start at or
 * after `from`, its last bin down to `to - 1` at most. @returns null when the run does not overlap.
 */
export function clipRun<R extends HeatmapRun>(r: R, from: number, to: number, binMs: number): R | null {
  if (r.to < from || r.from >= to) return null;
  return { ...r, from: Math.max(r.from, Math.ceil(from / binMs) * binMs), to: Math.min(r.to, to - 1) };
}

interface OpenRun {
  side: Side;
  bucket: number;
  from: number;
  to: number;
  size: number;
}

/** Heatmap of one instrument. */
export class Heatmap {
  private readonly cfg: HeatmapConfig;
  private readonly closed: HeatmapRun[] = [];
  /** Open runs by key `2 × bucket` (bids) or `2 × bucket + 1` (asks): numbers, no string per bucket. */
  private open = new Map<number, OpenRun>();
  private readonly gaps: HeatmapGap[] = [];
  private openGap: HeatmapGap | null = null;
  private readonly coverage: HeatmapCoverage[] = [];
  private bin = NaN;
  private sink: HeatmapRunSink | null = null;
  private readonly autoBucket: ((mid: number) => number) | null;
  /** Wire size → base units at a price (scan.ts `toBaseOf(spec)`): runs hold base units. */
  toBase: ToBase = identityBase;

  /**
   * @param autoBucket when given and `cfg.bucketSize` is not, the bucket size is chosen from the mid of
   *   the first live book offered (e.g. core/instrument.ts `defaultBucketSize(tick, mid, bps)`); until
   *   then `settings.bucketSize` is NaN and no run exists
   * @throws {RangeError} on a bucket size or bin that is not positive
   */
  constructor(cfg: Partial<HeatmapConfig> = {}, autoBucket?: (mid: number) => number) {
    this.autoBucket = cfg.bucketSize === undefined && autoBucket ? autoBucket : null;
    this.cfg = { ...defaultHeatmapConfig, ...cfg, ...(this.autoBucket ? { bucketSize: NaN } : {}) };
    if ((!this.autoBucket && !(this.cfg.bucketSize > 0)) || !(this.cfg.binMs > 0))
      throw new RangeError('heatmap bucketSize and binMs must be > 0');
  }

  /**
   * Offer the book at an update; the first update of each time bin records the bin.
   * A non-live state records a gap instead and closes every open run.
   * @returns true when a bin was recorded (or a gap extended)
   */
  offer(book: L2Book, cov: Coverage, ts: number, state: BookState): boolean {
    if (!this.opensBin(ts)) return false; // the common case: no work per update within a bin
    const live = state === 'live' && book.bids.length > 0 && book.asks.length > 0;
    const mid = live ? (book.bids.price(0) + book.asks.price(0)) / 2 : NaN;
    const c = this.cfg;
    const toBase = this.toBase;
    return this.offerLevels(ts, live ? 'live' : state, mid, (side, add) =>
      forEachLevelNear(
        side === 'bid' ? book.bids : book.asks,
        mid,
        c.rangePct,
        side === 'bid' ? cov.bidFloor : cov.askCeiling,
        (p, wire) => add(p, toBase(p, wire)),
      ),
    );
  }

  /**
   * Offer levels from any source (e.g. one member's share of a consolidated book): as `offer`, but the
   * caller walks the levels. Only called when `ts` opens a new bin.
   * @param state `live` records a bin (with `mid` > 0); anything else records a gap
   * @param walk called once per side when a bin is recorded: must call `add(price, baseSize)` for each
   *   level within `settings.rangePct` of `mid`, best first (levels of one bucket contiguous)
   * @returns true when a bin was recorded (or a gap extended)
   */
  offerLevels(
    ts: number,
    state: BookState,
    mid: number,
    walk: (side: Side, add: (price: number, baseSize: number) => void) => void,
  ): boolean {
    const c = this.cfg;
    const bin = Math.floor(ts / c.binMs) * c.binMs;
    if (bin === this.bin) return false;
    this.bin = bin;
    if (state !== 'live' || !(mid > 0)) {
      this.closeAll();
      if (this.openGap && this.openGap.state === state) this.openGap.to = bin + c.binMs;
      else {
        this.openGap = { from: bin, to: bin + c.binMs, state };
        this.gaps.push(this.openGap);
      }
      return true;
    }
    this.openGap = null;
    if (Number.isNaN(c.bucketSize)) {
      const b = this.autoBucket!(mid);
      if (!(b > 0)) return true;
      c.bucketSize = b;
    }
    const cur = new Map<number, OpenRun>();
    let lo = Infinity;
    let hi = -Infinity;
    // levels arrive in price order, so one bucket's levels are contiguous: look the run up once per bucket
    let run: OpenRun | null = null;
    const add = (side: Side) => (p: number, s: number) => {
      if (!(s > 0)) return;
      if (p < lo) lo = p;
      if (p > hi) hi = p;
      const b = bucketOf(p, c.bucketSize);
      if (run !== null && run.bucket === b && run.side === side) {
        run.size += s;
        return;
      }
      const k = side === 'bid' ? 2 * b : 2 * b + 1;
      run = cur.get(k) ?? null;
      if (run) run.size += s;
      else cur.set(k, (run = { side, bucket: b, from: bin, to: bin, size: s }));
    };
    walk('bid', add('bid'));
    walk('ask', add('ask'));
    for (const [k, r] of cur) {
      r.size = roundSig(r.size, c.sizeDigits);
      const o = this.open.get(k);
      if (o && o.size === r.size) {
        o.to = bin;
        cur.set(k, o);
      } else if (o) this.closeRun(o);
    }
    for (const [k, o] of this.open) if (!cur.has(k)) this.closeRun(o);
    this.open = cur;
    if (lo <= hi) {
      const lastCov = this.coverage[this.coverage.length - 1];
      if (lastCov && lastCov.priceLow === lo && lastCov.priceHigh === hi && lastCov.to === bin)
        lastCov.to = bin + c.binMs;
      else this.coverage.push({ from: bin, to: bin + c.binMs, priceLow: lo, priceHigh: hi });
    }
    this.prune(bin - c.retentionMs);
    return true;
  }

  /** Whether `ts` (ms) opens a new time bin (an offer there would record). */
  opensBin(ts: number): boolean {
    return Math.floor(ts / this.cfg.binMs) * this.cfg.binMs !== this.bin;
  }

  private closeRun(o: OpenRun): void {
    const run: HeatmapRun = {
      side: o.side,
      price: o.bucket * this.cfg.bucketSize,
      from: o.from,
      to: o.to,
      size: o.size,
    };
    this.closed.push(run);
    this.sink?.({ ...run });
  }

  /** The effective settings (defaults merged with the constructor's). */
  get settings(): Readonly<HeatmapConfig> {
    return this.cfg;
  }

  /**
   * Send every run to `sink` as it closes (one sink at a time; a new one replaces the previous). The closed
   * runs still held in memory (within `retentionMs`) are sent first, oldest closing first, so a sink
   * attached late misses nothing younger than the retention. The sink must not throw. Pure: no I/O here.
   * @returns a function that detaches the sink
   */
  onRunClosed(sink: HeatmapRunSink): () => void {
    this.sink = sink;
    for (const r of this.closed) sink({ ...r });
    return () => {
      if (this.sink === sink) this.sink = null;
    };
  }

  /**
   * The runs still open, as runs (the heatmap is not changed). With `ts` (ms), each run's `to` is extended
   * to the bin of `ts` when later: "held until now", for writing them closed at shutdown.
   */
  openRuns(ts?: number): HeatmapRun[] {
    const c = this.cfg;
    const end = ts === undefined ? -Infinity : Math.floor(ts / c.binMs) * c.binMs;
    return [...this.open.values()].map((o) => ({
      side: o.side,
      price: o.bucket * c.bucketSize,
      from: o.from,
      to: Math.max(o.to, end),
      size: o.size,
    }));
  }

  private closeAll(): void {
    for (const o of this.open.values()) this.closeRun(o);
    this.open.clear();
  }

  private prune(cutoff: number): void {
    let i = 0;
    while (i < this.closed.length && this.closed[i]!.to < cutoff) i++;
    // closed runs are appended in closing order, which is by `to`: a prefix is old
    if (i > 0) this.closed.splice(0, i);
    while (this.gaps.length > 0 && this.gaps[0]!.to < cutoff) this.gaps.shift();
    while (this.coverage.length > 0 && this.coverage[0]!.to < cutoff) this.coverage.shift();
  }

  /** Number of runs held (closed + open): the storage cost. */
  runCount(): number {
    return this.closed.length + this.open.size;
  }

  /**
   * Runs, gaps and coverage overlapping [from, to) (ms), optionally re-bucketed to `factor` × bucketSize
   * (sizes of the merged buckets are summed per bin, then collapsed into runs again).
   * @throws {RangeError} when factor is not a positive integer
   */
  query(from: number, to: number, factor = 1): HeatmapSlice {
    if (!Number.isInteger(factor) || factor < 1)
      throw new RangeError('heatmap factor must be a positive integer');
    const c = this.cfg;
    const all: HeatmapRun[] = [];
    for (const r of [...this.closed, ...this.openRuns()]) {
      const k = clipRun(r, from, to, c.binMs);
      if (k) all.push(k);
    }
    const runs = factor === 1 ? all : rebucketRuns(all, c.bucketSize * factor, c.binMs, c.sizeDigits);
    runs.sort((a, b) => a.from - b.from || a.price - b.price);
    return {
      bucketSize: c.bucketSize * factor,
      binMs: c.binMs,
      runs,
      gaps: this.gaps.filter((g) => g.to > from && g.from < to).map((g) => ({ ...g })),
      coverage: this.coverage.filter((g) => g.to > from && g.from < to).map((g) => ({ ...g })),
    };
  }
}

/**
 * Re-bucket runs to price buckets of `width` (a whole multiple of their bucket size, quote): per side and
 * wide bucket, the sizes of the merged buckets are summed per bin (`binMs`), rounded to `sizeDigits`
 * significant digits, and collapsed into runs again (bins where the sum is 0 have no run). Pure.
 */
export function rebucketRuns(
  runs: readonly HeatmapRun[],
  width: number,
  binMs: number,
  sizeDigits: number,
): HeatmapRun[] {
  const c = { binMs, sizeDigits };
  const groups = new Map<string, HeatmapRun[]>();
  for (const r of runs) {
    const b = bucketOf(r.price, width);
    const k = `${r.side}${b}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push({ ...r, price: b * width });
  }
  const out: HeatmapRun[] = [];
  for (const g of groups.values()) {
    // sweep the bins where any member run starts or ends
    const cuts = new Set<number>();
    for (const r of g) {
      cuts.add(r.from);
      cuts.add(r.to + c.binMs);
    }
    const times = [...cuts].sort((a, b) => a - b);
    let cur: HeatmapRun | null = null;
    for (let i = 0; i + 1 < times.length; i++) {
      const t = times[i]!;
      let size = 0;
      for (const r of g) if (r.from <= t && t <= r.to) size += r.size;
      size = roundSig(size, c.sizeDigits);
      const end = times[i + 1]! - c.binMs;
      if (size === 0) {
        if (cur) out.push(cur);
        cur = null;
      } else if (cur && cur.size === size && cur.to + c.binMs === t) cur.to = end;
      else {
        if (cur) out.push(cur);
        cur = { side: g[0]!.side, price: g[0]!.price, from: t, to: end, size };
      }
    }
    if (cur) out.push(cur);
  }
  return out;
}

function roundSig(x: number, digits: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(digits));
}
