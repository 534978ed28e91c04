/** The price ladder model (lib/ladder.ts): grouping by tick multiples, rows, cumulative sizes, flags. */
import { describe, expect, it } from 'vitest';
import { bucketTicks, buildLadder, inferTick, tickDecimals } from './ladder.ts';
import type { Level } from '../api/types.ts';

const bids: Level[] = [
  [100.2, 1],
  [100.1, 2],
  [99.9, 4],
  [99.5, 8],
];
const asks: Level[] = [
  [100.3, 1.5],
  [100.4, 2.5],
  [100.7, 3],
];

describe('price ladder', () => {
  it('lists every tick around the spread with the book sizes and cumulative sizes at group 1', () => {
    const m = buildLadder(bids, asks, { tick: 0.1, group: 1, rowsPerSide: 5 });
    expect(m.rows.map((r) => r.ticks)).toEqual([1007, 1006, 1005, 1004, 1003, 1002, 1001, 1000, 999, 998]);
    const at = (t: number) => m.rows.find((r) => r.ticks === t)!;
    expect(at(1003)).toMatchObject({ ask: 1.5, cumAsk: 1.5, bid: 0 });
    expect(at(1004)).toMatchObject({ ask: 2.5, cumAsk: 4 });
    expect(at(1007)).toMatchObject({ ask: 3, cumAsk: 7 });
    expect(at(1002)).toMatchObject({ bid: 1, cumBid: 1 });
    expect(at(999)).toMatchObject({ bid: 4, cumBid: 7 });
    expect(at(1000)).toMatchObject({ bid: 0, cumBid: 3 });
    expect(m.bestBid).toBeCloseTo(100.2);
    expect(m.bestAsk).toBeCloseTo(100.3);
    expect(m.maxSize).toBe(4);
    // The book's levels are all there, at their exact prices; the sizes sum to the book's.
    expect(m.rows.reduce((s, r) => s + r.bid, 0)).toBe(7); // 99.5 lies beyond 5 rows
  });

  it('groups bids down and asks up to whole multiples of the group, never crossing', () => {
    const m = buildLadder(bids, asks, { tick: 0.1, group: 5, rowsPerSide: 3 });
    expect(m.rows.map((r) => [r.ticks, r.bid, r.ask])).toEqual([
      [1015, 0, 0],
      [1010, 0, 3],
      [1005, 0, 4],
      [1000, 3, 0],
      [995, 12, 0],
      [990, 0, 0],
    ]);
    expect(bucketTicks(100.3, 0.1, 1, 'bid')).toBe(1003); // whole ticks (100.3 / 0.1 = 1002.9999…)
    expect(bucketTicks(99.99999999, 0.01, 1, 'ask')).toBe(10000);
  });

  it('prints trades at their bucket and flags walls and S/R clusters', () => {
    const m = buildLadder(bids, asks, {
      tick: 0.1,
      group: 1,
      rowsPerSide: 4,
      trades: [
        { price: 100.3, size: 0.5, side: 'buy', ts: 1 },
        { price: 100.3, size: 0.25, side: 'buy', ts: 2 },
        { price: 100.2, size: 1, side: 'sell', ts: 3 },
      ],
      walls: [{ side: 'bid', price: 99.9, size: 4 }],
      clusters: [{ side: 'ask', priceFrom: 100.35, priceTo: 100.45, strength: 0.7 }],
    });
    const at = (t: number) => m.rows.find((r) => r.ticks === t)!;
    expect(at(1003).buyVol).toBe(0.75);
    expect(at(1002).sellVol).toBe(1);
    expect(at(999).wall).toBe('bid');
    expect(at(1004)).toMatchObject({ cluster: 0.7, clusterSide: 'ask' });
    expect(at(1002).cluster).toBe(0);
  });

  it('refuses bad settings and handles an empty or one-sided book', () => {
    expect(() => buildLadder(bids, asks, { tick: 0, group: 1, rowsPerSide: 1 })).toThrow(RangeError);
    expect(() => buildLadder(bids, asks, { tick: 1, group: 1.5, rowsPerSide: 1 })).toThrow(RangeError);
    expect(buildLadder([], [], { tick: 1, group: 1, rowsPerSide: 3 }).rows).toEqual([]);
    const oneSided = buildLadder(bids, [], { tick: 0.1, group: 1, rowsPerSide: 2 });
    expect(oneSided.bestAsk).toBeNull();
    expect(oneSided.rows[0]!.ticks).toBe(1004);
  });

  it('infers the tick from the smallest level gap without float noise', () => {
    expect(
      inferTick(
        [
          [61822.02, 1],
          [61822.01, 1],
          [61821.5, 1],
        ],
        [],
      ),
    ).toBe(0.01);
    expect(inferTick(bids, asks)).toBe(0.1);
    expect(inferTick([[1, 1]], [[2, 1]])).toBeNull();
  });

  it('reads tick decimals from text', () => {
    expect(tickDecimals('0.10')).toBe(1);
    expect(tickDecimals('0.01000000')).toBe(2);
    expect(tickDecimals('1')).toBe(0);
    expect(tickDecimals('1e-8')).toBe(8);
  });
});
