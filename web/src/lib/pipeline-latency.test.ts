import { describe, expect, it } from 'vitest';
import { parsePrometheus, pipelineLatency, PIPELINE_PROM_NAMES } from './system.ts';

describe('pipelineLatency', () => {
  it('reads count, p50 and p99 bucket bounds per step and venue from the cumulative buckets, in path order', () => {
    const text = [
      '# TYPE depthwatch_latency_ms histogram',
      // 100 measurements of okx receive→applied: 60 ≤ 0.05 ms, 39 more ≤ 0.5 ms, 1 ≤ 5 ms
      'depthwatch_latency_ms_bucket{step="receive_applied",venue="okx",le="0.05"} 60',
      'depthwatch_latency_ms_bucket{step="receive_applied",venue="okx",le="0.5"} 99',
      'depthwatch_latency_ms_bucket{step="receive_applied",venue="okx",le="5"} 100',
      'depthwatch_latency_ms_bucket{step="receive_applied",venue="okx",le="+Inf"} 100',
      'depthwatch_latency_ms_bucket{step="metrics_send",venue="binance",le="1"} 3',
      'depthwatch_latency_ms_bucket{step="metrics_send",venue="binance",le="+Inf"} 4',
      'depthwatch_latency_ms_bucket{step="exchange_receive",venue="binance",le="+Inf"} 0',
      'depthwatch_latency_not_applicable_total{venue="binance"} 1234',
      'depthwatch_ws_clients 2',
    ].join('\n');
    const { rows, notApplicable } = pipelineLatency(parsePrometheus(text, new Set(PIPELINE_PROM_NAMES)));
    expect(rows).toEqual([
      { step: 'receive_applied', venue: 'okx', count: 100, p50Ms: 0.05, p99Ms: 0.5 },
      { step: 'metrics_send', venue: 'binance', count: 4, p50Ms: 1, p99Ms: Infinity },
    ]);
    expect(notApplicable).toEqual({ binance: 1234 });
  });
});
