/**
 * The heatmap history answer: closed runs read from the history store merged with the runs of the
 * in-memory heatmap (analytics/heatmap.ts), so a range older than the in-memory retention, or one across
 * a restart, is answered from the store while the newest (still open) runs come from memory. Pure.
 */
import {
  clipRun,
  defaultHeatmapConfig,
  rebucketRuns,
  type Heatmap,
  type HeatmapRun,
  type HeatmapSlice,
} from '../analytics/heatmap.ts';
import type { HeatmapRunRow } from '../store/types.ts';

/** Inputs of {@link mergeHeatmap}. Times ms since epoch UTC, prices quote currency. */
export interface HeatmapMergeInput {
  /** The instrument's in-memory heatmap, or null (not run here, or heatmap off). */
  memory: Pick<Heatmap, 'query' | 'settings'> | null;
  /** Stored runs overlapping the range (store.queryHeatmapRuns), or [] when the store keeps none. */
  stored: readonly HeatmapRunRow[];
  from: number;
  to: number;
  /** Wanted bucket width; default the in-memory bucket size, else the widest stored one. */
  bucket?: number;
}

/** True when `width` is a whole multiple (>= 1) of `base` (within float tolerance). */
function isMultiple(width: number, base: number): boolean {
  const f = Math.round(width / base);
  return f >= 1 && Math.abs(f * base - width) <= 1e-9 * Math.max(1, width);
}

/**
 * Merge stored and in-memory runs over `[from, to)`: each run is clipped to the range, a run present in
 * both (same bucket size, side, price and first bin) is taken once, and runs are re-bucketed to the
 * wanted width (sizes summed per bin, as the in-memory query does). Gaps and coverage are the in-memory
 * heatmap's (none without it). Sorted by first bin, then price.
 * @throws {RangeError} when the width is not a whole multiple of the in-memory bucket size or of a stored
 *   run's bucket size
 */
export function mergeHeatmap(i: HeatmapMergeInput): HeatmapSlice & { storedRuns: number } {
  const cfg = i.memory?.settings;
  const widest = i.stored.reduce((m, r) => Math.max(m, r.bucketSize), 0);
  // An automatic bucket size is NaN until the heatmap saw its first live book.
  const memBucket = cfg && cfg.bucketSize > 0 ? cfg.bucketSize : undefined;
  const base = memBucket ?? (widest > 0 ? widest : defaultHeatmapConfig.bucketSize);
  const binMs = cfg?.binMs ?? i.stored[0]?.binMs ?? defaultHeatmapConfig.binMs;
  const digits = cfg?.sizeDigits ?? defaultHeatmapConfig.sizeDigits;
  const width = i.bucket ?? base;
  if (!isMultiple(width, base))
    throw new RangeError(`bucket: must be a whole multiple of the heatmap bucket ${base}`);
  const groups = new Map<number, HeatmapRun[]>();
  const add = (bucketSize: number, r: HeatmapRun): void => {
    let g = groups.get(bucketSize);
    if (!g) groups.set(bucketSize, (g = []));
    g.push(r);
  };
  const seen = new Set<string>();
  const key = (bucketSize: number, r: HeatmapRun): string => `${bucketSize}|${r.side}|${r.price}|${r.from}`;
  const mem = i.memory ? i.memory.query(i.from, i.to, 1) : null;
  for (const r of mem?.runs ?? []) {
    seen.add(key(base, r));
    add(base, r);
  }
  for (const row of i.stored) {
    if (!isMultiple(width, row.bucketSize))
      throw new RangeError(
        `bucket: stored runs in this range have bucket size ${row.bucketSize}; ask a whole multiple of it`,
      );
    const run: HeatmapRun = { side: row.side, price: row.price, from: row.from, to: row.to, size: row.size };
    const c = clipRun(run, i.from, i.to, row.binMs);
    if (!c || seen.has(key(row.bucketSize, c))) continue;
    seen.add(key(row.bucketSize, c));
    add(row.bucketSize, c);
  }
  const runs: HeatmapRun[] = [];
  for (const [size, g] of groups) {
    if (isMultiple(size, width)) runs.push(...g);
    else runs.push(...rebucketRuns(g, width, binMs, digits));
  }
  runs.sort((a, b) => a.from - b.from || a.price - b.price);
  return {
    bucketSize: width,
    binMs,
    runs,
    gaps: mem?.gaps ?? [],
    coverage: mem?.coverage ?? [],
    storedRuns: i.stored.length,
  };
}
