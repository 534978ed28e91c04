/**
 * Depth anomaly (robust z-score of depth changes over a short window) and liquidity shrinkage (liquidity
 * index against a longer baseline, with trend). Both are sampled at a fixed interval of the samples' own
 * time, so replay at any speed gives the same answers as live.
 */
import type { BookState } from '../book/health.ts';
import { TimeWindow, medianMad } from './rolling.ts';

/** Configuration of the depth monitor. */
export interface LiquidityConfig {
  /** Sampling interval of depth, ms (default 1,000). */
  sampleMs: number;
  /** Window of depth changes for the robust z-score, ms (default 30,000). */
  anomalyWindowMs: number;
  /** Changes needed in the window before a z-score is given (default 10). */
  anomalyMinSamples: number;
  /** Baseline window of the liquidity index, ms (default 900,000 = 15 min). */
  baselineWindowMs: number;
  /** History needed before a baseline ratio is given, ms (default 60,000). */
  baselineMinMs: number;
  /** Window of the trend (least-squares slope), ms (default 60,000). */
  trendWindowMs: number;
}

/** Defaults: 1 s samples, 30 s anomaly window, 15 min baseline, 60 s trend. */
export const defaultLiquidityConfig: LiquidityConfig = {
  sampleMs: 1_000,
  anomalyWindowMs: 30_000,
  anomalyMinSamples: 10,
  baselineWindowMs: 900_000,
  baselineMinMs: 60_000,
  trendWindowMs: 60_000,
};

/** |z| reported when the window's spread is zero and the change differs from its median. */
export const Z_CAP = 1000;

/** Latest depth-anomaly and liquidity state of one instrument. */
export interface LiquidityState {
  /** Time of the sample (ms, the book update's local time). */
  ts: number;
  /** Book state and sequence the sample was taken on. */
  state: BookState;
  sequence: number;
  /** Depth (quote notional, both sides within the configured band of mid) at the sample. */
  depth: number | null;
  /** Depth change since the previous sample (quote). */
  depthChange: number | null;
  /** Median and MAD (unscaled) of the previous changes in the anomaly window (quote). */
  changeMedian: number | null;
  changeMad: number | null;
  /**
   * Robust z-score: (change - median) / (1.4826 × MAD); when MAD is 0, 1.2533 × mean absolute deviation
   * is used; when that is 0 too, 0 for a change equal to the median and ±Z_CAP otherwise.
   */
  depthZ: number | null;
  /** Liquidity index (= depth) against its baseline: mean over the baseline window (quote). */
  baseline: number | null;
  /** depth / baseline (1 = normal, 0.5 = half the usual liquidity). */
  liquidityRatio: number | null;
  /** 1 - liquidityRatio, clamped at 0 from below: the fraction of liquidity missing. */
  shrinkage: number | null;
  /** Least-squares slope of the index over the trend window, as a fraction of baseline per minute. */
  trendPerMin: number | null;
}

/** Depth anomaly + liquidity shrinkage for one instrument. */
export class LiquidityMonitor {
  private readonly cfg: LiquidityConfig;
  private slot = NaN;
  private prevDepth = NaN;
  private readonly changes = new TimeWindow(64);
  private readonly index = new TimeWindow(1024);
  private indexSum = 0;
  private readonly scratch = { buf: new Float64Array(64) };
  /** Latest state (null fields until enough history). */
  readonly latest: LiquidityState = {
    ts: NaN,
    state: 'connecting',
    sequence: NaN,
    depth: null,
    depthChange: null,
    changeMedian: null,
    changeMad: null,
    depthZ: null,
    baseline: null,
    liquidityRatio: null,
    shrinkage: null,
    trendPerMin: null,
  };

  constructor(cfg: Partial<LiquidityConfig> = {}) {
    this.cfg = { ...defaultLiquidityConfig, ...cfg };
  }

  /**
   * Offer the depth at a book update; a sample is taken on the first update of each new interval.
   * @param depth quote notional, or null when unknown (beyond coverage): the change chain restarts
   * @returns true when a sample was taken (`latest` changed)
   */
  offer(ts: number, depth: number | null, state: BookState, sequence: number): boolean {
    const slot = Math.floor(ts / this.cfg.sampleMs);
    if (slot === this.slot) return false;
    this.slot = slot;
    const L = this.latest;
    L.ts = ts;
    L.state = state;
    L.sequence = sequence;
    L.depth = depth;
    if (depth === null || state !== 'live') {
      // unknown depth or untrusted book: no change, no index sample; the chain restarts
      this.prevDepth = NaN;
      L.depthChange = L.depthZ = L.changeMedian = L.changeMad = null;
      L.liquidityRatio = L.shrinkage = null;
      return true;
    }
    this.anomaly(ts, depth);
    this.shrinkage(ts, depth);
    this.prevDepth = depth;
    return true;
  }

  private anomaly(ts: number, depth: number): void {
    const L = this.latest;
    const cfg = this.cfg;
    if (Number.isNaN(this.prevDepth)) {
      L.depthChange = L.depthZ = L.changeMedian = L.changeMad = null;
      return;
    }
    const change = depth - this.prevDepth;
    L.depthChange = change;
    this.changes.evictBefore(ts - cfg.anomalyWindowMs);
    const n = this.changes.copyValues(this.scratch);
    if (n >= cfg.anomalyMinSamples) {
      const a = this.scratch.buf;
      let meanAbs = 0;
      const { median, mad } = medianMad(a, n);
      for (let i = 0; i < n; i++) meanAbs += Math.abs(this.changes.valueAt(i) - median);
      meanAbs /= n;
      L.changeMedian = median;
      L.changeMad = mad;
      const scale = mad > 0 ? 1.4826 * mad : 1.2533 * meanAbs;
      const d = change - median;
      L.depthZ = scale > 0 ? d / scale : d === 0 ? 0 : Math.sign(d) * Z_CAP;
    } else {
      L.depthZ = L.changeMedian = L.changeMad = null;
    }
    this.changes.push(ts, change);
  }

  private shrinkage(ts: number, depth: number): void {
    const L = this.latest;
    const cfg = this.cfg;
    const w = this.index;
    w.push(ts, depth);
    this.indexSum += depth;
    while (w.length > 0 && w.tsAt(0) < ts - cfg.baselineWindowMs) {
      this.indexSum -= w.valueAt(0);
      w.shift();
    }
    const span = ts - w.tsAt(0);
    if (span < cfg.baselineMinMs || w.length < 2) {
      L.baseline = L.liquidityRatio = L.shrinkage = L.trendPerMin = null;
      return;
    }
    const baseline = this.indexSum / w.length;
    L.baseline = baseline;
    L.liquidityRatio = baseline > 0 ? depth / baseline : null;
    L.shrinkage = L.liquidityRatio === null ? null : Math.max(0, 1 - L.liquidityRatio);
    // least-squares slope over the trend window (newest samples), x in minutes relative to now
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    let n = 0;
    for (let i = w.length - 1; i >= 0; i--) {
      const t = w.tsAt(i);
      if (t < ts - cfg.trendWindowMs) break;
      const x = (t - ts) / 60_000;
      const y = w.valueAt(i);
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      n++;
    }
    const den = n * sxx - sx * sx;
    L.trendPerMin = n >= 2 && den > 0 && baseline > 0 ? (n * sxy - sx * sy) / den / baseline : null;
  }

  /** Forget the change chain (book resynced); the baseline is kept. */
  resetChain(): void {
    this.prevDepth = NaN;
  }
}
