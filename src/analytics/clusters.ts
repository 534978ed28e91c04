/**
 * Support/resistance from liquidity clusters: resting size summed into price buckets (bucket size per
 * instrument, e.g. 10 USD for BTC), buckets that stand out from their neighbourhood on the same side,
 * tracked over scans so only persistent clusters are reported.
 */
import type { L2Book } from '../book/l2-book.ts';
import type { BookState, Coverage } from '../book/health.ts';
import type { Side } from '../core/model.ts';
import { bucketOf, forEachLevelNear, identityBase, type ToBase } from './scan.ts';

/** Cluster settings (per instrument). */
export interface ClusterConfig {
  /**
   * Price bucket size, quote (e.g. 10 for BTCUSDT). Default 10 here; the per-instrument analytics
   * (analytics/instrument.ts) derive it from the tick and the price when not configured.
   */
  bucketSize: number;
  /** Scan interval, ms of update time. Default 1,000. */
  scanIntervalMs: number;
  /** Buckets within this percent of mid are scanned. Default 2. */
  rangePct: number;
  /** Neighbour buckets on each side compared against. Default 5. */
  neighbours: number;
  /** A bucket stands out when its size ≥ `factor` × the neighbours' mean. Default 2.5. */
  factor: number;
  /** A cluster is reported once it has stood out for this long, ms. Default 10,000. */
  minAgeMs: number;
  /** Age at which persistence counts fully in the strength, ms. Default 60,000. */
  persistMs: number;
  /** A cluster missing for longer than this is forgotten, ms. Default 3,000. */
  graceMs: number;
}

/** Defaults (see ClusterConfig). */
export const defaultClusterConfig: ClusterConfig = {
  bucketSize: 10,
  scanIntervalMs: 1_000,
  rangePct: 2,
  neighbours: 5,
  factor: 2.5,
  minAgeMs: 10_000,
  persistMs: 60_000,
  graceMs: 3_000,
};

/** A persistent liquidity cluster: support (bid side) or resistance (ask side). */
export interface LiquidityCluster {
  side: Side;
  /** Bucket price range, quote: [priceFrom, priceTo). */
  priceFrom: number;
  priceTo: number;
  /** Resting size in the bucket at the last scan (base) and its notional (quote). */
  size: number;
  notional: number;
  /** size / mean size of the neighbour buckets (capped at 100). */
  ratio: number;
  /** First time it stood out, ms; age at the last scan, ms. */
  firstSeen: number;
  ageMs: number;
  /**
   * Strength in [0, 1]: (1 - factor / ratio) × min(1, age / persistMs): how far it stands out beyond
   * the threshold, weighted by how long it has persisted.
   */
  strength: number;
  /** Book state and sequence of the last scan that saw it. */
  state: BookState;
  sequence: number;
}

interface ClusterTrack {
  side: Side;
  bucket: number;
  size: number;
  notional: number;
  ratio: number;
  firstSeen: number;
  lastSeen: number;
  state: BookState;
  sequence: number;
}

const RATIO_CAP = 100;

/** Tracks liquidity clusters of one instrument. */
export class ClusterTracker {
  private readonly cfg: ClusterConfig;
  private readonly tracks = new Map<string, ClusterTrack>();
  private lastScan = -Infinity;
  private lastTs = NaN;
  private readonly autoBucket: ((mid: number) => number) | null;
  /** Wire size → base units at a price (scan.ts `toBaseOf(spec)`); identity by default. */
  toBase: ToBase = identityBase;

  /**
   * @param autoBucket when given and `cfg.bucketSize` is not, the bucket size is chosen at the first scan
   *   from the mid (e.g. core/instrument.ts `defaultBucketSize(tick, mid, bps)`)
   * @throws {RangeError} on a bucket size that is not positive
   */
  constructor(cfg: Partial<ClusterConfig> = {}, autoBucket?: (mid: number) => number) {
    this.autoBucket = cfg.bucketSize === undefined && autoBucket ? autoBucket : null;
    this.cfg = { ...defaultClusterConfig, ...cfg, ...(this.autoBucket ? { bucketSize: NaN } : {}) };
    if (!this.autoBucket && !(this.cfg.bucketSize > 0))
      throw new RangeError('cluster bucketSize must be > 0');
  }

  /** The bucket size in use, quote (NaN until an automatic one is chosen at the first scan). */
  get bucketSize(): number {
    return this.cfg.bucketSize;
  }

  /** Scan when the interval has elapsed (or `force`). @returns true when it scanned. */
  maybeScan(
    book: L2Book,
    coverage: Coverage,
    ts: number,
    state: BookState,
    sequence: number,
    force = false,
  ): boolean {
    if (!force && ts - this.lastScan < this.cfg.scanIntervalMs) return false;
    this.lastScan = ts;
    this.lastTs = ts;
    if (book.bids.length === 0 || book.asks.length === 0) return true;
    const mid = (book.bids.price(0) + book.asks.price(0)) / 2;
    if (Number.isNaN(this.cfg.bucketSize)) {
      const b = this.autoBucket!(mid);
      if (!(b > 0)) return true;
      this.cfg.bucketSize = b;
    }
    this.scanSide('bid', book, mid, coverage.bidFloor, ts, state, sequence);
    this.scanSide('ask', book, mid, coverage.askCeiling, ts, state, sequence);
    for (const [k, t] of this.tracks) if (ts - t.lastSeen > this.cfg.graceMs) this.tracks.delete(k);
    return true;
  }

  private scanSide(
    side: Side,
    book: L2Book,
    mid: number,
    edge: number,
    ts: number,
    state: BookState,
    sequence: number,
  ): void {
    const c = this.cfg;
    const sizes = new Map<number, number>();
    const notionals = new Map<number, number>();
    let lo = Infinity;
    let hi = -Infinity;
    const toBase = this.toBase;
    forEachLevelNear(side === 'bid' ? book.bids : book.asks, mid, c.rangePct, edge, (p, wire) => {
      const s = toBase(p, wire);
      const b = bucketOf(p, c.bucketSize);
      sizes.set(b, (sizes.get(b) ?? 0) + s);
      notionals.set(b, (notionals.get(b) ?? 0) + p * s);
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    });
    for (const [b, s] of sizes) {
      // neighbours: buckets within ±k on the same side that the scan covered (the outermost bucket is
      // partial; it is still compared, against the buckets we have)
      let sum = 0;
      let n = 0;
      for (let j = b - c.neighbours; j <= b + c.neighbours; j++) {
        if (j === b || j < lo || j > hi) continue;
        sum += sizes.get(j) ?? 0;
        n++;
      }
      if (n === 0) continue;
      const mean = sum / n;
      const ratio = mean > 0 ? Math.min(RATIO_CAP, s / mean) : RATIO_CAP;
      if (ratio < c.factor) continue;
      const k = `${side}:${b}`;
      const t = this.tracks.get(k);
      const notional = notionals.get(b)!;
      if (t) {
        t.size = s;
        t.notional = notional;
        t.ratio = ratio;
        t.lastSeen = ts;
        t.state = state;
        t.sequence = sequence;
      } else {
        this.tracks.set(k, {
          side,
          bucket: b,
          size: s,
          notional,
          ratio,
          firstSeen: ts,
          lastSeen: ts,
          state,
          sequence,
        });
      }
    }
  }

  /** Clusters that have persisted at least `minAgeMs`, strongest first. */
  clusters(): LiquidityCluster[] {
    const c = this.cfg;
    const out: LiquidityCluster[] = [];
    for (const t of this.tracks.values()) {
      if (t.lastSeen !== this.lastTs) continue; // not standing out at the latest scan
      const age = t.lastSeen - t.firstSeen;
      if (age < c.minAgeMs) continue;
      const from = t.bucket * c.bucketSize;
      out.push({
        side: t.side,
        priceFrom: from,
        priceTo: from + c.bucketSize,
        size: t.size,
        notional: t.notional,
        ratio: t.ratio,
        firstSeen: t.firstSeen,
        ageMs: age,
        strength: (1 - c.factor / t.ratio) * Math.min(1, age / c.persistMs),
        state: t.state,
        sequence: t.sequence,
      });
    }
    return out.sort((a, b) => b.strength - a.strength);
  }

  /** Forget every cluster (book resynced). */
  reset(): void {
    this.tracks.clear();
  }
}
