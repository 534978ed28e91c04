import { describe, expect, it } from 'vitest';
import { L2Book } from './l2-book.ts';
import { MalformedFrameError, PrecisionError } from '../core/errors.ts';
import type { WireLevel } from '../core/model.ts';

const lv = (...pairs: [string, string][]): WireLevel[] => pairs;

function snapshotOf(b: L2Book): unknown {
  return { top: b.top(100), strings: b.topStrings(100) };
}

describe('L2Book', () => {
  it('applies a snapshot best-first, ignoring zero sizes, and keeps the wire strings', () => {
    const b = new L2Book();
    b.applySnapshot(lv(['100.0', '1'], ['99.5', '0'], ['99.0', '2.50']), lv(['100.5', '3'], ['101', '4']));
    expect(b.top(5)).toEqual({
      bids: [
        [100, 1],
        [99, 2.5],
      ],
      asks: [
        [100.5, 3],
        [101, 4],
      ],
    });
    expect(b.topStrings(1)).toEqual({ bids: [['100.0', '1']], asks: [['100.5', '3']] });
  });

  it('replaces the previous book on a new snapshot', () => {
    const b = new L2Book();
    b.applySnapshot(lv(['1', '1']), lv(['2', '1']));
    b.applySnapshot(lv(['5', '1']), lv(['6', '1']));
    expect(b.top(5)).toEqual({ bids: [[5, 1]], asks: [[6, 1]] });
  });

  it('applies deltas (insert, update, delete) and returns the number of changes', () => {
    const b = new L2Book();
    b.applySnapshot(lv(['100', '1'], ['99', '1']), lv(['101', '1']));
    expect(b.applyDelta(lv(['100', '0'], ['98', '3']), lv(['101', '2'], ['102', '1']))).toBe(4);
    expect(b.top(5)).toEqual({
      bids: [
        [99, 1],
        [98, 3],
      ],
      asks: [
        [101, 2],
        [102, 1],
      ],
    });
  });

  it('treats "1.50" and "1.5" as the same level and "0.3" apart from 0.1+0.2', () => {
    const b = new L2Book();
    b.applyDelta(lv(['1.50', '1']), []);
    b.applyDelta(lv(['1.5', '2']), []);
    expect(b.bids.length).toBe(1);
    expect(b.bids.size(0)).toBe(2);
    b.applyDelta(lv(['0.1', '1'], ['0.2', '1'], ['0.3', '1']), []);
    expect(b.bids.length).toBe(4);
    expect(b.bids.sizeAt(0.1 + 0.2)).toBe(0);
    expect(() => b.applyDelta(lv(['0.30000000000000004', '1']), [])).toThrow(PrecisionError);
  });

  it('detects a crossed book (bid >= ask) and only with both sides present', () => {
    const b = new L2Book();
    b.applySnapshot(lv(['100', '1']), []);
    expect(b.isCrossedOrLocked()).toBe(false);
    b.applyDelta([], lv(['100.1', '1']));
    expect(b.isCrossedOrLocked()).toBe(false);
    b.applyDelta([], lv(['100', '1']));
    expect(b.isCrossedOrLocked()).toBe(true);
    b.applyDelta([], lv(['100', '0']));
    b.applyDelta(lv(['100.2', '1']), []);
    expect(b.isCrossedOrLocked()).toBe(true);
  });

  it('accepts a 16-digit size (never a key) and keeps its exact wire string', () => {
    // Bitstamp xrpeur, 2022-01-04: a real ask of 40679294.87562189 XRP.
    const b = new L2Book();
    b.applySnapshot(lv(['0.73479', '1']), lv(['0.74', '40679294.87562189']));
    expect(b.topStrings(1).asks).toEqual([['0.74', '40679294.87562189']]);
  });

  const bad: [string, unknown[], unknown[], new (...a: never[]) => Error][] = [
    ['a non-string price', [[100, '1']], [], MalformedFrameError],
    ['a malformed size', [['100', '1e5']], [], MalformedFrameError],
    ['a negative size', [], [['101', '-1']], MalformedFrameError],
    ['a zero price', [['0', '1']], [], MalformedFrameError],
    ['a level that is not an array', [{ p: '1' }], [], MalformedFrameError],
    ['levels that are not an array', 'x' as unknown as unknown[], [], MalformedFrameError],
    ['a 16-digit price', [['1234567890.123456', '1']], [], PrecisionError],
  ];
  for (const [what, bids, asks, type] of bad) {
    it(`leaves the book untouched on ${what} late in the delta`, () => {
      const b = new L2Book();
      b.applySnapshot(lv(['100', '1'], ['99', '1']), lv(['101', '1']));
      const before = snapshotOf(b);
      // Good changes come first: none of them may be applied.
      const goodFirst = [['100', '0'], ['98', '5'], ...bids] as unknown as WireLevel[];
      expect(() => b.applyDelta(goodFirst, [['101', '0'], ...asks] as unknown as WireLevel[])).toThrow(type);
      expect(snapshotOf(b)).toEqual(before);
      expect(() => b.applySnapshot(goodFirst, [['101', '0'], ...asks] as unknown as WireLevel[])).toThrow(
        type,
      );
      expect(snapshotOf(b)).toEqual(before);
    });
  }

  it('handles deltas larger than its scratch space', () => {
    const b = new L2Book();
    const many: WireLevel[] = [];
    for (let i = 1; i <= 5000; i++) many.push([String(i), '1']);
    expect(
      b.applyDelta(
        many,
        many.map(([p]) => [String(10000 + Number(p)), '2'] as WireLevel),
      ),
    ).toBe(10000);
    expect(b.bids.length).toBe(5000);
    expect(b.asks.price(0)).toBe(10001);
  });
});
