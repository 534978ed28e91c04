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
  HeatRaster,
  rasterize,
  type RasterLayout,
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

describe('heatmap raster kept incrementally', () => {
  const lut = colorRamp();

  it('equals a full redraw after every live update, scroll, gap and price-window change', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const BINS = 60;
    const BUCKETS = 80;
    const mid = (k: number): number => 400 + Math.round(20 * Math.sin(k / 9)) + Math.floor(rnd() * 3);
    /** Bins [k0, k1) with one run per bucket and side of mid; the book not live from 0.4 into `gapBin`. */
    const bins = (k0: number, k1: number, gapBin?: number): HeatmapResponse => {
      const runs: HeatmapRun[] = [];
      for (let k = k0; k < k1; k++) {
        const m = mid(k);
        for (let b = 0; b < BUCKETS; b++)
          if (rnd() < 0.9 && k !== gapBin)
            runs.push({
              side: b < m - 360 ? 'bid' : 'ask',
              price: (360 + b) * 10,
              from: T0 + k * 1000,
              to: T0 + k * 1000,
              // Sizes grow over time, so the colour scale drifts and the kept image is recoloured.
              size: (0.01 + rnd() * rnd() * 50) * Math.exp(k / 25),
            });
      }
      const gaps =
        gapBin === undefined
          ? []
          : [{ from: T0 + gapBin * 1000 + 400, to: T0 + (gapBin + 1) * 1000, state: 'resyncing' as const }];
      return answer(T0 + k0 * 1000, T0 + k1 * 1000, runs, { gaps });
    };
    const g = new HeatmapGrid();
    g.apply(bins(0, BINS));
    const raster = new HeatRaster(lut);
    let newest = BINS;
    let p0 = 3600;
    let p1 = 4400;
    let incremental = 0;
    let scrolls = 0;
    let recoloured = 0;
    let scaleChecks = 0;
    for (let step = 0; step < 120; step++) {
      // Every 3rd update a new bin starts (the window scrolls); refreshes replace the newest two bins.
      if (step % 3 === 0) newest++;
      // Gaps: in the newest bin (drawn held from the bin before, outside the gap) and, just before the
      // window scrolls, in the older refreshed bin (kept, and scrolled with the image).
      const gapBin = step % 17 === 5 ? newest - 1 : step % 9 === 2 ? newest - 2 : undefined;
      // Now and then, after the refresh, the book stops being live in the current (held, not yet
      // fetched) bin: an answer over that bin with a gap and no runs (drawn by itself).
      const updates = [(): void => g.apply(bins(newest - 2, newest, gapBin))];
      if (step % 11 === 4)
        updates.push(() =>
          g.apply(
            answer(T0 + newest * 1000, T0 + newest * 1000 + 1000, [], {
              gaps: [{ from: T0 + newest * 1000 + 200, to: T0 + newest * 1000 + 700, state: 'resyncing' }],
            }),
          ),
        );
      // The price window moves now and then (a full redraw).
      if (step % 40 === 39) {
        p0 += 50;
        p1 += 30;
      }
      for (const u of updates) {
        u();
        g.trim(T0 + (newest - BINS) * 1000);
        // The view ends a few bins after the newest held (held forward by 2 bins).
        const layout: RasterLayout = {
          t0: T0 + (newest + 3 - BINS) * 1000,
          nBins: BINS,
          colW: 3,
          p0,
          p1,
          rowPx: 2,
          holdMs: 2000,
        };
        const scale = raster.scale;
        const ch = raster.sync(g, layout);
        if (!ch.full) incremental++;
        else if (step % 40 !== 39 && scale && raster.scale !== scale) recoloured++;
        if (ch.shifted > 0) scrolls++;
        // The two refreshed bins, the two held after them and the bin scrolled in.
        if (!ch.full) expect(ch.bins).toBeLessThanOrEqual(5);
        const view = { t0: layout.t0, t1: layout.t0 + BINS * 1000, p0, p1 };
        const ref = new Uint32Array(raster.width * raster.height);
        const full = rasterize(g, view, raster.width, raster.height, ref, lut, 2000, raster.scale!);
        let diff = 0;
        for (let i = 0; i < ref.length; i++) if (ref[i] !== raster.pixels[i]) diff++;
        expect(diff, `pixels differing from a full redraw after update ${step}`).toBe(0);
        const st = raster.stats();
        expect(st.painted).toBe(full.painted);
        expect(st.gapPixels).toBe(full.gapPixels);
        // When checked, the kept scale is within the hysteresis of the visible cells' own quantiles.
        if (!ch.scaleChecked) continue;
        scaleChecks++;
        const own = rasterize(g, view, raster.width, raster.height, ref, lut, 2000);
        const span = Math.log(raster.scale!.hi / raster.scale!.lo);
        const near = raster.hysteresis * span + 1e-9;
        expect(Math.abs(Math.log(own.lo / raster.scale!.lo))).toBeLessThanOrEqual(near);
        expect(Math.abs(Math.log(own.hi / raster.scale!.hi))).toBeLessThanOrEqual(near);
      }
    }
    // Most updates drew only their bins; the window scrolled by whole bins.
    expect(incremental).toBeGreaterThan(90);
    expect(scrolls).toBeGreaterThan(30);
    expect(recoloured).toBeGreaterThan(0);
    expect(scaleChecks).toBeGreaterThan(60);
    expect(raster.stats().gapPixels).toBeGreaterThan(0);
  });

  it('rejects a layout that is not whole bins, columns and rows', () => {
    const g = new HeatmapGrid();
    g.apply(answer(T0, T0 + 2000, [{ side: 'bid', price: 100, from: T0, to: T0 + 1000, size: 1 }]));
    const r = new HeatRaster(lut);
    const l: RasterLayout = { t0: T0, nBins: 2, colW: 1.5, p0: 100, p1: 120, rowPx: 1, holdMs: 0 };
    expect(() => r.sync(g, l)).toThrow(RangeError);
    expect(r.sync(g, { ...l, colW: 2 }).full).toBe(true);
    expect(r.sync(g, { ...l, colW: 2 })).toEqual({
      full: false,
      shifted: 0,
      x0: 0,
      x1: 0,
      bins: 0,
      scaleChecked: false,
    });
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
