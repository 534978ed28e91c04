/**
 * Bitget's market and book-channel names, shared by the parser (parser.ts), its frame scanner
 * (scanner.ts) and the simulator.
 *
 * Follows: Bitget API v2 docs, "Spot > WebSocket > Public > Depth Channel" and "Futures > WebSocket >
 * Public > Order Book Channel" (`instType` SPOT / USDT-FUTURES; channels `books`, `books1`, `books5`,
 * `books15`), and the v1 docs ("spot/v1/stream" `sp`, "mix/v1/stream" `mc`) of the 2022 recordings.
 */
import { wireTable } from '../fields.ts';

/** Venue id of each Bitget `instType` spelling (v2 upper case, v1 lower/upper short codes). */
export const BITGET_MARKETS: Readonly<Record<string, string>> = wireTable({
  SPOT: 'bitget',
  SP: 'bitget',
  sp: 'bitget',
  'USDT-FUTURES': 'bitget-futures',
  MC: 'bitget-futures',
  mc: 'bitget-futures',
});

/** Depth of each whole-image book channel (`books` is incremental and unbounded: 0). */
export const BITGET_BOOK_DEPTH: Readonly<Record<string, number>> = wireTable({
  books: 0,
  books1: 1,
  books5: 5,
  books15: 15,
});
