/**
 * The heatmap panel's pure helpers (web/src/lib/heatmap.ts) and the alerts feed's relative times, in
 * Node: the client grid built and refreshed from heatmap answers, rasterisation (colours, gaps, pixel
 * bounds), the right-edge book bars and trade bubbles. The browser test covers drawing.
 */
import { describe, expect, it } from 'vitest';
import type { HeatmapResponse, HeatmapRun } from '../api/types.ts';
import {
  BboSeries,
  bookBars,
  bucketIndex,
  cellAt,
  colorRamp,
  HeatmapGrid,
  rasterize,
  TradeBubbles,
} from './heatmap.ts';
import { fmtAgo } from './format.ts';

const T0 = 1_700_000_000_000;

function answer(
  from: number,
  to: number,
  runs: HeatmapRun[],
  extra: Partial<HeatmapResponse> = {},
): HeatmapResponse {
  return {
    instrument: 'binance:BTCUSDT',
    from,
    to,
    bucketSize: 10,
    binMs: 1000,
    runs,
    gaps: [],
    coverage: [],
    storedRuns: 0,
    truncated: false,
    ...extra,
  };
}

describe('heatmap grid', () => {
  it('expands runs into one column per bin with sizes per bucket and the best buckets', () => {
    const g = new HeatmapGrid();
    g.apply(
      answer(T0, T0 + 3000, [
        { side: 'bid', price: 100, from: T0, to: T0 + 2000, size: 2 },
        { side: 'bid', price: 90, from: T0 + 1000, to: T0 + 1000, size: 5 },
        { side: 'ask', price: 110, from: T0, to: T0 + 2000, size: 3 },
      ]),
    );
    expect([...g.columns.keys()]).toEqual([T0, T0 + 1000, T0 + 2000]);
    const c1 = g.columns.get(T0 + 1000)!;
    expect(c1.bid.get(10)).toBe(2);
    expect(c1.bid.get(9)).toBe(5);
    expect(c1.ask.get(11)).toBe(3);
    expect(c1.bestBid).toBe(10);
    expect(c1.bestAsk).toBe(11);
    expect(g.columns.get(T0)!.bid.has(9)).toBe(false);
    expect(g.newest()).toBe(g.columns.get(T0 + 2000));
    expect(g.priceRange(T0, T0 + 3000)).toEqual({ lo: 100, hi: 110 });
  });

  it('replaces exactly the bins of a refresh range and keeps older ones', () => {
    const g = new HeatmapGrid();
    g.apply(answer(T0, T0 + 3000, [{ side: 'bid', price: 100, from: T0, to: T0 + 2000, size: 2 }]));
    // The run grew a bin and changed size in the last two bins: the refresh says so for [T0+1000, T0+4000).
    g.apply(
      answer(T0 + 1000, T0 + 4000, [
        { side: 'bid', price: 100, from: T0 + 1000, to: T0 + 1000, size: 2 },
        { side: 'bid', price: 100, from: T0 + 2000, to: T0 + 3000, size: 7 },
      ]),
    );
    expect([...g.columns.keys()].sort()).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 3000]);
    expect(g.columns.get(T0)!.bid.get(10)).toBe(2);
    expect(g.columns.get(T0 + 2000)!.bid.get(10)).toBe(7);
    expect(g.columns.get(T0 + 3000)!.bid.get(10)).toBe(7);
    expect(g.to).toBe(T0 + 4000);
    g.trim(T0 + 2000);
    expect([...g.columns.keys()].sort()).toEqual([T0 + 2000, T0 + 3000]);
  });

  it('skips malformed runs and counts them, and resets on another bucket size', () => {
    const g = new HeatmapGrid();
    g.apply(
      answer(T0, T0 + 2000, [
        { side: 'bid', price: Number.NaN, from: T0, to: T0, size: 1 },
        { side: 'ask', price: 110, from: T0 + 1000, to: T0, size: 1 },
        { side: 'bid', price: 100, from: T0, to: T0, size: 1 },
      ]),
    );
    expect(g.badRuns).toBe(2);
    expect(g.columns.size).toBe(1);
    g.apply(answer(T0 + 5000, T0 + 6000, [], { bucketSize: 20 }));
    expect(g.columns.size).toBe(0);
    expect(g.bucketSize).toBe(20);
  });

  it('keys buckets by index despite float noise', () => {
    expect(bucketIndex(0.1 * 3, 0.1)).toBe(3);
    expect(bucketIndex(61_809.9, 10)).toBe(6180);
  });
});

describe('heatmap raster', () => {
  const lut = colorRamp();

  it('paints cells with size, brighter for more size, hatches gaps and leaves the rest transparent', () => {
    const g = new HeatmapGrid();
    g.apply(
      answer(
        T0,
        T0 + 4000,
        [
          { side: 'bid', price: 100, from: T0, to: T0 + 1000, size: 1 },
          { side: 'ask', price: 110, from: T0, to: T0 + 1000, size: 50 },
        ],
        { gaps: [{ from: T0 + 2000, to: T0 + 3000, state: 'resyncing' }] },
      ),
    );
    // 4 bins over 8 px (2 px per bin), buckets 100 and 110 over 4 px (2 px each), top row = highest price.
    const w = 8;
    const h = 4;
    const out = new Uint32Array(w * h);
    const s = rasterize(g, { t0: T0, t1: T0 + 4000, p0: 100, p1: 120 }, w, h, out, lut);
    expect(s.cells).toBe(4);
    const px = (x: number, y: number): number => out[y * w + x]!;
    const luma = (v: number): number => (v & 0xff) + ((v >>> 8) & 0xff) + ((v >>> 16) & 0xff);
    // Ask bucket 110 (rows 0-1) is brighter than bid bucket 100 (rows 2-3) in bins 0 and 1.
    expect(px(0, 0) >>> 24).toBe(255);
    expect(luma(px(1, 0))).toBeGreaterThan(luma(px(1, 3)));
    expect(px(0, 3)).not.toBe(0);
    // Bin 2 is a gap (hatched, semi-transparent), bin 3 has nothing (transparent).
    expect(px(4, 0)).not.toBe(0);
    expect(px(4, 0) >>> 24).toBeLessThan(255);
    expect(s.gapPixels).toBe(2 * h);
    expect(px(6, 0)).toBe(0);
    expect(px(7, 3)).toBe(0);
    expect(s.painted).toBe(4 * h);
    // The hover readout reads the same cells.
    expect(cellAt(g, T0 + 1500, 115)).toEqual({ t: T0 + 1000, price: 110, bid: 0, ask: 50, gap: false });
    expect(cellAt(g, T0 + 2500, 105)).toEqual({ t: T0 + 2000, price: 100, bid: 0, ask: 0, gap: true });
    expect(cellAt(g, T0 + 3500, 105)).toBeNull();
    // Held forward (holdMs 1 s): without a gap the newest bin (1) also fills bin 2, and nothing beyond.
    const noGap = new HeatmapGrid();
    noGap.apply(answer(T0, T0 + 2000, [{ side: 'bid', price: 100, from: T0, to: T0 + 1000, size: 1 }]));
    const out2 = new Uint32Array(w * h);
    rasterize(noGap, { t0: T0, t1: T0 + 4000, p0: 100, p1: 120 }, w, h, out2, lut, 1000);
    expect(out2[3 * w + 4]).toBe(out2[3 * w + 2]);
    expect(out2[3 * w + 6]).toBe(0);
  });

  it('does no more work than the pixels when far more bins are held', () => {
    const g = new HeatmapGrid();
    const runs: HeatmapRun[] = [];
    for (let b = 0; b < 200; b++)
      runs.push({ side: 'bid', price: b * 10, from: T0, to: T0 + 899_000, size: b + 1 });
    g.apply(answer(T0, T0 + 900_000, runs));
    const out = new Uint32Array(100 * 50);
    const s = rasterize(g, { t0: T0, t1: T0 + 900_000, p0: 0, p1: 2000 }, 100, 50, out, lut);
    // 900 bins × 200 buckets held; one bin per pixel column is read (100 of 900).
    expect(s.cells).toBe(100 * 200);
    expect(s.painted).toBe(100 * 50);
    expect(() => rasterize(g, { t0: T0, t1: T0 + 1, p0: 0, p1: 1 }, 10, 10, new Uint32Array(5), lut)).toThrow(
      RangeError,
    );
  });
});

describe('heatmap book bars and bubbles', () => {
  it('takes buckets the live book covers from the book and deeper ones from the newest heatmap bin', () => {
    const g = new HeatmapGrid();
    g.apply(
      answer(T0, T0 + 1000, [
        { side: 'bid', price: 90, from: T0, to: T0, size: 9 },
        { side: 'bid', price: 100, from: T0, to: T0, size: 1 },
        { side: 'ask', price: 110, from: T0, to: T0, size: 4 },
      ]),
    );
    const book = {
      state: 'live' as const,
      sequence: 1,
      bids: [
        [105, 2],
        [101, 3],
        [100, 1],
      ] as [number, number][],
      asks: [[106, 5]] as [number, number][],
    };
    // Bid bucket 100..110 is wholly covered by the book (it reaches 100): 2 + 3 + 1 from the book, not the
    // heatmap's 1. The best ask bucket (also 100..110) is only partly covered, yet the best bucket is always
    // the book's. Bid 90..100 and ask 110..120 lie beyond the book: from the heatmap.
    expect(bookBars(book, g.newest(), 10)).toEqual([
      { side: 'bid', bucket: 9, size: 9 },
      { side: 'bid', bucket: 10, size: 6 },
      { side: 'ask', bucket: 10, size: 5 },
      { side: 'ask', bucket: 11, size: 4 },
    ]);
    expect(bookBars(null, g.newest(), 10)).toContainEqual({ side: 'bid', bucket: 10, size: 1 });
    expect(bookBars(book, null, Number.NaN)).toEqual([]);
  });

  it('merges trades per slot and side into VWAP bubbles and rejects bad trades', () => {
    const b = new TradeBubbles(250, 3);
    expect(b.add(T0 + 10, 100, 1, 'buy')).toBe(true);
    expect(b.add(T0 + 200, 102, 3, 'buy')).toBe(true);
    expect(b.add(T0 + 210, 99, 1, 'sell')).toBe(true);
    expect(b.add(T0 + 300, Number.NaN, 1, 'sell')).toBe(false);
    expect(b.add(T0 + 300, 100, 0, 'sell')).toBe(false);
    expect(b.rejected).toBe(2);
    const [buy] = b.list();
    expect(buy).toEqual({ t: T0, side: 'buy', price: 101.5, size: 4, count: 2 });
    b.add(T0 + 600, 100, 1, 'buy');
    b.add(T0 + 900, 100, 1, 'buy');
    // Capped at 3: one of the two oldest (slot T0) went.
    expect(b.size).toBe(3);
    expect(b.list().map((x) => x.t)).toEqual([T0, T0 + 500, T0 + 750]);
    b.trim(T0 + 750);
    expect(b.list().map((x) => x.t)).toEqual([T0 + 750]);
  });
});

describe('best bid/ask lines', () => {
  it('keeps points in time order, one per step, with history put before the live points', () => {
    const s = new BboSeries(500, 100);
    s.add(T0 + 1000, 100, 101);
    s.add(T0 + 1200, 100.5, 101);
    s.add(T0 + 1300, 100.6, Number.NaN);
    s.add(T0 + 900, 1, 2); // older than the last point: history comes through prepend
    expect(s.points).toEqual([
      [T0 + 1000, 100, 101],
      [T0 + 1300, 100.6, null],
    ]);
    s.prepend([
      [T0, 99, 100],
      [T0 + 100, 99.1, 100],
      [T0 + 600, 99.5, 100.5],
      [T0 + 1000, 1, 2],
    ]);
    expect(s.points.map((p) => p[0])).toEqual([T0, T0 + 600, T0 + 1000, T0 + 1300]);
    s.trim(T0 + 1100);
    // The last point before the cut stays so the lines reach the left edge.
    expect(s.points.map((p) => p[0])).toEqual([T0 + 1000, T0 + 1300]);
  });
});

describe('alert times', () => {
  it('shows short relative times and never a negative age', () => {
    expect(fmtAgo(T0, T0 + 2000)).toBe('now');
    expect(fmtAgo(T0, T0 + 12_500)).toBe('12s ago');
    expect(fmtAgo(T0, T0 + 5 * 60_000)).toBe('5m ago');
    expect(fmtAgo(T0, T0 + 3 * 3_600_000)).toBe('3h ago');
    expect(fmtAgo(T0, T0 + 2 * 86_400_000)).toBe('2d ago');
    expect(fmtAgo(T0 + 10_000, T0)).toBe('now');
    expect(fmtAgo(null, T0)).toBe('—');
  });
});
