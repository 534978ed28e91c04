/**
 * Analytics markers: the moments worth drawing on a chart and keeping as history, inferred from the
 * per-instrument analytics state (pure, no I/O):
 * - support/resistance clusters (clusters.ts) forming and dissolving: a cluster is keyed by side and
 *   bucket (`priceFrom`); `formed` when a scan first lists it, `dissolved` when a later scan no longer does
 *   (or the book leaves `live`);
 * - depth-anomaly episodes (liquidity.ts `depthZ`): `open` when |z| exceeds `anomalyZ`, `close` when it
 *   falls back to `anomalyClearZ` or below (hysteresis, the thresholds of the built-in `depth_anomaly`
 *   alert rule: 6 and 3);
 * - liquidity-shrinkage episodes (`shrinkage`, the fraction of the baseline liquidity missing): `open`
 *   above `shrinkage`, `close` at `shrinkageClear` or below (0.5 and 0.3, as `liquidity_shrinkage`).
 * An episode open when the book leaves `live` is closed there (its values are not trusted beyond).
 * Times are the book updates' local times, ms since epoch UTC; prices quote, sizes base units.
 */
import type { BookState } from '../book/health.ts';
import type { LiquidityCluster } from './clusters.ts';
import type { LiquidityState } from './liquidity.ts';

/** Thresholds of the episodes (see the module comment). */
export interface MarkerConfig {
  anomalyZ: number;
  anomalyClearZ: number;
  shrinkage: number;
  shrinkageClear: number;
}

/** Defaults: the built-in alert rules' thresholds (alerts/schema.ts). */
export const defaultMarkerConfig: MarkerConfig = {
  anomalyZ: 6,
  anomalyClearZ: 3,
  shrinkage: 0.5,
  shrinkageClear: 0.3,
};

/**
 * A support/resistance cluster formed or dissolved: the cluster as the last scan that listed it saw it
 * (clusters.ts LiquidityCluster: bucket [priceFrom, priceTo) quote, size base, notional quote, ratio,
 * strength, firstSeen ms), its age at this marker (ms), the marker's time and book state.
 */
export interface ClusterMarker extends Pick<
  LiquidityCluster,
  'side' | 'priceFrom' | 'priceTo' | 'size' | 'notional' | 'ratio' | 'strength' | 'firstSeen'
> {
  type: 'cluster';
  kind: 'formed' | 'dissolved';
  instrument: string;
  ageMs: number;
  ts: number;
  state: BookState;
}

/** A depth-anomaly or liquidity-shrinkage episode opening or closing. */
export interface LiquidityMarker {
  type: 'anomaly' | 'shrinkage';
  status: 'open' | 'close';
  instrument: string;
  /** depthZ (anomaly) or shrinkage (fraction 0-1) at this marker; the most extreme of the episode. */
  value: number | null;
  peak: number;
  /** Episode start, ms; duration so far, ms. */
  startTs: number;
  durationMs: number;
  ts: number;
  state: BookState;
}

/** Any marker. */
export type AnalyticsMarker = ClusterMarker | LiquidityMarker;

interface Episode {
  startTs: number;
  peak: number;
}

/** The marker state machine of one instrument; see the module comment. */
export class MarkerTracker {
  private readonly cfg: MarkerConfig;
  private clusters = new Map<string, LiquidityCluster>();
  private anomaly: Episode | null = null;
  private shrinking: Episode | null = null;

  constructor(
    readonly instrument: string,
    cfg: Partial<MarkerConfig> = {},
  ) {
    this.cfg = { ...defaultMarkerConfig, ...cfg };
  }

  /**
   * After a cluster scan: `formed` for clusters not listed before, `dissolved` for listed ones now gone.
   * @param clusters the tracker's current list (clusters.ts ClusterTracker.clusters())
   */
  onClusters(clusters: readonly LiquidityCluster[], ts: number, state: BookState): ClusterMarker[] {
    const out: ClusterMarker[] = [];
    const now = new Map<string, LiquidityCluster>();
    for (const c of clusters) {
      const k = `${c.side}${c.priceFrom}`;
      now.set(k, c);
      if (!this.clusters.has(k)) out.push(this.clusterMarker('formed', c, ts, state));
    }
    for (const [k, c] of this.clusters)
      if (!now.has(k)) out.push(this.clusterMarker('dissolved', c, ts, state));
    this.clusters = now;
    return out;
  }

  /** After a liquidity sample: the anomaly / shrinkage episodes that open or close. */
  onLiquidity(
    l: Pick<LiquidityState, 'depthZ' | 'shrinkage'>,
    ts: number,
    state: BookState,
  ): LiquidityMarker[] {
    const out: LiquidityMarker[] = [];
    const c = this.cfg;
    const z = l.depthZ === null ? null : Math.abs(l.depthZ);
    this.anomaly = this.step(
      'anomaly',
      this.anomaly,
      z,
      l.depthZ,
      c.anomalyZ,
      c.anomalyClearZ,
      ts,
      state,
      out,
    );
    this.shrinking = this.step(
      'shrinkage',
      this.shrinking,
      l.shrinkage,
      l.shrinkage,
      c.shrinkage,
      c.shrinkageClear,
      ts,
      state,
      out,
    );
    return out;
  }

  /** The book left `live`: every cluster dissolves and every open episode closes now. */
  onLeaveLive(ts: number, state: BookState): AnalyticsMarker[] {
    const out: AnalyticsMarker[] = this.onClusters([], ts, state);
    const close = (type: 'anomaly' | 'shrinkage', e: Episode | null): void => {
      if (e) out.push(this.liquidityMarker(type, 'close', null, e, ts, state));
    };
    close('anomaly', this.anomaly);
    close('shrinkage', this.shrinking);
    this.anomaly = this.shrinking = null;
    return out;
  }

  /** One episode's hysteresis step; `level` is compared, `value` reported (signed depthZ). */
  private step(
    type: 'anomaly' | 'shrinkage',
    e: Episode | null,
    level: number | null,
    value: number | null,
    open: number,
    clear: number,
    ts: number,
    state: BookState,
    out: LiquidityMarker[],
  ): Episode | null {
    if (e === null) {
      if (level === null || !(level > open) || state !== 'live') return null;
      const started = { startTs: ts, peak: value! };
      out.push(this.liquidityMarker(type, 'open', value, started, ts, state));
      return started;
    }
    if (level !== null && Math.abs(value!) > Math.abs(e.peak)) e.peak = value!;
    if (level === null || level <= clear || state !== 'live') {
      out.push(this.liquidityMarker(type, 'close', value, e, ts, state));
      return null;
    }
    return e;
  }

  private clusterMarker(
    kind: ClusterMarker['kind'],
    c: LiquidityCluster,
    ts: number,
    state: BookState,
  ): ClusterMarker {
    return {
      type: 'cluster',
      kind,
      instrument: this.instrument,
      side: c.side,
      priceFrom: c.priceFrom,
      priceTo: c.priceTo,
      size: c.size,
      notional: c.notional,
      ratio: c.ratio,
      strength: c.strength,
      firstSeen: c.firstSeen,
      ageMs: ts - c.firstSeen,
      ts,
      state,
    };
  }

  private liquidityMarker(
    type: LiquidityMarker['type'],
    status: LiquidityMarker['status'],
    value: number | null,
    e: Episode,
    ts: number,
    state: BookState,
  ): LiquidityMarker {
    return {
      type,
      status,
      instrument: this.instrument,
      value,
      peak: e.peak,
      startTs: e.startTs,
      durationMs: ts - e.startTs,
      ts,
      state,
    };
  }
}
