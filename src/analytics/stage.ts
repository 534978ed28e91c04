/**
 * The analytics as a pipeline stage (src/pipeline/engine.ts `PipelineStage`): after every book change it
 * computes the book metrics, runs the instrument's stateful analytics (velocity, walls, clusters,
 * heatmap, liquidity, trade flow) and the cross-instrument basis/divergence, and publishes the results
 * on the bus: `metrics` on every update, `metrics.sample` once per instrument per interval (storage),
 * `analytics` for analytics events (wall lifecycle) and `cross` for each basis/divergence recomputed.
 * Consumers (alerts, stores, the API) subscribe to those topics; nothing reaches into this object but
 * readers of the latest state (`latest`, `analytics(id)`, `cross`).
 */
import type { Bus } from '../core/bus.ts';
import { splitInstrumentId, type InstrumentId, type Trade } from '../core/model.ts';
import type { BookState } from '../book/health.ts';
import type { InstrumentBook } from '../book/instrument-book.ts';
import type { PipelineStage } from '../pipeline/engine.ts';
import { InstrumentCatalog, type InstrumentSpec } from '../core/instrument.ts';
import { computeBookMetrics, defaultBookMetricsConfig, type BookMetricsConfig } from './book-metrics.ts';
import { CrossAnalytics, type BasisResult, type CrossConfig, type DivergenceResult } from './cross.ts';
import { InstrumentAnalytics, type AnalyticsEvent, type InstrumentAnalyticsConfig } from './instrument.ts';
import { MetricsSampler } from './sampler.ts';
import type { MetricsSample } from './types.ts';
import type { AnalyticsMarker } from './markers.ts';
import { wallClockMs, type LatencyObserver } from '../pipeline/latency.ts';

/** A basis or divergence recomputed by a book update (bus topic `cross`). */
export type CrossUpdate =
  | { readonly kind: 'basis'; readonly result: BasisResult }
  | { readonly kind: 'divergence'; readonly result: DivergenceResult };

/** Topics the analytics stage publishes, and their payloads. */
export interface AnalyticsTopics {
  /** Metrics after every book update (with the instrument's analytics values when analytics run). */
  metrics: MetricsSample;
  /** One metrics sample per instrument per sampling interval (default 1 s), for storage. */
  'metrics.sample': MetricsSample;
  /** Analytics events (wall appeared / pulled / consumed ...). */
  analytics: AnalyticsEvent;
  /** Each basis / divergence a book update recomputed. */
  cross: CrossUpdate;
  /** S/R clusters formed/dissolved, depth-anomaly and shrinkage episodes opened/closed (markers.ts). */
  'analytics.marker': AnalyticsMarker;
}

/** Analytics settings: defaults, per-instrument overrides (shallow-merged over the defaults), cross pairs. */
export interface AnalyticsOptions {
  defaults?: InstrumentAnalyticsConfig;
  instruments?: Record<InstrumentId, InstrumentAnalyticsConfig>;
  cross?: CrossConfig;
}

/**
 * Merge per-instrument analytics settings over the defaults: top-level fields replace, the per-module
 * objects (liquidity, walls, clusters, heatmap, indicators) merge field by field.
 */
export function mergeAnalyticsConfig(
  base: InstrumentAnalyticsConfig | undefined,
  over: InstrumentAnalyticsConfig | undefined,
): InstrumentAnalyticsConfig {
  if (!over) return { ...base };
  const out: InstrumentAnalyticsConfig = { ...base, ...over };
  for (const k of ['liquidity', 'walls', 'clusters', 'indicators'] as const) {
    if (base?.[k] && over[k]) (out as Record<string, unknown>)[k] = { ...base[k], ...over[k] };
  }
  if (base?.heatmap && over.heatmap) out.heatmap = { ...base.heatmap, ...over.heatmap };
  return out;
}

/** Options of the analytics stage. */
export interface AnalyticsStageOptions {
  bus: Bus<AnalyticsTopics>;
  metrics?: BookMetricsConfig;
  /** Metrics sample interval for storage, ms (default 1000). */
  sampleIntervalMs?: number;
  /**
   * Stateful per-instrument analytics and cross-instrument basis/divergence. Default: on with defaults;
   * `false` computes the book metrics only.
   */
  analytics?: AnalyticsOptions | false;
  /**
   * Instrument specs (contract sizes, ticks) the notionals, base sizes and automatic buckets follow;
   * instruments it has not loaded get the documented fallback (core/instrument.ts fallbackSpec). Default:
   * an empty catalog (fallbacks only). Later loads are picked up (the catalog's `version`).
   */
  instruments?: InstrumentCatalog;
  /**
   * Latency observer (pipeline/latency.ts): book applied → metrics published (`applied_metrics`) and
   * receive → metrics published (`receive_metrics`), once per metrics sample published.
   */
  latency?: LatencyObserver;
  /** Clock for the latency steps, ms since epoch UTC (default: high-resolution wall clock). */
  clock?: () => number;
}

/** Per instrument: its spec (as of catalog `version`) and analytics. */
interface Entry {
  /** Venue id of the instrument (the latency observer's label). */
  readonly venue: string;
  spec: InstrumentSpec;
  version: number;
  analytics: InstrumentAnalytics | undefined;
}

/** Metrics + stateful analytics after every book change; see the module comment. */
export class AnalyticsStage implements PipelineStage {
  /** The latest metrics per instrument. */
  readonly latest = new Map<InstrumentId, MetricsSample>();
  /** Basis and cross-venue divergence (null when no pairs/groups are configured). */
  readonly cross: CrossAnalytics | null;
  private readonly sampler: MetricsSampler;
  private readonly entries = new Map<InstrumentId, Entry>();
  /** The specs the analytics follow (see AnalyticsStageOptions.instruments). */
  readonly instruments: InstrumentCatalog;
  private readonly analyticsOpts: AnalyticsOptions | null;
  private readonly metricsConfig: BookMetricsConfig;
  private readonly bus: Bus<AnalyticsTopics>;
  private readonly emit = (e: AnalyticsEvent): void => this.bus.publish('analytics', e);
  private withMarkers(a: InstrumentAnalytics): InstrumentAnalytics {
    a.onMarker = (m) => this.bus.publish('analytics.marker', m);
    return a;
  }
  private readonly latency: LatencyObserver | null;
  private readonly clock: () => number;

  constructor(opts: AnalyticsStageOptions) {
    this.bus = opts.bus;
    this.instruments = opts.instruments ?? new InstrumentCatalog();
    this.latency = opts.latency ?? null;
    this.clock = opts.clock ?? wallClockMs;
    this.metricsConfig = opts.metrics ?? defaultBookMetricsConfig;
    this.analyticsOpts = opts.analytics === false ? null : (opts.analytics ?? {});
    const cross = this.analyticsOpts?.cross;
    this.cross =
      cross && (cross.pairs.length > 0 || cross.groups.length > 0) ? new CrossAnalytics(cross) : null;
    this.sampler = new MetricsSampler(opts.sampleIntervalMs ?? 1000, (s) =>
      this.bus.publish('metrics.sample', s),
    );
  }

  /**
   * The stateful analytics of an instrument (walls, clusters, heatmap, liquidity, flow, candles), created
   * on first use; undefined when analytics are disabled.
   */
  analytics(instrument: InstrumentId): InstrumentAnalytics | undefined {
    return this.entry(instrument).analytics;
  }

  /** The spec the analytics of `instrument` use now (loaded, or the fallback). */
  spec(instrument: InstrumentId): InstrumentSpec {
    return this.entry(instrument).spec;
  }

  /** The instrument's entry, created on first use; its spec looked up again when the catalog changed. */
  private entry(instrument: InstrumentId): Entry {
    const cat = this.instruments;
    let e = this.entries.get(instrument);
    if (e) {
      if (e.version !== cat.version) {
        e.version = cat.version;
        const spec = cat.get(instrument);
        if (spec !== e.spec && !sameUnits(spec, e.spec)) e.analytics?.setSpec(spec);
        e.spec = spec;
      }
      return e;
    }
    const spec = cat.get(instrument);
    const o = this.analyticsOpts;
    e = {
      venue: splitInstrumentId(instrument).venue,
      spec,
      version: cat.version,
      analytics: o
        ? this.withMarkers(
            new InstrumentAnalytics(
              instrument,
              mergeAnalyticsConfig(o.defaults, o.instruments?.[instrument]),
              this.emit,
              spec,
            ),
          )
        : undefined,
    };
    this.entries.set(instrument, e);
    return e;
  }

  onTrade(t: Trade): void {
    this.analytics(t.instrument)?.onTrade(t);
  }

  onState(b: InstrumentBook, _previous: BookState, localTs: number): void {
    this.analytics(b.instrument)?.onState(b.book, b.health.coverage, localTs, b.health.state);
  }

  onBook(b: InstrumentBook, exchangeTs: number, localTs: number): void {
    const started = this.latency ? this.clock() : 0;
    const h = b.health;
    const e = this.entry(b.instrument);
    const metrics = computeBookMetrics(b.book, h.coverage, this.metricsConfig, e.spec);
    const sample: MetricsSample = {
      instrument: b.instrument,
      exchangeTs,
      localTs,
      state: h.state,
      sequence: h.sequence,
      metrics,
    };
    const a = e.analytics;
    const cross = a && this.cross?.watches(b.instrument) ? this.cross : null;
    if (a) {
      a.onBook(b.book, h.coverage, metrics, localTs, h.state, h.sequence);
      sample.analytics = a.values();
      cross?.onMid(b.instrument, metrics.mid, localTs, h.state);
    }
    this.latest.set(b.instrument, sample);
    this.bus.publish('metrics', sample);
    if (this.latency) this.measure(e.venue, started, localTs);
    // After the metrics of the same update, as consumers (alerts) evaluated them before.
    if (cross && (this.bus.hasSubscribers?.('cross') ?? true)) this.publishCross(cross, localTs);
    this.sampler.offer(sample);
  }

  /** Book applied → metrics published, and receive → metrics published (pipeline/latency.ts). */
  private measure(venue: string, started: number, localTs: number): void {
    const now = this.clock();
    this.latency!.observe('applied_metrics', venue, now - started);
    this.latency!.observe('receive_metrics', venue, now - localTs);
  }

  /** Publish the pairs and groups this update recomputed (those stamped with its time). */
  private publishCross(cross: CrossAnalytics, ts: number): void {
    for (const r of cross.basis.values())
      if (r.ts === ts) this.bus.publish('cross', { kind: 'basis', result: r });
    for (const r of cross.divergence.values())
      if (r.ts === ts) this.bus.publish('cross', { kind: 'divergence', result: r });
  }

  /** Emit the pending samples (end of replay, shutdown). */
  flush(): void {
    this.sampler.flush();
  }
}

/** Whether two specs convert sizes and pick buckets alike (so analytics need not be told). */
function sameUnits(a: InstrumentSpec, b: InstrumentSpec): boolean {
  return (
    a.sizeUnit === b.sizeUnit &&
    a.margin === b.margin &&
    a.contractSize === b.contractSize &&
    a.tickSize === b.tickSize
  );
}
