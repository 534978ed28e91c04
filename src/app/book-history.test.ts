import { describe, expect, it } from 'vitest';
import { createPipeline } from './pipeline.ts';
import { InProcessBus } from '../bus/in-process.ts';
import type { BookDelta, BookSnapshot, WireLevel } from '../core/model.ts';
import { DuckDbStore } from '../store/duckdb.ts';
import { startBookHistory } from './book-history.ts';
import type { OutputTopics } from '../alerts/topics.ts';

const I = 'binance:BTCUSDT';
const OTHER = 'binance:ETHUSDT';
const T = Date.UTC(2026, 10, 23, 12, 0, 0);

const snapshot = (seq: number, bids: WireLevel[], asks: WireLevel[], ts: number): BookSnapshot => ({
  type: 'book_snapshot',
  instrument: I,
  exchangeTs: ts - 5,
  localTs: ts,
  sequence: seq,
  bids,
  asks,
  depthLimit: 0,
});
const delta = (
  instrument: string,
  seq: number,
  bids: WireLevel[],
  asks: WireLevel[],
  ts: number,
): BookDelta => ({
  type: 'book_delta',
  instrument,
  exchangeTs: ts - 5,
  localTs: ts,
  firstSequence: seq,
  sequence: seq,
  prevSequence: NaN,
  bids,
  asks,
});

describe('book history producer', () => {
  it('snapshots only live books with exact wire strings, and stores heatmap runs as they close and at shutdown', async () => {
    const { engine, analytics } = createPipeline({
      bus: new InProcessBus<OutputTopics>(),
      analytics: { defaults: { heatmap: { bucketSize: 1, binMs: 1000, rangePct: 5 } } },
    });
    const store = new DuckDbStore({ path: ':memory:', flushIntervalMs: 60_000, retentionDays: {} });
    await store.init();
    let clock = T;
    const history = startBookHistory({
      engine,
      analytics,
      store,
      intervalMs: 60_000,
      depth: 2,
      now: () => clock,
    });

    engine.handleEvent(
      snapshot(
        10,
        [
          ['100.50', '1.000'],
          ['100.10', '2.50'],
          ['99.00', '7'],
        ],
        [
          ['101.20', '0.300'],
          ['102', '4'],
        ],
        T,
      ),
    );
    engine.handleEvent(delta(I, 11, [['100.50', '1.500']], [], T + 1000)); // bucket 100: 3.5 -> 4
    // A book that never got a snapshot is not live: never snapshotted.
    engine.handleEvent(delta(OTHER, 5, [['10', '1']], [], T + 1000));
    expect(engine.books.get(I)!.health.state).toBe('live');
    expect(engine.books.get(OTHER)!.health.state).not.toBe('live');

    clock = T + 1500;
    expect(history.snapshot()).toBe(1);
    history.attachHeatmaps();
    engine.handleEvent(delta(I, 12, [['100.10', '0']], [], T + 2000)); // bucket 100: 4 -> 1.5
    engine.handleEvent(delta(I, 13, [], [['101.20', '0.400']], T + 3000)); // bucket 101: 0.3 -> 0.4

    const hm = analytics!.analytics(I)!.heatmap!;
    const closedInMemory = hm.query(T, T + 10_000).runs.filter((r) => r.to < T + 3000);
    expect(closedInMemory.length).toBeGreaterThanOrEqual(2);
    history.stop(T + 5500);
    await store.flush();

    const snaps = await store.queryBookSnapshots({ instrument: I, from: T, to: T + 10_000 });
    expect(snaps).toEqual([
      {
        instrument: I,
        localTs: T + 1500,
        exchangeTs: T + 1000 - 5,
        sequence: 11,
        state: 'live',
        bids: [
          ['100.50', '1.500'],
          ['100.10', '2.50'],
        ],
        asks: [
          ['101.20', '0.300'],
          ['102', '4'],
        ],
      },
    ]);
    expect((await store.counts()).book_snapshots).toBe(1);

    const runs = await store.queryHeatmapRuns({ instrument: I, from: T, to: T + 10_000 });
    const key = (r: { side: string; price: number; from: number }) => `${r.side}${r.price}@${r.from}`;
    // Every run closed in memory was stored (those closed before the heatmap was attached too) ...
    for (const r of closedInMemory)
      expect(runs.find((s) => key(s) === key(r))).toMatchObject({ ...r, bucketSize: 1, binMs: 1000 });
    expect(runs.find((r) => r.side === 'bid' && r.price === 100 && r.from === T)).toMatchObject({
      to: T,
      size: 3.5,
    });
    // ... and the runs still open at shutdown were stored closed at the shutdown bin.
    expect(runs.find((r) => r.side === 'bid' && r.price === 100 && r.from === T + 2000)).toMatchObject({
      to: T + 5000,
      size: 1.5,
    });
    expect(runs.find((r) => r.side === 'ask' && r.price === 101 && r.from === T + 3000)).toMatchObject({
      to: T + 5000,
      size: 0.4,
    });
    expect(runs.every((r) => r.bucketSize === 1 && r.binMs === 1000 && r.instrument === I)).toBe(true);
    await store.close();
  });
});
