/**
 * Builders of normalized events shared by venue parsers (src/feeds/<venue>/parser*.ts), for the shapes
 * several venues emit alike.
 */
import type { BookDelta, InstrumentId, WireLevel } from '../core/model.ts';

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
  const d: { -readonly [K in keyof BookDelta]: BookDelta[K] } = {
    type: 'book_delta',
    instrument,
    exchangeTs,
    localTs,
    firstSequence: NaN,
    sequence: NaN,
    prevSequence: NaN,
    bids,
    asks,
  };
  if (extra.checksum !== undefined) d.checksum = extra.checksum;
  if (extra.unsequenced) d.unsequenced = true;
  return d;
}
