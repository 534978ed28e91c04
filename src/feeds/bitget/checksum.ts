/**
 * Bitget order-book integrity: CRC32 checksum of the top 25 levels and the `seq` rule.
 *
 * Follows: Bitget API v2 docs, "Spot > WebSocket > Public > Depth Channel" and "Futures > WebSocket >
 * Public > Order Book Channel", section "Checksum" (the same in the v1 docs the 2022 recordings follow):
 * build `bid1px:bid1sz:ask1px:ask1sz:...` over the first 25 bids and asks of the local book, a side with
 * fewer levels simply ends (the other side's levels follow alone), prices and sizes exactly as sent
 * (`"0.5000"` stays `"0.5000"`), CRC32 compared as a signed 32-bit integer. That is OKX's checksum
 * string to the character, so the string builder is shared with feeds/okx/checksum.ts.
 *
 * Sequence ("Push Parameters" > `seq`, "Explanation of seq"): v2 pushes carry `seq`, which "increases
 * when the order book is updated and can be used to determine whether there is out-of-order packets";
 * it is not documented as contiguous, so the rule asks it to increase: an update whose `seq` is below
 * the previous one arrived out of order (`gap`, resync), an equal one is a repeat (`stale`). The v1
 * protocol (2022 recordings, `instType` `sp`/`mc`) has no `seq` at all: its pushes are chained by the
 * checksum every one of them carries, so a v1 update is accepted only when it carries a checksum (the
 * book then verifies it right after applying); one without either `seq` or checksum is a `gap`.
 */
import type { ChecksumRule, SyncRule, SyncVerdict } from '../../book/sync-rule.ts';
import type { BookDelta } from '../../core/model.ts';
import type { L2Book } from '../../book/l2-book.ts';
import { okxChecksumString, signedCrc32 } from '../okx/checksum.ts';

/** Levels per side covered by the Bitget checksum. */
export const BITGET_CHECKSUM_DEPTH = 25;

/** The string Bitget hashes, from wire strings `[price, size]` best first (see module doc). */
export function bitgetChecksumString(
  bids: readonly (readonly [string, string])[],
  asks: readonly (readonly [string, string])[],
): string {
  return okxChecksumString(bids.slice(0, BITGET_CHECKSUM_DEPTH), asks.slice(0, BITGET_CHECKSUM_DEPTH));
}

/** Bitget checksum over the book's top 25 levels per side, using the wire strings kept by the book. */
export const bitgetChecksum: ChecksumRule = {
  name: 'bitget-crc32-top25',
  compute(book: L2Book): number {
    const top = book.topStrings(BITGET_CHECKSUM_DEPTH);
    return signedCrc32(bitgetChecksumString(top.bids, top.asks));
  },
};

function verdict(prev: number, d: BookDelta): SyncVerdict {
  if (!Number.isNaN(d.sequence) && !Number.isNaN(prev)) {
    if (d.sequence > prev) return 'apply';
    return d.sequence === prev ? 'stale' : 'gap';
  }
  // v1 protocol: no seq on the wire; the checksum each push carries is the chain.
  if (Number.isNaN(d.sequence) && Number.isNaN(prev) && d.checksum !== undefined) return 'apply';
  return 'gap';
}

/** Bitget continuity (see module doc): v2 `seq` increasing; v1 pushes chained by their checksum. */
export const bitgetSequenceRule: SyncRule = {
  name: 'bitget-seq',
  // A push at or below the snapshot's seq is from before it (already in the snapshot).
  first: (s, d) => (!Number.isNaN(s) && d.sequence <= s ? 'stale' : verdict(s, d)),
  next: (prev, d) => verdict(prev.sequence, d),
};
