/**
 * Bitfinex book checksum.
 *
 * Follows: Bitfinex API docs, "WebSocket Checksum" (enable with `conf` flag 131072; the server sends
 * `[CHAN_ID, "cs", CHECKSUM]` as a signed 32-bit integer; for P-precision books take the 25 best bids and
 * the 25 best asks, interleave `bid price, bid amount, ask price, ask amount` level by level (a side with
 * fewer levels simply stops contributing), with ask amounts negative as on the wire, join with `:` and
 * CRC32 the string). The numbers are written the way Bitfinex's own reference code (JavaScript) prints
 * them: `String(Number(wire))`, so `0.00000001` hashes as `1e-8`.
 */
import { crc32 } from 'node:zlib';
import type { ChecksumRule } from '../../book/sync-rule.ts';
import type { L2Book } from '../../book/l2-book.ts';

/** Levels per side covered by the checksum. */
export const BITFINEX_CHECKSUM_DEPTH = 25;

const js = (wire: string): string => String(Number(wire));

/** The string Bitfinex hashes, from wire `[price, size]` levels best first (sizes positive). */
export function bitfinexChecksumString(
  bids: readonly (readonly [string, string])[],
  asks: readonly (readonly [string, string])[],
): string {
  const parts: string[] = [];
  for (let i = 0; i < BITFINEX_CHECKSUM_DEPTH; i++) {
    const b = bids[i];
    const a = asks[i];
    if (b) parts.push(js(b[0]), js(b[1]));
    if (a) parts.push(js(a[0]), String(-Number(a[1])));
  }
  return parts.join(':');
}

/** Bitfinex checksum over the book's 25 best levels per side (signed CRC32). */
export const bitfinexChecksum: ChecksumRule = {
  name: 'bitfinex-crc32-top25',
  compute(book: L2Book): number {
    const top = book.topStrings(BITFINEX_CHECKSUM_DEPTH);
    return crc32(bitfinexChecksumString(top.bids, top.asks)) | 0;
  },
};
