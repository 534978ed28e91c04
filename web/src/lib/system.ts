/**
 * Figures of the System view: per-instrument rates from counter differences between two polls, a
 * fixed-bucket latency histogram, and a small parser of the Prometheus text exposition (`GET /metrics`)
 * for a few process-level gauges. Times are ms since epoch UTC.
 */
import { RECORDED_CLOCK_LIMIT_MS } from '../../../src/util/time.ts';

/** Counter values at one poll (monotonic since the process started). */
export interface CounterPoint {
  /** Local time of the poll, ms since epoch. */
  t: number;
  values: Record<string, number>;
}

/**
 * Per-second rates of each counter between two polls: `(next − prev) / seconds`. A counter that went
 * down (process restarted) or is missing on either side gives null, as does a poll interval ≤ 0.
 */
export function counterRates(
  prev: CounterPoint | undefined,
  next: CounterPoint,
): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const dt = prev ? (next.t - prev.t) / 1000 : 0;
  for (const [k, v] of Object.entries(next.values)) {
    const p = prev?.values[k];
    out[k] = dt > 0 && typeof p === 'number' && Number.isFinite(v) && v >= p ? (v - p) / dt : null;
  }
  return out;
}

/** Upper bounds (ms, inclusive) of the latency histogram buckets; one more bucket holds the rest. */
export const LATENCY_BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;

/** Latencies beyond this (ms, absolute) mean recorded data replayed now: not counted as latency. */
export const RECORDED_LATENCY_MS = RECORDED_CLOCK_LIMIT_MS;

/**
 * Counts of observed exchange-to-local latencies in buckets `(bound[i−1], bound[i]]` (ms), the last one
 * open-ended. Negative latencies (clock skew) count in `negative`, absurd ones (|x| over a minute: replayed
 * recordings) in `recorded`, non-finite inputs are ignored and counted in `invalid`.
 */
export class LatencyHistogram {
  readonly counts: number[] = new Array<number>(LATENCY_BOUNDS.length + 1).fill(0);
  negative = 0;
  recorded = 0;
  invalid = 0;
  total = 0;

  /** Count one latency, ms. */
  add(ms: number | null | undefined): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) {
      this.invalid++;
      return;
    }
    if (Math.abs(ms) > RECORDED_LATENCY_MS) {
      this.recorded++;
      return;
    }
    if (ms < 0) {
      this.negative++;
      return;
    }
    let i = LATENCY_BOUNDS.findIndex((b) => ms <= b);
    if (i < 0) i = LATENCY_BOUNDS.length;
    this.counts[i]!++;
    this.total++;
  }

  /** Bucket labels in ms, thousands as `k`: `≤1`, `1–2`, … `500–1k`, … `>5k`. */
  static labels(): string[] {
    const k = (v: number) => (v >= 1000 ? `${v / 1000}k` : String(v));
    const out: string[] = [];
    LATENCY_BOUNDS.forEach((b, i) => out.push(i === 0 ? `≤${k(b)}` : `${k(LATENCY_BOUNDS[i - 1]!)}–${k(b)}`));
    out.push(`>${k(LATENCY_BOUNDS[LATENCY_BOUNDS.length - 1]!)}`);
    return out;
  }
}

/** One sample of the Prometheus text format: name, labels and value. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_RE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Samples of a Prometheus text exposition whose metric name is in `names` (comments, blank lines, other
 * metrics and lines that do not parse are skipped; `NaN`/`+Inf` values parse as numbers).
 */
export function parsePrometheus(text: string, names: ReadonlySet<string>): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE_RE.exec(line);
    if (!m || !names.has(m[1]!)) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL_RE)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    const v = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    out.push({ name: m[1]!, labels, value: v });
  }
  return out;
}

/**
 * A timeline point: cumulative resyncs and gaps at time `t` (ms), and feed restarts (a replayed
 * recording starting over: the demo's loop; not faults, never in `resyncs`) when the server reports them.
 */
export interface CountPoint {
  t: number;
  resyncs: number;
  gaps: number;
  restarts?: number;
}

/**
 * The resyncs/gaps timeline per venue: the instruments' cumulative counts summed per venue (the part of
 * the id before `:`) at each sample time (every instrument is sampled at the same poll times), so the
 * chart stays readable with dozens of instruments. Keys sorted.
 */
export function timelineByVenue(
  tl: Readonly<Record<string, readonly CountPoint[]>>,
): Record<string, CountPoint[]> {
  const acc = new Map<string, Map<number, CountPoint>>();
  for (const [id, pts] of Object.entries(tl)) {
    const venue = id.includes(':') ? id.slice(0, id.indexOf(':')) : id;
    let m = acc.get(venue);
    if (!m) acc.set(venue, (m = new Map()));
    for (const p of pts) {
      const e = m.get(p.t) ?? { t: p.t, resyncs: 0, gaps: 0, restarts: 0 };
      e.resyncs += p.resyncs;
      e.gaps += p.gaps;
      e.restarts = (e.restarts ?? 0) + (p.restarts ?? 0);
      m.set(p.t, e);
    }
  }
  return Object.fromEntries(
    [...acc.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([v, m]) => [v, [...m.values()].sort((a, b) => a.t - b.t)]),
  );
}

/** The server's pipeline steps (src/pipeline/latency.ts LATENCY_STEPS), in path order. */
export const PIPELINE_STEPS = [
  'exchange_receive',
  'receive_applied',
  'applied_metrics',
  'receive_metrics',
  'metrics_send',
] as const;

/** One step of one venue of the server's latency histograms (`depthwatch_latency_ms`). */
export interface PipelineLatencyRow {
  step: string;
  venue: string;
  /** Measurements since the server started. */
  count: number;
  /** Upper bound (ms) of the bucket holding the median / the 99th percentile; Infinity past the last bound. */
  p50Ms: number;
  p99Ms: number;
}

/** Prometheus names the pipeline latency table reads. */
export const PIPELINE_PROM_NAMES = [
  'depthwatch_latency_ms_bucket',
  'depthwatch_latency_not_applicable_total',
];

/**
 * The pipeline latency rows from `/metrics` samples: per step and venue, the count and the p50/p99
 * bucket bounds of the cumulative `depthwatch_latency_ms_bucket{step,venue,le}` series; rows in path
 * order, then by venue. `notApplicable` is `depthwatch_latency_not_applicable_total` per venue (exchange
 * times of recorded data, not counted as latency).
 */
export function pipelineLatency(samples: readonly PromSample[]): {
  rows: PipelineLatencyRow[];
  notApplicable: Record<string, number>;
} {
  const byKey = new Map<string, { step: string; venue: string; buckets: [number, number][] }>();
  const notApplicable: Record<string, number> = {};
  for (const s of samples) {
    if (s.name === 'depthwatch_latency_not_applicable_total') {
      notApplicable[s.labels.venue ?? '?'] = s.value;
      continue;
    }
    if (s.name !== 'depthwatch_latency_ms_bucket') continue;
    const step = s.labels.step ?? '?';
    const venue = s.labels.venue ?? '?';
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    const key = step + '|' + venue;
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { step, venue, buckets: [] }));
    e.buckets.push([le, s.value]);
  }
  const rows: PipelineLatencyRow[] = [];
  for (const e of byKey.values()) {
    const b = e.buckets.sort((x, y) => x[0] - y[0]);
    const count = b.length > 0 ? b[b.length - 1]![1] : 0;
    if (count <= 0) continue;
    const q = (p: number): number => b.find(([, c]) => c >= p * count)?.[0] ?? Infinity;
    rows.push({ step: e.step, venue: e.venue, count, p50Ms: q(0.5), p99Ms: q(0.99) });
  }
  const order = (s: string): number => {
    const i = (PIPELINE_STEPS as readonly string[]).indexOf(s);
    return i < 0 ? PIPELINE_STEPS.length : i;
  };
  rows.sort((a, b) => order(a.step) - order(b.step) || a.venue.localeCompare(b.venue));
  return { rows, notApplicable };
}
