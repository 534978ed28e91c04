/**
 * System view state: per-instrument feed health polled from `GET /api/v1/instruments` every 2 s with
 * frames/s and deltas/s from counter differences between polls, a resyncs/gaps timeline (cumulative
 * counters per poll, since the view opened), histograms of the latencies seen on the `metrics` channel
 * (every instrument, conflated to 2/s each: exchange → server, server → browser), and process figures parsed from the
 * Prometheus text at `GET /metrics` (WS clients, messages sent/s, stored rows per table, resident memory,
 * CPU, event-loop lag, uptime). Times are ms since epoch UTC.
 */
import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { fetchInstrumentsWithFrames, fetchPrometheusText } from '../api/history.ts';
import type { DepthwatchSocket } from '../api/ws.ts';
import type { InstrumentInfo, MetricsSample } from '../api/types.ts';
import {
  counterRates,
  LatencyHistogram,
  parsePrometheus,
  pipelineLatency,
  PIPELINE_PROM_NAMES,
  type CounterPoint,
  type PipelineLatencyRow,
} from '../lib/system.ts';

/** Poll period, ms. */
export const SYSTEM_POLL_MS = 2000;
/** Timeline points kept per instrument (1 h at 2 s). */
const MAX_TIMELINE = 1800;

/** One row of the feed health table. */
export interface FeedRow {
  info: InstrumentInfo;
  framesPerSec: number | null;
  deltasPerSec: number | null;
  levelsPerSec: number | null;
}

/** Cumulative resyncs, gaps and feed restarts (demo replay loop, not faults) of one instrument at one poll. */
export interface TimelinePoint {
  t: number;
  resyncs: number;
  gaps: number;
  restarts: number;
}

/** A resync seen in an instrument's `lastResyncAt` (also ones from before the view opened). */
export interface ResyncMark {
  instrument: string;
  /** When the resync started, ms since epoch. */
  t: number;
  /** The instrument's resync counter when it was seen. */
  resyncs: number;
}

/** Process figures from `GET /metrics`; null = not exposed. */
export interface ProcessFigures {
  wsClients: number | null;
  wsMessagesPerSec: number | null;
  storeRows: Record<string, number>;
  residentBytes: number | null;
  /** CPU use since the previous poll, % of one core. */
  cpuPercent: number | null;
  eventLoopLagP99Ms: number | null;
  uptimeSec: number | null;
  /** Frames handled per second, by venue. */
  venueFramesPerSec: Record<string, number | null>;
}

/** Everything the System view renders. */
export interface SystemState {
  rows: ShallowRef<FeedRow[]>;
  timeline: ShallowRef<Record<string, TimelinePoint[]>>;
  /** Distinct `lastResyncAt` values seen per poll, oldest first (at most one per resync per poll). */
  resyncMarks: ShallowRef<ResyncMark[]>;
  /** Exchange event → server (the metric sample's `localTs − exchangeTs`): the feed's latency. */
  latency: ShallowRef<LatencyHistogram>;
  /**
   * Server → this browser (receive time − the sample's `localTs`): delivery, including up to 500 ms of
   * server-side conflation; assumes the browser's clock agrees with the server's.
   */
  delivery: ShallowRef<LatencyHistogram>;
  /** Bumped when a histogram changes (they are mutated in place). */
  latencyVersion: Ref<number>;
  process: ShallowRef<ProcessFigures | null>;
  /**
   * The server's own latency histograms per pipeline step and venue (`/metrics` depthwatch_latency_ms):
   * exchange→receive, receive→applied, applied→metrics, receive→metrics, metrics→WebSocket send; with
   * the exchange→receive measurements skipped per venue as recorded data.
   */
  pipeline: ShallowRef<{ rows: PipelineLatencyRow[]; notApplicable: Record<string, number> }>;
  error: Ref<string | null>;
  /** Completed polls. */
  polls: Ref<number>;
  dispose(): void;
}

const PROM_NAMES = new Set([
  'depthwatch_ws_clients',
  'depthwatch_ws_messages_sent_total',
  'depthwatch_store_rows',
  'depthwatch_process_resident_memory_bytes',
  'depthwatch_process_cpu_seconds_total',
  'depthwatch_nodejs_eventloop_lag_p99_seconds',
  'depthwatch_process_start_time_seconds',
  ...PIPELINE_PROM_NAMES,
]);

/**
 * Start polling (instruments and `/metrics` every {@link SYSTEM_POLL_MS}) and listening to the `metrics`
 * channel of every instrument (conflated to 2/s each) for latencies; stops on `dispose()`.
 */
export function createSystem(socket: DepthwatchSocket): SystemState {
  const rows = shallowRef<FeedRow[]>([]);
  const timeline = shallowRef<Record<string, TimelinePoint[]>>({});
  const resyncMarks = shallowRef<ResyncMark[]>([]);
  const latency = shallowRef(new LatencyHistogram());
  const delivery = shallowRef(new LatencyHistogram());
  const latencyVersion = ref(0);
  const pipeline = shallowRef<{ rows: PipelineLatencyRow[]; notApplicable: Record<string, number> }>({
    rows: [],
    notApplicable: {},
  });
  const proc = shallowRef<ProcessFigures | null>(null);
  const error = ref<string | null>(null);
  const polls = ref(0);
  const prevByInstrument = new Map<string, CounterPoint>();
  let prevVenues: CounterPoint | undefined;
  let prevProc: CounterPoint | undefined;
  let disposed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const ac = new AbortController();

  async function pollInstruments(t: number): Promise<void> {
    const r = await fetchInstrumentsWithFrames(ac.signal);
    const tl = { ...timeline.value };
    const marks: ResyncMark[] = [];
    rows.value = r.items.map((info) => {
      const c = info.counters;
      const point: CounterPoint = {
        t,
        values: { frames: c.frames, deltas: c.deltasApplied, levels: c.levelsApplied ?? NaN },
      };
      const rates = counterRates(prevByInstrument.get(info.instrument), point);
      prevByInstrument.set(info.instrument, point);
      const series = (tl[info.instrument] ?? []).concat([
        { t, resyncs: c.resyncs, gaps: c.gaps, restarts: c.restarts ?? 0 },
      ]);
      tl[info.instrument] = series.length > MAX_TIMELINE ? series.slice(-MAX_TIMELINE) : series;
      const at = info.lastResyncAt;
      if (at != null && !resyncMarks.value.some((m) => m.instrument === info.instrument && m.t === at))
        marks.push({ instrument: info.instrument, t: at, resyncs: c.resyncs });
      return {
        info,
        framesPerSec: rates.frames ?? null,
        deltasPerSec: rates.deltas ?? null,
        levelsPerSec: rates.levels ?? null,
      };
    });
    timeline.value = tl;
    if (marks.length > 0) resyncMarks.value = resyncMarks.value.concat(marks).slice(-MAX_TIMELINE);
    const venues: CounterPoint = { t, values: { ...(r.frames ?? {}) } };
    const venueRates = counterRates(prevVenues, venues);
    prevVenues = venues;
    return pollProcess(t, venueRates);
  }

  async function pollProcess(t: number, venueFramesPerSec: Record<string, number | null>): Promise<void> {
    let samples: ReturnType<typeof parsePrometheus> = [];
    try {
      samples = parsePrometheus(await fetchPrometheusText(ac.signal), PROM_NAMES);
    } catch {
      // /metrics unavailable (e.g. behind a proxy that hides it): process figures show as unknown.
    }
    pipeline.value = pipelineLatency(samples);
    const one = (name: string): number | null => samples.find((s) => s.name === name)?.value ?? null;
    const storeRows: Record<string, number> = {};
    for (const s of samples)
      if (s.name === 'depthwatch_store_rows') storeRows[s.labels.table ?? '?'] = s.value;
    const cpu = one('depthwatch_process_cpu_seconds_total');
    const sent = one('depthwatch_ws_messages_sent_total');
    const point: CounterPoint = { t, values: { cpu: cpu ?? NaN, sent: sent ?? NaN } };
    const rates = counterRates(prevProc, point);
    prevProc = point;
    const start = one('depthwatch_process_start_time_seconds');
    const lag = one('depthwatch_nodejs_eventloop_lag_p99_seconds');
    const rss = one('depthwatch_process_resident_memory_bytes');
    proc.value = {
      wsClients: one('depthwatch_ws_clients'),
      wsMessagesPerSec: rates.sent ?? null,
      storeRows,
      residentBytes: rss,
      cpuPercent: rates.cpu != null ? rates.cpu * 100 : null,
      eventLoopLagP99Ms: lag != null ? lag * 1000 : null,
      uptimeSec: start != null ? Math.max(0, t / 1000 - start) : null,
      venueFramesPerSec,
    };
  }

  async function poll(): Promise<void> {
    try {
      await pollInstruments(Date.now());
      error.value = null;
      polls.value++;
    } catch (e) {
      if (!ac.signal.aborted) error.value = (e as Error).message;
    } finally {
      if (!disposed) timer = setTimeout(() => void poll(), SYSTEM_POLL_MS);
    }
  }
  void poll();

  const offMetrics = socket.subscribe(
    'metrics',
    '*',
    (s: MetricsSample) => {
      delivery.value.add(Date.now() - s.localTs);
      if (s.exchangeTs != null) latency.value.add(s.localTs - s.exchangeTs);
      latencyVersion.value++;
    },
    500,
  );

  return {
    rows,
    timeline,
    resyncMarks,
    latency,
    delivery,
    latencyVersion,
    process: proc,
    pipeline,
    error,
    polls,
    dispose() {
      disposed = true;
      ac.abort();
      if (timer) clearTimeout(timer);
      offMetrics();
    },
  };
}
