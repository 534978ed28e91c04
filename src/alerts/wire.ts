/**
 * Wiring of the alert engine to the bus, shared by live (the app) and backtest (`alerts test`) so both
 * evaluate exactly the same inputs: each metrics sample (BookMetrics + the instrument's analytics values
 * it carries), each health change, each basis/divergence recomputation under its pair/group name,
 * each crossed-market event of a consolidated group (net edge, 0 on close),
 * analytics events (wall lifecycle), and periodic ticks for staleness. Everything arrives through bus
 * topics, like any other consumer's inputs.
 */
import type { Bus } from '../core/bus.ts';
import type { PipelineTopics } from '../pipeline/topics.ts';
import type { AnalyticsTopics } from '../analytics/stage.ts';
import type { ConsolidationTopics } from '../analytics/consolidated/stage.ts';
import type { AlertEngine } from './engine.ts';

/** Options of connectAlerts. */
export interface ConnectAlertsOptions {
  /** Staleness ticks at most this often, ms of input time (default 1,000). Ticks ride on metrics and trades. */
  tickMs?: number;
}

/**
 * Subscribe the alert engine to the topics the pipeline and the analytics stage publish.
 * @returns a function that removes the subscriptions
 */
export function connectAlerts(
  bus: Bus<PipelineTopics & AnalyticsTopics & Pick<ConsolidationTopics, 'arbitrage'>>,
  alerts: AlertEngine,
  opts: ConnectAlertsOptions = {},
): () => void {
  const tickMs = opts.tickMs ?? 1_000;
  let lastTick = -Infinity;
  const tick = (ts: number): void => {
    if (ts - lastTick < tickMs) return;
    lastTick = ts;
    alerts.tick(ts);
  };
  const offs = [
    bus.subscribe('metrics', (s) => {
      alerts.evaluate({
        instrument: s.instrument,
        ts: s.localTs,
        exchangeTs: s.exchangeTs,
        state: s.state,
        sequence: s.sequence,
        metrics: s.metrics,
        extra: s.analytics,
      });
      tick(s.localTs);
    }),
    bus.subscribe('cross', (c) => {
      const r = c.result;
      alerts.evaluate({
        instrument: r.name,
        ts: r.ts,
        exchangeTs: NaN,
        state: null,
        sequence: null,
        extra: c.kind === 'basis' ? { basisBps: r.bps } : { divergenceBps: r.bps },
      });
    }),
    bus.subscribe('analytics', (e) => alerts.onEvent(e)),
    // Crossed markets of consolidated groups: the net edge while open, 0 once closed.
    bus.subscribe('arbitrage', (e) => {
      alerts.evaluate({
        instrument: `${e.group} ${e.sellOn}>${e.buyOn}`,
        ts: e.status === 'close' && e.endTs !== null ? e.endTs : e.startTs + e.durationMs,
        exchangeTs: NaN,
        state: null,
        sequence: null,
        extra: { crossedEdgeBps: e.status === 'close' ? 0 : e.edgeBps },
      });
    }),
    bus.subscribe('health', (h) => {
      alerts.evaluate({
        instrument: h.instrument,
        ts: h.since,
        exchangeTs: NaN,
        state: h.state,
        sequence: Number.isFinite(h.sequence) ? h.sequence : null,
      });
    }),
    bus.subscribe('trade', (t) => tick(t.localTs)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
