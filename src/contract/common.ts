/**
 * Building blocks of the API contract (zod 4): the JSON representations shared by every REST route and
 * WebSocket channel. Conventions (README "API"):
 * - Times are ms since epoch UTC, named `localTs` (our receive time) and `exchangeTs` (the venue's, null
 *   when the venue sends none); a bucket/candle start is `start`.
 * - Prices (quote currency) and sizes (base units or contracts) are JSON numbers; where the exact wire
 *   decimal matters it is also given as a string (`priceText`, `sizeText`, `bidsText`, `asksText`).
 * - A number that is unknown is `null` (the server's NaN becomes null in JSON).
 * - Every list is `{items, nextCursor}`; pass `nextCursor` back as `cursor` for the next page (null on
 *   the last page).
 * - Errors are `{statusCode, error, message}`.
 * Browser-safe: imports zod only.
 */
import { z } from 'zod';

/** A number that may be unknown (NaN/±Infinity on the server, null in JSON). */
export const nullableNumber = z.number().nullable();

/** A time in ms since epoch UTC. */
export const msTime = z.number().describe('ms since epoch UTC');

/** A time in ms since epoch UTC, null when unknown (e.g. a venue without exchange timestamps). */
export const msTimeOrNull = z.number().nullable().describe('ms since epoch UTC, null when unknown');

/** An instrument id `<venue>:<symbol>`, e.g. `binance:BTCUSDT`. */
export const InstrumentId = z.string().describe('instrument id `<venue>:<symbol>`');

/** An exact decimal as sent by the venue, e.g. `"60000.50"`. */
export const DecimalText = z
  .string()
  .regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'a decimal number')
  .describe('exact decimal string');

/** A book level `[price, size]` (numbers). */
export const Level = z.tuple([z.number(), z.number()]).describe('[price (quote), size (base)]');

/** A book level `[price, size]` as the exact wire decimal strings. */
export const LevelText = z.tuple([DecimalText, DecimalText]).describe('[price, size] exact wire decimals');

/** Lifecycle of one instrument's book. */
export const BookState = z.enum(['connecting', 'syncing', 'live', 'resyncing', 'stale', 'invalid']);
export type BookState = z.infer<typeof BookState>;

/** Every book state, in display order. */
export const BOOK_STATES: readonly BookState[] = [
  'live',
  'syncing',
  'connecting',
  'resyncing',
  'stale',
  'invalid',
];

/** Taker side of a trade: `buy` lifted the ask, `sell` hit the bid. */
export const TradeSide = z.enum(['buy', 'sell', 'unknown']);
export type TradeSide = z.infer<typeof TradeSide>;

/** Alert severity. */
export const Severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof Severity>;

/** Error body of every 4xx/5xx answer. */
export const ErrorBody = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The list envelope: one page of `item`, and the cursor of the next page (null on the last). */
export function page<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last page'),
  });
}

/** A list envelope of `T` (TypeScript). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
