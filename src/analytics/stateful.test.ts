import { describe, expect, it } from 'vitest';
import { L2Book } from '../book/l2-book.ts';
import type { Coverage } from '../book/health.ts';
import { ImbalanceVelocity } from './velocity.ts';
import { LiquidityMonitor } from './liquidity.ts';
import { ClusterTracker } from './clusters.ts';
import { Heatmap } from './heatmap.ts';
import { TradeFlow, classifyAggressor } from './flow.ts';
import { CrossAnalytics, computeBasis } from './cross.ts';

const FULL: Coverage = { bidFloor: NaN, askCeiling: NaN };

describe('ImbalanceVelocity', () => {
  it('is the change over the rolling window per second', () => {
    const v = new ImbalanceVelocity(1000);
    expect(v.update(0, 0.1)).toBeNull(); // one sample: no span
    // (0.3 - 0.1) / 0.5 s = 0.4 /s
    expect(v.update(500, 0.3)).toBeCloseTo(0.4, 12);
    // window [200, 1200]: oldest kept is (500, 0.3) → (0.5 - 0.3) / 0.7 s
    expect(v.update(1200, 0.5)).toBeCloseTo(0.2 / 0.7, 12);
    expect(v.update(1300, null)).toBeNull(); // unknown resets
    expect(v.update(1400, 0.5)).toBeNull();
  });
});

describe('LiquidityMonitor', () => {
  const cfg = {
    sampleMs: 1000,
    anomalyMinSamples: 3,
    anomalyWindowMs: 30_000,
    baselineMinMs: 3000,
    baselineWindowMs: 10_000,
  };

  it('scores depth changes with a robust z-score (median/MAD, mean-abs fallback)', () => {
    const m = new LiquidityMonitor(cfg);
    const depths = [100, 110, 100, 110, 100];
    depths.forEach((d, i) => m.offer(i * 1000, d, 'live', i));
    // at t=4000: change -10; previous changes [10, -10, 10]: median 10, MAD 0 → mean abs dev (0+20+0)/3
    // scale 1.2533 × 20/3; z = (-10 - 10) / scale
    expect(m.latest.depthZ).toBeCloseTo(-20 / (1.2533 * (20 / 3)), 9);
    m.offer(5000, 200, 'live', 5);
    // change +100; previous [10, -10, 10, -10]: median 0, MAD 10 → z = 100 / (1.4826 × 10)
    expect(m.latest.depthChange).toBe(100);
    expect(m.latest.changeMedian).toBe(0);
    expect(m.latest.changeMad).toBe(10);
    expect(m.latest.depthZ).toBeCloseTo(100 / 14.826, 9);
    expect(m.latest).toMatchObject({ state: 'live', sequence: 5, ts: 5000 });
  });

  it('samples once per interval and restarts the chain on unknown depth', () => {
    const m = new LiquidityMonitor(cfg);
    expect(m.offer(0, 100, 'live', 1)).toBe(true);
    expect(m.offer(999, 500, 'live', 2)).toBe(false);
    m.offer(1000, null, 'live', 3);
    m.offer(2000, 120, 'live', 4);
    expect(m.latest.depthChange).toBeNull(); // no previous known depth
  });

  it('measures shrinkage against the baseline mean, with a negative trend', () => {
    const m = new LiquidityMonitor(cfg);
    [100, 100, 100, 100, 25].forEach((d, i) => m.offer(i * 1000, d, 'live', i));
    // baseline = (4 × 100 + 25) / 5 = 85; ratio 25/85; shrinkage 1 - 25/85
    expect(m.latest.baseline).toBe(85);
    expect(m.latest.liquidityRatio).toBeCloseTo(25 / 85, 12);
    expect(m.latest.shrinkage).toBeCloseTo(60 / 85, 12);
    expect(m.latest.trendPerMin!).toBeLessThan(0);
  });

  it('gives no baseline before the minimum history', () => {
    const m = new LiquidityMonitor(cfg);
    m.offer(0, 100, 'live', 1);
    m.offer(2000, 50, 'live', 2);
    expect(m.latest.liquidityRatio).toBeNull();
  });
});

/** bids 995@1 985@1 975@10 965@1 955@1; asks 1005@1 1015@1 (mid 1000). */
function clusterBook(size975 = '10'): L2Book {
  const b = new L2Book();
  b.applySnapshot(
    [
      ['995', '1'],
      ['985', '1'],
      ['975', size975],
      ['965', '1'],
      ['955', '1'],
    ],
    [
      ['1005', '1'],
      ['1015', '1'],
    ],
  );
  return b;
}

describe('ClusterTracker', () => {
  it('reports a bucket standing out from its neighbours once it persists', () => {
    const c = new ClusterTracker({
      bucketSize: 10,
      neighbours: 2,
      factor: 2.5,
      minAgeMs: 1000,
      persistMs: 2000,
      rangePct: 5,
      scanIntervalMs: 0,
    });
    const book = clusterBook();
    c.maybeScan(book, FULL, 0, 'live', 1);
    expect(c.clusters()).toEqual([]); // age 0 < minAge
    c.maybeScan(book, FULL, 1000, 'live', 2);
    const [k, ...rest] = c.clusters();
    expect(rest).toEqual([]);
    // bucket 97 = [970, 980): 10 vs neighbours 95, 96, 98, 99 of 1 each → ratio 10
    // strength = (1 - 2.5/10) × min(1, 1000/2000) = 0.375
    expect(k).toMatchObject({
      side: 'bid',
      priceFrom: 970,
      priceTo: 980,
      size: 10,
      notional: 9750,
      ratio: 10,
      ageMs: 1000,
      sequence: 2,
    });
    expect(k!.strength).toBeCloseTo(0.375, 12);
  });

  it('drops a cluster that no longer stands out', () => {
    const c = new ClusterTracker({
      bucketSize: 10,
      neighbours: 2,
      minAgeMs: 0,
      rangePct: 5,
      scanIntervalMs: 0,
    });
    c.maybeScan(clusterBook(), FULL, 0, 'live', 1);
    expect(c.clusters()).toHaveLength(1);
    c.maybeScan(clusterBook('1'), FULL, 1000, 'live', 2);
    expect(c.clusters()).toEqual([]);
  });
});

describe('Heatmap', () => {
  it('keeps runs per bucket, marks gaps and re-buckets on query', () => {
    const h = new Heatmap({ bucketSize: 10, binMs: 1000, rangePct: 5 });
    h.offer(clusterBook(), FULL, 0, 'live');
    h.offer(clusterBook(), FULL, 1500, 'live'); // same book: runs extend
    h.offer(clusterBook('5'), FULL, 2000, 'live');
    h.offer(clusterBook('5'), FULL, 3000, 'resyncing'); // gap
    h.offer(clusterBook('5'), FULL, 4000, 'live');
    const q = h.query(0, 5000);
    const b97 = q.runs.filter((r) => r.side === 'bid' && r.price === 970).map((r) => [r.from, r.to, r.size]);
    expect(b97).toEqual([
      [0, 1000, 10],
      [2000, 2000, 5],
      [4000, 4000, 5],
    ]);
    expect(q.gaps).toEqual([{ from: 3000, to: 4000, state: 'resyncing' }]);
    expect(q.coverage[0]).toMatchObject({ from: 0, priceLow: 955, priceHigh: 1015 });
    // factor 2 → 20-wide buckets: [960, 980) = buckets 96 (1) + 97 → 11 then 6
    const q2 = h.query(0, 5000, 2);
    expect(q2.bucketSize).toBe(20);
    const b48 = q2.runs.filter((r) => r.side === 'bid' && r.price === 960).map((r) => [r.from, r.to, r.size]);
    expect(b48).toEqual([
      [0, 1000, 11],
      [2000, 2000, 6],
      [4000, 4000, 6],
    ]);
    // time range clipping
    expect(h.query(2000, 3000).runs.every((r) => r.from >= 2000 && r.to <= 2999)).toBe(true);
  });
});

describe('trade flow', () => {
  it('classifies the aggressor by venue flag, then quote rule, then tick rule', () => {
    expect(classifyAggressor('sell', 101, 100, NaN, 0)).toEqual({ side: 'sell', source: 'venue' });
    expect(classifyAggressor('unknown', 101, 100, NaN, 0)).toEqual({ side: 'buy', source: 'quote' });
    expect(classifyAggressor('unknown', 99, 100, NaN, 0)).toEqual({ side: 'sell', source: 'quote' });
    expect(classifyAggressor('unknown', 100, 100, 99, 0)).toEqual({ side: 'buy', source: 'tick' });
    expect(classifyAggressor('unknown', 100, NaN, 100, -1)).toEqual({ side: 'sell', source: 'tick' });
    expect(classifyAggressor('unknown', 100, NaN, NaN, 0)).toEqual({ side: 'unknown', source: 'none' });
  });

  it('accumulates volumes, CVD, VWAP and candles', () => {
    const f = new TradeFlow();
    f.add(0, 100, 1, 'buy', NaN);
    f.add(100, 101, 2, 'unknown', 100.5); // above mid → buy
    f.add(1200, 100.5, 1, 'unknown', 100.5); // at mid; down-tick from 101 → sell
    f.add(1300, 100.5, 3, 'unknown', NaN); // zero tick → last direction (down) → sell
    const s = f.stats;
    expect([s.buyVolume, s.sellVolume, s.cvd, s.buyCount, s.sellCount]).toEqual([3, 4, -1, 2, 2]);
    // vwap = (100 + 202 + 100.5 + 301.5) / 7 = 704 / 7
    expect(s.vwap).toBeCloseTo(704 / 7, 12);
    expect(s.bySource).toEqual({ venue: 1, quote: 1, tick: 2, none: 0 });
    const c = f.series['1s'].candles();
    expect(c).toEqual([
      {
        start: 0,
        open: 100,
        high: 101,
        low: 100,
        close: 101,
        volume: 3,
        buyVolume: 3,
        sellVolume: 0,
        trades: 2,
      },
      {
        start: 1000,
        open: 100.5,
        high: 100.5,
        low: 100.5,
        close: 100.5,
        volume: 4,
        buyVolume: 0,
        sellVolume: 4,
        trades: 2,
      },
    ]);
    expect(f.series['1m'].candles()).toHaveLength(1);
  });

  it('computes indicators on candle closes', () => {
    const f = new TradeFlow();
    // 31 one-second candles with closes 100..130: the first 30 are closed
    for (let i = 0; i <= 30; i++) f.add(i * 1000, 100 + i, 1, 'buy', NaN);
    const ind = f.series['1s'].indicators;
    // Bollinger middle = SMA of the last 20 closes 110..129 = 119.5
    expect(ind.bollinger!.middle).toBeCloseTo(119.5, 9);
    expect(ind.rsi).toBeCloseTo(100, 6); // only gains
    expect(ind.ema!).toBeGreaterThan(110);
    expect(ind.ema!).toBeLessThan(129);
    expect(ind.macd!.macd).toBeGreaterThan(0); // rising: short EMA above long EMA
  });
});

describe('cross-instrument', () => {
  it('computes basis absolute, bps and annualized', () => {
    const now = 0;
    const expiry = 36.5 * 24 * 3_600_000; // a tenth of a year
    const b = computeBasis(101, 100, expiry, now)!;
    // 101 - 100 = 1; 1/100 × 1e4 = 100 bps; (101/100 - 1) × 10 = 0.1
    expect(b.absolute).toBe(1);
    expect(b.bps).toBeCloseTo(100, 9);
    expect(b.annualized).toBeCloseTo(0.1, 9);
    expect(computeBasis(101, 100, null, now)!.annualized).toBeNull();
  });

  it('tracks basis per pair and divergence per group from fresh live mids', () => {
    const x = new CrossAnalytics({
      pairs: [{ name: 'BTC perp', future: 'u:BTC', spot: 's:BTC' }],
      groups: [{ name: 'BTC spot', instruments: ['s:BTC', 'o:BTC', 'k:BTC'] }],
      maxAgeMs: 5000,
    });
    x.onMid('s:BTC', 100, 0, 'live');
    x.onMid('u:BTC', 100.5, 10, 'live');
    expect(x.basis.get('BTC perp')!.bps).toBeCloseTo(50, 9);
    x.onMid('o:BTC', 100.2, 20, 'live');
    x.onMid('k:BTC', 99.9, 30, 'resyncing'); // not live: excluded
    // live mids 100, 100.2: (100.2 - 100) / median 100.1 × 1e4
    const d = x.divergence.get('BTC spot')!;
    expect(d.bps).toBeCloseTo((0.2 / 100.1) * 1e4, 9);
    expect([d.high, d.low]).toEqual(['o:BTC', 's:BTC']);
    x.onMid('o:BTC', 100.2, 6000, 'live'); // s:BTC now older than 5 s
    expect(x.divergence.has('BTC spot')).toBe(false);
  });
});
