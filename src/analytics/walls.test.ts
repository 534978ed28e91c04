import { describe, expect, it } from 'vitest';
import { L2Book } from '../book/l2-book.ts';
import type { Coverage } from '../book/health.ts';
import { WallTracker, type WallEvent } from './walls.ts';

const FULL: Coverage = { bidFloor: NaN, askCeiling: NaN };

function setup() {
  const book = new L2Book();
  book.applySnapshot(
    [
      ['100', '1'],
      ['99', '60'],
      ['98', '1'],
    ],
    [
      ['101', '1'],
      ['102', '1'],
      ['103', '1'],
    ],
  );
  const events: WallEvent[] = [];
  // absolute threshold 50 base, relative off, scan on every call
  const w = new WallTracker('x:A', { minSize: 50, relMultiple: 0, scanIntervalMs: 0 }, (e) => events.push(e));
  let seq = 0;
  const scan = (ts: number) => w.maybeScan(book, FULL, ts, 'live', ++seq);
  return { book, events, w, scan };
}

describe('WallTracker lifecycle', () => {
  it('reports a cancelled wall (no trades at its price) as pulled', () => {
    const { book, events, scan } = setup();
    scan(0);
    expect(events.map((e) => [e.kind, e.side, e.price, e.size])).toEqual([['appeared', 'bid', 99, 60]]);
    book.applyDelta([['99', '0']], []);
    scan(1000);
    expect(events[1]).toMatchObject({
      kind: 'pulled',
      side: 'bid',
      price: 99,
      prevSize: 60,
      tradedSize: 0,
      ageMs: 1000,
      heuristic: true,
      confidence: 1,
      state: 'live',
      sequence: 2,
    });
    expect(events[1]!.notional).toBe(99 * 60);
  });

  it('reports a wall traded through as consumed', () => {
    const { book, events, w, scan } = setup();
    book.applyDelta([], [['102', '80']]);
    scan(0);
    expect(events.filter((e) => e.kind === 'appeared').map((e) => e.price)).toEqual([99, 102]);
    // a market buy lifts 101 (1) and the 80 at 102
    w.onTrade(101, 1);
    w.onTrade(102, 80);
    book.applyDelta(
      [],
      [
        ['101', '0'],
        ['102', '0'],
      ],
    );
    scan(500);
    const c = events.find((e) => e.kind === 'consumed')!;
    // traded at/through 102: 80 of a decline of 80 → share 1; best ask 103 > 102 → through
    expect(c).toMatchObject({ side: 'ask', price: 102, prevSize: 80, tradedSize: 80, confidence: 1 });
    expect(events.some((e) => e.kind === 'pulled')).toBe(false);
  });

  it('does not count prints on the other side of the book against a wall', () => {
    const { book, events, w, scan } = setup();
    scan(0);
    w.onTrade(101, 5); // buy at the ask: not at/below the bid wall at 99
    book.applyDelta([['99', '0']], []);
    scan(100);
    expect(events[1]).toMatchObject({ kind: 'pulled', tradedSize: 0 });
  });

  it('reports a wall re-placed nearby with similar size as moved, keeping its age', () => {
    const { book, events, scan } = setup();
    scan(0);
    book.applyDelta(
      [
        ['99', '0'],
        ['98.9', '58'],
      ],
      [],
    );
    scan(2000);
    expect(events[1]).toMatchObject({
      kind: 'moved',
      price: 98.9,
      prevPrice: 99,
      size: 58,
      prevSize: 60,
      ageMs: 2000,
    });
    expect(events[1]!.confidence).toBeGreaterThan(0.5);
    expect(events).toHaveLength(2);
  });

  it('reports a large size change as resized', () => {
    const { book, events, scan } = setup();
    scan(0);
    book.applyDelta([['99', '70']], []); // +10/60 = 17%: below 25%
    scan(1);
    expect(events).toHaveLength(1);
    book.applyDelta([['99', '90']], []); // +30/60 = 50%
    scan(2);
    expect(events[1]).toMatchObject({ kind: 'resized', price: 99, size: 90, prevSize: 60 });
  });

  it('keeps a wall that shrinks a little below the entry threshold (hysteresis), reporting the resize', () => {
    const { book, events, scan } = setup();
    scan(0);
    // 40 < threshold 50 but >= 0.7 × 50 = 35: still a wall; 60 → 40 is a 33% change → resized
    book.applyDelta([['99', '40']], []);
    scan(1);
    expect(events.map((e) => [e.kind, e.size])).toEqual([
      ['appeared', 60],
      ['resized', 40],
    ]);
    // 30 < 35: no longer a wall; decline 40 - 30 = 10 with nothing traded → pulled
    book.applyDelta([['99', '30']], []);
    scan(2);
    expect(events[2]).toMatchObject({ kind: 'pulled', price: 99, size: 30, prevSize: 40 });
  });

  it('lists current walls with zone distribution', () => {
    const { events, w, scan } = setup();
    scan(0);
    expect(events).toHaveLength(1);
    // mid 100.5; 99 is 1.5/100.5 = 1.49 % away → zone [1, 2)
    const ws = w.walls(10);
    expect(ws).toHaveLength(1);
    expect(ws[0]).toMatchObject({ side: 'bid', price: 99, size: 60, ageMs: 10 });
    expect(ws[0]!.distancePct).toBeCloseTo((1.5 / 100.5) * 100, 9);
    const z = w.distribution().find((q) => q.fromPct === 1)!;
    expect(z.bid).toEqual({ count: 1, size: 60, notional: 5940 });
  });

  it('uses a relative threshold from the rolling size distribution', () => {
    const book = new L2Book();
    const bids: [string, string][] = [];
    for (let i = 0; i < 40; i++) bids.push([(1000 - i).toString(), '1']);
    bids[10] = ['990', '10'];
    book.applySnapshot(bids, [
      ['1001', '1'],
      ['1002', '1'],
    ]);
    const events: WallEvent[] = [];
    const w = new WallTracker(
      'x:A',
      { scanIntervalMs: 0, relMultiple: 3, relQuantile: 0.5, distributionMin: 10 },
      (e) => events.push(e),
    );
    w.maybeScan(book, { bidFloor: NaN, askCeiling: NaN }, 0, 'live', 1);
    // 1st scan samples 17 sizes (first 16 levels + every 4th): sixteen 1s and the 10 → median 1 → threshold
    // 3 × 1 = 3, known from the end of the 1st scan; the 2nd scan finds only the 10 at 990
    w.maybeScan(book, { bidFloor: NaN, askCeiling: NaN }, 1, 'live', 2);
    expect(w.relThreshold).toBe(3);
    expect(events.map((e) => [e.kind, e.price])).toEqual([['appeared', 990]]);
  });
});
