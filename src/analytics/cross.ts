/**
 * Cross-instrument analytics: basis of a future/perp against its spot, and price divergence of the same
 * pair across venues. Fed with the mids of the instruments involved; a mid is used only while its book
 * is live and fresh.
 */
import type { BookState } from '../book/health.ts';

const YEAR_MS = 365 * 24 * 3_600_000;

/** Basis of a future against spot. */
export interface Basis {
  /** future - spot, quote. */
  absolute: number;
  /** (future - spot) / spot × 1e4. */
  bps: number;
  /** Simple annualized basis (future / spot - 1) × (1 year / time to expiry); null for perps or expired. */
  annualized: number | null;
}

/**
 * Compute the basis of a future/perp mid against the spot mid.
 * @param expiryTs expiry of a dated future (ms since epoch UTC), or null for a perpetual
 * @param now the time the mids stand at (ms)
 * @returns the basis, or null when a price is not positive/finite
 */
export function computeBasis(
  futureMid: number,
  spotMid: number,
  expiryTs: number | null,
  now: number,
): Basis | null {
  if (!(futureMid > 0) || !(spotMid > 0) || !Number.isFinite(futureMid) || !Number.isFinite(spotMid))
    return null;
  const absolute = futureMid - spotMid;
  const left = expiryTs === null ? NaN : expiryTs - now;
  return {
    absolute,
    bps: (absolute / spotMid) * 1e4,
    annualized: left > 0 ? (futureMid / spotMid - 1) * (YEAR_MS / left) : null,
  };
}

/** A future/perp paired with its spot. */
export interface BasisPair {
  /** Name of the pair (e.g. `BTC usdm-perp`), used as the alert subject. */
  name: string;
  future: string;
  spot: string;
  /** Expiry of a dated future (ms since epoch UTC); omit/null for a perpetual. */
  expiryTs?: number | null | undefined;
}

/** The same pair on several venues, compared for divergence. */
export interface DivergenceGroup {
  name: string;
  instruments: string[];
}

/** Cross-instrument settings. */
export interface CrossConfig {
  pairs: BasisPair[];
  groups: DivergenceGroup[];
  /** A mid older than this (ms) is not used. Default 5,000. */
  maxAgeMs: number;
}

/** Latest basis of a pair. */
export interface BasisResult extends Basis {
  name: string;
  future: string;
  spot: string;
  futureMid: number;
  spotMid: number;
  ts: number;
}

/** Latest cross-venue divergence of a group. */
export interface DivergenceResult {
  name: string;
  /** (max mid - min mid) / median mid × 1e4, over the fresh live members. */
  bps: number;
  /** Members with the highest and lowest mid (attribution). */
  high: string;
  low: string;
  /** Mid per member that took part. */
  mids: Record<string, number>;
  ts: number;
}

interface Quote {
  mid: number;
  ts: number;
  state: BookState;
}

/** Basis and divergence across instruments. */
export class CrossAnalytics {
  private readonly mids = new Map<string, Quote>();
  private readonly watched = new Set<string>();
  readonly basis = new Map<string, BasisResult>();
  readonly divergence = new Map<string, DivergenceResult>();

  constructor(private readonly cfg: CrossConfig) {
    for (const p of cfg.pairs) this.watched.add(p.future).add(p.spot);
    for (const g of cfg.groups) for (const i of g.instruments) this.watched.add(i);
  }

  /** True when the instrument takes part in some pair or group (the engine skips the others cheaply). */
  watches(instrument: string): boolean {
    return this.watched.has(instrument);
  }

  /**
   * Record an instrument's mid and recompute the pairs and groups it belongs to.
   * @param ts the mid's time (ms); @param state its book state (only `live` mids are used)
   */
  onMid(instrument: string, mid: number | null, ts: number, state: BookState): void {
    if (!this.watched.has(instrument)) return;
    if (mid === null) this.mids.delete(instrument);
    else this.mids.set(instrument, { mid, ts, state });
    for (const p of this.cfg.pairs) {
      if (p.future !== instrument && p.spot !== instrument) continue;
      const f = this.fresh(p.future, ts);
      const s = this.fresh(p.spot, ts);
      const b = f !== null && s !== null ? computeBasis(f, s, p.expiryTs ?? null, ts) : null;
      if (b === null) this.basis.delete(p.name);
      else
        this.basis.set(p.name, {
          ...b,
          name: p.name,
          future: p.future,
          spot: p.spot,
          futureMid: f!,
          spotMid: s!,
          ts,
        });
    }
    for (const g of this.cfg.groups) {
      if (!g.instruments.includes(instrument)) continue;
      const mids: Record<string, number> = {};
      const vals: number[] = [];
      let high = '';
      let low = '';
      for (const i of g.instruments) {
        const m = this.fresh(i, ts);
        if (m === null) continue;
        mids[i] = m;
        vals.push(m);
        if (high === '' || m > mids[high]!) high = i;
        if (low === '' || m < mids[low]!) low = i;
      }
      if (vals.length < 2) {
        this.divergence.delete(g.name);
        continue;
      }
      vals.sort((a, b) => a - b);
      const h = vals.length >> 1;
      const median = vals.length % 2 ? vals[h]! : (vals[h - 1]! + vals[h]!) / 2;
      this.divergence.set(g.name, {
        name: g.name,
        bps: ((mids[high]! - mids[low]!) / median) * 1e4,
        high,
        low,
        mids,
        ts,
      });
    }
  }

  private fresh(instrument: string, now: number): number | null {
    const q = this.mids.get(instrument);
    if (!q || q.state !== 'live' || now - q.ts > this.cfg.maxAgeMs) return null;
    return q.mid;
  }
}
