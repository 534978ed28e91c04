/**
 * History view state for one instrument over a chosen range: OHLCV candles, downsampled metric samples
 * (mid, microprice, spread bps, imbalances), the range's stored alerts, and the book snapshot inspector
 * (the latest stored snapshot at or before a clicked time). Times are ms since epoch UTC.
 */
import { ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import { clockNow } from './replay.ts';
import {
  fetchAlertsInRange,
  fetchCandles,
  fetchMetricsDownsampled,
  fetchSnapshotAt,
  type Candle,
  type CandleInterval,
} from '../api/history.ts';
import { ApiError } from '../api/rest.ts';
import type { BookSnapshot, MetricsSample } from '../api/types.ts';
import type { Alert } from '../api/alerts.ts';
import { candleIntervalFor, metricsIntervalFor, RANGE_PRESETS, type RangePreset } from '../lib/history.ts';

/** Levels per side the snapshot inspector asks for. */
export const SNAPSHOT_DEPTH = 20;
/** Most stored alerts marked on the chart. */
export const MAX_ALERTS = 500;

/** What a load put on screen, with its parameters. */
export interface HistoryData {
  instrument: string;
  from: number;
  to: number;
  candleInterval: CandleInterval;
  metricsIntervalMs: number;
  candles: Candle[];
  metrics: MetricsSample[];
  alerts: Alert[];
  /** Per-part failures (e.g. `candles: HTTP 501 …`): the other parts still show. */
  errors: string[];
}

/** The book snapshot inspector: the clicked time and what the store held then. */
export interface SnapshotState {
  at: number;
  loading: boolean;
  snapshot: BookSnapshot | null;
  error: string | null;
}

/** Everything the History view renders, plus its actions. */
export interface HistoryState {
  preset: Ref<RangePreset>;
  /** The picked range `[from, to]` when `preset` is `custom`. */
  custom: Ref<[number, number] | null>;
  loading: Ref<boolean>;
  data: ShallowRef<HistoryData | null>;
  inspector: ShallowRef<SnapshotState | null>;
  /** (Re)load the range for the instrument; presets end now. */
  load(): Promise<void>;
  /** Show the stored snapshot at or before `at` (ms). */
  inspect(at: number): Promise<void>;
  dispose(): void;
}

function describe(e: unknown): string {
  if (e instanceof ApiError && e.status === 501) return 'not kept by this store';
  return (e as Error).message;
}

/** Create the History state for the selected instrument; loads at once and on every change. */
export function createHistory(selected: Ref<string | null>): HistoryState {
  const preset = ref<RangePreset>('15m');
  const custom = ref<[number, number] | null>(null);
  const loading = ref(false);
  const data = shallowRef<HistoryData | null>(null);
  const inspector = shallowRef<SnapshotState | null>(null);
  let abort: AbortController | null = null;
  let snapAbort: AbortController | null = null;

  function range(): { from: number; to: number } | null {
    if (preset.value === 'custom') {
      const c = custom.value;
      return c && c[0] < c[1] ? { from: c[0], to: c[1] } : null;
    }
    const p = RANGE_PRESETS.find((x) => x.value === preset.value)!;
    const to = clockNow();
    return { from: to - p.ms, to };
  }

  async function load(): Promise<void> {
    const instrument = selected.value;
    const r = range();
    abort?.abort();
    if (!instrument || !r) {
      // Nothing to show (no instrument, or `custom` before a range was picked): clear the old range.
      data.value = null;
      loading.value = false;
      return;
    }
    const ac = new AbortController();
    abort = ac;
    loading.value = true;
    const len = r.to - r.from;
    const candleInterval = candleIntervalFor(len);
    const metricsIntervalMs = metricsIntervalFor(len);
    const errors: string[] = [];
    const part = async <T>(name: string, p: Promise<T>, empty: T): Promise<T> => {
      try {
        return await p;
      } catch (e) {
        if (!ac.signal.aborted) errors.push(`${name}: ${describe(e)}`);
        return empty;
      }
    };
    const [candles, metrics, alerts] = await Promise.all([
      part('candles', fetchCandles(instrument, r.from, r.to, candleInterval, ac.signal), [] as Candle[]),
      part(
        'metrics',
        fetchMetricsDownsampled(instrument, r.from, r.to, metricsIntervalMs, ac.signal),
        [] as MetricsSample[],
      ),
      part('alerts', fetchAlertsInRange(instrument, r.from, r.to, MAX_ALERTS, ac.signal), [] as Alert[]),
    ]);
    if (ac.signal.aborted) return;
    data.value = { instrument, ...r, candleInterval, metricsIntervalMs, candles, metrics, alerts, errors };
    loading.value = false;
    const ins = inspector.value;
    if (ins && (ins.at < r.from || ins.at > r.to)) inspector.value = null;
  }

  async function inspect(at: number): Promise<void> {
    const instrument = selected.value;
    if (!instrument || !Number.isFinite(at)) return;
    snapAbort?.abort();
    const ac = new AbortController();
    snapAbort = ac;
    inspector.value = { at, loading: true, snapshot: inspector.value?.snapshot ?? null, error: null };
    try {
      const snapshot = await fetchSnapshotAt(instrument, at, SNAPSHOT_DEPTH, ac.signal);
      if (!ac.signal.aborted) inspector.value = { at, loading: false, snapshot, error: null };
    } catch (e) {
      if (!ac.signal.aborted) inspector.value = { at, loading: false, snapshot: null, error: describe(e) };
    }
  }

  const stop = watch(
    [selected, preset, custom],
    () => {
      inspector.value = null;
      void load();
    },
    { immediate: true },
  );

  return {
    preset,
    custom,
    loading,
    data,
    inspector,
    load,
    inspect,
    dispose() {
      stop();
      abort?.abort();
      snapAbort?.abort();
    },
  };
}
