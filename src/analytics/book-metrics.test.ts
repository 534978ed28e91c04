import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../util/prng.ts';
import { L2Book } from '../book/l2-book.ts';
import type { Coverage } from '../book/health.ts';
import { computeBookMetrics, defaultBookMetricsConfig, notionalWithin } from './book-metrics.ts';
import type { WireLevel } from '../core/model.ts';

const FULL: Coverage = { bidFloor: NaN, askCeiling: NaN };

/** bids 99@2, 98@1, 97@3; asks 101@1, 102@2, 105@4. */
function smallBook(): L2Book {
  const b = new L2Book();
  b.applySnapshot(
    [
      ['99', '2'],
      ['98', '1'],
      ['97', '3'],
    ],
    [
      ['101', '1'],
      ['102', '2'],
      ['105', '4'],
    ],
  );
  return b;
}

const cfg = { depthLevels: 10, weightDecayBps: 100, impactNotional: 250, movePct: 2 };

describe('computeBookMetrics on a hand-built book', () => {
  const m = computeBookMetrics(smallBook(), FULL, cfg);

  it('computes top of book, mid, spread and microprice', () => {
    expect(m.bestBid).toBe(99);
    expect(m.bestAskSize).toBe(1);
    // mid = (99 + 101) / 2 = 100; spread = 2; spreadBps = 2 / 100 × 1e4 = 200
    expect(m.mid).toBe(100);
    expect(m.spread).toBe(2);
    expect(m.spreadBps).toBeCloseTo(200, 9);
    // microprice = (99 × 1 + 101 × 2) / 3 = 301 / 3
    expect(m.microprice).toBeCloseTo(301 / 3, 12);
  });

  it('computes L1, top-N and distance-weighted imbalance and the top-volume ratio', () => {
    // L1: (2 - 1) / 3
    expect(m.imbalanceL1).toBeCloseTo(1 / 3, 12);
    // top-N: bids 2+1+3 = 6, asks 1+2+4 = 7 → (6 - 7) / 13
    expect(m.imbalanceTopN).toBeCloseTo(-1 / 13, 12);
    // distances (bps of mid 100): bids 100, 200, 300; asks 100, 200, 500; decay 100 bps
    // bw = 2e^-1 + 1e^-2 + 3e^-3 ; aw = 1e^-1 + 2e^-2 + 4e^-5
    const bw = 2 * Math.exp(-1) + Math.exp(-2) + 3 * Math.exp(-3);
    const aw = Math.exp(-1) + 2 * Math.exp(-2) + 4 * Math.exp(-5);
    expect(m.imbalanceWeighted).toBeCloseTo((bw - aw) / (bw + aw), 12);
    // (2 + 1) / 13
    expect(m.topVolumeRatio).toBeCloseTo(3 / 13, 12);
  });

  it('sums notional within 0.1/0.5/1/2 % of mid per side', () => {
    // 0.1%: bids >= 99.9, asks <= 100.1 → none; 0.5% likewise
    expect([m.bidNotional10bps, m.askNotional10bps, m.bidNotional50bps, m.askNotional50bps]).toEqual([
      0, 0, 0, 0,
    ]);
    // 1%: bids >= 99 → 99×2 = 198; asks <= 101 → 101×1 = 101
    expect(m.bidNotional100bps).toBeCloseTo(198, 9);
    expect(m.askNotional100bps).toBeCloseTo(101, 9);
    // 2%: bids >= 98 → 198 + 98 = 296; asks <= 102 → 101 + 204 = 305
    expect(m.bidNotional200bps).toBeCloseTo(296, 9);
    expect(m.askNotional200bps).toBeCloseTo(305, 9);
  });

  it('walks a market order of 250 quote for VWAP fill and impact', () => {
    // buy: 101×1 = 101 (left 149), then 149/102 = 1.46078 base at 102 → base 2.46078; vwap = 250 / base
    const buyBase = 1 + 149 / 102;
    expect(m.buyFillPrice).toBeCloseTo(250 / buyBase, 9);
    expect(m.buyImpactBps).toBeCloseTo(((250 / buyBase - 100) / 100) * 1e4, 6);
    // sell: 99×2 = 198 (left 52), 52/98 base at 98 → base 2.53061; vwap = 250 / base
    const sellBase = 2 + 52 / 98;
    expect(m.sellFillPrice).toBeCloseTo(250 / sellBase, 9);
    expect(m.sellImpactBps).toBeCloseTo(((100 - 250 / sellBase) / 100) * 1e4, 6);
  });

  it('computes depth needed to move price 2 %', () => {
    // bids above 99 × 0.98 = 97.02: 99, 98 → 296; asks below 101 × 1.02 = 103.02: 101, 102 → 305
    expect(m.bidDepthToMove).toBeCloseTo(296, 9);
    expect(m.askDepthToMove).toBeCloseTo(305, 9);
  });

  it('leaves velocity to the stateful analytics', () => {
    expect(m.imbalanceVelocity).toBeNull();
  });
});

describe('computeBookMetrics and coverage', () => {
  it('returns null beyond the book coverage and values inside it', () => {
    // bid floor 98: the 2% band limit 98 is inside (296), depth-to-move limit 97.02 is not
    const m = computeBookMetrics(
      smallBook(),
      { bidFloor: 98, askCeiling: NaN },
      { ...cfg, impactNotional: 400 },
    );
    expect(m.bidNotional200bps).toBeCloseTo(296, 9);
    expect(m.bidDepthToMove).toBeNull();
    // a sell of 400 needs more than the 296 known above the floor → unknown
    expect(m.sellFillPrice).toBeNull();
    expect(m.sellImpactBps).toBeNull();
    // asks are full depth: buy 400 = 101 + 204 + 95 (95/105 base) fills
    expect(m.buyFillPrice).toBeCloseTo(400 / (1 + 2 + 95 / 105), 9);
  });

  it('returns null for a band reaching past the floor', () => {
    const m = computeBookMetrics(smallBook(), { bidFloor: 98.5, askCeiling: 101.5 }, cfg);
    expect(m.bidNotional100bps).toBeCloseTo(198, 9); // limit 99 >= 98.5
    expect(m.bidNotional200bps).toBeNull(); // limit 98 < 98.5
    expect(m.askNotional100bps).toBeCloseTo(101, 9); // limit 101 <= 101.5
    expect(m.askNotional200bps).toBeNull(); // limit 102 > 101.5
  });

  it('returns nulls when a side is empty', () => {
    const b = new L2Book();
    b.applySnapshot([['99', '1']], []);
    const m = computeBookMetrics(b, FULL, cfg);
    expect(m.bestBid).toBe(99);
    expect(m.mid).toBeNull();
    expect(m.buyFillPrice).toBeNull();
  });

  it('cannot fill past the end of a full-depth side', () => {
    const m = computeBookMetrics(smallBook(), FULL, { ...cfg, impactNotional: 1e6 });
    expect(m.buyFillPrice).toBeNull();
    expect(m.sellImpactBps).toBeNull();
  });
});

function randomBook(r: () => number): L2Book {
  const bids: WireLevel[] = [];
  const asks: WireLevel[] = [];
  const n = 1 + Math.floor(r() * 60);
  let pb = 1000 - Math.floor(r() * 5);
  let pa = 1001 + Math.floor(r() * 5);
  for (let i = 0; i < n; i++) {
    bids.push([pb.toFixed(1), (0.1 + r() * 10).toFixed(3)]);
    asks.push([pa.toFixed(1), (0.1 + r() * 10).toFixed(3)]);
    pb -= 0.1 + Math.floor(r() * 8) / 10;
    pa += 0.1 + Math.floor(r() * 8) / 10;
  }
  const b = new L2Book();
  b.applySnapshot(bids, asks);
  return b;
}

describe('computeBookMetrics properties (random books)', () => {
  it('keeps imbalances in [-1, 1], bands monotone, VWAP between best and worst level touched', () => {
    const r = rng(42);
    for (let t = 0; t < 300; t++) {
      const book = randomBook(r);
      const impactNotional = 100 + r() * 200_000;
      const c = {
        depthLevels: 1 + Math.floor(r() * 20),
        weightDecayBps: 1 + r() * 50,
        impactNotional,
        movePct: r() * 3,
      };
      const m = computeBookMetrics(book, FULL, c);
      for (const v of [m.imbalanceL1!, m.imbalanceTopN!, m.imbalanceWeighted!]) {
        expect(v).toBeGreaterThanOrEqual(-1);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(m.topVolumeRatio!).toBeGreaterThan(0);
      expect(m.topVolumeRatio!).toBeLessThanOrEqual(1 + 1e-12);
      const bands = [m.bidNotional10bps!, m.bidNotional50bps!, m.bidNotional100bps!, m.bidNotional200bps!];
      for (let i = 1; i < 4; i++) expect(bands[i]!).toBeGreaterThanOrEqual(bands[i - 1]!);
      const abands = [m.askNotional10bps!, m.askNotional50bps!, m.askNotional100bps!, m.askNotional200bps!];
      for (let i = 1; i < 4; i++) expect(abands[i]!).toBeGreaterThanOrEqual(abands[i - 1]!);
      // agrees with the reference sumTo-based band
      expect(m.bidNotional200bps).toBeCloseTo(notionalWithin(book.bids, m.mid!, 2, FULL)!, 6);
      expect(m.askNotional50bps).toBeCloseTo(notionalWithin(book.asks, m.mid!, 0.5, FULL)!, 6);
      if (m.buyFillPrice !== null) {
        // worst level touched: first level where cumulative notional reaches the target
        let cum = 0;
        let worst = NaN;
        for (let i = 0; i < book.asks.length; i++) {
          cum += book.asks.price(i) * book.asks.size(i);
          worst = book.asks.price(i);
          if (cum >= impactNotional) break;
        }
        expect(m.buyFillPrice).toBeGreaterThanOrEqual(book.asks.price(0) - 1e-9);
        expect(m.buyFillPrice).toBeLessThanOrEqual(worst + 1e-9);
        expect(m.buyImpactBps!).toBeGreaterThan(0);
      } else {
        let total = 0;
        for (let i = 0; i < book.asks.length; i++) total += book.asks.price(i) * book.asks.size(i);
        expect(total).toBeLessThan(impactNotional);
      }
      if (m.sellFillPrice !== null) {
        expect(m.sellFillPrice).toBeLessThanOrEqual(book.bids.price(0) + 1e-9);
        expect(m.sellFillPrice).toBeGreaterThanOrEqual(book.bids.worstPrice() - 1e-9);
      }
    }
  });
});

describe('computeBookMetrics coverage property (random books and floors)', () => {
  it('gives a band exactly when its limit is inside coverage, equal to the reference sum', () => {
    const r = rng(7);
    for (let t = 0; t < 200; t++) {
      const book = randomBook(r);
      const cov = { bidFloor: book.bids.price(Math.floor(r() * book.bids.length)), askCeiling: NaN };
      const m = computeBookMetrics(book, cov, defaultBookMetricsConfig);
      const mid = m.mid!;
      for (const [pct, v] of [
        [0.1, m.bidNotional10bps],
        [0.5, m.bidNotional50bps],
        [1, m.bidNotional100bps],
        [2, m.bidNotional200bps],
      ] as const) {
        const inside = mid * (1 - pct / 100) >= cov.bidFloor;
        expect(v === null).toBe(!inside);
        if (inside) expect(v).toBeCloseTo(notionalWithin(book.bids, mid, pct, cov)!, 6);
      }
      // the sell fill never uses levels below the floor
      if (m.sellFillPrice !== null) expect(m.sellFillPrice).toBeGreaterThanOrEqual(cov.bidFloor - 1e-9);
    }
  });
});
