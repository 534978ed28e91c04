/**
 * The core pipeline, pure (no I/O): normalized events → verified books → metrics → bus.
 * Live connectors, replay and the simulator-fed tests all push frames through `handleFrame`, so every
 * path runs the same code.
 */
import { MalformedFrameError, type DropCode } from '../core/errors.ts';
import type { InstrumentId, MarketEvent, VenueId } from '../core/model.ts';
import { splitInstrumentId } from '../core/model.ts';
import { InstrumentBook, type BookOutcome } from '../book/instrument-book.ts';
import type { FeedParser, VenueAdapter } from '../feeds/types.ts';
import {
  computeBookMetrics,
  defaultBookMetricsConfig,
  type BookMetricsConfig,
} from '../analytics/book-metrics.ts';
import { MetricsSampler } from '../analytics/sampler.ts';
import type { MetricsSample } from '../analytics/types.ts';
import {
  InstrumentAnalytics,
  type AnalyticsEvent,
  type InstrumentAnalyticsConfig,
} from '../analytics/instrument.ts';
import { CrossAnalytics, type CrossConfig } from '../analytics/cross.ts';
import type { Bus, BookTop } from '../bus/types.ts';

/** Engine options. */
export interface EngineOptions {
  /** Venue adapters by id (from feeds/registry.ts). */
  venues: ReadonlyMap<VenueId, VenueAdapter>;
  bus: Bus;
  metrics?: BookMetricsConfig;
  /** Levels per side published on the `book` topic (default 20). */
  publishDepth?: number;
  /** Metrics sample interval for storage, ms (default 1000). */
  sampleIntervalMs?: number;
  /** Called when an instrument needs a snapshot (REST fetch or resubscribe), once per need. */
  onSnapshotNeeded?: (instrument: InstrumentId, book: InstrumentBook) => void;
  /** Called on every state change of an instrument's book (for the one-line-per-change log). */
  onStateChange?: (book: InstrumentBook, previous: string) => void;
  /** When false, metrics are not computed per update (benchmarks of the bare book). Default true. */
  computeMetrics?: boolean;
  /**
   * Stateful per-instrument analytics (velocity, walls, clusters, heatmap, liquidity, trade flow) and
   * cross-instrument basis/divergence. Default: on with defaults (off when computeMetrics is false);
   * `false` disables them.
   */
  analytics?: AnalyticsOptions | false;
  /** Receives analytics events (wall lifecycle), e.g. for the alert engine. */
  onAnalyticsEvent?: (e: AnalyticsEvent) => void;
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

/** Frames dropped per venue and reason, plus per instrument in InstrumentBook counters. */
export type DropCounters = Record<string, Partial<Record<DropCode, number>>>;

export class Engine {
  readonly books = new Map<InstrumentId, InstrumentBook>();
  /** Dropped frames by venue then reason code. */
  readonly dropped: DropCounters = {};
  /** Total frames handled, by venue. */
  readonly frames: Record<string, number> = {};
  /** The latest metrics per instrument. */
  readonly latest = new Map<InstrumentId, MetricsSample>();
  private readonly sampler: MetricsSampler;
  private readonly publishDepth: number;
  private readonly computeMetrics: boolean;
  private readonly analyzers = new Map<InstrumentId, InstrumentAnalytics>();
  private readonly analyticsOpts: AnalyticsOptions | null;
  /** Basis and cross-venue divergence (null when no pairs/groups are configured). */
  readonly cross: CrossAnalytics | null;

  constructor(private readonly opts: EngineOptions) {
    this.publishDepth = opts.publishDepth ?? 20;
    this.computeMetrics = opts.computeMetrics ?? true;
    this.analyticsOpts = this.computeMetrics && opts.analytics !== false ? (opts.analytics ?? {}) : null;
    const cross = this.analyticsOpts?.cross;
    this.cross =
      cross && (cross.pairs.length > 0 || cross.groups.length > 0) ? new CrossAnalytics(cross) : null;
    this.sampler = new MetricsSampler(opts.sampleIntervalMs ?? 1000, (s) =>
      opts.bus.publish('metrics.sample', s),
    );
  }

  /** The verified book of an instrument, created (state `connecting`) on first use. */
  book(instrument: InstrumentId): InstrumentBook {
    let b = this.books.get(instrument);
    if (b) return b;
    const { venue } = splitInstrumentId(instrument);
    const adapter = this.opts.venues.get(venue);
    if (!adapter) throw new MalformedFrameError('unknown_instrument', `no venue adapter for ${instrument}`);
    b = new InstrumentBook(instrument, adapter.sync);
    this.books.set(instrument, b);
    return b;
  }

  /**
   * The stateful analytics of an instrument (walls, clusters, heatmap, liquidity, flow, candles), created
   * on first use; undefined when analytics are disabled.
   */
  analytics(instrument: InstrumentId): InstrumentAnalytics | undefined {
    const o = this.analyticsOpts;
    if (!o) return undefined;
    let a = this.analyzers.get(instrument);
    if (!a) {
      const cfg = mergeAnalyticsConfig(o.defaults, o.instruments?.[instrument]);
      const emit = this.opts.onAnalyticsEvent;
      a = new InstrumentAnalytics(instrument, cfg, emit ? (e) => emit(e) : undefined);
      this.analyzers.set(instrument, a);
    }
    return a;
  }

  /**
   * Parse and process one raw frame. Never throws for bad input: a malformed frame is dropped and
   * counted (per venue and reason, and per instrument when the parser could tell which).
   */
  handleFrame(venue: VenueId, parser: FeedParser, text: string, localTs: number): void {
    this.frames[venue] = (this.frames[venue] ?? 0) + 1;
    let events: readonly MarketEvent[];
    try {
      events = parser.parse(text, localTs);
    } catch (e) {
      this.countDrop(venue, e);
      return;
    }
    for (let i = 0; i < events.length; i++) this.handleEvent(events[i]!);
  }

  /** Count a frame dropped before it reached a book. */
  countDrop(venue: VenueId, e: unknown): void {
    const code: DropCode = e instanceof MalformedFrameError ? e.code : 'malformed_json';
    const v = (this.dropped[venue] ??= {});
    v[code] = (v[code] ?? 0) + 1;
    const inst = (e as { instrument?: unknown }).instrument;
    if (typeof inst === 'string') this.books.get(inst)?.countDropped();
  }

  /** Process one normalized event. */
  handleEvent(e: MarketEvent): void {
    let b: InstrumentBook;
    try {
      b = this.book(e.instrument);
    } catch (err) {
      this.countDrop(splitInstrumentId(e.instrument).venue, err);
      return;
    }
    const before = b.health.state;
    let outcome: BookOutcome | null = null;
    switch (e.type) {
      case 'book_delta':
        outcome = b.onDelta(e);
        break;
      case 'book_snapshot':
        outcome = b.onSnapshot(e);
        break;
      case 'trade':
        b.health.counters.frames++;
        b.health.counters.trades++;
        this.analytics(e.instrument)?.onTrade(e);
        this.opts.bus.publish('trade', e);
        break;
      case 'bbo':
        b.onTopOfBook(e);
        break;
    }
    if (b.health.state !== before) {
      this.opts.onStateChange?.(b, before);
      this.analytics(b.instrument)?.onState(b.book, b.health.coverage, e.localTs, b.health.state);
      this.opts.bus.publish('health', b.health);
    }
    if (b.snapshotWanted && this.opts.onSnapshotNeeded && b.takeSnapshotRequest()) {
      this.opts.onSnapshotNeeded(b.instrument, b);
    }
    if (outcome === 'applied' || outcome === 'snapshot') this.afterBookChange(b, e.exchangeTs, e.localTs);
  }

  private afterBookChange(b: InstrumentBook, exchangeTs: number, localTs: number): void {
    const bus = this.opts.bus;
    const h = b.health;
    // The top-of-book view allocates 2 × depth level arrays: build it only when someone listens (the
    // WebSocket hub, while a client watches books); the Redis cache, replay, soak and benchmarks read
    // the books themselves or not at all.
    if (bus.hasSubscribers?.('book') ?? true) {
      const top = b.book.top(this.publishDepth);
      const view: BookTop = {
        instrument: b.instrument,
        exchangeTs,
        localTs,
        sequence: h.sequence,
        state: h.state,
        bids: top.bids,
        asks: top.asks,
      };
      bus.publish('book', view);
    }
    if (!this.computeMetrics) return;
    const sample: MetricsSample = {
      instrument: b.instrument,
      exchangeTs,
      localTs,
      state: h.state,
      sequence: h.sequence,
      metrics: computeBookMetrics(b.book, h.coverage, this.opts.metrics ?? defaultBookMetricsConfig),
    };
    const a = this.analytics(b.instrument);
    if (a) {
      const m = sample.metrics;
      a.onBook(b.book, h.coverage, m, localTs, h.state, h.sequence);
      if (this.cross?.watches(b.instrument)) this.cross.onMid(b.instrument, m.mid, localTs, h.state);
    }
    this.latest.set(b.instrument, sample);
    bus.publish('metrics', sample);
    this.sampler.offer(sample);
  }

  /** Emit the pending samples (end of replay, shutdown). */
  flushSamples(): void {
    this.sampler.flush();
  }
}
