/**
 * OKX v5 order-book integrity: CRC32 checksum and sequence rule.
 *
 * Follows: OKX API v5 docs, "WebSocket > Order book channel", sections "Checksum" (CRC32 of the top 25
 * levels, `bid1px:bid1sz:ask1px:ask1sz:...`, the longer side's remaining levels appended alone when the
 * other side is shorter; compared as a signed 32-bit integer) and "Sequence ID" (`seqId`/`prevSeqId`: an
 * update continues the book when its `prevSeqId` equals the previous message's `seqId`; a message with no
 * change repeats `seqId` with `prevSeqId == seqId`; after maintenance `seqId` may restart lower).
 */
import { crc32 } from 'node:zlib';
import type { ChecksumRule, SyncRule } from '../../book/sync-rule.ts';
import { declaredUnsequenced, prevSequenceRule } from '../../book/sync-rule.ts';
import type { L2Book } from '../../book/l2-book.ts';

/** Levels per side covered by the OKX checksum. */
export const OKX_CHECKSUM_DEPTH = 25;

/**
 * The string OKX hashes, from wire strings `[price, size]` best first (per "Checksum": interleave bid and
 * ask levels, then the remaining levels of the longer side).
 */
export function okxChecksumString(
  bids: readonly (readonly [string, string])[],
  asks: readonly (readonly [string, string])[],
): string {
  const parts: string[] = [];
  const nb = Math.min(bids.length, OKX_CHECKSUM_DEPTH);
  const na = Math.min(asks.length, OKX_CHECKSUM_DEPTH);
  for (let i = 0; i < Math.max(nb, na); i++) {
    if (i < nb) parts.push(bids[i]![0], bids[i]![1]);
    if (i < na) parts.push(asks[i]![0], asks[i]![1]);
  }
  return parts.join(':');
}

/** CRC32 of `s` as a signed 32-bit integer (OKX sends the checksum signed). */
export function signedCrc32(s: string): number {
  return crc32(s) | 0;
}

/** OKX checksum over the book's top 25 levels per side, using the wire strings kept by the book. */
export const okxChecksum: ChecksumRule = {
  name: 'okx-crc32-top25',
  compute(book: L2Book): number {
    const top = book.topStrings(OKX_CHECKSUM_DEPTH);
    return signedCrc32(okxChecksumString(top.bids, top.asks));
  },
};

/**
 * OKX continuity: `prevSeqId == previous seqId` (prevSequenceRule). Pushes of the 2022 generation
 * (parser-2022.ts: `books` before OKX added `seqId`) are declared unsequenced by that parser and applied,
 * their integrity resting on the checksum every push carries; any other push without a sequence is a gap.
 */
export const okxSequenceRule: SyncRule = declaredUnsequenced('okx-seq', prevSequenceRule);
