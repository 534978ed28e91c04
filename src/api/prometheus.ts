/**
 * Prometheus metrics of the process (`GET /metrics`, text exposition format), read from the engine, the
 * WebSocket hub and the store at scrape time (nothing is updated on the data path).
 *
 * Series (all prefixed `depthwatch_`):
 * - `frames_total{venue}`, `frames_dropped_total{venue,code}`: frames handled / dropped before a book.
 * - `book_state{instrument,state}`: 1 for the instrument's current state, 0 for the others;
 *   `book_reason{instrument,state,reason_code}` = 1 with the current HealthReasonCode (`none` when live).
 * - `book_resyncs_total` (integrity faults), `book_restarts_total` (a replayed recording started over:
 *   the demo's loop; not faults), `book_gaps_total`, `book_checksum_failures_total`, `book_crossed_total`,
 *   `book_locked_total`,
 *   `book_dropped_total`, `book_deltas_applied_total`, `book_snapshots_total`, `trades_total` `{instrument}`.
 * - `book_latency_ms{instrument}`: exchange-to-local latency of the last update.
 * - `latency_ms{step,venue}` (histogram, buckets pipeline/latency.ts LATENCY_BUCKETS_MS): each step of the
 *   path (exchange_receive, receive_applied, applied_metrics, receive_metrics, metrics_send), and
 *   `latency_not_applicable_total{venue}`: exchange→receive not measurable (recorded data replayed now).
 * - `ws_clients`, `ws_connections_total`, `ws_connections_rejected_total`, `ws_messages_sent_total`,
 *   `ws_conflated_total`, `ws_clients_dropped_total{reason}`, `ws_bad_messages_total`.
 * - `alerts_total{rule,severity}`: alerts seen on the bus (see {@link countAlerts}).
 * - `store_rows{table}`: stored rows per history table (from `store.counts()`).
 * - `info{version}` = 1, plus prom-client's default process metrics, prefixed too (`depthwatch_process_*`,
 *   `depthwatch_nodejs_*`).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { BookCounters, BookState } from '../book/health.ts';
import type { HistoryStore } from '../store/types.ts';
import type { Bus } from '../core/bus.ts';
import type { OutputTopics } from '../alerts/topics.ts';
import type { ApiEngine } from './types.ts';
import type { WsHub } from './ws-hub.ts';
import { LATENCY_BUCKETS_MS, type LatencyHistograms } from '../pipeline/latency.ts';

const STATES: readonly BookState[] = ['connecting', 'syncing', 'live', 'resyncing', 'stale', 'invalid'];

/** Build a registry (one per API server; never the global default, so servers do not share series). */
export function createMetricsRegistry(deps: {
  engine: ApiEngine;
  hub: WsHub;
  store: HistoryStore;
  version: string;
  /** The app's latency histograms (pipeline/latency.ts), exposed as `depthwatch_latency_ms`. */
  latency?: LatencyHistograms;
}): Registry {
  const { engine, hub, store } = deps;
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: 'depthwatch_' });
  if (deps.latency) registerLatency(register, deps.latency);

  /** A counter whose value is read from a source at scrape time. */
  const mirroredCounter = (
    name: string,
    help: string,
    labelNames: string[],
    read: (set: (labels: Record<string, string>, v: number) => void) => void,
  ): void => {
    new Counter({
      name,
      help,
      labelNames,
      registers: [register],
      collect() {
        this.reset();
        read((labels, v) => {
          if (Number.isFinite(v) && v >= 0) this.inc(labels, v);
        });
      },
    });
  };

  mirroredCounter('depthwatch_frames_total', 'Frames handled by the engine, by venue', ['venue'], (set) => {
    for (const [venue, n] of Object.entries(engine.frames)) set({ venue }, n);
  });
  mirroredCounter(
    'depthwatch_frames_dropped_total',
    'Frames dropped before reaching a book, by venue and reason code',
    ['venue', 'code'],
    (set) => {
      for (const [venue, codes] of Object.entries(engine.dropped))
        for (const [code, n] of Object.entries(codes)) set({ venue, code }, n ?? 0);
    },
  );
  const perBook: [string, keyof BookCounters, string][] = [
    ['depthwatch_book_resyncs_total', 'resyncs', 'Book resyncs started (integrity faults)'],
    [
      'depthwatch_book_restarts_total',
      'restarts',
      'Feed restarts (a replayed recording started over: the demo loop), not integrity faults',
    ],
    ['depthwatch_book_gaps_total', 'gaps', 'Sequence gaps detected'],
    ['depthwatch_book_checksum_failures_total', 'checksumFailures', 'Venue checksum mismatches'],
    ['depthwatch_book_crossed_total', 'crossedBooks', 'Times the book was found crossed (bid > ask)'],
    ['depthwatch_book_locked_total', 'lockedBooks', 'Times the book was found locked (bid = ask)'],
    ['depthwatch_book_dropped_total', 'dropped', 'Malformed frames attributed to the instrument'],
    ['depthwatch_book_deltas_applied_total', 'deltasApplied', 'Deltas applied'],
    ['depthwatch_book_snapshots_total', 'snapshots', 'Snapshots applied'],
    ['depthwatch_trades_total', 'trades', 'Trades received'],
  ];
  for (const [name, field, help] of perBook) {
    mirroredCounter(name, help + ', by instrument', ['instrument'], (set) => {
      for (const [instrument, b] of engine.books) set({ instrument }, b.health.counters[field]);
    });
  }
  new Gauge({
    name: 'depthwatch_book_state',
    help: '1 for the current state of each instrument book, 0 for the other states',
    labelNames: ['instrument', 'state'],
    registers: [register],
    collect() {
      this.reset();
      for (const [instrument, b] of engine.books)
        for (const state of STATES) this.set({ instrument, state }, b.health.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'depthwatch_book_reason',
    help: '1 with the stable code of why each instrument book is in its state (reason_code "none" when live)',
    labelNames: ['instrument', 'state', 'reason_code'],
    registers: [register],
    collect() {
      this.reset();
      for (const [instrument, b] of engine.books)
        this.set({ instrument, state: b.health.state, reason_code: b.health.reasonCode ?? 'none' }, 1);
    },
  });
  new Gauge({
    name: 'depthwatch_book_latency_ms',
    help: 'Exchange-to-local latency of the last book update, ms',
    labelNames: ['instrument'],
    registers: [register],
    collect() {
      this.reset();
      for (const [instrument, b] of engine.books)
        if (Number.isFinite(b.health.latencyMs)) this.set({ instrument }, b.health.latencyMs);
    },
  });
  new Gauge({
    name: 'depthwatch_ws_clients',
    help: 'Connected WebSocket clients',
    registers: [register],
    collect() {
      this.set(hub.stats.clients);
    },
  });
  mirroredCounter('depthwatch_ws_connections_total', 'WebSocket connections accepted', [], (set) =>
    set({}, hub.stats.accepted),
  );
  mirroredCounter(
    'depthwatch_ws_connections_rejected_total',
    'WebSocket connections refused by the per-IP limit',
    [],
    (set) => set({}, hub.stats.rejected),
  );
  mirroredCounter('depthwatch_ws_messages_sent_total', 'WebSocket messages sent', [], (set) =>
    set({}, hub.stats.sent),
  );
  mirroredCounter(
    'depthwatch_ws_conflated_total',
    'WebSocket updates replaced by newer ones (or trades dropped for slow clients)',
    [],
    (set) => set({}, hub.stats.conflated),
  );
  mirroredCounter(
    'depthwatch_ws_clients_dropped_total',
    'WebSocket clients closed by the server, by reason',
    ['reason'],
    (set) => {
      for (const [reason, n] of Object.entries(hub.stats.dropped)) set({ reason }, n);
    },
  );
  mirroredCounter('depthwatch_ws_bad_messages_total', 'Malformed WebSocket client messages', [], (set) =>
    set({}, hub.stats.badMessages),
  );
  new Gauge({
    name: 'depthwatch_store_rows',
    help: 'Rows stored per history table',
    labelNames: ['table'],
    registers: [register],
    async collect() {
      this.reset();
      try {
        const counts = await store.counts();
        for (const [table, n] of Object.entries(counts)) this.set({ table }, n);
      } catch {
        // store not ready or down: the series is absent, /readyz tells why
      }
    },
  });
  new Gauge({
    name: 'depthwatch_info',
    help: 'Build information',
    labelNames: ['version'],
    registers: [register],
  }).set({ version: deps.version }, 1);
  return register;
}

/**
 * Count every alert published on the bus topic `alert` in `depthwatch_alerts_total{rule,severity}`
 * (firing and resolved alike) of `register`.
 * @returns a function that stops counting (removes the bus subscription)
 */
export function countAlerts(register: Registry, bus: Bus<OutputTopics>): () => void {
  const counter = new Counter({
    name: 'depthwatch_alerts_total',
    help: 'Alerts emitted, by rule and severity',
    labelNames: ['rule', 'severity'],
    registers: [register],
  });
  return bus.subscribe('alert', (a) => counter.inc({ rule: a.ruleId, severity: a.severity }));
}

/**
 * Expose the app's fixed-bucket latency histograms as a Prometheus histogram read at scrape time (the
 * hot path only increments plain counters in LatencyHistograms; nothing prom-client runs per event).
 */
function registerLatency(register: Registry, latency: LatencyHistograms): void {
  const name = 'depthwatch_latency_ms';
  const help = 'Latency of each step of the path, ms (see pipeline/latency.ts)';
  register.registerMetric({
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => {
      const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
      for (const h of latency.histograms()) {
        const labels = { step: h.step, venue: h.venue };
        let cumulative = 0;
        for (let i = 0; i < h.buckets.length; i++) {
          cumulative += h.buckets[i]!;
          const le = i < LATENCY_BUCKETS_MS.length ? String(LATENCY_BUCKETS_MS[i]) : '+Inf';
          values.push({ value: cumulative, labels: { ...labels, le }, metricName: `${name}_bucket` });
        }
        values.push({ value: h.sumMs, labels, metricName: `${name}_sum` });
        values.push({ value: h.count, labels, metricName: `${name}_count` });
      }
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
  } as unknown as Parameters<Registry['registerMetric']>[0]);
  new Counter({
    name: 'depthwatch_latency_not_applicable_total',
    help: 'Exchange→receive latencies not measured because the exchange clock is not live (recordings)',
    labelNames: ['venue'],
    registers: [register],
    collect() {
      this.reset();
      for (const [venue, n] of latency.notApplicableCounts) this.inc({ venue }, n);
    },
  });
}
