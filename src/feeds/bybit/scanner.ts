/**
 * The Bybit frame scanners: fast paths of BybitV1Parser (parser-v1.ts) and BybitV5Parser (parser-v5.ts)
 * for order-book frames. Each reads a frame in place, without JSON.parse (and, for v1, without the
 * number-quoting pass of `parseJsonKeepingDecimals`), and returns exactly the event that parser's
 * JSON.parse path returns for the same frame: same fields in the same order, same level arrays of wire
 * strings; or null, and the frame takes the JSON.parse path, which accepts it or throws its usual typed
 * error (test/fuzz-scanner-bybit.test.ts checks this on recorded frames and seeded mutations).
 *
 * v1, follows Bybit's legacy "USDT Perpetual / Inverse Perpetual WebSocket" docs, `orderBookL2_25` and
 * `orderBook_200` (the bybit-2021-04 recordings): `{"topic":"orderBookL2_25.<symbol>","type":"snapshot",
 * "data":{"order_book":[rows]},..}` (or `"data":[rows]`) and `{"topic":..,"type":"delta","data":{
 * "delete":[rows],"update":[rows],"insert":[rows]},"cross_seq":..,"timestamp_e6":".."}`, rows
 * `{"price":"..","symbol":"..","id":..,"side":"Buy"|"Sell","size":<number>}`. Accepted only with `type`
 * before `data`, the delta lists in that order, rows with no other keys, `price`/`size` as strings or
 * plain unsigned decimals (the text parseJsonKeepingDecimals would quote), `timestamp_e6` a digit string
 * or a JSON integer; inverse contracts' `transactTimeE6` in the delta data is read and ignored, as there.
 *
 * v5, follows Bybit API v5 docs, "WebSocket Stream > Public > Orderbook": `{"topic":"orderbook.<depth>.
 * <symbol>","type":"snapshot"|"delta","ts":<ms>,"data":{"s":..,"b":[["p","q"],..],"a":[..],"u":..,
 * "seq":..},"cts":..}`. Accepted only with those keys (each once), two-string levels, `ts` and `u` JSON
 * integers of at most 15 digits.
 */
import type { BookDelta, BookSnapshot, WireLevel } from '../../core/model.ts';
import { scanDecimalNumber, scanDecimalString, scannedDecimal } from '../../core/decimal.ts';
import { growLevelScratch } from '../../book/level-scratch.ts';
import {
  CH,
  InstrumentIds,
  beginLevels,
  levelsEnd,
  putLevel,
  scanJsonNumber,
  scanLevels,
  scanString,
  scanUint,
  scanned,
  spoilLevels,
  tagLevels,
} from '../frame-scan.ts';
import { bookDelta, bookSnapshot, unsequencedDelta } from '../events.ts';

const TOPIC = '{"topic":"';
/** Depth of the v1 `orderBookL2_25` snapshot (as parser-v1.ts gives every v1 snapshot). */
const L2_25_DEPTH = 25;
/** The declaration every v1 delta carries (parser-v1.ts). */
const UNSEQUENCED = { unsequenced: true } as const;

const instruments = new InstrumentIds();

/** The instrument id `<prefix><symbol>` of the topic text t[start, end), symbol = after its last `.`. */
function topicInstrument(t: string, start: number, end: number, prefix: string): string {
  return instruments.at(t, t.lastIndexOf('.', end - 1) + 1, end, prefix);
}

// ---------------------------------------------------------------------------------------------------
// v1 (orderBookL2_25 / orderBook_200)

/** Ask price,size pairs of the current v1 scan (bids go straight to the level scratch). */
let askKeys = new Float64Array(512);
/** Next free offset in askKeys; next free offset of the bids in the level scratch. */
let askEnd = 0;
let bidEnd = 0;
/** The v1 rows of the current scan. */
let v1Bids: WireLevel[] = [];
let v1Asks: WireLevel[] = [];

/** Row keys (bits: each at most once). */
const ROW = { price: 1, size: 2, side: 4, symbol: 8, id: 16 } as const;

/**
 * A price or size at `i` as parseJsonKeepingDecimals leaves it: a plain JSON string, or an unsigned
 * decimal number (digits, optional `.digits`) that it quotes. Wire text in [numStart, numEnd), value in
 * scannedDecimal; returns the index after the value, or -1.
 */
let numStart = 0;
let numEnd = 0;
function scanAmount(t: string, i: number): number {
  if (t.charCodeAt(i) === CH.quote) {
    const end = scanDecimalString(t, i + 1);
    numStart = i + 1;
    numEnd = end - 1;
    return end;
  }
  const end = scanDecimalNumber(t, i);
  const c = t.charCodeAt(end);
  if (end < 0 || (c !== CH.comma && c !== CH.closeBrace)) return -1; // `1e5`, `1.`, `-1`, ...: declined
  numStart = i;
  numEnd = end;
  return end;
}

/** The row read by scanRowInOrder / scanRowAnyOrder: price, size ("0" for a delete row) and side. */
let rowPrice = '';
let rowPriceValue = 0;
let rowSize = '0';
let rowSizeValue = 0;
let rowBuy = false;

/** The topic's symbol and its closing quote (`BTCUSDT"`): what the rows' `symbol` usually holds. */
let rowSymbol = '"';

/** `"Buy"` or `"Sell"` at `i`: sets rowBuy, returns the index after it, or -1. */
function scanSide(t: string, i: number): number {
  if (t.startsWith('"Buy"', i)) {
    rowBuy = true;
    return i + 5;
  }
  if (t.startsWith('"Sell"', i)) {
    rowBuy = false;
    return i + 6;
  }
  return -1;
}

/** A row's `id` value at `i` (ignored by parser-v1.ts): a plain string or a JSON number; end, or -1. */
function scanId(t: string, i: number): number {
  return t.charCodeAt(i) === CH.quote ? scanString(t, i + 1) : scanJsonNumber(t, i);
}

/**
 * The row object at `i` in the order Bybit sends it, `{"price":..,"symbol":"..","id":..,"side":"..",
 * "size":..}` (`size` absent in delete rows), into the row variables; `del`: a delete row (size "0").
 * Returns the index after the object, or -1 (then scanRowAnyOrder reads it).
 */
function scanRowInOrder(t: string, i: number, del: boolean): number {
  if (!t.startsWith('{"price":', i)) return -1;
  i = scanAmount(t, i + 9);
  if (i < 0) return -1;
  rowPrice = t.slice(numStart, numEnd);
  rowPriceValue = scannedDecimal;
  if (!t.startsWith(',"symbol":"', i)) return -1;
  // Rows repeat the topic's symbol: one comparison instead of a character scan.
  i = t.startsWith(rowSymbol, i + 11) ? i + 11 + rowSymbol.length : scanString(t, i + 11);
  if (i < 0 || !t.startsWith(',"id":', i)) return -1;
  i = scanId(t, i + 6);
  if (i < 0 || !t.startsWith(',"side":', i)) return -1;
  i = scanSide(t, i + 8);
  if (i < 0) return -1;
  if (t.charCodeAt(i) === CH.closeBrace) {
    if (!del) return -1;
    rowSize = '0';
    rowSizeValue = 0;
    return i + 1;
  }
  if (!t.startsWith(',"size":', i)) return -1;
  i = scanAmount(t, i + 8);
  if (i < 0 || t.charCodeAt(i) !== CH.closeBrace) return -1;
  if (del) {
    rowSize = '0';
    rowSizeValue = 0;
  } else {
    rowSize = t.slice(numStart, numEnd);
    rowSizeValue = scannedDecimal;
  }
  return i + 1;
}

/**
 * The row object at `i` with its keys (price, size, side, symbol, id; each at most once) in any order,
 * into the row variables as scanRowInOrder. Returns the index after the object, or -1 (decline).
 */
function scanRowAnyOrder(t: string, i: number, del: boolean): number {
  if (t.charCodeAt(i) !== CH.openBrace) return -1;
  i++;
  let seen = 0;
  rowSize = '0';
  rowSizeValue = 0;
  for (;;) {
    if (t.charCodeAt(i) !== CH.quote) return -1;
    const kEnd = scanString(t, i + 1);
    if (kEnd < 0 || t.charCodeAt(kEnd) !== CH.colon) return -1;
    const n = kEnd - i - 2;
    const k = t.charCodeAt(i + 1);
    const v = kEnd + 1;
    let bit: number;
    if (n === 5 && k === 112 /* p */ && t.startsWith('price', i + 1)) {
      i = scanAmount(t, v);
      if (i < 0) return -1;
      rowPrice = t.slice(numStart, numEnd);
      rowPriceValue = scannedDecimal;
      bit = ROW.price;
    } else if (n === 4 && k === 115 /* s */ && t.startsWith('size', i + 1)) {
      i = scanAmount(t, v);
      if (i < 0) return -1;
      if (!del) {
        rowSize = t.slice(numStart, numEnd);
        rowSizeValue = scannedDecimal;
      }
      bit = ROW.size;
    } else if (n === 4 && k === 115 && t.startsWith('side', i + 1)) {
      i = scanSide(t, v);
      if (i < 0) return -1;
      bit = ROW.side;
    } else if (n === 6 && k === 115 && t.startsWith('symbol', i + 1)) {
      if (t.charCodeAt(v) !== CH.quote) return -1;
      i = scanString(t, v + 1);
      if (i < 0) return -1;
      bit = ROW.symbol;
    } else if (n === 2 && k === 105 /* i */ && t.charCodeAt(i + 2) === 100 /* d */) {
      i = scanId(t, v);
      if (i < 0) return -1;
      bit = ROW.id;
    } else return -1;
    if ((seen & bit) !== 0) return -1;
    seen |= bit;
    const c = t.charCodeAt(i);
    if (c === CH.comma) {
      i++;
      continue;
    }
    if (c !== CH.closeBrace) return -1;
    if ((seen & ROW.price) === 0 || (seen & ROW.side) === 0 || (!del && (seen & ROW.size) === 0)) return -1;
    return i + 1;
  }
}

/**
 * A list of v1 rows at `i`, appended to v1Bids/v1Asks (parsed into the scratch / askKeys) as
 * parser-v1.ts `add` does; `del`: delete rows, whose size is "0". Returns the index after the list, or -1.
 */
function scanRows(t: string, i: number, del: boolean): number {
  if (t.charCodeAt(i) !== CH.openBracket) return -1;
  i++;
  if (t.charCodeAt(i) === CH.closeBracket) return i + 1;
  for (;;) {
    let end = scanRowInOrder(t, i, del);
    if (end < 0) end = scanRowAnyOrder(t, i, del);
    if (end < 0) return -1;
    i = end;
    if (rowBuy) {
      v1Bids.push([rowPrice, rowSize]);
      bidEnd = putLevel(bidEnd, rowPriceValue, rowSizeValue);
    } else {
      v1Asks.push([rowPrice, rowSize]);
      if (askEnd + 2 > askKeys.length) {
        const bigger = new Float64Array(askKeys.length * 2);
        bigger.set(askKeys);
        askKeys = bigger;
      }
      if (!(rowPriceValue > 0) || rowSizeValue !== rowSizeValue) spoilLevels();
      askKeys[askEnd] = rowPriceValue;
      askKeys[askEnd + 1] = rowSizeValue;
      askEnd += 2;
    }
    const c = t.charCodeAt(i);
    if (c === CH.comma) {
      i++;
      continue;
    }
    if (c !== CH.closeBracket) return -1;
    return i + 1;
  }
}

/** Delta data keys, in the order parser-v1.ts applies them (each at most once, in this order). */
const DELTA_LISTS = ['delete', 'update', 'insert'] as const;

/** The inverse contracts' delta data key that parser-v1.ts ignores (a JSON number). */
const TRANSACT_TIME = '"transactTimeE6":';

/**
 * The v1 delta data object `{"delete":[..],"update":[..],"insert":[..]}` at `i` (each list optional,
 * in that order; inverse contracts add `"transactTimeE6":<number>`, ignored): rows appended as scanRows
 * does. Returns the index after the object, or -1.
 */
function scanDeltaData(t: string, i: number): number {
  if (t.charCodeAt(i) !== CH.openBrace) return -1;
  i++;
  if (t.charCodeAt(i) === CH.closeBrace) return i + 1;
  let next = 0; // index in DELTA_LISTS of the first list still allowed
  let transactTime = false;
  for (;;) {
    if (!transactTime && t.startsWith(TRANSACT_TIME, i)) {
      transactTime = true;
      i = scanJsonNumber(t, i + TRANSACT_TIME.length);
      if (i < 0) return -1;
    } else {
      let k = next;
      while (k < DELTA_LISTS.length && !t.startsWith(DELTA_LISTS[k]!, i + 1)) k++;
      const name = DELTA_LISTS[k];
      if (name === undefined || t.charCodeAt(i) !== CH.quote || !t.startsWith('":', i + 1 + name.length))
        return -1;
      i = scanRows(t, i + name.length + 3, k === 0);
      if (i < 0) return -1;
      next = k + 1;
    }
    const c = t.charCodeAt(i);
    if (c === CH.comma) {
      i++;
      continue;
    }
    return c === CH.closeBrace ? i + 1 : -1;
  }
}

/**
 * The value of the digits t[start, end) exactly as `Number(t.slice(start, end))` gives it: up to 15
 * digits the integer is exact; a 16th digit is added to 10 times the exact 15-digit value (an even
 * integer below 2^54, so exact too) in one correctly rounded addition, as Number() rounds; longer runs
 * take Number() itself.
 */
function digitsValue(t: string, start: number, end: number): number {
  if (end - start > 16) return Number(t.slice(start, end));
  let v = 0;
  for (let k = start; k < end; k++) v = v * 10 + (t.charCodeAt(k) - CH.zero);
  return v;
}

/**
 * Scan one Bybit v1 frame (see the module doc).
 * @param prefix the instrument prefix (`<venue>:`)
 * @returns the frame's book event, exactly as parser-v1.ts's JSON.parse path builds it, or null (take
 *   that path)
 */
export function scanBybitV1BookFrame(
  text: string,
  prefix: string,
  localTs: number,
): BookSnapshot | BookDelta | null {
  const t = text;
  if (!t.startsWith(TOPIC)) return null;
  const topicStart = TOPIC.length;
  if (!t.startsWith('orderBookL2_25.', topicStart) && !t.startsWith('orderBook_200.', topicStart))
    return null;
  const topicEnd = scanString(t, topicStart);
  if (topicEnd < 0) return null;
  let i = topicEnd;
  const dot = t.lastIndexOf('.', topicEnd - 2);
  if (topicEnd - dot - 1 !== rowSymbol.length || !t.startsWith(rowSymbol, dot + 1))
    rowSymbol = t.slice(dot + 1, topicEnd);
  let snapshot = -1; // -1 no type yet, 1 snapshot, 0 delta
  let seen = 0; // 1 type, 2 data, 4 cross_seq, 8 timestamp_e6
  let exchangeTs = NaN;
  v1Bids = [];
  v1Asks = [];
  bidEnd = 0;
  askEnd = 0;
  beginLevels();
  for (;;) {
    if (t.charCodeAt(i) !== CH.comma || t.charCodeAt(i + 1) !== CH.quote) return null;
    i += 2;
    let bit: number;
    if (t.startsWith('type":"', i)) {
      i = scanBookType(t, i + 7);
      if (i < 0) return null;
      snapshot = scannedSnapshot;
      bit = 1;
    } else if (t.startsWith('data":', i)) {
      i += 6;
      if (snapshot === 1) {
        if (t.startsWith('{"order_book":', i)) {
          i = scanRows(t, i + 14, false);
          if (i < 0 || t.charCodeAt(i) !== CH.closeBrace) return null;
          i++;
        } else i = scanRows(t, i, false);
      } else if (snapshot === 0) i = scanDeltaData(t, i);
      else return null; // data before type
      if (i < 0) return null;
      bit = 2;
    } else if (t.startsWith('cross_seq":', i)) {
      i += 11;
      i = t.charCodeAt(i) === CH.quote ? scanString(t, i + 1) : scanJsonNumber(t, i);
      if (i < 0) return null;
      bit = 4;
    } else if (t.startsWith('timestamp_e6":', i)) {
      // A digit string (linear) or a JSON integer (inverse), as optTime(.., 'us') reads either.
      const quoted = t.charCodeAt(i + 14) === CH.quote;
      const start = quoted ? i + 15 : i + 14;
      i = start;
      while (t.charCodeAt(i) - CH.zero <= 9 && t.charCodeAt(i) >= CH.zero) i++;
      if (i === start || i - start > 20) return null;
      if (quoted) {
        if (t.charCodeAt(i) !== CH.quote) return null;
      } else if (i - start > 1 && t.charCodeAt(start) === CH.zero) return null; // not JSON
      exchangeTs = digitsValue(t, start, i) / 1000;
      if (quoted) i++;
      bit = 8;
    } else return null;
    if ((seen & bit) !== 0) return null;
    seen |= bit;
    if (t.charCodeAt(i) === CH.closeBrace && i + 1 === t.length) break;
  }
  if ((seen & 2) === 0) return null;
  // Asks after the bids in the scratch (a plain loop: a few pairs, no subarray view to allocate).
  const end = bidEnd + askEnd;
  const keys = growLevelScratch(end, bidEnd);
  for (let k = 0; k < askEnd; k++) keys[bidEnd + k] = askKeys[k]!;
  const bids = v1Bids;
  const asks = v1Asks;
  tagLevels(bids, asks, bidEnd, end);
  const instrument = topicInstrument(t, topicStart, topicEnd - 1, prefix);
  if (snapshot === 1) return bookSnapshot(instrument, exchangeTs, localTs, NaN, bids, asks, L2_25_DEPTH);
  return unsequencedDelta(instrument, exchangeTs, localTs, bids, asks, UNSEQUENCED);
}

/** Second result of scanBookType: 1 for `snapshot`, 0 for `delta`. */
let scannedSnapshot = 0;

/**
 * The value of a book frame's `type` key at `i` (just after its opening quote), v1 and v5 alike:
 * `snapshot` or `delta` (Bybit v5 "Orderbook", v1 "orderBookL2_25"). Sets `scannedSnapshot`.
 * @returns the index after the closing quote, or -1 for any other value
 */
function scanBookType(t: string, i: number): number {
  if (t.startsWith('snapshot"', i)) {
    scannedSnapshot = 1;
    return i + 9;
  }
  if (t.startsWith('delta"', i)) {
    scannedSnapshot = 0;
    return i + 6;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------
// v5 (orderbook.<depth>.<symbol>)

/** The topic of the last v5 frame and its snapshot depth (`Number(topic.split('.')[1])`, else 0). */
let lastTopic = '';
let lastTopicDepth = 0;

/** The depthLimit parser-v5.ts gives a snapshot of the topic t[start, end). */
function topicDepth(t: string, start: number, end: number): number {
  if (end - start !== lastTopic.length || !t.startsWith(lastTopic, start)) {
    lastTopic = t.slice(start, end);
    const depth = Number(lastTopic.split('.')[1]);
    lastTopicDepth = Number.isInteger(depth) ? depth : 0;
  }
  return lastTopicDepth;
}

/**
 * Scan one Bybit v5 frame (see the module doc).
 * @param prefix the instrument prefix (`<venue>:`)
 * @returns the frame's book event, exactly as parser-v5.ts's JSON.parse path builds it, or null (take
 *   that path)
 */
export function scanBybitV5BookFrame(
  text: string,
  prefix: string,
  localTs: number,
): BookSnapshot | BookDelta | null {
  const t = text;
  if (!t.startsWith(TOPIC) || !t.startsWith('orderbook.', TOPIC.length)) return null;
  const topicStart = TOPIC.length;
  const topicEnd = scanString(t, topicStart);
  if (topicEnd < 0) return null;
  let i = topicEnd;
  let snapshot = -1;
  let seen = 0; // 1 type, 2 ts, 4 data, 8 cts
  let ts = NaN;
  let u = -1;
  let bids: WireLevel[] | null = null;
  let asks: WireLevel[] | null = null;
  let mid = 0;
  beginLevels();
  for (;;) {
    if (t.charCodeAt(i) !== CH.comma || t.charCodeAt(i + 1) !== CH.quote) return null;
    i += 2;
    let bit: number;
    if (t.startsWith('type":"', i)) {
      i = scanBookType(t, i + 7);
      if (i < 0) return null;
      snapshot = scannedSnapshot;
      bit = 1;
    } else if (t.startsWith('ts":', i)) {
      i = scanUint(t, i + 4);
      if (i < 0) return null;
      ts = scanned;
      bit = 2;
    } else if (t.startsWith('data":{', i)) {
      i += 7;
      let dataSeen = 0; // 1 s, 2 b, 4 a, 8 u, 16 seq
      for (;;) {
        if (t.charCodeAt(i) !== CH.quote) return null;
        const k = t.charCodeAt(i + 1);
        let dbit: number;
        if (t.charCodeAt(i + 2) === CH.quote && t.charCodeAt(i + 3) === CH.colon) {
          const v = i + 4;
          if (k === 115 /* s */) {
            if (t.charCodeAt(v) !== CH.quote) return null;
            i = scanString(t, v + 1);
            if (i < 0) return null;
            dbit = 1;
          } else if (k === 98 /* b */ || k === 97 /* a */) {
            if (k === 97 && bids === null) spoilLevels(); // asks first: not laid out, the book validates
            const levels = scanLevels(t, v, k === 98 ? 0 : mid, 2);
            if (levels === null) return null;
            if (k === 98) {
              bids = levels;
              mid = levelsEnd;
            } else asks = levels;
            i = scanned;
            dbit = k === 98 ? 2 : 4;
          } else if (k === 117 /* u */) {
            i = scanUint(t, v);
            if (i < 0) return null;
            u = scanned;
            dbit = 8;
          } else return null;
        } else if (t.startsWith('seq":', i + 1)) {
          i = scanJsonNumber(t, i + 6);
          if (i < 0) return null;
          dbit = 16;
        } else return null;
        if ((dataSeen & dbit) !== 0) return null;
        dataSeen |= dbit;
        const c = t.charCodeAt(i);
        if (c === CH.comma) {
          i++;
          continue;
        }
        if (c !== CH.closeBrace) return null;
        i++;
        break;
      }
      bit = 4;
    } else if (t.startsWith('cts":', i)) {
      i = scanJsonNumber(t, i + 5);
      if (i < 0) return null;
      bit = 8;
    } else return null;
    if ((seen & bit) !== 0) return null;
    seen |= bit;
    if (t.charCodeAt(i) === CH.closeBrace && i + 1 === t.length) break;
  }
  if ((seen & 4) === 0 || u < 0 || snapshot < 0) return null;
  const b = bids ?? [];
  const a = asks ?? [];
  tagLevels(b, a, bids === null ? 0 : mid, asks === null ? mid : levelsEnd);
  const instrument = topicInstrument(t, topicStart, topicEnd - 1, prefix);
  if (snapshot === 1)
    return bookSnapshot(instrument, ts, localTs, u, b, a, topicDepth(t, topicStart, topicEnd - 1));
  return bookDelta(instrument, ts, localTs, u, u, NaN, b, a, undefined, false, u === 1);
}
