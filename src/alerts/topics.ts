/**
 * Bus topics of the alert layer, and the whole map of what the core publishes (pipeline + analytics +
 * alerts) for the outputs above it (stores, cache, fleet bus, API), which subscribe by these names.
 */
import type { PipelineTopics } from '../pipeline/topics.ts';
import type { AnalyticsTopics } from '../analytics/stage.ts';
import type { ConsolidationTopics } from '../analytics/consolidated/stage.ts';
import type { Alert } from './types.ts';

/** Topics the alert engine publishes. */
export interface AlertTopics {
  /** Every alert the alert engine emits (firing, and resolved when `notifyResolved` is on). */
  alert: Alert;
}

/** Everything the core publishes, by topic: what an output may subscribe to. */
export type OutputTopics = PipelineTopics & AnalyticsTopics & ConsolidationTopics & AlertTopics;
