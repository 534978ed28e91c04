/**
 * Liquidity heatmap state of the selected instrument: the window loaded over REST
 * (`/api/v1/history/heatmap`, stored trades from `/api/v1/history/trades`), then kept live by refreshing
 * only the recent range every `refreshMs`, by taking trades from the WebSocket `trades` channel and the
 * best bid/ask from the `metrics` channel (stored metric samples fill the window at load).
 * The grid and bubbles are plain (non-reactive) objects: `version` bumps when they change, so the chart
 * redraws at most once per frame instead of on every message.
 */
import { ref, watch, type Ref } from 'vue';
import { ApiError, fetchHeatmap, fetchMetricsHistory, fetchTradesHistory } from '../api/rest.ts';
import type { DepthwatchSocket } from '../api/ws.ts';
import { BboSeries, HeatmapGrid, TradeBubbles, type BboPoint } from '../lib/heatmap.ts';
import { isNumber, loadPref, savePref } from '../lib/storage.ts';
import { clockNow, replayActive, replayEpoch } from './replay.ts';

/** Loading state shown by the panel. */
export type HeatmapStatus = 'idle' | 'loading' | 'ready' | 'unavailable' | 'error';

/** Heatmap window choices, minutes. */
export const HEATMAP_WINDOWS: readonly number[] = [5, 10, 15];

/** Timings and caps. */
export interface HeatmapOptions {
  /** Refresh period of the recent range, ms (default 1,000). */
  refreshMs?: number;
  /**
   * Stored trades asked per page when loading the window (default 20,000; the server caps a page, README
   * "Security"), following `nextCursor` for at most `tradePages` pages (default 20).
   */
  tradePageSize?: number;
  tradePages?: number;
  /**
   * Phase of the refreshes, ms (default 0): they run when the clock is at `phaseMs` past a multiple of
   * `refreshMs`, so several heatmaps on one screen given distinct phases refresh (and redraw) in turn
   * instead of in the same frame.
   */
  phaseMs?: number;
}

/** What the heatmap panel renders, plus its controls. */
export interface HeatmapState {
  grid: HeatmapGrid;
  bubbles: TradeBubbles;
  /** Best bid/ask over time (metrics channel, stored metric samples for the window). */
  bbo: BboSeries;
  /** Bumps whenever grid, bubbles or bbo change. */
  version: Ref<number>;
  status: Ref<HeatmapStatus>;
  /** Why the heatmap is unavailable or failed (null otherwise). */
  message: Ref<string | null>;
  windowMinutes: Ref<number>;
  /** Server clock minus this browser's clock, ms (from the heatmap answers). */
  clockOffsetMs: Ref<number>;
  /** Server time now, ms since epoch UTC, per the last measured offset. */
  serverNow(): number;
  /** Stop refreshing and unsubscribe. */
  dispose(): void;
}

/** Refresh phases handed out so far (see nextRefreshPhase). */
let phases = 0;

/**
 * A refresh phase (ms, for {@link HeatmapOptions.phaseMs}) for the next of several heatmaps on one screen:
 * 0, 1/4, 2/4, 3/4 of `refreshMs`, then round again.
 */
export function nextRefreshPhase(refreshMs: number): number {
  return (phases++ % 4) * (refreshMs / 4);
}

/** Create the heatmap state for the selected instrument on a socket; follows `selected`. */
export function createHeatmap(
  socket: DepthwatchSocket,
  selected: Readonly<Ref<string | null>>,
  opts: HeatmapOptions = {},
): HeatmapState {
  const refreshMs = opts.refreshMs ?? 1000;
  const tradePageSize = opts.tradePageSize ?? 20_000;
  const tradePages = opts.tradePages ?? 20;
  const phaseMs = opts.phaseMs ?? 0;
  /** Delay to the next refresh: the next instant at `phaseMs` past a multiple of `refreshMs` (≥ 1/4 of it). */
  const nextRefresh = (): number => {
    const d = refreshMs - ((((Date.now() - phaseMs) % refreshMs) + refreshMs) % refreshMs);
    return d < refreshMs / 4 ? d + refreshMs : d;
  };
  const grid = new HeatmapGrid();
  const bubbles = new TradeBubbles();
  const bbo = new BboSeries();
  const version = ref(0);
  const status = ref<HeatmapStatus>('idle');
  const message = ref<string | null>(null);
  const clockOffsetMs = ref(0);
  const windowMinutes = ref<number>(
    loadPref('heatmapWindow', 10, (v): v is number => isNumber(v) && HEATMAP_WINDOWS.includes(v)),
  );
  // On a replay server the clock is the followed session's recorded time (state/replay.ts).
  const serverNow = (): number => (replayActive() ? clockNow() : Date.now() + clockOffsetMs.value);
  const bump = (): void => void (version.value = grid.version + bubbles.version + bbo.version);

  let ac: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let offTrades: (() => void) | null = null;
  let offMetrics: (() => void) | null = null;

  function stop(): void {
    ac?.abort();
    ac = null;
    if (timer) clearTimeout(timer);
    timer = null;
    offTrades?.();
    offTrades = null;
    offMetrics?.();
    offMetrics = null;
  }

  function trim(): void {
    const cutoff = serverNow() - windowMinutes.value * 60_000 - 2 * (grid.binMs || 1000);
    grid.trim(cutoff);
    bubbles.trim(cutoff);
    bbo.trim(cutoff);
  }

  async function loadTrades(
    instrument: string,
    from: number,
    to: number,
    signal: AbortSignal,
  ): Promise<void> {
    let cursor: string | undefined;
    for (let page = 0; page < tradePages; page++) {
      const p = await fetchTradesHistory(instrument, from, to, tradePageSize, signal, cursor);
      if (signal.aborted) return;
      for (const r of p.items) bubbles.add(r.localTs, r.price, r.size, r.side);
      bump();
      if (p.nextCursor === null) return;
      cursor = p.nextCursor;
    }
  }

  async function refresh(instrument: string, signal: AbortSignal): Promise<void> {
    try {
      const bin = grid.binMs || 1000;
      // Re-read the last two bins held (the newest may have been recorded after the previous answer).
      const from = Math.floor((grid.to - 1) / bin) * bin - bin;
      const r = await fetchHeatmap(instrument, from, undefined, undefined, signal);
      if (signal.aborted) return;
      clockOffsetMs.value = r.to - Date.now();
      grid.apply(r);
      trim();
      status.value = 'ready';
      message.value = null;
      bump();
    } catch (e) {
      if (signal.aborted) return;
      // Keep what is drawn; the next refresh retries.
      message.value = `refresh failed: ${(e as Error).message}`;
    } finally {
      if (!signal.aborted) timer = setTimeout(() => void refresh(instrument, signal), nextRefresh());
    }
  }

  async function start(instrument: string): Promise<void> {
    stop();
    grid.reset();
    bubbles.clear();
    bbo.clear();
    bump();
    status.value = 'loading';
    message.value = null;
    const c = new AbortController();
    ac = c;
    // Live trades first; stored trades are then read up to the first live one (exclusive), so each trade
    // is counted once. Left over: trades the store had not flushed yet when read (at most its flush
    // interval, before the first live one), and, when no live trade came before the read, one stored and
    // still in flight at that moment may count twice.
    let liveFrom = Infinity;
    offTrades = socket.subscribe('trades', instrument, (t) => {
      if (t.localTs < liveFrom) liveFrom = t.localTs;
      if (bubbles.add(t.localTs, Number(t.price), Number(t.size), t.side)) bump();
    });
    offMetrics = socket.subscribe(
      'metrics',
      instrument,
      (m) => {
        bbo.add(m.localTs, m.metrics.bestBid, m.metrics.bestAsk);
        bump();
      },
      250,
    );
    const windowMs = windowMinutes.value * 60_000;
    try {
      const r = await fetchHeatmap(instrument, serverNow() - windowMs, undefined, undefined, c.signal);
      if (c.signal.aborted) return;
      clockOffsetMs.value = r.to - Date.now();
      grid.apply(r);
      status.value = 'ready';
      bump();
    } catch (e) {
      if (c.signal.aborted) return;
      const unavailable = e instanceof ApiError && (e.status === 501 || e.status === 404);
      status.value = unavailable ? 'unavailable' : 'error';
      message.value = unavailable
        ? `No heatmap is kept for ${instrument} on this server.`
        : `Heatmap failed to load: ${(e as Error).message}`;
      // An unavailable heatmap stays so; an error retries the whole load.
      if (!unavailable) timer = setTimeout(() => void start(instrument), 5000);
      return;
    }
    timer = setTimeout(() => void refresh(instrument, c.signal), nextRefresh());
    try {
      const to = Math.min(serverNow(), liveFrom);
      await loadTrades(instrument, to - windowMs, to, c.signal);
    } catch {
      // No stored trades: bubbles start with the stream.
    }
    try {
      const to = serverNow();
      const hist = await fetchMetricsHistory(instrument, to - windowMs, to, c.signal);
      if (c.signal.aborted || !Array.isArray(hist)) return;
      bbo.prepend(hist.map((m): BboPoint => [m.localTs, m.metrics.bestBid, m.metrics.bestAsk]));
      bump();
    } catch {
      // No stored metrics: the lines start with the stream.
    }
  }

  watch(
    selected,
    (inst) => {
      if (inst) void start(inst);
      else {
        stop();
        status.value = 'idle';
      }
    },
    { immediate: true },
  );
  // The replay clock jumped (seek, loop): the window is another one, load it.
  watch(replayEpoch, () => {
    if (selected.value) void start(selected.value);
  });
  watch(windowMinutes, (w, old) => {
    savePref('heatmapWindow', w);
    // A wider window needs the older range: reload; a narrower one only trims.
    if (w > old && selected.value) void start(selected.value);
    else {
      trim();
      bump();
    }
  });

  return {
    grid,
    bubbles,
    bbo,
    version,
    status,
    message,
    windowMinutes,
    clockOffsetMs,
    serverNow,
    dispose: stop,
  };
}
