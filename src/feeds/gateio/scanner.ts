/**
 * The Gate.io frame scanner: GateioParser's fast path for order-book frames. It reads an order-book
 * update in place, without JSON.parse, and returns exactly the event the JSON.parse path
 * (`GateioParser.parseJson`) returns for the same frame: same fields in the same order, levels as
 * `[price, size]` wire strings (a futures size sent as a JSON integer becomes its digits, as
 * `exactAmount` gives them).
 *
 * Follows: Gate.io "Spot WebSocket v4", "Changed order book levels" (`spot.order_book_update`: result
 * `{"t","e","E","s","U","u","b":[["p","s"],..],"a":[..]}`) and "Order Book V2" (`spot.obu`: result
 * `{"t","full"?,"s":"ob.<pair>.<level>","U","u","b","a"}`), and "Futures WebSocket v4" (the same
 * `futures.` channels, levels `{"p":"<price>","s":<size>}` in contracts). Envelope `{"time","time_ms"?,
 * "channel","event":"update","error":null?,"result":{..}}`.
 *
 * Accepted: exactly that envelope in that key order; result keys in any order, once each, no others;
 * integer `t`/`U`/`u`/`time`/`time_ms` of at most 15 digits; levels all pairs of two plain strings or all
 * `{"p":"..","s":..}` objects with a string or unsigned-integer size. Anything else (whitespace, escapes,
 * other channels or events, a non-null `error`, numbers with a sign, fraction or exponent, trailing text)
 * gives null and the frame takes the JSON.parse path, which accepts it or throws its usual typed error
 * (test/fuzz-scanner-gateio.test.ts checks both paths agree on the recordings and their mutations).
 * Prices and sizes are parsed while scanned and tag the level scratch (frame-scan.ts; futures asks, sent
 * first, are moved after the bids), so `L2Book.applyDelta` and `applySnapshot` do not validate them
 * again.
 */
import type { BookDelta, BookSnapshot, WireLevel } from '../../core/model.ts';
import { scanDecimalString, scannedDecimal } from '../../core/decimal.ts';
import {
  CH,
  InstrumentIds,
  beginLevels,
  levelsEnd,
  putLevel,
  scanBool,
  scanKey,
  scanLevels,
  scanString,
  scanUint,
  scanned,
  scannedBool,
  tagLevels,
  tagLevelsAsksFirst,
} from '../frame-scan.ts';
import { GATEIO_MARKETS } from './channels.ts';
import { bookDelta, bookSnapshot } from '../events.ts';

/** Text of the envelope around the channel name and the result object. */
const HEAD = '{"time":';
const TIME_MS = ',"time_ms":';
const CHANNEL = ',"channel":"';
const EVENT_UPDATE = ',"event":"update"';
const ERROR_NULL = ',"error":null';
const RESULT = ',"result":{';
/** Prefix of an `obu` stream name (`ob.<pair>.<level>`). */
const OBU_STREAM = 'ob.';

/**
 * The book channels scanned: first letter of the channel name (char code), the rest of the name through
 * the opening of the result object (with and without `"error":null`), the instrument prefix `<venue>:`
 * and whether it is Order Book V2 (`obu`).
 */
interface BookChannel {
  readonly first: number;
  readonly rest: string;
  readonly restWithError: string;
  readonly prefix: string;
  readonly obu: boolean;
}
const BOOK_CHANNELS: BookChannel[] = [];
for (const [market, venue] of Object.entries(GATEIO_MARKETS))
  for (const name of ['order_book_update', 'obu']) {
    const rest = `${market.slice(1)}.${name}"${EVENT_UPDATE}`;
    BOOK_CHANNELS.push({
      first: market.charCodeAt(0),
      rest: rest + RESULT,
      restWithError: rest + ERROR_NULL + RESULT,
      prefix: `${venue}:`,
      obu: name === 'obu',
    });
  }
/** Set by bookChannelAt: the index after the envelope (the result object's first key). */
let channelEnd = 0;

/** The channel whose name (and envelope up to the result object) is at `i`, its end in `channelEnd`. */
function bookChannelAt(t: string, i: number): BookChannel | null {
  const first = t.charCodeAt(i);
  for (let k = 0; k < BOOK_CHANNELS.length; k++) {
    const c = BOOK_CHANNELS[k]!;
    if (c.first !== first) continue;
    if (t.startsWith(c.rest, i + 1)) {
      channelEnd = i + 1 + c.rest.length;
      return c;
    }
    if (t.startsWith(c.restWithError, i + 1)) {
      channelEnd = i + 1 + c.restWithError.length;
      return c;
    }
  }
  return null;
}

/** Bits of the result object's keys seen. */
const SEEN = { t: 1, e: 2, E: 4, s: 8, U: 16, u: 32, b: 64, a: 128, full: 256 } as const;
/** Keys a delta must carry (the JSON.parse path throws without them); a full `obu` book needs no `U`. */
const DELTA_REQUIRED = SEEN.s | SEEN.U | SEEN.u | SEEN.b | SEEN.a;
const FULL_REQUIRED = SEEN.s | SEEN.u | SEEN.b | SEEN.a;

/** Line terminators a regular expression's `.` does not match (the parser's `ob\.(.+)\.(\d+)`). */
const LINE_SEPARATOR = 0x2028;
const PARAGRAPH_SEPARATOR = 0x2029;
const CODE_9 = 57;
/** Keys of a futures level object. */
const KEY_P = 112; // p
const KEY_S = 115; // s

const instruments = new InstrumentIds();

/** Set by gateLevels: the index after the list, and the next free offset in the level scratch. */
let listEnd = 0;
let listOffset = 0;

/**
 * A level list at `i`: pairs `[["p","s"],..]` (spot) or objects `[{"p":"..","s":..},..]` (futures; a size
 * string or an unsigned integer of at most 15 digits), all of one kind. Returns the `[price, size]`
 * arrays (end index in `listEnd`), the levels parsed into the scratch from `offset` on (next free offset
 * in `listOffset`), or null for anything else.
 */
function gateLevels(t: string, i: number, offset: number): WireLevel[] | null {
  if (t.charCodeAt(i + 1) !== CH.openBrace) {
    const pairs = scanLevels(t, i, offset, 2);
    listEnd = scanned;
    listOffset = levelsEnd;
    return pairs;
  }
  if (t.charCodeAt(i) !== CH.openBracket) return null;
  const out: WireLevel[] = [];
  let o = offset;
  i++;
  for (;;) {
    if (
      t.charCodeAt(i) !== CH.openBrace ||
      t.charCodeAt(i + 1) !== CH.quote ||
      t.charCodeAt(i + 2) !== KEY_P ||
      t.charCodeAt(i + 3) !== CH.quote ||
      t.charCodeAt(i + 4) !== CH.colon ||
      t.charCodeAt(i + 5) !== CH.quote
    )
      return null;
    const pStart = i + 6;
    const pEnd = scanDecimalString(t, pStart);
    const price = scannedDecimal;
    if (
      pEnd < 0 ||
      t.charCodeAt(pEnd) !== CH.comma ||
      t.charCodeAt(pEnd + 1) !== CH.quote ||
      t.charCodeAt(pEnd + 2) !== KEY_S ||
      t.charCodeAt(pEnd + 3) !== CH.quote ||
      t.charCodeAt(pEnd + 4) !== CH.colon
    )
      return null;
    const sStart = pEnd + 5;
    let size: string;
    let sizeValue: number;
    if (t.charCodeAt(sStart) === CH.quote) {
      i = scanDecimalString(t, sStart + 1);
      if (i < 0) return null;
      sizeValue = scannedDecimal;
      size = t.slice(sStart + 1, i - 1);
    } else {
      i = scanUint(t, sStart);
      if (i < 0) return null;
      sizeValue = scanned; // a safe integer: exactly parseDecimal(String(value), true)
      size = t.slice(sStart, i);
    }
    if (t.charCodeAt(i) !== CH.closeBrace) return null;
    o = putLevel(o, price, sizeValue);
    out.push([t.slice(pStart, pEnd - 1), size]);
    i++;
    const c = t.charCodeAt(i);
    if (c === CH.comma) {
      i++;
      continue;
    }
    if (c !== CH.closeBracket) return null;
    break;
  }
  listEnd = i + 1;
  listOffset = o;
  return out;
}

/**
 * Scan one Gate.io frame.
 * @returns the book_delta of an `order_book_update` or `obu` update, or the book_snapshot of a full
 *   `obu` book, in the plain shape (see the module doc), exactly as the JSON.parse path builds it; null
 *   for anything else (take that path)
 */
export function scanGateioFrame(t: string, localTs: number): BookDelta | BookSnapshot | null {
  if (!t.startsWith(HEAD)) return null;
  let i = scanUint(t, HEAD.length);
  if (i < 0) return null;
  if (t.startsWith(TIME_MS, i)) {
    i = scanUint(t, i + TIME_MS.length);
    if (i < 0) return null;
  }
  if (!t.startsWith(CHANNEL, i)) return null;
  const book = bookChannelAt(t, i + CHANNEL.length);
  if (book === null) return null;
  i = channelEnd;
  let seen = 0;
  let ts = NaN;
  let U = 0;
  let u = 0;
  let full = false;
  let sStart = 0;
  let sEnd = 0;
  let bids: WireLevel[] | null = null;
  let asks: WireLevel[] | null = null;
  // Both sides are parsed into the scratch, in the order sent: the first from 0, the second after it.
  let firstEnd = 0;
  let end = 0;
  let asksFirst = false;
  beginLevels();
  for (;;) {
    // A one-letter key `"k":` (all but `full`).
    const short = t.charCodeAt(i + 2) === CH.quote && t.charCodeAt(i + 3) === CH.colon;
    const v = short && t.charCodeAt(i) === CH.quote ? i + 4 : scanKey(t, i);
    if (v < 0) return null;
    const keyLength = v - i - 3;
    const k = t.charCodeAt(i + 1);
    let bit: number;
    if (keyLength === 1 && (k === 98 /* b */ || k === 97) /* a */) {
      const first = bids === null && asks === null;
      const levels = gateLevels(t, v, end);
      if (levels === null) return null;
      if (first) {
        firstEnd = listOffset;
        asksFirst = k === 97;
      }
      if (k === 98) bids = levels;
      else asks = levels;
      end = listOffset;
      i = listEnd;
      bit = k === 98 ? SEEN.b : SEEN.a;
    } else if (keyLength === 1 && (k === 85 /* U */ || k === 117 /* u */ || k === 116) /* t */) {
      i = scanUint(t, v);
      if (i < 0) return null;
      if (k === 85) U = scanned;
      else if (k === 117) u = scanned;
      else ts = scanned;
      bit = k === 85 ? SEEN.U : k === 117 ? SEEN.u : SEEN.t;
    } else if (keyLength === 1 && k === 115 /* s */) {
      if (t.charCodeAt(v) !== CH.quote) return null;
      i = scanString(t, v + 1);
      if (i < 0 || i === v + 2) return null;
      sStart = v + 1;
      sEnd = i - 1;
      bit = SEEN.s;
    } else if (keyLength === 1 && (k === 101 /* e */ || k === 69) /* E */) {
      // Ignored by the parser (spot's `e` "depthUpdate", `E` seconds): a plain string or integer.
      i = t.charCodeAt(v) === CH.quote ? scanString(t, v + 1) : scanUint(t, v);
      if (i < 0) return null;
      bit = k === 101 ? SEEN.e : SEEN.E;
    } else if (keyLength === 4 && book.obu && t.startsWith('full', i + 1)) {
      i = scanBool(t, v);
      if (i < 0) return null;
      full = scannedBool;
      bit = SEEN.full;
    } else return null;
    if ((seen & bit) !== 0) return null;
    seen |= bit;
    const c = t.charCodeAt(i);
    if (c === CH.comma) {
      i++;
      continue;
    }
    if (c !== CH.closeBrace || t.charCodeAt(i + 1) !== CH.closeBrace || i + 2 !== t.length) return null;
    break;
  }
  if (bids === null || asks === null) return null;
  if ((seen & (full ? FULL_REQUIRED : DELTA_REQUIRED)) !== (full ? FULL_REQUIRED : DELTA_REQUIRED))
    return null;

  let instrument: string;
  let depth = 0;
  if (book.obu) {
    // `ob.<pair>.<level>`, as the parser's /^ob\.(.+)\.(\d+)$/ splits it.
    if (!t.startsWith(OBU_STREAM, sStart)) return null;
    let dot = sEnd - 1;
    while (dot > sStart && t.charCodeAt(dot) >= CH.zero && t.charCodeAt(dot) <= CODE_9) dot--;
    const pairStart = sStart + OBU_STREAM.length;
    if (t.charCodeAt(dot) !== CH.dot || dot === sEnd - 1 || dot <= pairStart) return null;
    for (let j = pairStart; j < dot; j++) {
      const c = t.charCodeAt(j);
      if (c === LINE_SEPARATOR || c === PARAGRAPH_SEPARATOR) return null;
    }
    instrument = instruments.at(t, pairStart, dot, book.prefix);
    depth = Number(t.slice(dot + 1, sEnd));
  } else instrument = instruments.at(t, sStart, sEnd, book.prefix);

  // The scratch holds bids in [0, mid), asks after (level-scratch.ts): asks sent first are moved.
  if (asksFirst) tagLevelsAsksFirst(bids, asks, firstEnd, end);
  else tagLevels(bids, asks, firstEnd, end);
  if (full) return bookSnapshot(instrument, ts, localTs, u, bids, asks, depth);
  return bookDelta(instrument, ts, localTs, U, u, NaN, bids, asks);
}
