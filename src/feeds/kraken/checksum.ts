/**
 * Kraken spot book checksum (WebSocket v1 and v2 `book` channels).
 *
 * Follows: Kraken API docs, guides "Spot Websockets (v1) Book Checksum" and "Spot Websockets (v2) Book
 * Checksum" (docs.kraken.com, Guides > Websockets > Book checksum v1 / v2): after applying every level in
 * the message and truncating the book to the subscribed depth, take the top 10 asks (price low to high)
 * then the top 10 bids (high to low); for each level append price then quantity, each with the decimal
 * point removed and leading zeros stripped; CRC32 of the concatenation, compared as an unsigned 32-bit
 * integer. v1 prices/volumes are fixed-precision strings; v2 sends JSON numbers that must be formatted
 * with the instrument's `price_precision`/`qty_precision` (the parser does that, see parser.ts), so one
 * rule over the book's wire strings serves both.
 */
import { crc32 } from 'node:zlib';
import type { ChecksumRule } from '../../book/sync-rule.ts';
import type { L2Book } from '../../book/l2-book.ts';

/** Levels per side covered by the Kraken checksum. */
export const KRAKEN_CHECKSUM_DEPTH = 10;

/** `"0.05000"` → `"5000"`: decimal point removed, leading zeros stripped. */
export function krakenChecksumToken(s: string): string {
  let out = '';
  let leading = true;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '.') continue;
    if (leading && c === '0') continue;
    leading = false;
    out += c;
  }
  return out;
}

/** The string Kraken hashes, from wire `[price, size]` levels best first. */
export function krakenChecksumString(
  bids: readonly (readonly [string, string])[],
  asks: readonly (readonly [string, string])[],
): string {
  let s = '';
  for (let i = 0; i < Math.min(asks.length, KRAKEN_CHECKSUM_DEPTH); i++)
    s += krakenChecksumToken(asks[i]![0]) + krakenChecksumToken(asks[i]![1]);
  for (let i = 0; i < Math.min(bids.length, KRAKEN_CHECKSUM_DEPTH); i++)
    s += krakenChecksumToken(bids[i]![0]) + krakenChecksumToken(bids[i]![1]);
  return s;
}

/** Kraken checksum of the book (unsigned 32-bit, as Kraken sends it). */
export const krakenChecksum: ChecksumRule = {
  name: 'kraken-crc32-top10',
  compute(book: L2Book): number {
    const top = book.topStrings(KRAKEN_CHECKSUM_DEPTH);
    return crc32(krakenChecksumString(top.bids, top.asks)) >>> 0;
  },
};
