import { describe, expect, it } from 'vitest';
import { InstrumentBook, type BookSyncOptions } from './instrument-book.ts';
import { binanceFuturesRule, binanceSpotRule, type ChecksumRule } from './sync-rule.ts';
import type { BookDelta, BookSnapshot, Bbo, WireLevel } from '../core/model.ts';
import type { L2Book } from './l2-book.ts';

const I = 'binance-usdm:BTCUSDT';

function delta(
  U: number,
  u: number,
  pu: number,
  bids: [string, string][] = [],
  asks: [string, string][] = [],
  extra: Partial<BookDelta> = {},
): BookDelta {
  return {
    type: 'book_delta',
    instrument: I,
    exchangeTs: 1000 + u,
    localTs: 2000 + u,
    firstSequence: U,
    sequence: u,
    prevSequence: pu,
    bids: bids as WireLevel[],
    asks: asks as WireLevel[],
    ...extra,
  };
}

function snapshot(id: number, extra: Partial<BookSnapshot> = {}): BookSnapshot {
  return {
    type: 'book_snapshot',
    instrument: I,
    exchangeTs: NaN,
    localTs: 5000 + id,
    sequence: id,
    bids: [
      ['100.0', '1'],
      ['99.0', '2'],
    ],
    asks: [
      ['101.0', '1'],
      ['102.0', '2'],
    ],
    depthLimit: 1000,
    ...extra,
  };
}

function bbo(u: number, b: string, B: string, a: string, A: string): Bbo {
  return {
    type: 'bbo',
    instrument: I,
    exchangeTs: 0,
    localTs: 0,
    sequence: u,
    bidPrice: b,
    bidSize: B,
    askPrice: a,
    askSize: A,
  };
}

const futures: BookSyncOptions = { rule: binanceFuturesRule, snapshotSource: 'rest', coverage: 'snapshot' };
const spot: BookSyncOptions = { rule: binanceSpotRule, snapshotSource: 'rest', coverage: 'snapshot' };

describe('InstrumentBook, Binance futures rule', () => {
  it('buffers deltas until the snapshot, drops the covered ones and splices the rest', () => {
    const ib = new InstrumentBook(I, futures);
    expect(ib.state).toBe('connecting');
    expect(ib.onDelta(delta(1, 5, 0, [['100.0', '9']]))).toBe('buffered'); // u < 10: stale at splice
    expect(ib.state).toBe('syncing');
    expect(ib.takeSnapshotRequest()).toBe(true);
    expect(ib.takeSnapshotRequest()).toBe(false);
    expect(ib.onDelta(delta(6, 12, 5, [['100.0', '3']]))).toBe('buffered'); // U <= 10 <= u: first
    expect(ib.onDelta(delta(13, 15, 12, [], [['101.0', '0']]))).toBe('buffered'); // pu == 12
    expect(ib.onSnapshot(snapshot(10))).toBe('snapshot');
    expect(ib.state).toBe('live');
    expect(ib.book.top(5)).toEqual({
      bids: [
        [100, 3],
        [99, 2],
      ],
      asks: [[102, 2]],
    });
    const c = ib.health.counters;
    expect(c.staleDeltas).toBe(1);
    expect(c.deltasApplied).toBe(2);
    expect(c.snapshots).toBe(1);
    expect(c.gaps).toBe(0);
    expect(ib.health.sequence).toBe(15);
    expect(ib.health.coverage).toEqual({ bidFloor: NaN, askCeiling: NaN }); // 2 levels < depthLimit
    expect(ib.onDelta(delta(16, 18, 15, [['100.5', '1']]))).toBe('applied');
    expect(ib.book.bids.price(0)).toBe(100.5);
  });

  it('drops a delta already covered by the last applied one as stale', () => {
    const ib = new InstrumentBook(I, futures);
    ib.onSnapshot(snapshot(10));
    expect(ib.onDelta(delta(9, 11, 8))).toBe('applied');
    expect(ib.onDelta(delta(9, 11, 8, [['100.0', '7']]))).toBe('stale');
    expect(ib.health.counters.staleDeltas).toBe(1);
    expect(ib.book.bids.size(0)).toBe(1);
  });

  it('on a gap counts it, goes resyncing, asks for a snapshot and recovers from the next one', () => {
    const ib = new InstrumentBook(I, futures);
    ib.onSnapshot(snapshot(10));
    ib.onDelta(delta(9, 11, 8));
    expect(ib.onDelta(delta(14, 16, 13))).toBe('gap'); // pu 13 != 11
    expect(ib.state).toBe('resyncing');
    expect(ib.health.reasonCode).toBe('gap');
    expect(ib.health.counters.gaps).toBe(1);
    expect(ib.health.counters.resyncs).toBe(1);
    expect(ib.snapshotWanted).toBe(true);
    expect(ib.takeSnapshotRequest()).toBe(true);
    ib.snapshotFailed();
    expect(ib.takeSnapshotRequest()).toBe(true);
    // Further deltas are buffered until the new snapshot, then spliced.
    expect(ib.onDelta(delta(17, 20, 16, [['99.5', '4']]))).toBe('buffered');
    expect(ib.onSnapshot(snapshot(15))).toBe('snapshot');
    expect(ib.state).toBe('live');
    expect(ib.health.lastResyncAt).toBe(5015);
    expect(ib.health.sequence).toBe(20);
    expect(ib.book.bids.size(1)).toBe(4);
    expect(ib.health.counters.gaps).toBe(1);
  });

  it('asks again without counting a gap when the snapshot is older than the buffered deltas', () => {
    const ib = new InstrumentBook(I, futures);
    ib.onDelta(delta(50, 55, 49));
    ib.onDelta(delta(56, 60, 55));
    expect(ib.takeSnapshotRequest()).toBe(true);
    expect(ib.onSnapshot(snapshot(40))).toBe('gap'); // first buffered U 50 > 40
    expect(ib.state).toBe('syncing');
    expect(ib.health.reasonCode).toBe('stale_snapshot');
    expect(ib.health.counters.gaps).toBe(0);
    expect(ib.health.counters.resyncs).toBe(0);
    expect(ib.snapshotWanted).toBe(true);
    expect(ib.takeSnapshotRequest()).toBe(true);
    // The buffer was kept: a newer snapshot splices both deltas.
    expect(ib.onSnapshot(snapshot(52))).toBe('snapshot');
    expect(ib.state).toBe('live');
    expect(ib.health.counters.deltasApplied).toBe(2);
    expect(ib.health.sequence).toBe(60);
  });

  it('reports a locked book (bid = ask) apart from a crossed one, and resyncs it', () => {
    const ib = new InstrumentBook(I, futures);
    ib.onSnapshot(snapshot(10));
    expect(ib.onDelta(delta(9, 11, 8, [['101.0', '1']]))).toBe('locked');
    expect(ib.state).toBe('resyncing');
    expect(ib.health.reasonCode).toBe('locked_book');
    expect(ib.health.counters).toMatchObject({ lockedBooks: 1, crossedBooks: 0, resyncs: 1 });
    // A locked snapshot is refused as well.
    expect(ib.onSnapshot(snapshot(20, { bids: [['101.0', '1']] }))).toBe('locked');
    expect(ib.health.counters.lockedBooks).toBe(2);
  });

  it('resyncs on a crossed book and counts it', () => {
    const ib = new InstrumentBook(I, futures);
    ib.onSnapshot(snapshot(10));
    expect(ib.onDelta(delta(9, 11, 8, [['101.5', '1']]))).toBe('crossed');
    expect(ib.state).toBe('resyncing');
    expect(ib.health.counters.crossedBooks).toBe(1);
    expect(ib.health.counters.resyncs).toBe(1);
    expect(ib.health.reasonCode).toBe('crossed_book');
    // A crossed snapshot is refused as well.
    const crossed = snapshot(20, { bids: [['105', '1']] });
    expect(ib.onSnapshot(crossed)).toBe('crossed');
    expect(ib.health.counters.crossedBooks).toBe(2);
  });

  it('drops a malformed delta that passed the sequence check and resyncs, book untouched', () => {
    const ib = new InstrumentBook(I, futures);
    ib.onSnapshot(snapshot(10));
    const before = ib.book.top(10);
    expect(
      ib.onDelta(
        delta(9, 11, 8, [
          ['100.0', '5'],
          ['abc', '1'],
        ]),
      ),
    ).toBe('dropped');
    expect(ib.book.top(10)).toEqual(before);
    expect(ib.health.counters.dropped).toBe(1);
    expect(ib.state).toBe('resyncing');
    // A malformed snapshot is dropped and counted.
    expect(ib.onSnapshot(snapshot(12, { asks: [['1e3', '1']] }))).toBe('dropped');
    expect(ib.health.counters.dropped).toBe(2);
    expect(ib.state).toBe('resyncing');
  });

  it('checks the venue BBO oracle: match counted, mismatch resyncs, other sequence not compared', () => {
    const ib = new InstrumentBook(I, futures);
    ib.onSnapshot(snapshot(10));
    ib.onDelta(delta(9, 11, 8));
    expect(ib.onBbo(bbo(10, '100.0', '1', '101', '1'))).toBeNull();
    expect(ib.onBbo(bbo(11, '100.00', '1.0', '101.0', '1'))).toBe(true);
    expect(ib.health.counters.oracleChecked).toBe(1);
    expect(ib.health.counters.oracleMatched).toBe(1);
    expect(ib.onBbo(bbo(11, '100.0', '1', '101.0', '1.5'))).toBe(false);
    expect(ib.state).toBe('resyncing');
    expect(ib.health.reasonCode).toBe('oracle_mismatch');
    expect(ib.health.counters.oracleChecked).toBe(2);
    expect(ib.health.counters.oracleMatched).toBe(1);
    expect(ib.onBbo(bbo(11, 'x', '1', '101', '1'))).toBeNull(); // not live any more
  });
});

describe('InstrumentBook, Binance spot rule', () => {
  it('splices with U <= lastUpdateId+1 <= u, then U == previous u + 1, and detects a gap', () => {
    const ib = new InstrumentBook(I, spot);
    ib.onDelta(delta(5, 10, NaN, [['100.0', '9']])); // u <= 10: stale
    ib.onDelta(delta(11, 13, NaN, [['100.0', '4']])); // first: 11 <= 11 <= 13
    ib.onDelta(delta(14, 14, NaN, [], [['101.0', '3']]));
    expect(ib.onSnapshot(snapshot(10))).toBe('snapshot');
    expect(ib.health.counters.staleDeltas).toBe(1);
    expect(ib.health.counters.deltasApplied).toBe(2);
    expect(ib.book.top(1)).toEqual({ bids: [[100, 4]], asks: [[101, 3]] });
    expect(ib.onDelta(delta(15, 16, NaN))).toBe('applied');
    expect(ib.onDelta(delta(12, 16, NaN))).toBe('stale');
    expect(ib.onDelta(delta(18, 19, NaN))).toBe('gap');
    expect(ib.health.counters.gaps).toBe(1);
    expect(ib.state).toBe('resyncing');
  });

  it('treats a first delta past lastUpdateId+1 as a snapshot that does not connect', () => {
    const ib = new InstrumentBook(I, spot);
    ib.onDelta(delta(20, 25, NaN));
    expect(ib.onSnapshot(snapshot(10))).toBe('gap');
    expect(ib.health.counters.gaps).toBe(0);
    expect(ib.snapshotWanted).toBe(true);
  });
});

describe('InstrumentBook with a checksum rule', () => {
  /** A fake rule: the checksum is the number of levels on both sides. */
  const countLevels: ChecksumRule = { name: 'count', compute: (b: L2Book) => b.bids.length + b.asks.length };
  const opts: BookSyncOptions = {
    rule: binanceFuturesRule,
    checksum: countLevels,
    snapshotSource: 'rest',
    coverage: 'snapshot',
  };

  it('counts matching checksums and resyncs on a mismatch', () => {
    const ib = new InstrumentBook(I, opts);
    expect(ib.onSnapshot(snapshot(10, { checksum: 4 }))).toBe('snapshot');
    expect(ib.onDelta(delta(9, 11, 8, [['98', '1']], [], { checksum: 5 }))).toBe('applied');
    const c = ib.health.counters;
    expect(c.checksumChecked).toBe(2);
    expect(c.checksumMatched).toBe(2);
    expect(ib.onDelta(delta(12, 12, 11, [['97', '1']], [], { checksum: 5 }))).toBe('checksum_mismatch');
    expect(c.checksumFailures).toBe(1);
    expect(c.resyncs).toBe(1);
    expect(ib.state).toBe('resyncing');
    expect(ib.health.reasonCode).toBe('checksum_mismatch');
    expect(ib.health.reason).toBe('checksum_mismatch: venue 5, book 6');
    expect(ib.onSnapshot(snapshot(20, { checksum: 3 }))).toBe('checksum_mismatch');
    expect(c.checksumFailures).toBe(2);
  });
});

describe('InstrumentBook splice stops at an integrity failure', () => {
  it('returns the oracle mismatch found while splicing buffered deltas instead of reporting a good snapshot', () => {
    const ib = new InstrumentBook('binance-usdm:BTCUSDT', {
      rule: binanceFuturesRule,
      snapshotSource: 'rest',
      coverage: 'snapshot',
    });
    const delta = (U: number, u: number, pu: number, bid: string) => ({
      type: 'book_delta' as const,
      instrument: 'binance-usdm:BTCUSDT',
      exchangeTs: 0,
      localTs: 0,
      firstSequence: U,
      sequence: u,
      prevSequence: pu,
      bids: [[bid, '1']] as [string, string][],
      asks: [] as [string, string][],
    });
    expect(ib.onDelta(delta(95, 105, 90, '100'))).toBe('buffered');
    expect(ib.onDelta(delta(106, 110, 105, '101'))).toBe('buffered');
    // The venue says the best bid at 105 is 99 (not 100): arrives before its diff is applied, so it is held.
    expect(
      ib.onBbo({
        type: 'bbo',
        instrument: 'binance-usdm:BTCUSDT',
        exchangeTs: 0,
        localTs: 0,
        sequence: 105,
        bidPrice: '99',
        bidSize: '1',
        askPrice: '200',
        askSize: '1',
      }),
    ).toBeNull();
    const out = ib.onSnapshot({
      type: 'book_snapshot',
      instrument: 'binance-usdm:BTCUSDT',
      exchangeTs: 0,
      localTs: 0,
      sequence: 100,
      bids: [['98', '1']],
      asks: [['200', '1']],
      depthLimit: 0,
    });
    expect(out).toBe('oracle_mismatch');
    expect(ib.state).toBe('resyncing');
    expect(ib.health.counters.oracleChecked).toBe(1);
    expect(ib.health.counters.oracleMatched).toBe(0);
    // The delta after the mismatch was not applied to the untrusted book.
    expect(ib.health.counters.deltasApplied).toBe(1);
  });
});
