import { describe, expect, it } from 'vitest';
import { mergeAnalyticsConfig } from './stage.ts';
import { createPipeline } from '../app/pipeline.ts';
import { InProcessBus } from '../bus/in-process.ts';
import type { BookDelta, BookSnapshot, Trade, WireLevel } from '../core/model.ts';
import type { MetricsSample } from './types.ts';
import type { AnalyticsEvent } from './instrument.ts';
import type { OutputTopics } from '../alerts/topics.ts';

const I = 'binance:BTCUSDT';

const snapshot = (seq: number, bids: WireLevel[], asks: WireLevel[], ts: number): BookSnapshot => ({
  type: 'book_snapshot',
  instrument: I,
  exchangeTs: ts,
  localTs: ts,
  sequence: seq,
  bids,
  asks,
  depthLimit: 0,
});
const delta = (seq: number, bids: WireLevel[], asks: WireLevel[], ts: number): BookDelta => ({
  type: 'book_delta',
  instrument: I,
  exchangeTs: ts,
  localTs: ts,
  firstSequence: seq,
  sequence: seq,
  prevSequence: NaN,
  bids,
  asks,
});
const trade = (price: string, size: string, side: Trade['side'], ts: number): Trade => ({
  type: 'trade',
  instrument: I,
  exchangeTs: ts,
  localTs: ts,
  id: String(ts),
  price,
  size,
  side,
});

describe('Engine with analytics', () => {
  it('fills velocity per update, feeds trades to flow and wall matching, and exposes per-instrument results', () => {
    const bus = new InProcessBus<OutputTopics>();
    const samples: MetricsSample[] = [];
    bus.subscribe('metrics', (s) => samples.push(s));
    const events: AnalyticsEvent[] = [];
    // Analytics events reach consumers through the bus like everything else.
    bus.subscribe('analytics', (e) => events.push(e));
    const { engine, analytics } = createPipeline({
      bus,
      analytics: { instruments: { [I]: { walls: { minSize: 50, relMultiple: 0, scanIntervalMs: 0 } } } },
    });
    engine.handleEvent(
      snapshot(
        10,
        [
          ['100', '1'],
          ['99', '60'],
        ],
        [
          ['101', '3'],
          ['102', '1'],
        ],
        0,
      ),
    );
    expect(events.map((e) => [e.kind, e.price])).toEqual([['appeared', 99]]);
    // imbalanceTopN: (61 - 4) / 65 at t=0, then bids +2 at 100: (63 - 4) / 67 at t=500
    engine.handleEvent(delta(11, [['100', '3']], [], 500));
    const v = (59 / 67 - 57 / 65) / 0.5;
    expect(samples[1]!.metrics.imbalanceVelocity).toBeCloseTo(v, 12);
    expect(analytics!.latest.get(I)!.metrics.imbalanceVelocity).toBeCloseTo(v, 12);
    // the wall at 99 is hit by sells, then gone
    engine.handleEvent(trade('100', '3', 'sell', 600));
    engine.handleEvent(trade('99', '60', 'sell', 601));
    engine.handleEvent(
      delta(
        12,
        [
          ['100', '0'],
          ['99', '0'],
          ['98', '1'],
        ],
        [],
        700,
      ),
    );
    expect(events[1]).toMatchObject({ kind: 'consumed', price: 99, tradedSize: 60, sequence: 12 });
    const a = analytics!.analytics(I)!.view();
    expect(a.flow).toMatchObject({ sellVolume: 63, buyVolume: 0, cvd: -63 });
    expect(a.candles['1s'][0]).toMatchObject({ open: 100, close: 99, volume: 63 });
    expect(a).toMatchObject({ state: 'live', sequence: 12 });
  });

  it('runs without analytics when disabled', () => {
    const { engine, analytics } = createPipeline({ bus: new InProcessBus<OutputTopics>(), analytics: false });
    engine.handleEvent(snapshot(1, [['1', '1']], [['2', '1']], 0));
    expect(analytics!.analytics(I)).toBeUndefined();
    expect(analytics!.latest.get(I)!.metrics.imbalanceVelocity).toBeNull();
  });
});

describe('mergeAnalyticsConfig', () => {
  it('merges per-module settings field by field over the defaults', () => {
    const m = mergeAnalyticsConfig(
      { velocityWindowMs: 1000, walls: { relMultiple: 4, rangePct: 1 }, heatmap: false },
      { walls: { minSize: 5 }, clusters: { bucketSize: 1 } },
    );
    expect(m).toEqual({
      velocityWindowMs: 1000,
      walls: { relMultiple: 4, rangePct: 1, minSize: 5 },
      clusters: { bucketSize: 1 },
      heatmap: false,
    });
  });
});
