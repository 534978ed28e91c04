/**
 * Composition of the standard pipeline: the pure Engine (frames → verified books) followed by the
 * analytics stage (metrics, stateful analytics, basis/divergence), both publishing on one bus. Used by
 * the app, replay, soak, the alert backtest and tests, so every path builds the same thing.
 */
import type { Bus } from '../core/bus.ts';
import type { InstrumentId, VenueId } from '../core/model.ts';
import type { BookState } from '../book/health.ts';
import type { InstrumentBook } from '../book/instrument-book.ts';
import type { VenueAdapter } from '../feeds/types.ts';
import { venueSync, venues as allVenues } from '../feeds/registry.ts';
import { Engine, type PipelineStage } from '../pipeline/engine.ts';
import type { PipelineTopics } from '../pipeline/topics.ts';
import type { LatencyObserver } from '../pipeline/latency.ts';
import type { BookMetricsConfig } from '../analytics/book-metrics.ts';
import { AnalyticsStage, type AnalyticsOptions, type AnalyticsTopics } from '../analytics/stage.ts';
import {
  ConsolidationStage,
  type ConsolidationOptions,
  type ConsolidationTopics,
} from '../analytics/consolidated/stage.ts';

/** Options of {@link createPipeline}. */
export interface PipelineOptions {
  bus: Bus<PipelineTopics & AnalyticsTopics & ConsolidationTopics>;
  /** Venue adapters whose sync settings the books use (default: every registered venue). */
  venues?: ReadonlyMap<VenueId, VenueAdapter>;
  /** Compute metrics (and analytics) after each update; false gives a bare book pipeline. Default true. */
  computeMetrics?: boolean;
  metrics?: BookMetricsConfig;
  sampleIntervalMs?: number;
  /** Stateful analytics settings, or false for book metrics only (default: on with defaults). */
  analytics?: AnalyticsOptions | false;
  publishDepth?: number;
  /**
   * Consolidated groups and the watchlist (a ConsolidationStage after the analytics; none when there
   * are no groups and no watchlist is asked for).
   */
  consolidation?: Omit<ConsolidationOptions, 'bus'>;
  /** More stages after the analytics stage. */
  stages?: readonly PipelineStage[];
  onSnapshotNeeded?: (instrument: InstrumentId, book: InstrumentBook) => void;
  onStateChange?: (book: InstrumentBook, previous: BookState) => void;
  /** Latency observer for the engine and analytics steps (pipeline/latency.ts); none: not measured. */
  latency?: LatencyObserver;
}

/** The engine and its analytics stage (null when metrics are off). */
export interface Pipeline {
  engine: Engine;
  analytics: AnalyticsStage | null;
  /** Consolidated groups and watchlist (null when not asked for or metrics are off). */
  consolidation: ConsolidationStage | null;
}

/** Build the standard pipeline on `opts.bus`. */
export function createPipeline(opts: PipelineOptions): Pipeline {
  const analytics =
    opts.computeMetrics === false
      ? null
      : new AnalyticsStage({
          bus: opts.bus,
          ...(opts.metrics ? { metrics: opts.metrics } : {}),
          ...(opts.sampleIntervalMs !== undefined ? { sampleIntervalMs: opts.sampleIntervalMs } : {}),
          ...(opts.analytics !== undefined ? { analytics: opts.analytics } : {}),
          ...(opts.latency ? { latency: opts.latency } : {}),
        });
  const consolidation =
    opts.computeMetrics === false || !opts.consolidation
      ? null
      : new ConsolidationStage({ ...opts.consolidation, bus: opts.bus });
  const engine = new Engine({
    sync: venueSync(opts.venues ?? allVenues),
    bus: opts.bus,
    stages: [
      ...(analytics ? [analytics] : []),
      ...(consolidation ? [consolidation] : []),
      ...(opts.stages ?? []),
    ],
    ...(opts.publishDepth !== undefined ? { publishDepth: opts.publishDepth } : {}),
    ...(opts.onSnapshotNeeded ? { onSnapshotNeeded: opts.onSnapshotNeeded } : {}),
    ...(opts.onStateChange ? { onStateChange: opts.onStateChange } : {}),
    ...(opts.latency ? { latency: opts.latency } : {}),
  });
  return { engine, analytics, consolidation };
}
