/**
 * Book history producer (roles `all` and `analyzer`): turns the engine's live state into the history
 * store's book snapshot and heatmap run rows.
 *
 * - Book snapshots: every `intervalMs` (config `store.bookSnapshotIntervalMs`, default 10 s) one row per
 *   book whose state is `live`, with its top `depth` levels per side (config `store.bookSnapshotDepth`,
 *   default 50) as the exact wire strings. Books that are not live (connecting, syncing, resyncing,
 *   stale, ...) are skipped: their levels are not trusted, so they are never stored. `localTs` is the
 *   time the snapshot was taken (the book held exactly these levels then), `exchangeTs` the exchange
 *   time of the last applied update (its local time minus the measured latency; NaN when unknown).
 * - Heatmap runs: each instrument's (and each consolidation group's summed) in-memory heatmap
 *   (analytics/heatmap.ts) reports runs as they close
 *   (a bucket's size changed, the bucket left the scanned band, or a gap); each becomes one row. Heatmaps
 *   are attached as they appear (checked every second; runs closed before attaching are replayed by the
 *   heatmap from memory). `stop(now)` (graceful shutdown) writes the runs still open, closed at `now`.
 *
 * Rows go to the store's `append*`, which queue and never throw; a store without these methods keeps no
 * book history (nothing is produced for it).
 */
import type { Engine } from '../pipeline/engine.ts';
import type { AnalyticsStage } from '../analytics/stage.ts';
import type { Heatmap, HeatmapRun } from '../analytics/heatmap.ts';
import { groupInstrumentId } from '../analytics/consolidated/stage.ts';
import type { BookSnapshotRow, HeatmapRunRow, HistoryStore } from '../store/types.ts';

/** What the producer reads from the engine (a real Engine satisfies it). */
export type BookHistoryEngine = Pick<Engine, 'books'>;

/** Options of {@link startBookHistory}. */
export interface BookHistoryOptions {
  engine: BookHistoryEngine;
  /** Where the instruments' heatmaps live (none: no heatmap runs are produced). */
  analytics?: Pick<AnalyticsStage, 'analytics'> | null;
  store: Pick<HistoryStore, 'appendBookSnapshots' | 'appendHeatmapRuns'>;
  /** Snapshot period, ms (> 0). */
  intervalMs: number;
  /** Levels per side per snapshot (>= 1). */
  depth: number;
  /**
   * Consolidation groups whose summed heatmap is stored too, as instrument `consolidated:<group>`
   * (analytics/consolidated/stage.ts groupInstrumentId).
   */
  groups?: ReadonlyMap<string, { readonly heatmap: Heatmap | null }> | null;
  /** How often new heatmaps are looked for, ms (default 1,000). */
  attachEveryMs?: number;
  /** Clock, ms since epoch UTC (default Date.now). */
  now?: () => number;
  /**
   * Run the snapshot and heatmap-attach timers (default true). A replay backfill sets false and calls
   * `snapshot()`/`attachHeatmaps()` itself on recorded time, with `now` reading the recorded clock.
   */
  timers?: boolean;
}

/** A running producer. */
export interface BookHistory {
  /** Take one snapshot of every live book now (also what the timer does). @returns rows written */
  snapshot(): number;
  /** Attach the heatmaps that appeared since the last call (also what the timer does). */
  attachHeatmaps(): void;
  /**
   * Stop the timers and write every heatmap's still-open runs closed at `now` (ms; default the clock).
   * Call once at graceful shutdown, before the store is closed.
   */
  stop(now?: number): void;
}

/**
 * Start producing book snapshots and heatmap runs into the store.
 * @throws {RangeError} when intervalMs or depth is not positive
 */
export function startBookHistory(opts: BookHistoryOptions): BookHistory {
  if (!(opts.intervalMs > 0)) throw new RangeError('book snapshot interval must be > 0 ms');
  if (!(Number.isInteger(opts.depth) && opts.depth >= 1))
    throw new RangeError('book snapshot depth must be an integer >= 1');
  const { engine, store, depth } = opts;
  const now = opts.now ?? Date.now;
  const detach = new Map<string, () => void>();

  // The bucket size is read when each run is written: an automatic one is chosen at the first live book.
  const toRow =
    (instrument: string, hm: { readonly settings: { bucketSize: number; binMs: number } }) =>
    (r: HeatmapRun): HeatmapRunRow => ({
      instrument,
      bucketSize: hm.settings.bucketSize,
      binMs: hm.settings.binMs,
      ...r,
    });

  const snapshot = (): number => {
    if (!store.appendBookSnapshots) return 0;
    const t = now();
    const rows: BookSnapshotRow[] = [];
    for (const [id, b] of engine.books) {
      const h = b.health;
      if (h.state !== 'live') continue;
      const top = b.book.topStrings(depth);
      rows.push({
        instrument: id,
        localTs: t,
        exchangeTs: h.lastUpdateLocalTs - h.latencyMs,
        sequence: h.sequence,
        state: h.state,
        bids: top.bids,
        asks: top.asks,
      });
    }
    if (rows.length > 0) store.appendBookSnapshots(rows);
    return rows.length;
  };

  /** Every heatmap to store now: the instruments' and the consolidation groups'. */
  const heatmaps = (): [string, Heatmap][] => {
    const out: [string, Heatmap][] = [];
    for (const id of engine.books.keys()) {
      const hm = opts.analytics?.analytics(id)?.heatmap;
      if (hm) out.push([id, hm]);
    }
    for (const [name, g] of opts.groups ?? []) if (g.heatmap) out.push([groupInstrumentId(name), g.heatmap]);
    return out;
  };

  const attachHeatmaps = (): void => {
    if (!store.appendHeatmapRuns) return;
    for (const [id, hm] of heatmaps()) {
      if (detach.has(id)) continue;
      const row = toRow(id, hm);
      detach.set(
        id,
        hm.onRunClosed((r) => store.appendHeatmapRuns!([row(r)])),
      );
    }
  };

  const timers = opts.timers ?? true;
  const snapTimer = timers ? setInterval(snapshot, opts.intervalMs) : undefined;
  snapTimer?.unref();
  const attachTimer = timers ? setInterval(attachHeatmaps, opts.attachEveryMs ?? 1000) : undefined;
  attachTimer?.unref();
  let stopped = false;

  return {
    snapshot,
    attachHeatmaps,
    stop(at = now()) {
      if (stopped) return;
      stopped = true;
      clearInterval(snapTimer);
      clearInterval(attachTimer);
      attachHeatmaps();
      const all = new Map(heatmaps());
      for (const [id, off] of detach) {
        off();
        const hm = all.get(id);
        if (!hm || !store.appendHeatmapRuns) continue;
        const open = hm.openRuns(at);
        const row = toRow(id, hm);
        if (open.length > 0) store.appendHeatmapRuns(open.map(row));
      }
      detach.clear();
    },
  };
}
