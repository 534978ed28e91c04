/**
 * History of the consolidation stage's events: every crossed-market event (bus topic `arbitrage`: open,
 * new maximum edge, close) and every basis sample (`consolidated.basis`, one per derivative member per
 * sampling interval) becomes a row of the store's `analytics_events` table (store/event-rows.ts).
 * Used by the app (roles all/analyzer) and by `replay --store`.
 */
import type { Bus } from '../core/bus.ts';
import type { ConsolidationTopics } from '../analytics/consolidated/stage.ts';
import { basisEventRow, crossedEventRow } from '../store/event-rows.ts';
import type { HistoryStore } from '../store/types.ts';

/**
 * Subscribe the store to the event topics. A store without `appendAnalyticsEvents` keeps none (nothing
 * is subscribed).
 * @returns a function that removes the subscriptions
 */
export function startEventHistory(
  bus: Bus<Pick<ConsolidationTopics, 'arbitrage' | 'consolidated.basis'>>,
  store: Pick<HistoryStore, 'appendAnalyticsEvents'>,
): () => void {
  if (!store.appendAnalyticsEvents) return () => {};
  const append = store.appendAnalyticsEvents.bind(store);
  const offs = [
    bus.subscribe('arbitrage', (e) => append([crossedEventRow(e)])),
    bus.subscribe('consolidated.basis', (b) => append([basisEventRow(b)])),
  ];
  return () => {
    for (const off of offs) off();
  };
}
