/**
 * Builders of normalized events shared by venue parsers (src/feeds/<venue>/parser*.ts) and their frame
 * scanners (scanner.ts), so that a scanner returns exactly the event its parser's JSON.parse path builds:
 * same fields in the same order (the fuzz tests compare them as JSON).
 */
import type { BookDelta, BookSnapshot, InstrumentId, WireLevel } from '../core/model.ts';

/**
 * A book snapshot: `checksum` (last) only when the venue sent one.
 * @param exchangeTs ms since epoch UTC (NaN when unknown); @param localTs ms since epoch UTC
 * @param sequence the venue's sequence of the image (NaN when it has none)
 * @param depthLimit levels per side the image is limited to (0 = full/unknown)
 */
export function bookSnapshot(
  instrument: InstrumentId,
  exchangeTs: number,
  localTs: number,
  sequence: number,
  bids: readonly WireLevel[],
  asks: readonly WireLevel[],
  depthLimit: number,
  checksum?: number,
): BookSnapshot {
  const s: { -readonly [K in keyof BookSnapshot]: BookSnapshot[K] } = {
    type: 'book_snapshot',
    instrument,
    exchangeTs,
    localTs,
    sequence,
    bids,
    asks,
    depthLimit,
  };
  if (checksum !== undefined) s.checksum = checksum;
  return s;
}

/**
 * A book delta; after the levels, `checksum` only when the venue sent one, then `unsequenced` or
 * `isSnapshot` (Bybit v5's `u = 1`: the service restarted and the delta replaces the book) when true.
 * @param exchangeTs ms since epoch UTC (NaN when unknown); @param localTs ms since epoch UTC
 * @param firstSequence/sequence/prevSequence the venue's sequence numbers (NaN when it has none)
 */
export function bookDelta(
  instrument: InstrumentId,
  exchangeTs: number,
  localTs: number,
  firstSequence: number,
  sequence: number,
  prevSequence: number,
  bids: readonly WireLevel[],
  asks: readonly WireLevel[],
  checksum?: number,
  unsequenced = false,
  isSnapshot = false,
): BookDelta {
  const d: { -readonly [K in keyof BookDelta]: BookDelta[K] } = {
    type: 'book_delta',
    instrument,
    exchangeTs,
    localTs,
    firstSequence,
    sequence,
    prevSequence,
    bids,
    asks,
  };
  if (checksum !== undefined) d.checksum = checksum;
  if (unsequenced) d.unsequenced = true;
  if (isSnapshot) d.isSnapshot = true;
  return d;
}

/**
 * A book delta of a venue channel without per-book sequence numbers (Kraken, Bybit v1): firstSequence,
 * sequence and prevSequence NaN, plus `checksum` when the venue sent one (unsigned or signed as the
 * venue's ChecksumRule computes it) and `unsequenced` when the parser generation declares the channel
 * unsequenced for a venue whose rule is otherwise strict (`declaredUnsequenced`, book/sync-rule.ts).
 * @param exchangeTs ms since epoch UTC (NaN when unknown); @param localTs ms since epoch UTC
 */
export function unsequencedDelta(
  instrument: InstrumentId,
  exchangeTs: number,
  localTs: number,
  bids: readonly WireLevel[],
  asks: readonly WireLevel[],
  extra: { checksum?: number | undefined; unsequenced?: true } = {},
): BookDelta {
  return bookDelta(
    instrument,
    exchangeTs,
    localTs,
    NaN,
    NaN,
    NaN,
    bids,
    asks,
    extra.checksum,
    extra.unsequenced === true,
  );
}
