/**
 * Wiring of the alert engine to the pipeline, shared by live (the app) and backtest (`alerts test`) so
 * both evaluate exactly the same inputs: each metrics sample (BookMetrics + the instrument's analytics
 * values), each health change, basis/divergence under their pair/group names, periodic ticks for
 * staleness. Wall events reach the alert engine through the Engine's `onAnalyticsEvent` option
 * (`onAnalyticsEvent: (e) => alerts.onEvent(e)`), set when the Engine is built.
 */
import type { Bus } from '../bus/types.ts';
import type { Engine } from '../pipeline/engine.ts';
import type { AlertEngine } from './engine.ts';

/** Options of connectAlerts. */
export interface ConnectAlertsOptions {
  /** Staleness ticks at most this often, ms of input time (default 1,000). Ticks ride on metrics and trades. */
  tickMs?: number;
}

/**
 * Subscribe the alert engine to the bus the engine publishes on.
 * @returns a function that removes the subscriptions
 */
export function connectAlerts(
  engine: Engine,
  bus: Bus,
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
        extra: engine.analytics(s.instrument)?.values(),
      });
      const cross = engine.cross;
      if (cross?.watches(s.instrument)) {
        // only the pairs/groups this update recomputed carry its time
        for (const b of cross.basis.values())
          if (b.ts === s.localTs)
            alerts.evaluate({
              instrument: b.name,
              ts: b.ts,
              exchangeTs: NaN,
              state: null,
              sequence: null,
              extra: { basisBps: b.bps },
            });
        for (const d of cross.divergence.values())
          if (d.ts === s.localTs)
            alerts.evaluate({
              instrument: d.name,
              ts: d.ts,
              exchangeTs: NaN,
              state: null,
              sequence: null,
              extra: { divergenceBps: d.bps },
            });
      }
      tick(s.localTs);
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
