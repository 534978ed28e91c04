/**
 * L3 book: orders by id aggregate to exact L2 levels; unseen orders come out of a covered level's
 * anonymous volume; coverage starts at a venue image's N-th level, shrinks with the reporting window
 * and grows again by adopting image levels beyond it; drain reports exactly the changed covered levels
 * as exact decimal strings; inconsistent events are counted, never thrown.
 */
import { describe, expect, it } from 'vitest';
import { L3Book, formatTicks } from './l3-book.ts';

const book = (windowDepth?: number): L3Book =>
  new L3Book({ priceDecimals: 4, ...(windowDepth !== undefined ? { windowDepth } : {}) });

describe('formatTicks', () => {
  it('writes integer ticks as exact decimals without trailing zeros', () => {
    expect(formatTicks(5853300, 4)).toBe('585.33');
    expect(formatTicks(5850000, 4)).toBe('585');
    expect(formatTicks(5853301, 4)).toBe('585.3301');
    expect(formatTicks(7, 4)).toBe('0.0007');
    expect(formatTicks(-9999999999, 4)).toBe('-999999.9999');
    expect(formatTicks(42, 0)).toBe('42');
    expect(() => formatTicks(0.5, 4)).toThrow(RangeError);
  });
});

describe('L3Book', () => {
  it('aggregates orders by id into levels and drains absolute level sizes', () => {
    const b = book();
    b.seed([], [], 10); // both sides wholly known and empty
    expect(b.coverage).toEqual({ bidFloor: -Infinity, askCeiling: Infinity });
    b.apply({ kind: 'add', id: 1, side: 'bid', price: 1000000, size: 10 });
    b.apply({ kind: 'add', id: 2, side: 'bid', price: 1000000, size: 5 });
    b.apply({ kind: 'add', id: 3, side: 'ask', price: 1000100, size: 7 });
    expect(b.drain()).toEqual({ bids: [['100', '15']], asks: [['100.01', '7']] });
    expect(b.drain()).toEqual({ bids: [], asks: [] });
    b.apply({ kind: 'cancel', id: 1, side: 'bid', price: 1000000, size: 4 });
    const t = b.apply({ kind: 'execute', id: 2, side: 'bid', price: 1000000, size: 5 });
    expect(t).toEqual({ price: 1000000, size: 5, restingSide: 'bid' });
    expect(b.drain()).toEqual({ bids: [['100', '6']], asks: [] });
    b.apply({ kind: 'delete', id: 1, side: 'bid', price: 1000000, size: 6 });
    b.apply({ kind: 'delete', id: 3, side: 'ask', price: 1000100, size: 7 });
    expect(b.drain()).toEqual({ bids: [['100', '0']], asks: [['100.01', '0']] });
    expect(b.orderCount).toBe(0);
    expect(Object.values(b.counters.anomalies).every((n) => n === 0)).toBe(true);
  });

  it('a change that nets out to the same size drains nothing', () => {
    const b = book();
    b.seed([], [], 10);
    b.apply({ kind: 'add', id: 1, side: 'bid', price: 100, size: 3 });
    b.drain();
    b.apply({ kind: 'add', id: 2, side: 'bid', price: 100, size: 2 });
    b.apply({ kind: 'delete', id: 2, side: 'bid', price: 100, size: 2 });
    expect(b.drain()).toEqual({ bids: [], asks: [] });
  });

  it('hidden executions and crosses are trades only; status events set the trading status', () => {
    const b = book();
    b.seed([[100, 5]], [[200, 5]], 10);
    expect(b.apply({ kind: 'execute_hidden', side: 'ask', price: 150, size: 3 })).toEqual({
      price: 150,
      size: 3,
      restingSide: 'ask',
    });
    expect(b.apply({ kind: 'cross', price: 150, size: 9 })).toEqual({
      price: 150,
      size: 9,
      restingSide: null,
    });
    expect(b.drain()).toEqual({ bids: [], asks: [] });
    b.apply({ kind: 'status', status: 'halted' });
    expect(b.status).toBe('halted');
    b.apply({ kind: 'status', status: 'trading' });
    expect(b.status).toBe('trading');
    expect(b.counters.events).toMatchObject({ execute_hidden: 1, cross: 1, status: 2 });
  });

  it('seeds from a venue image: unseen orders are anonymous volume, the floor is the N-th level', () => {
    const b = book();
    b.seed(
      [
        [1000, 10],
        [999, 20],
      ],
      [
        [1001, 5],
        [1002, 6],
        [1003, 7],
      ],
      2,
    );
    // Bids list N = 2 levels: known down to 999 only; asks list 3 > N... the image depth is 2, so a
    // side listing 2 or more is bounded at its 2nd level.
    expect(b.coverage).toEqual({ bidFloor: 999, askCeiling: 1002 });
    expect(b.drain()).toEqual({ bids: [], asks: [] }); // the seed counts as reported
    // An order never seen, at a covered price, comes out of the anonymous volume.
    b.apply({ kind: 'delete', id: 77, side: 'bid', price: 1000, size: 4 });
    expect(b.counters.anonymous).toBe(1);
    expect(b.drain().bids).toEqual([['0.1', '6']]);
    // Below the floor the book knows nothing: events there are ignored and counted.
    b.apply({ kind: 'add', id: 5, side: 'bid', price: 990, size: 1 });
    b.apply({ kind: 'cancel', id: 78, side: 'bid', price: 990, size: 1 });
    expect(b.counters.outsideCoverage).toBe(2);
    expect(b.top(5).bids).toEqual([
      [1000, 6],
      [999, 20],
    ]);
  });

  it('a side listing fewer levels than the image depth is known entirely', () => {
    const b = book();
    b.seed([[1000, 1]], [], 10);
    expect(b.coverage).toEqual({ bidFloor: -Infinity, askCeiling: Infinity });
    b.apply({ kind: 'add', id: 1, side: 'bid', price: 1, size: 1 });
    expect(b.drain().bids).toEqual([['0.0001', '1']]);
  });

  it('with windowDepth N the floor rises to the N-th level and levels below it are dropped', () => {
    const b = book(2);
    b.seed([[1000, 1]], [], 2); // one bid level: the whole side known
    b.apply({ kind: 'add', id: 1, side: 'bid', price: 998, size: 1 });
    b.shrink();
    expect(b.coverage.bidFloor).toBe(998);
    expect(b.drain().bids).toEqual([['0.0998', '1']]);
    b.apply({ kind: 'add', id: 2, side: 'bid', price: 999, size: 2 });
    b.shrink();
    // 999 is now the 2nd level: 998 fell out of the window and is no longer reported.
    expect(b.coverage.bidFloor).toBe(999);
    expect(b.drain().bids).toEqual([
      ['0.0999', '2'],
      ['0.0998', '0'],
    ]);
    expect(b.counters.forgotten).toBe(1); // order 1 is forgotten with its level
    b.apply({ kind: 'delete', id: 1, side: 'bid', price: 998, size: 1 });
    expect(b.counters.outsideCoverage).toBe(1);
  });

  it('adopts image levels beyond coverage, and only those', () => {
    const b = book(2);
    b.seed(
      [
        [1000, 10],
        [999, 20],
      ],
      [],
      2,
    );
    b.apply({ kind: 'delete', id: 9, side: 'bid', price: 1000, size: 10 }); // level 1000 gone
    b.shrink();
    expect(b.top(5).bids).toEqual([[999, 20]]);
    expect(b.coverage.bidFloor).toBe(999); // one level left: the window reaches below, unknown
    expect(b.drain().bids).toEqual([['0.1', '0']]);
    // The venue's next image shows the level that slid into the window; covered levels stay ours.
    b.adopt(
      'bid',
      [
        [999, 12345],
        [997, 3],
      ],
      2,
    );
    expect(b.coverage.bidFloor).toBe(997);
    expect(b.top(5).bids).toEqual([
      [999, 20],
      [997, 3],
    ]);
    expect(b.drain().bids).toEqual([['0.0997', '3']]);
    // Nothing beyond coverage: a no-op.
    b.adopt('bid', [[999, 1]], 5);
    expect(b.coverage.bidFloor).toBe(-Infinity);
  });

  it('counts inconsistent events and applies what makes sense', () => {
    const b = book();
    b.seed([], [], 10);
    b.apply({ kind: 'add', id: 1, side: 'bid', price: 100, size: 5 });
    b.apply({ kind: 'add', id: 1, side: 'bid', price: 100, size: 5 });
    expect(b.counters.anomalies.duplicate_id).toBe(1);
    b.apply({ kind: 'cancel', id: 1, side: 'bid', price: 101, size: 2 });
    expect(b.counters.anomalies.order_mismatch).toBe(1);
    expect(b.sizeAt('bid', 100)).toBe(3);
    b.apply({ kind: 'cancel', id: 1, side: 'bid', price: 100, size: 9 });
    expect(b.counters.anomalies.oversize).toBe(1);
    expect(b.sizeAt('bid', 100)).toBe(0);
    b.apply({ kind: 'add', id: 2, side: 'ask', price: 200, size: 5 });
    b.apply({ kind: 'delete', id: 2, side: 'ask', price: 200, size: 4 });
    expect(b.counters.anomalies.delete_size).toBe(1);
    expect(b.sizeAt('ask', 200)).toBe(0);
    b.apply({ kind: 'cancel', id: 3, side: 'ask', price: 200, size: 1 });
    expect(b.counters.anomalies.unexplained_size).toBe(1);
    b.apply({ kind: 'add', id: 4, side: 'ask', price: 200, size: 0 });
    b.apply({ kind: 'add', id: 5, side: 'ask', price: 2.5, size: 1 });
    expect(b.counters.anomalies.invalid).toBe(2);
    expect(b.orderCount).toBe(0);
  });

  it('rejects bad options', () => {
    expect(() => new L3Book({ priceDecimals: -1 })).toThrow(RangeError);
    expect(() => new L3Book({ priceDecimals: 4, windowDepth: 0 })).toThrow(RangeError);
  });
});
