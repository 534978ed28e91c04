/**
 * Latency as data: how long each step of the path from the exchange to a client takes, per venue.
 *
 * Steps (`LatencyStep`), all in ms:
 * - `exchange_receive`: the venue's event time → our receive time (`localTs - exchangeTs`). Only
 *   meaningful when both clocks are live: an event whose exchange time is more than
 *   {@link RECORDED_CLOCK_LIMIT_MS} away from its receive time (a recording replayed now, e.g. by the
 *   simulator) is counted as `notApplicable` instead of being histogrammed as years of latency.
 * - `receive_applied`: receive time → the event applied to the verified book (includes socket queueing
 *   and parsing; `localTs` is stamped in whole ms by the connector, so the floor resolution is 1 ms).
 * - `applied_metrics`: book applied → its metrics sample published (the analytics stage's cost).
 * - `receive_metrics`: receive time → metrics published (frame → metrics, what the scale harness reports).
 * - `metrics_send`: metrics published → written to a WebSocket client.
 *
 * The pipeline stays pure: it calls a {@link LatencyObserver} handed in by the composition (the app
 * wires Prometheus histograms and a {@link LatencyHistograms} for the System view). Nothing is measured
 * when no observer is given, so replay and the benchmarks pay nothing.
 */
import type { VenueId } from '../core/model.ts';
import { RECORDED_CLOCK_LIMIT_MS } from '../util/time.ts';

export { RECORDED_CLOCK_LIMIT_MS };

/** One measured step of the path (see the module comment). */
export type LatencyStep =
  'exchange_receive' | 'receive_applied' | 'applied_metrics' | 'receive_metrics' | 'metrics_send';

/** Every step, in path order. */
export const LATENCY_STEPS: readonly LatencyStep[] = [
  'exchange_receive',
  'receive_applied',
  'applied_metrics',
  'receive_metrics',
  'metrics_send',
];

/** Receives one latency measurement; must not throw (it is called on the hot path). */
export interface LatencyObserver {
  /** `ms` is the latency of `step` for one event of `venue` (fractional ms; may be 0). */
  observe(step: LatencyStep, venue: VenueId, ms: number): void;
  /** An exchange→receive latency that could not be measured (recorded clock); see the module comment. */
  notApplicable?(venue: VenueId): void;
}

/** The high-resolution wall clock the steps are measured with: ms since epoch UTC, fractional. */
export const wallClockMs: () => number = (() => {
  const origin = performance.timeOrigin;
  return () => origin + performance.now();
})();

/**
 * Upper bounds (ms, inclusive) of the histogram buckets: 1-2-5 steps from 10 µs to 10 s, so p50/p99 of
 * anything from an in-process step (µs) to a lagging feed (s) reads to within one step. Values above the
 * last bound fall into `+Inf`.
 */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000,
];

/** Counts of one step of one venue. */
export interface LatencySummary {
  readonly step: LatencyStep;
  readonly venue: VenueId;
  /** Measurements counted. */
  readonly count: number;
  /** Sum of the measurements, ms. */
  readonly sumMs: number;
  /** Largest measurement, ms. */
  readonly maxMs: number;
  /** Upper bound (ms) of the bucket holding the median / the 99th / the 99.9th percentile (Infinity past the last bound). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
}

class Buckets {
  readonly counts = new Float64Array(LATENCY_BUCKETS_MS.length + 1);
  count = 0;
  sum = 0;
  max = 0;

  add(ms: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]!) i++;
    this.counts[i]!++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i]! : Infinity;
    }
    return Infinity;
  }
}

/**
 * Fixed-bucket latency histograms per step and venue (the buckets of {@link LATENCY_BUCKETS_MS}), with
 * percentile read-outs for the System view and the scale harness. Negative measurements (clock steps)
 * are counted in bucket 0, never dropped, so counts always equal the events observed.
 */
export class LatencyHistograms implements LatencyObserver {
  /** Step → venue → buckets (nested maps: no key string built per observation on the hot path). */
  private readonly bySteps = new Map<LatencyStep, Map<VenueId, Buckets>>();
  /** Exchange→receive measurements skipped as not applicable, by venue. */
  readonly notApplicableCounts = new Map<VenueId, number>();

  observe(step: LatencyStep, venue: VenueId, ms: number): void {
    let venues = this.bySteps.get(step);
    if (!venues) this.bySteps.set(step, (venues = new Map()));
    let b = venues.get(venue);
    if (!b) venues.set(venue, (b = new Buckets()));
    b.add(ms > 0 ? ms : 0);
  }

  /** Every (step, venue, buckets) measured. */
  private *entries(): IterableIterator<{ step: LatencyStep; venue: VenueId; b: Buckets }> {
    for (const [step, venues] of this.bySteps) for (const [venue, b] of venues) yield { step, venue, b };
  }

  notApplicable(venue: VenueId): void {
    this.notApplicableCounts.set(venue, (this.notApplicableCounts.get(venue) ?? 0) + 1);
  }

  /** Measurements of `step` (all venues when `venue` is omitted). */
  count(step: LatencyStep, venue?: VenueId): number {
    let n = 0;
    for (const e of this.entries())
      if (e.step === step && (venue === undefined || e.venue === venue)) n += e.b.count;
    return n;
  }

  /**
   * The raw histograms, for exposition (Prometheus): per step and venue, the count in each bucket of
   * {@link LATENCY_BUCKETS_MS} (not cumulative; one more for `+Inf`), the sum (ms) and the total count.
   */
  *histograms(): IterableIterator<{
    step: LatencyStep;
    venue: VenueId;
    buckets: ArrayLike<number>;
    sumMs: number;
    count: number;
  }> {
    for (const e of this.entries())
      yield { step: e.step, venue: e.venue, buckets: e.b.counts, sumMs: e.b.sum, count: e.b.count };
  }

  /** One summary per step and venue measured, in step order then venue order. */
  summaries(): LatencySummary[] {
    const out: LatencySummary[] = [];
    for (const e of this.entries()) {
      out.push({
        step: e.step,
        venue: e.venue,
        count: e.b.count,
        sumMs: e.b.sum,
        maxMs: e.b.max,
        p50Ms: e.b.quantile(0.5),
        p99Ms: e.b.quantile(0.99),
        p999Ms: e.b.quantile(0.999),
      });
    }
    return out.sort(
      (a, b) =>
        LATENCY_STEPS.indexOf(a.step) - LATENCY_STEPS.indexOf(b.step) || a.venue.localeCompare(b.venue),
    );
  }
}

/** Several observers as one (e.g. Prometheus histograms and the System view's). */
export function fanOutLatency(...observers: readonly LatencyObserver[]): LatencyObserver {
  return {
    observe(step, venue, ms) {
      for (const o of observers) o.observe(step, venue, ms);
    },
    notApplicable(venue) {
      for (const o of observers) o.notApplicable?.(venue);
    },
  };
}
