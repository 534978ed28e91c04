/**
 * History of the analytics events: every crossed-market event (bus topic `arbitrage`: open, new maximum
 * edge, close), every basis sample (`consolidated.basis`, one per derivative member per sampling
 * interval), every wall lifecycle turning point (`analytics`: appeared, pulled, consumed) and
 * every S/R cluster and anomaly/shrinkage marker
 * (`analytics.marker`) becomes a row of the store's `analytics_events` table (store/event-rows.ts).
 * Used by the app (roles all/analyzer) and by `replay --store`.
 */
import type { Bus } from '../core/bus.ts';
import type { ConsolidationTopics } from '../analytics/consolidated/stage.ts';
import type { SsiTopics } from '../analytics/ssi/views.ts';
import {
  basisEventRow,
  crossedEventRow,
  markerEventRow,
  ssiForeignEventRow,
  ssiIndexEventRow,
  wallEventRow,
} from '../store/event-rows.ts';
import type { AnalyticsTopics } from '../analytics/stage.ts';
import type { HistoryStore } from '../store/types.ts';

/**
 * Subscribe the store to the event topics. A store without `appendAnalyticsEvents` keeps none (nothing
 * is subscribed).
 * @returns a function that removes the subscriptions
 */
export function startEventHistory(
  bus: Bus<
    Pick<ConsolidationTopics, 'arbitrage' | 'consolidated.basis'> &
      Pick<AnalyticsTopics, 'analytics' | 'analytics.marker'>
  >,
  store: Pick<HistoryStore, 'appendAnalyticsEvents'>,
): () => void {
  if (!store.appendAnalyticsEvents) return () => {};
  const append = store.appendAnalyticsEvents.bind(store);
  const offs = [
    bus.subscribe('arbitrage', (e) => append([crossedEventRow(e)])),
    bus.subscribe('consolidated.basis', (b) => append([basisEventRow(b)])),
    // The lifecycle's turning points (the markers the dashboard draws); resizes and moves are many
    // (7 of 10 wall events on the Binance BTC recordings) and stay on the live `analytics` channel.
    bus.subscribe('analytics', (e) => {
      if (e.kind === 'appeared' || e.kind === 'pulled' || e.kind === 'consumed') append([wallEventRow(e)]);
    }),
    bus.subscribe('analytics.marker', (m) => append([markerEventRow(m)])),
  ];
  return () => {
    for (const off of offs) off();
  };
}

/**
 * History of the Vietnamese market (app/ssi-service.ts topics) in `analytics_events`: every index message
 * (`ssi.index`: value, change and breadth; kind `index`) and a foreign-flow sample per symbol and for the
 * market total at most every `foreignEveryMs` of its own time (`ssi.foreign`; kind `foreign`; default
 * 5 s, so a busy session writes at most one row per symbol per 5 s). Quotes and prints are not written
 * here: prints are stored as trades (topic `trade`). A store without `appendAnalyticsEvents` keeps none.
 * @returns a function that removes the subscriptions
 */
export function startSsiHistory(
  bus: Bus<Pick<SsiTopics, 'ssi.index' | 'ssi.foreign'>>,
  store: Pick<HistoryStore, 'appendAnalyticsEvents'>,
  opts: { foreignEveryMs?: number; now?: () => number } = {},
): () => void {
  if (!store.appendAnalyticsEvents) return () => {};
  const append = store.appendAnalyticsEvents.bind(store);
  const every = opts.foreignEveryMs ?? 5_000;
  const now = opts.now ?? Date.now;
  const lastForeign = new Map<string, number>();
  const offs = [
    bus.subscribe('ssi.index', (v) => append([ssiIndexEventRow(v, now())])),
    bus.subscribe('ssi.foreign', (v) => {
      const row = ssiForeignEventRow(v, now());
      const last = lastForeign.get(v.instrument);
      if (last !== undefined && row.ts - last < every) return;
      lastForeign.set(v.instrument, row.ts);
      append([row]);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
