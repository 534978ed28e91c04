/**
 * The Binance frame scanner: BinanceParser's fast path. It reads combined-stream `depthUpdate`, `trade`
 * and `bookTicker` frames in place, without JSON.parse and without building the envelope/data objects,
 * and returns exactly the event the JSON.parse path (`parseBinanceJson` in parser.ts) returns for the
 * same frame: same fields in the same order, same level arrays of wire strings.
 *
 * It only accepts the plain shape Binance sends (Binance Spot API "WebSocket Streams" and Derivatives
 * "Websocket Market Streams": combined-stream envelope `{"stream":"..","data":{..}}`, one-letter keys
 * plus `ps`/`pu`, string prices/sizes, integer ids and times). Anything else (whitespace, escapes,
 * control characters, unknown or repeated keys, 16+ digit or non-integer numbers, levels that are not
 * two strings, `U > u`, trailing text) gives null, and the frame then takes the JSON.parse path, which
 * accepts it or throws its usual typed error: behaviour never differs (test/fuzz-scanner.test.ts checks
 * this on real and 60,000+ mutated frames).
 */
import type { Bbo, BookDelta, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import { tradeKind } from './trade-kind.ts';
import {
  InstrumentIds,
  beginLevels,
  levelsEnd,
  scanBool,
  scanLevels,
  scanString,
  scanUint,
  scanned,
  scannedBool,
  spoilLevels,
  tagLevels,
} from '../frame-scan.ts';
import { bookDelta } from '../events.ts';

// Character codes the scanner compares with.
const QUOTE = 34; // "
const BACKSLASH = 92; // \
const COMMA = 44; // ,
const COLON = 58; // :
const LOWER_E = 101; // e (also the `e` key: event type)
const UPPER_E = 69; // E (also the `E` key: event time)
const CLOSE_BRACE = 125; // }
const LOWER_T = 116; // t (trade id key; also `true`)
const LOWER_F = 102; // f (`false`)
const UPPER_A = 65; // first letter accepted as a key
const ASCII_END = 128;

/** Instrument ids of the frames read (one symbol per connection mostly). */
const instruments = new InstrumentIds();

// One-letter keys of the data object (char codes).
const KEY_EVENT = LOWER_E; // e
const KEY_EVENT_TIME = UPPER_E; // E
const KEY_TRADE_TIME = 84; // T
const KEY_SYMBOL = 115; // s
const KEY_FIRST_ID = 85; // U
const KEY_LAST_ID = 117; // u (depth last update id; bookTicker update id)
const KEY_BIDS = 98; // b (depth bids; bookTicker best bid price)
const KEY_ASKS = 97; // a (depth asks; bookTicker best ask price)
const KEY_BID_QTY = 66; // B
const KEY_ASK_QTY = UPPER_A; // A
const KEY_TRADE_ID = LOWER_T; // t
const KEY_PRICE = 112; // p (also the first letter of `pu`, `ps`)
const KEY_QTY = 113; // q
const KEY_MAKER = 109; // m
const KEY_TRADE_TYPE = 88; // X (futures trade type: MARKET, INSURANCE_FUND, ADL, NA)
const LETTER_S = KEY_SYMBOL; // second letter of `ps`
const LETTER_U = KEY_LAST_ID; // second letter of `pu`
/** scanFlat's slot for the two-letter key `ps` (COIN-M pair). */
const KEY_PAIR_SLOT = 1;

/** Bits of the keys scanDepth has seen (each key at most once), by key. */
const SEEN = { e: 1, E: 2, T: 4, s: 8, U: 16, u: 32, b: 64, a: 128, pu: 256, ps: 512 } as const;
/** Keys a depth frame must carry: e, s, U, u, b, a. */
const DEPTH_REQUIRED = SEEN.e | SEEN.s | SEEN.U | SEEN.u | SEEN.b | SEEN.a;

/** Envelope prefix and the text between the stream name and the data object. */
const ENVELOPE = '{"stream":"';
const DATA_OPEN = ',"data":{';
const DEPTH_EVENT = '"e":"depthUpdate"';
const DEPTH_EVENT_VALUE = '"depthUpdate"';

/** scanFlat's value kinds. */
const KIND = { absent: 0, string: 1, integer: 2, true: 3, false: 4 } as const;

/**
 * Scratch of scanFlat, per key (char code of a one-letter key; KEY_PAIR_SLOT = `ps`): its KIND: absent,
 * string [flatStart, flatEnd), integer flatNum, true or false.
 */
const flatKind = new Uint8Array(ASCII_END);
const flatStart = new Int32Array(ASCII_END);
const flatEnd = new Int32Array(ASCII_END);
const flatNum = new Float64Array(ASCII_END);
/** Keys seen by the current scan, in order (at most one per key). */
const flatSeen = new Uint8Array(ASCII_END);
/** Keys scanFlat models (trade: e E T s t p q X m M; bookTicker: e u s ps b B a A T E). */
const FLAT_KEYS = new Uint8Array(ASCII_END);
for (const k of 'eETstpqXmMubBaA') FLAT_KEYS[k.charCodeAt(0)] = 1;
FLAT_KEYS[KEY_PAIR_SLOT] = 1;

/**
 * Scan one frame. `prefix` is the instrument prefix (`<venue>:`).
 * @returns the frame's single event, exactly as the JSON.parse path builds it, or null (take that path)
 */
export function scanBinanceFrame(text: string, prefix: string, localTs: number): MarketEvent | null {
  if (text.charCodeAt(2) !== KEY_SYMBOL /* {"s */ || !text.startsWith(ENVELOPE)) return null;
  const i = scanString(text, ENVELOPE.length);
  if (i < 0 || !text.startsWith(DATA_OPEN, i)) return null;
  const start = i + DATA_OPEN.length;
  if (text.startsWith(DEPTH_EVENT, start)) return scanDepth(text, start, prefix, localTs);
  if (text.startsWith(TRADE_EVENT, start))
    return scanTrade(text, start, prefix, localTs) ?? scanFlat(text, start, prefix, localTs);
  return scanBookTicker(text, start, prefix, localTs) ?? scanFlat(text, start, prefix, localTs);
}

/** Start of a futures bookTicker's data object, and of a spot one (no `e`). */
const BOOK_TICKER_FUTURES = '"e":"bookTicker","u":';
const BOOK_TICKER_SPOT = '"u":';

/**
 * `,"<key>":"` at `i` followed by a plain string (see scanString): the index after its closing quote
 * (the value is t[i + 6, end - 1)), or -1.
 */
function keyString(t: string, i: number, key: number): number {
  if (
    t.charCodeAt(i) !== COMMA ||
    t.charCodeAt(i + 1) !== QUOTE ||
    t.charCodeAt(i + 2) !== key ||
    t.charCodeAt(i + 3) !== QUOTE ||
    t.charCodeAt(i + 4) !== COLON ||
    t.charCodeAt(i + 5) !== QUOTE
  )
    return -1;
  return scanString(t, i + 6);
}

/**
 * The bookTicker data object (from `start`) in the exact key order Binance sends it: futures
 * `{"e":"bookTicker","u":..,"s":..,"b":..,"B":..,"a":..,"A":..,"T":..,"E":..}`, spot `{"u":..,"s":..,
 * "b":..,"B":..,"a":..,"A":..}` (Individual Symbol Book Ticker Streams), then `}}` at the end of the
 * frame: the Bbo flatEvent would build from the same frame, without scanFlat's per-key scratch. Null
 * for anything else (scanFlat then reads it, in any key order).
 */
function scanBookTicker(t: string, start: number, prefix: string, localTs: number): Bbo | null {
  let i: number;
  if (t.startsWith(BOOK_TICKER_FUTURES, start)) i = start + BOOK_TICKER_FUTURES.length;
  else if (t.startsWith(BOOK_TICKER_SPOT, start)) i = start + BOOK_TICKER_SPOT.length;
  else return null;
  i = scanUint(t, i);
  if (i < 0) return null;
  const u = scanned;
  const sStart = i + 6;
  const sEnd = keyString(t, i, KEY_SYMBOL);
  if (sEnd < 0 || sEnd === sStart + 1) return null; // no empty symbol
  const bEnd = keyString(t, sEnd, KEY_BIDS);
  if (bEnd < 0) return null;
  const BEnd = keyString(t, bEnd, KEY_BID_QTY);
  if (BEnd < 0) return null;
  const aEnd = keyString(t, BEnd, KEY_ASKS);
  if (aEnd < 0) return null;
  const AEnd = keyString(t, aEnd, KEY_ASK_QTY);
  if (AEnd < 0) return null;
  i = AEnd;
  let E = NaN;
  if (t.startsWith(',"T":', i)) {
    i = scanUint(t, i + 5);
    if (i < 0 || !t.startsWith(',"E":', i)) return null;
    i = scanUint(t, i + 5);
    if (i < 0) return null;
    E = scanned;
  }
  if (t.charCodeAt(i) !== CLOSE_BRACE || t.charCodeAt(i + 1) !== CLOSE_BRACE || i + 2 !== t.length)
    return null;
  return {
    type: 'bbo',
    instrument: instruments.at(t, sStart, sEnd - 1, prefix),
    exchangeTs: E,
    localTs,
    sequence: u,
    bidPrice: t.slice(sEnd + 6, bEnd - 1),
    bidSize: t.slice(bEnd + 6, BEnd - 1),
    askPrice: t.slice(BEnd + 6, aEnd - 1),
    askSize: t.slice(aEnd + 6, AEnd - 1),
  };
}

/** Start of a trade's data object (futures and spot alike). */
const TRADE_EVENT = '"e":"trade","E":';
/** `,"<key>":` of the integer and boolean keys scanTrade reads. */
const TRADE_TIME_KEY = ',"T":';
const TRADE_ID_KEY = ',"t":';
const MAKER_KEY = ',"m":';
const IGNORE_KEY = ',"M":';

/**
 * The trade data object (from `start`) in the exact key order Binance sends it: futures
 * `{"e":"trade","E":..,"T":..,"s":..,"t":..,"p":..,"q":..,"X":..,"m":..}` (Derivatives "Trade Streams"),
 * spot `{"e":"trade","E":..,"s":..,"t":..,"p":..,"q":..,"T":..,"m":..,"M":..}` (Spot "Trade Streams"),
 * then `}}` at the end of the frame: the Trade flatEvent would build from the same frame, without
 * scanFlat's per-key scratch, the `e` string or a number-to-string conversion for the id (its digits
 * are sliced: scanUint read them without leading zeros, so they are `String(t)` exactly). Null for
 * anything else (scanFlat then reads it, in any key order).
 */
export function scanTrade(t: string, start: number, prefix: string, localTs: number): Trade | null {
  let i = scanUint(t, start + TRADE_EVENT.length);
  if (i < 0) return null;
  let ts = scanned; // E, replaced by T below (the JSON.parse path's exchangeTs: T, else E)
  const futures = t.startsWith(TRADE_TIME_KEY, i);
  if (futures) {
    i = scanUint(t, i + TRADE_TIME_KEY.length);
    if (i < 0) return null;
    ts = scanned;
  }
  const sStart = i + 6;
  const sEnd = keyString(t, i, KEY_SYMBOL);
  if (sEnd < 0 || sEnd === sStart + 1 || !t.startsWith(TRADE_ID_KEY, sEnd)) return null; // no empty symbol
  const idStart = sEnd + TRADE_ID_KEY.length;
  const idEnd = scanUint(t, idStart);
  if (idEnd < 0) return null;
  const pEnd = keyString(t, idEnd, KEY_PRICE);
  if (pEnd < 0) return null;
  const qEnd = keyString(t, pEnd, KEY_QTY);
  if (qEnd < 0) return null;
  i = qEnd;
  let X: string | undefined;
  if (futures) {
    const xEnd = keyString(t, i, KEY_TRADE_TYPE);
    if (xEnd < 0) return null;
    if (!(xEnd - i === 13 && t.startsWith('MARKET', i + 6))) X = t.slice(i + 6, xEnd - 1);
    i = xEnd;
  } else {
    if (!t.startsWith(TRADE_TIME_KEY, i)) return null;
    i = scanUint(t, i + TRADE_TIME_KEY.length);
    if (i < 0) return null;
    ts = scanned;
  }
  if (!t.startsWith(MAKER_KEY, i)) return null;
  i = scanBool(t, i + MAKER_KEY.length);
  if (i < 0) return null;
  const maker = scannedBool;
  if (!futures) {
    // `M` (ignore): the JSON.parse path does not read it; a boolean, as Binance sends it.
    if (!t.startsWith(IGNORE_KEY, i)) return null;
    i = scanBool(t, i + IGNORE_KEY.length);
    if (i < 0) return null;
  }
  if (t.charCodeAt(i) !== CLOSE_BRACE || t.charCodeAt(i + 1) !== CLOSE_BRACE || i + 2 !== t.length)
    return null;
  const trade: Trade = {
    type: 'trade',
    instrument: instruments.at(t, sStart, sEnd - 1, prefix),
    exchangeTs: ts,
    localTs,
    id: t.slice(idStart, idEnd),
    price: t.slice(idEnd + 6, pEnd - 1),
    size: t.slice(pEnd + 6, qEnd - 1),
    side: maker ? 'sell' : 'buy',
  };
  return X === undefined ? trade : { ...trade, kind: tradeKind(X) };
}

/**
 * Scan the data object (from `start`) of a combined-stream depth frame `{"stream":"..","data":{"e":
 * "depthUpdate",..,"b":[["p","q"],..],"a":[..]}}`. Returns the BookDelta, or null when the frame is
 * anything else or not in the plain shape (keys other than e/E/T/s/ps/U/u/pu/b/a, repeated keys, ...).
 */
function scanDepth(t: string, start: number, prefix: string, localTs: number): BookDelta | null {
  let i = start;
  let seen = 0;
  let E = NaN;
  let U = -1;
  let u = -1;
  let pu = NaN;
  let symbol = '';
  let bids: WireLevel[] | null = null;
  let asks: WireLevel[] | null = null;
  // The levels are parsed into the shared scratch as they are read (bids first, as Binance sends them):
  // this scan owns it from now on.
  beginLevels();
  let mid = 0;
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) return null;
    const k1 = t.charCodeAt(i + 1);
    const k2 = t.charCodeAt(i + 2);
    let bit: number;
    if (k2 === QUOTE) {
      if (t.charCodeAt(i + 3) !== COLON) return null;
      i += 4;
      if (k1 === KEY_EVENT) {
        if (!t.startsWith(DEPTH_EVENT_VALUE, i)) return null;
        i += DEPTH_EVENT_VALUE.length;
        bit = SEEN.e;
      } else if (k1 === KEY_EVENT_TIME || k1 === KEY_TRADE_TIME) {
        const end = scanUint(t, i);
        if (end < 0) return null;
        if (k1 === KEY_EVENT_TIME) E = scanned;
        i = end;
        bit = k1 === KEY_EVENT_TIME ? SEEN.E : SEEN.T;
      } else if (k1 === KEY_SYMBOL) {
        const end = scanString(t, i + 1);
        if (t.charCodeAt(i) !== QUOTE || end < 0 || end === i + 2) return null;
        symbol = instruments.at(t, i + 1, end - 1, prefix);
        i = end;
        bit = SEEN.s;
      } else if (k1 === KEY_FIRST_ID || k1 === KEY_LAST_ID) {
        const end = scanUint(t, i);
        if (end < 0) return null;
        if (k1 === KEY_FIRST_ID) U = scanned;
        else u = scanned;
        i = end;
        bit = k1 === KEY_FIRST_ID ? SEEN.U : SEEN.u;
      } else if (k1 === KEY_BIDS || k1 === KEY_ASKS) {
        // Asks before bids (never sent): parsed at 0 too, then not used (levelsParsed false).
        if (k1 === KEY_ASKS && bids === null) spoilLevels();
        const levels = scanLevels(t, i, k1 === KEY_BIDS ? 0 : mid, 2);
        if (levels === null) return null;
        if (k1 === KEY_BIDS) {
          bids = levels;
          mid = levelsEnd;
        } else asks = levels;
        i = scanned;
        bit = k1 === KEY_BIDS ? SEEN.b : SEEN.a;
      } else return null;
    } else if (k1 === KEY_PRICE && k2 === LETTER_U && t.startsWith('":', i + 3)) {
      const end = scanUint(t, i + 5);
      if (end < 0) return null;
      pu = scanned;
      i = end;
      bit = SEEN.pu;
    } else if (k1 === KEY_PRICE && k2 === LETTER_S /* COIN-M pair */ && t.startsWith('":"', i + 3)) {
      const end = scanString(t, i + 6);
      if (end < 0) return null;
      i = end;
      bit = SEEN.ps;
    } else return null;
    if ((seen & bit) !== 0) return null;
    seen |= bit;
    const c = t.charCodeAt(i);
    if (c === COMMA) {
      i++;
      continue;
    }
    if (c !== CLOSE_BRACE || t.charCodeAt(i + 1) !== CLOSE_BRACE || i + 2 !== t.length) return null;
    break;
  }
  // U > u is an error the JSON.parse path reports.
  if ((seen & DEPTH_REQUIRED) !== DEPTH_REQUIRED || U > u || bids === null || asks === null) return null;
  // L2Book.applyDelta(bids, asks) applies the scratch instead of parsing the strings again.
  tagLevels(bids, asks, mid, levelsEnd);
  return bookDelta(symbol, E, localTs, U, u, pu, bids, asks);
}

/**
 * Scan the flat data object (from `start`) of a combined-stream trade or bookTicker frame: keys of one
 * letter (or `ps`), values plain strings, integers of 1-15 digits, or booleans, then `}}` at the end of
 * the frame. Returns the Trade or Bbo, or null for anything else (aggTrade included).
 */
function scanFlat(t: string, start: number, prefix: string, localTs: number): Trade | Bbo | null {
  const kind = flatKind;
  let i = start;
  let seenList = 0; // keys seen, to reset their kind afterwards
  let ok = false;
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) break;
    let key = t.charCodeAt(i + 1);
    if (key < UPPER_A || key >= ASCII_END || key === BACKSLASH || key !== key) break; // letters only
    if (t.charCodeAt(i + 2) === QUOTE) i += 3;
    else if (key === KEY_PRICE && t.charCodeAt(i + 2) === LETTER_S && t.charCodeAt(i + 3) === QUOTE) {
      key = KEY_PAIR_SLOT;
      i += 4;
    } else break;
    if (t.charCodeAt(i) !== COLON || kind[key] !== KIND.absent || FLAT_KEYS[key] === 0) break;
    flatSeen[seenList++] = key;
    i++;
    const c = t.charCodeAt(i);
    if (c === QUOTE) {
      const end = scanString(t, i + 1);
      if (end < 0) break;
      kind[key] = KIND.string;
      flatStart[key] = i + 1;
      flatEnd[key] = end - 1;
      i = end;
    } else if (c === LOWER_T || c === LOWER_F) {
      const end = scanBool(t, i);
      if (end < 0) break;
      kind[key] = scannedBool ? KIND.true : KIND.false;
      i = end;
    } else {
      const end = scanUint(t, i);
      if (end < 0) break;
      kind[key] = KIND.integer;
      flatNum[key] = scanned;
      i = end;
    }
    const d = t.charCodeAt(i);
    if (d === COMMA) {
      i++;
      continue;
    }
    ok = d === CLOSE_BRACE && t.charCodeAt(i + 1) === CLOSE_BRACE && i + 2 === t.length;
    break;
  }
  const event = ok ? flatEvent(t, prefix, localTs) : null;
  for (let k = 0; k < seenList; k++) kind[flatSeen[k]!] = KIND.absent;
  return event;
}

/** Keys a trade must carry as strings (p, q), and must not carry (the bookTicker keys). */
const TRADE_STRINGS = Uint8Array.of(KEY_PRICE, KEY_QTY);
const TRADE_ABSENT = Uint8Array.of(KEY_ASKS, KEY_BIDS, KEY_LAST_ID, KEY_BID_QTY, KEY_ASK_QTY);
/** Keys a bookTicker must carry as strings (b, B, a, A), and must not carry (the trade keys). */
const BBO_STRINGS = Uint8Array.of(KEY_BIDS, KEY_BID_QTY, KEY_ASKS, KEY_ASK_QTY);
const BBO_ABSENT = Uint8Array.of(KEY_TRADE_ID, KEY_PRICE, KEY_QTY, KEY_MAKER);

/** True when every key of `keys` has value kind `k` in scanFlat's scratch. */
function allOfKind(keys: Uint8Array, k: number): boolean {
  for (let i = 0; i < keys.length; i++) if (flatKind[keys[i]!] !== k) return false;
  return true;
}

/** The trade or bbo event from scanFlat's scratch (keys already checked against FLAT_KEYS), or null. */
function flatEvent(t: string, prefix: string, localTs: number): Trade | Bbo | null {
  const kind = flatKind;
  const s =
    kind[KEY_SYMBOL] === KIND.string && flatEnd[KEY_SYMBOL]! > flatStart[KEY_SYMBOL]!
      ? instruments.at(t, flatStart[KEY_SYMBOL]!, flatEnd[KEY_SYMBOL]!, prefix)
      : null;
  if (s === null) return null;
  const e =
    kind[KEY_EVENT] === KIND.string
      ? t.slice(flatStart[KEY_EVENT], flatEnd[KEY_EVENT])
      : kind[KEY_EVENT] === KIND.absent
        ? undefined
        : null;
  const E = kind[KEY_EVENT_TIME] === KIND.integer ? flatNum[KEY_EVENT_TIME]! : NaN;
  if (e === 'trade') {
    // As the JSON.parse path: id t (number), m boolean, p/q strings, time T else E.
    const m = kind[KEY_MAKER];
    if (kind[KEY_TRADE_ID] !== KIND.integer || (m !== KIND.true && m !== KIND.false)) return null;
    if (!allOfKind(TRADE_STRINGS, KIND.string) || !allOfKind(TRADE_ABSENT, KIND.absent)) return null;
    // Futures `X` (trade type): only a non-MARKET value marks the print (tradeKind).
    const X =
      kind[KEY_TRADE_TYPE] === KIND.string
        ? t.slice(flatStart[KEY_TRADE_TYPE], flatEnd[KEY_TRADE_TYPE])
        : kind[KEY_TRADE_TYPE] === KIND.absent
          ? undefined
          : null;
    if (X === null) return null;
    const trade: Trade = {
      type: 'trade',
      instrument: s,
      exchangeTs: kind[KEY_TRADE_TIME] === KIND.integer ? flatNum[KEY_TRADE_TIME]! : E,
      localTs,
      id: String(flatNum[KEY_TRADE_ID]),
      price: t.slice(flatStart[KEY_PRICE], flatEnd[KEY_PRICE]),
      size: t.slice(flatStart[KEY_QTY], flatEnd[KEY_QTY]),
      side: kind[KEY_MAKER] === KIND.true ? 'sell' : 'buy',
    };
    return X === undefined || X === 'MARKET' ? trade : { ...trade, kind: tradeKind(X) };
  }
  if (e === 'bookTicker' || e === undefined) {
    // As the JSON.parse path: u integer, b/B/a/A strings.
    if (kind[KEY_LAST_ID] !== KIND.integer) return null;
    if (!allOfKind(BBO_STRINGS, KIND.string) || !allOfKind(BBO_ABSENT, KIND.absent)) return null;
    return {
      type: 'bbo',
      instrument: s,
      exchangeTs: E,
      localTs,
      sequence: flatNum[KEY_LAST_ID]!,
      bidPrice: t.slice(flatStart[KEY_BIDS], flatEnd[KEY_BIDS]),
      bidSize: t.slice(flatStart[KEY_BID_QTY], flatEnd[KEY_BID_QTY]),
      askPrice: t.slice(flatStart[KEY_ASKS], flatEnd[KEY_ASKS]),
      askSize: t.slice(flatStart[KEY_ASK_QTY], flatEnd[KEY_ASK_QTY]),
    };
  }
  return null;
}
