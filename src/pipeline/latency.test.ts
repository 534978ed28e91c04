import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { openRecording } from '../recording/index.ts';
import { Replay } from '../replay/replay.ts';
import { LATENCY_BUCKETS_MS, LatencyHistograms, fanOutLatency, type LatencyObserver } from './latency.ts';
import { createMetricsRegistry } from '../api/prometheus.ts';

const FILE = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';

describe('latency histograms', () => {
  it('count every metrics sample published and every book update applied, on a real recording', async () => {
    const latency = new LatencyHistograms();
    let outcomes = 0;
    const counting: LatencyObserver = {
      observe: (step) => {
        if (step === 'receive_applied') outcomes++;
      },
    };
    const rec = await openRecording([FILE]);
    const replay = new Replay(rec, {
      to: Date.UTC(2024, 7, 8, 23, 56, 0),
      engine: { latency: fanOutLatency(latency, counting) },
    });
    let published = 0;
    replay.bus.subscribe('metrics', () => published++);
    await replay.run();
    const book = replay.engine.books.get('binance-usdm:BTCUSDT')!;
    expect(book.state).toBe('live');
    const c = book.health.counters;
    expect(published).toBeGreaterThan(1000);
    // One applied_metrics and one receive_metrics per sample published, per venue label.
    expect(latency.count('applied_metrics')).toBe(published);
    expect(latency.count('receive_metrics', 'binance-usdm')).toBe(published);
    // One receive_applied per book change (a delta applied, or a snapshot with its buffered deltas
    // spliced on), which is also what publishes one metrics sample.
    expect(latency.count('receive_applied')).toBe(published);
    expect(c.deltasApplied + c.snapshots).toBeGreaterThanOrEqual(published);
    expect(outcomes).toBe(latency.count('receive_applied'));
    // Recorded exchange and receive times are both real: exchange→receive measured for every book
    // event and trade that carried an exchange time, none "not applicable".
    expect(latency.count('exchange_receive')).toBeGreaterThan(published);
    expect(latency.notApplicableCounts.size).toBe(0);
    const s = latency.summaries().find((x) => x.step === 'exchange_receive')!;
    expect(s.p50Ms).toBeGreaterThan(0);
    expect(s.p50Ms).toBeLessThanOrEqual(s.p99Ms);
  });

  it('reports exchange latency of a recording replayed now as not applicable, not as days', () => {
    const h = new LatencyHistograms();
    const now = Date.UTC(2026, 11, 4);
    const recorded = Date.UTC(2024, 7, 8);
    // What the engine does for an event stamped by a recording but received now:
    const d = now - recorded;
    expect(d).toBeGreaterThan(700 * 86_400_000);
    h.notApplicable('binance-usdm');
    h.observe('exchange_receive', 'binance-usdm', 3.2);
    expect(h.count('exchange_receive')).toBe(1);
    expect(h.notApplicableCounts.get('binance-usdm')).toBe(1);
    expect(h.summaries()[0]!.maxMs).toBe(3.2);
  });

  it('puts a value on a bucket bound into that bucket and counts negative clock steps at zero', () => {
    const h = new LatencyHistograms();
    h.observe('receive_applied', 'okx', 1);
    h.observe('receive_applied', 'okx', 1.0001);
    h.observe('receive_applied', 'okx', -0.5);
    h.observe('receive_applied', 'okx', 60_000);
    const [e] = [...h.histograms()];
    const i1 = LATENCY_BUCKETS_MS.indexOf(1);
    expect(e!.buckets[i1]).toBe(1);
    expect(e!.buckets[i1 + 1]).toBe(1);
    expect(e!.buckets[0]).toBe(1);
    expect(e!.buckets[LATENCY_BUCKETS_MS.length]).toBe(1);
    expect(e!.count).toBe(4);
    const s = h.summaries()[0]!;
    expect(s.p50Ms).toBe(1);
    expect(s.p999Ms).toBe(Infinity);
  });

  it('is exposed in /metrics as a Prometheus histogram whose count equals the samples observed', async () => {
    const h = new LatencyHistograms();
    for (let i = 0; i < 250; i++) h.observe('applied_metrics', 'binance', i / 100);
    h.notApplicable('okx');
    const engine = { books: new Map(), frames: {}, dropped: {}, latest: new Map() };
    const hub = { stats: () => ({}) };
    const store = { counts: async () => ({}) };
    const reg: Registry = createMetricsRegistry({
      engine: engine as never,
      hub: hub as never,
      store: store as never,
      version: 'test',
      latency: h,
    });
    const text = await reg.getSingleMetricAsString('depthwatch_latency_ms');
    expect(text).toContain('# TYPE depthwatch_latency_ms histogram');
    expect(text).toContain('depthwatch_latency_ms_count{step="applied_metrics",venue="binance"} 250');
    expect(text).toContain(
      'depthwatch_latency_ms_bucket{step="applied_metrics",venue="binance",le="+Inf"} 250',
    );
    expect(text).toContain('depthwatch_latency_ms_bucket{step="applied_metrics",venue="binance",le="1"} 101');
    const na = await reg.getSingleMetricAsString('depthwatch_latency_not_applicable_total');
    expect(na).toContain('depthwatch_latency_not_applicable_total{venue="okx"} 1');
  });
});
