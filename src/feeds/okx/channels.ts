/** The OKX order-book channels the parser and its frame scanner (scanner.ts) read. */
import { wireTable } from '../fields.ts';

/** Depth per side of each OKX book channel's snapshot (OKX API v5 "Order book channel", channel table). */
export const OKX_BOOK_DEPTH: Readonly<Record<string, number>> = wireTable({
  books: 400,
  'books-l2-tbt': 400,
  'books50-l2-tbt': 50,
  books5: 5,
  'bbo-tbt': 1,
});

/**
 * Channels whose every push is a whole depth-limited image (emitted as a snapshot whatever its
 * `action`): `books5` and `bbo-tbt` (OKX API v5 "Order book channel").
 */
export function okxWholeImageChannel(channel: string): boolean {
  return channel === 'books5' || channel === 'bbo-tbt';
}
