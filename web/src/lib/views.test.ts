/**
 * Pure helpers of the History and System views (web/src/lib/history.ts, system.ts, view.ts): bucket
 * choice per range, snapshot level parsing, counter rates, the latency histogram, the Prometheus text
 * parser and the URL-hash view names. Run in Node; views.test.ts covers the pages in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { CANDLE_INTERVALS } from '../api/history.ts';
import {
  candleIntervalFor,
  fmtInterval,
  MAX_BUCKETS,
  metricsIntervalFor,
  parseLevels,
  RANGE_PRESETS,
} from './history.ts';
import { counterRates, LatencyHistogram, parsePrometheus, timelineByVenue } from './system.ts';
import { viewFromHash } from './view.ts';

describe('history range buckets', () => {
  it('picks the narrowest candle width with at most 1,500 candles for every preset', () => {
    expect(RANGE_PRESETS.map((p) => candleIntervalFor(p.ms))).toEqual(['1s', '5s', '1m', '1m']);
    for (const p of RANGE_PRESETS) {
      expect(p.ms / CANDLE_INTERVALS[candleIntervalFor(p.ms)]).toBeLessThanOrEqual(MAX_BUCKETS);
    }
    expect(candleIntervalFor(30 * 86_400_000)).toBe('1h'); // wider than any width allows: the widest
    expect(candleIntervalFor(0)).toBe('1s');
    expect(candleIntervalFor(Number.NaN)).toBe('1s');
  });

  it('downsamples metrics to at most 1,500 samples on nice steps', () => {
    expect(metricsIntervalFor(900_000)).toBe(1_000);
    expect(metricsIntervalFor(3_600_000)).toBe(5_000);
    expect(metricsIntervalFor(86_400_000)).toBe(60_000);
    expect(metricsIntervalFor(30 * 86_400_000)).toBe(1_740_000); // whole minutes beyond 5 min
    for (const ms of [60_000, 900_000, 21_600_000, 7 * 86_400_000])
      expect(ms / metricsIntervalFor(ms)).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(fmtInterval(250)).toBe('250 ms');
    expect(fmtInterval(5_000)).toBe('5 s');
    expect(fmtInterval(300_000)).toBe('5 min');
  });

  it('reads stored wire-string levels as numbers and skips unreadable ones', () => {
    const r = parseLevels([
      ['61855.36000000', '0.012'],
      ['x', '1'],
      ['61855.00', '2'],
    ]);
    expect(r.levels).toEqual([
      [61855.36, 0.012],
      [61855, 2],
    ]);
    expect(r.skipped).toBe(1);
  });
});

describe('system figures', () => {
  it('turns counter differences into per-second rates and refuses resets and first polls', () => {
    const a = { t: 1_000, values: { frames: 100, deltas: 50 } };
    const b = { t: 3_000, values: { frames: 700, deltas: 40 } };
    expect(counterRates(undefined, a)).toEqual({ frames: null, deltas: null });
    expect(counterRates(a, b)).toEqual({ frames: 300, deltas: null }); // deltas went down: restarted
    expect(counterRates(b, { t: 3_000, values: { frames: 800 } })).toEqual({ frames: null });
  });

  it('buckets latencies and sets apart replayed, negative and non-finite ones', () => {
    const h = new LatencyHistogram();
    for (const v of [0.5, 1, 1.5, 7, 5000, 5001, -3, 2 * 3_600_000, Number.NaN, null]) h.add(v);
    const labels = LatencyHistogram.labels();
    const at = (label: string) => h.counts[labels.indexOf(label)];
    expect(labels[0]).toBe('≤1');
    expect(labels[labels.length - 1]).toBe('>5k');
    expect(at('≤1')).toBe(2);
    expect(at('1–2')).toBe(1);
    expect(at('5–10')).toBe(1);
    expect(at('2k–5k')).toBe(1);
    expect(at('>5k')).toBe(1);
    expect(h.total).toBe(6);
    expect([h.negative, h.recorded, h.invalid]).toEqual([1, 1, 2]);
  });

  it('parses the named series of a Prometheus text exposition with their labels', () => {
    const text = [
      '# HELP depthwatch_ws_clients Connected WebSocket clients',
      '# TYPE depthwatch_ws_clients gauge',
      'depthwatch_ws_clients 3',
      'depthwatch_store_rows{table="metrics"} 1200',
      'depthwatch_store_rows{table="trades",note="a \\"quoted\\" value"} 45 1723075200000',
      'depthwatch_other 9',
      'garbage line',
      'depthwatch_process_cpu_seconds_total NaN',
    ].join('\n');
    const names = new Set([
      'depthwatch_ws_clients',
      'depthwatch_store_rows',
      'depthwatch_process_cpu_seconds_total',
    ]);
    const s = parsePrometheus(text, names);
    expect(s.map((x) => [x.name, x.labels.table ?? null, x.value])).toEqual([
      ['depthwatch_ws_clients', null, 3],
      ['depthwatch_store_rows', 'metrics', 1200],
      ['depthwatch_store_rows', 'trades', 45],
      ['depthwatch_process_cpu_seconds_total', null, Number.NaN],
    ]);
    expect(s[2]!.labels.note).toBe('a "quoted" value');
  });
});

describe('view names in the URL hash', () => {
  it('reads #/history and #/system, and anything else as the live view', () => {
    expect(viewFromHash('#/history')).toBe('history');
    expect(viewFromHash('#system')).toBe('system');
    expect(viewFromHash('#/history?x=1')).toBe('history');
    expect(viewFromHash('')).toBe('live');
    expect(viewFromHash('#/nope')).toBe('live');
  });
});

describe('system view timeline per venue', () => {
  it('sums the instruments of a venue at each sample time (replay restarts apart from resyncs)', () => {
    const p = (t: number, resyncs: number, gaps: number, restarts = 0) => ({ t, resyncs, gaps, restarts });
    expect(
      timelineByVenue({
        'b:X': [p(1, 0, 1), p(2, 1, 1, 2)],
        'a:Y': [p(1, 2, 0)],
        'b:Y': [p(1, 1, 0, 1), p(2, 1, 2, 1)],
      }),
    ).toEqual({ a: [p(1, 2, 0)], b: [p(1, 1, 1, 1), p(2, 2, 3, 3)] });
  });
});
