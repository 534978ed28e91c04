/**
 * Readers of the analytics view (`GET /api/v1/analytics/:id`, contract AnalyticsView), whose walls,
 * clusters and liquidity are open records in the contract: each reader keeps the entries with the
 * fields the dashboard draws (finite numbers, known sides) and drops the rest, never throwing.
 * Prices quote currency, sizes base units, times ms since epoch UTC (the server's clock).
 */
import type { AnalyticsView } from '../../../src/contract/index.ts';
import type { LadderCluster, LadderWall } from './ladder.ts';

/** A wall currently in the book (analytics/walls.ts Wall). */
export interface WallMark extends LadderWall {
  notional: number;
  firstSeen: number;
  ageMs: number;
}

/** A support (bid) or resistance (ask) cluster (analytics/clusters.ts LiquidityCluster). */
export interface ClusterBand extends LadderCluster {
  size: number;
  firstSeen: number;
}

/** Depth anomaly and shrinkage (analytics/liquidity.ts LiquidityState), numbers or null. */
export interface LiquidityMarks {
  ts: number | null;
  depthZ: number | null;
  shrinkage: number | null;
  liquidityRatio: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const side = (v: unknown): 'bid' | 'ask' | null => (v === 'bid' || v === 'ask' ? v : null);

/** The walls of an analytics view. */
export function readWalls(a: AnalyticsView | null): WallMark[] {
  const out: WallMark[] = [];
  for (const w of a?.walls ?? []) {
    const s = side(w.side);
    const price = num(w.price);
    const size = num(w.size);
    if (!s || price === null || size === null) continue;
    out.push({
      side: s,
      price,
      size,
      notional: num(w.notional) ?? price * size,
      firstSeen: num(w.firstSeen) ?? a!.ts,
      ageMs: num(w.ageMs) ?? 0,
    });
  }
  return out;
}

/** The S/R clusters of an analytics view. */
export function readClusters(a: AnalyticsView | null): ClusterBand[] {
  const out: ClusterBand[] = [];
  for (const c of a?.clusters ?? []) {
    const s = side(c.side);
    const lo = num(c.priceFrom);
    const hi = num(c.priceTo);
    if (!s || lo === null || hi === null || !(hi > lo)) continue;
    out.push({
      side: s,
      priceFrom: lo,
      priceTo: hi,
      strength: Math.min(1, Math.max(0, num(c.strength) ?? 0)),
      size: num(c.size) ?? 0,
      firstSeen: num(c.firstSeen) ?? a!.ts,
    });
  }
  return out;
}

/** Depth anomaly and liquidity shrinkage of an analytics view. */
export function readLiquidity(a: AnalyticsView | null): LiquidityMarks {
  const l = a?.liquidity ?? {};
  return {
    ts: num(l.ts),
    depthZ: num(l.depthZ),
    shrinkage: num(l.shrinkage),
    liquidityRatio: num(l.liquidityRatio),
  };
}
