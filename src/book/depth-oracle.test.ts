/**
 * Depth oracle rule: a venue top-N image is compared with the book on the covered levels only; a
 * missing, extra or different covered level is a mismatch; a row wholly beyond a bounded coverage is not
 * checked; InstrumentBook counts rows, partial rows and levels, and resyncs on a mismatch.
 */
import { describe, expect, it } from 'vitest';
import type { BookDelta, BookSnapshot, WireLevel } from '../core/model.ts';
import { compareDepthOracle } from './depth-oracle.ts';
import { InstrumentBook } from './instrument-book.ts';
import { L2Book } from './l2-book.ts';
import { consecutiveRule } from './sync-rule.ts';

const l2 = (bids: WireLevel[], asks: WireLevel[]): L2Book => {
  const b = new L2Book();
  b.applySnapshot(bids, asks);
  return b;
};
const all = { bidFloor: NaN, askCeiling: NaN };

describe('compareDepthOracle', () => {
  const book = l2(
    [
      ['10', '1'],
      ['9', '2'],
      ['8', '3'],
    ],
    [
      ['11', '1'],
      ['12', '2'],
    ],
  );

  it('matches an equal top-N image and counts the levels compared', () => {
    const r = compareDepthOracle(book, all, {
      depth: 2,
      bids: [
        ['10', '1'],
        ['9.0', '2'],
      ],
      asks: [
        ['11', '1'],
        ['12', '2'],
      ],
    });
    expect(r).toEqual({ checked: true, matched: true, levels: 4, beyond: 0, diff: null });
  });

  it('finds a different size, a missing level and an extra level', () => {
    const d = (bids: WireLevel[]) =>
      compareDepthOracle(book, all, {
        depth: 3,
        bids,
        asks: [
          ['11', '1'],
          ['12', '2'],
        ],
      }).diff;
    expect(
      d([
        ['10', '1'],
        ['9', '5'],
        ['8', '3'],
      ]),
    ).toBe('bid level 2: venue 9 x 5, book 9 x 2');
    // The venue lists fewer levels than the depth: the side has no more, yet the book has 8.
    expect(
      d([
        ['10', '1'],
        ['9', '2'],
      ]),
    ).toBe('bid level 3: venue has no level, book 8 x 3');
    expect(
      d([
        ['10', '1'],
        ['9', '2'],
        ['8', '3'],
        ['7', '1'],
      ]),
    ).toBe('bid level 4: venue 7 x 1, book has no level');
  });

  it('compares only levels inside coverage; a row wholly beyond it is not checked', () => {
    const cov = { bidFloor: 9, askCeiling: 11 };
    // The venue's 8 is beyond the floor (unknown to the book): left out, the rest must match.
    const r = compareDepthOracle(book, cov, {
      depth: 3,
      bids: [
        ['10', '1'],
        ['9', '2'],
        ['8', '999'],
      ],
      asks: [
        ['11', '1'],
        ['12', '999'],
      ],
    });
    expect(r).toMatchObject({ checked: true, matched: true, levels: 3, beyond: 2 });
    // Within coverage the venue lists only 10 where the book has 10 and 9: 9 is extra.
    expect(
      compareDepthOracle(book, cov, {
        depth: 3,
        bids: [
          ['10', '1'],
          ['8.5', '1'],
        ],
        asks: [['11', '1']],
      }).diff,
    ).toBe('bid level 2: venue has no level, book 9 x 2');
    const none = compareDepthOracle(
      book,
      { bidFloor: 20, askCeiling: 1 },
      {
        depth: 2,
        bids: [['10', '1']],
        asks: [['11', '1']],
      },
    );
    expect(none).toMatchObject({ checked: false, matched: false, levels: 0, beyond: 2 });
  });

  it('an empty side the book fully knows is checked', () => {
    const b = l2([['10', '1']], []);
    expect(compareDepthOracle(b, all, { depth: 5, bids: [['10', '1']], asks: [] }).matched).toBe(true);
    expect(compareDepthOracle(b, all, { depth: 5, bids: [], asks: [] }).diff).toBe(
      'bid level 1: venue has no level, book 10 x 1',
    );
  });
});

describe('InstrumentBook with depth oracles', () => {
  const snap: BookSnapshot = {
    type: 'book_snapshot',
    instrument: 'x:Y',
    exchangeTs: 1,
    localTs: 1,
    sequence: 1,
    bids: [
      ['10', '1'],
      ['9', '2'],
    ],
    asks: [
      ['11', '1'],
      ['12', '2'],
    ],
    depthLimit: 2,
  };
  const delta = (seq: number, extra: Partial<BookDelta>): BookDelta => ({
    type: 'book_delta',
    instrument: 'x:Y',
    exchangeTs: seq,
    localTs: seq,
    firstSequence: seq,
    sequence: seq,
    prevSequence: seq - 1,
    bids: [],
    asks: [],
    ...extra,
  });

  it('counts checked, partial and uncovered rows, takes coverage from the delta, resyncs on mismatch', () => {
    const b = new InstrumentBook('x:Y', {
      rule: consecutiveRule,
      snapshotSource: 'stream',
      coverage: 'snapshot',
    });
    expect(b.onSnapshot(snap)).toBe('snapshot');
    expect(b.health.coverage).toEqual({ bidFloor: 9, askCeiling: 12 });
    // Level 10 goes: the venue image shows 9 and a level 8 the book cannot know (beyond the floor).
    expect(
      b.onDelta(
        delta(2, {
          bids: [['10', '0']],
          depthOracle: {
            depth: 2,
            bids: [
              ['9', '2'],
              ['8', '4'],
            ],
            asks: [
              ['11', '1'],
              ['12', '2'],
            ],
          },
        }),
      ),
    ).toBe('applied');
    // The source says the book now knows bids down to 8 (and adds it).
    expect(
      b.onDelta(
        delta(3, {
          bids: [['8', '4']],
          coverage: { bidFloor: 8, askCeiling: 12 },
          depthOracle: {
            depth: 2,
            bids: [
              ['9', '2'],
              ['8', '4'],
            ],
            asks: [
              ['11', '1'],
              ['12', '2'],
            ],
          },
        }),
      ),
    ).toBe('applied');
    expect(b.health.coverage).toEqual({ bidFloor: 8, askCeiling: 12 });
    const c = b.health.counters;
    expect([c.oracleChecked, c.oracleMatched, c.oraclePartial, c.oracleLevels]).toEqual([2, 2, 1, 7]);
    expect(
      b.onDelta(
        delta(4, {
          coverage: { bidFloor: 100, askCeiling: 1 },
          depthOracle: { depth: 2, bids: [['9', '2']], asks: [['11', '1']] },
        }),
      ),
    ).toBe('applied');
    expect(c.oracleUncovered).toBe(1);
    expect(
      b.onDelta(
        delta(5, {
          coverage: { bidFloor: 8, askCeiling: 12 },
          depthOracle: {
            depth: 2,
            bids: [
              ['9', '3'],
              ['8', '4'],
            ],
            asks: [
              ['11', '1'],
              ['12', '2'],
            ],
          },
        }),
      ),
    ).toBe('oracle_mismatch');
    expect(b.state).toBe('resyncing');
    expect(b.health.reason).toBe('oracle_mismatch: venue top 2 at 5: bid level 1: venue 9 x 3, book 9 x 2');
    expect([c.oracleChecked, c.oracleMatched, c.resyncs]).toEqual([3, 2, 1]);
  });
});
