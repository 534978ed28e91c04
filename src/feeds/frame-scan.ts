/**
 * Primitives of the frame scanners (src/feeds/binance/scanner.ts, src/feeds/okx/scanner.ts,
 * src/feeds/bybit/scanner.ts, src/feeds/bitget/scanner.ts, src/feeds/gateio/scanner.ts): the fast paths
 * that read a venue's order-book frames in place, without JSON.parse, and return exactly the event the
 * venue parser's JSON.parse path returns, or null so that the frame takes that path.
 *
 * Every reader here accepts only a plain, unambiguous subset of JSON (no whitespace, no escapes, no
 * control characters, integers of at most 15 digits without leading zeros) and reports anything else as
 * "decline" (-1 or null), never as an error: the JSON.parse path then accepts the frame or throws its
 * usual typed error, so a scanner never changes what a frame yields.
 *
 * Levels are parsed while they are read into the shared level scratch (book/level-scratch.ts), and the
 * scratch is tagged with the event's level arrays (`tagLevels`), so L2Book.applyDelta does not validate
 * the same strings a second time. Single thread: one scan at a time owns the scratch, from
 * `beginLevels` to `tagLevels`.
 */
import type { WireLevel } from '../core/model.ts';
import { jsonStringEnd, scanDecimalString, scannedDecimal } from '../core/decimal.ts';
import { growLevelScratch, levelScratch } from '../book/level-scratch.ts';

/** Character codes the scanners compare with. */
export const CH = {
  quote: 34, // "
  backslash: 92, // \
  space: 32, // below it: JSON control characters
  comma: 44, // ,
  colon: 58, // :
  minus: 45, // -
  dot: 46, // .
  zero: 48, // 0
  lowerE: 101, // e
  upperE: 69, // E
  openBracket: 91, // [
  closeBracket: 93, // ]
  openBrace: 123, // {
  closeBrace: 125, // }
} as const;

/** Most digits of an integer the scanners read (15 digits are always a safe integer). */
const MAX_INT_DIGITS = 15;

/** Second result of the readers below: the integer read, or the end of a level list. */
export let scanned = 0;

/**
 * End (index after the closing quote) of a JSON string whose opening quote is at `i - 1`, or -1 when it
 * holds an escape or a control character (JSON.parse decides those) or is unterminated: core/decimal.ts
 * `jsonStringEnd`, which scanDecimalString shares.
 */
export const scanString: (t: string, i: number) => number = jsonStringEnd;

/**
 * A JSON unsigned integer of 1-15 digits at `i` (no leading zero, no fraction or exponent), so a safe
 * integer: value in `scanned`, returns the index after it, or -1.
 */
export function scanUint(t: string, i: number): number {
  let v = 0;
  const start = i;
  for (;;) {
    const d = t.charCodeAt(i) - CH.zero;
    if (d >>> 0 > 9 || d !== d) break; // d !== d: past the end (NaN)
    v = v * 10 + d;
    i++;
  }
  const n = i - start;
  if (n === 0 || n > MAX_INT_DIGITS || (n > 1 && t.charCodeAt(start) === CH.zero)) return -1;
  const c = t.charCodeAt(i);
  if (c === CH.dot || c === CH.lowerE || c === CH.upperE) return -1; // not a plain integer
  scanned = v;
  return i;
}

/** Value read by the last {@link scanBool}. */
export let scannedBool = false;

/**
 * A JSON `true` or `false` at `i`: the value in `scannedBool`, returns the index after it, or -1 for
 * anything else.
 */
export function scanBool(t: string, i: number): number {
  if (t.startsWith('true', i)) {
    scannedBool = true;
    return i + 4;
  }
  if (t.startsWith('false', i)) {
    scannedBool = false;
    return i + 5;
  }
  return -1;
}

/**
 * A JSON integer of 1-15 digits at `i`, optionally negative (`-0` declined: its sign would be lost in a
 * comparison of outputs): value in `scanned`, returns the index after it, or -1.
 */
export function scanInt(t: string, i: number): number {
  if (t.charCodeAt(i) !== CH.minus) return scanUint(t, i);
  if (t.charCodeAt(i + 1) === CH.zero) return -1;
  const end = scanUint(t, i + 1);
  if (end >= 0) scanned = -scanned;
  return end;
}

/**
 * A string of 1-15 digits at `i` (just after its opening quote), no leading zero unless it is `"0"`:
 * value in `scanned`, returns the index after the closing quote, or -1. For integers venues quote
 * (OKX `ts`), which `fields.ts` optInt reads as `Number(s)`.
 */
export function scanUintString(t: string, i: number): number {
  const end = scanUint(t, i);
  return end >= 0 && t.charCodeAt(end) === CH.quote ? end + 1 : -1;
}

/**
 * Any JSON number at `i` as JSON.parse accepts it (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`), for values
 * a parser ignores: returns the index after it, or -1.
 */
export function scanJsonNumber(t: string, i: number): number {
  if (t.charCodeAt(i) === CH.minus) i++;
  const first = i;
  i = skipDigits(t, i);
  if (i === first || (i - first > 1 && t.charCodeAt(first) === CH.zero)) return -1;
  if (t.charCodeAt(i) === CH.dot) {
    const f = i + 1;
    i = skipDigits(t, f);
    if (i === f) return -1;
  }
  const c = t.charCodeAt(i);
  if (c === CH.lowerE || c === CH.upperE) {
    i++;
    const s = t.charCodeAt(i);
    if (s === 43 /* + */ || s === CH.minus) i++;
    const e = i;
    i = skipDigits(t, e);
    if (i === e) return -1;
  }
  return i;
}

/** The index of the first non-digit at or after `i`. */
function skipDigits(t: string, i: number): number {
  for (;;) {
    const d = t.charCodeAt(i) - CH.zero;
    if (d >>> 0 > 9 || d !== d) return i;
    i++;
  }
}

/** False once a level's price or size of the current scan was not read exactly (see beginLevels). */
let levelsParsed = true;
/** The next free offset in the level scratch after the last scanLevels. */
export let levelsEnd = 0;

/**
 * Start a scan that parses levels into the shared scratch: the scan owns it from now on (generation
 * bumped, a previous scanner's tag cleared).
 */
export function beginLevels(): void {
  const ls = levelScratch;
  ls.generation++;
  ls.bids = null;
  ls.asks = null;
  levelsParsed = true;
}

/**
 * Record that the current scan's parsed levels cannot be used (a price or size needs parseDecimal's own
 * validation, or the sides came in an order the scanner does not lay out): `tagLevels` then leaves the
 * scratch untagged and the book validates the wire strings as usual.
 */
export function spoilLevels(): void {
  levelsParsed = false;
}

/**
 * Record one parsed level at `o` in the scratch (growing it as needed): `price` and `size` as
 * scanDecimalString/scanDecimalNumber read them (NaN: not exact); a non-positive price spoils the scan
 * (the book rejects it with its own error).
 * @returns the next free offset
 */
export function putLevel(o: number, price: number, size: number): number {
  let keys = levelScratch.keys;
  if (o + 2 > keys.length) keys = growLevelScratch(o + 2, o);
  if (!(price > 0) || size !== size) levelsParsed = false;
  keys[o] = price;
  keys[o + 1] = size;
  return o + 2;
}

/**
 * A level list `[["p","q",...],...]` at `i`, each level 2 to `maxStrings` (at most 4) plain strings: the
 * arrays as JSON.parse would build them, end index in `scanned`; null for anything else. Each level's
 * price and size are parsed in the same pass into the scratch as price,size pairs from `offset` on (end
 * in `levelsEnd`; see putLevel). The strings after the size (OKX's `"0"` and order count) are kept as
 * sent.
 */
export function scanLevels(t: string, i: number, offset: number, maxStrings: number): WireLevel[] | null {
  if (t.charCodeAt(i) !== CH.openBracket) return null;
  const out: WireLevel[] = [];
  let o = offset;
  i++;
  if (t.charCodeAt(i) === CH.closeBracket) {
    scanned = i + 1;
    levelsEnd = o;
    return out;
  }
  for (;;) {
    if (t.charCodeAt(i) !== CH.openBracket || t.charCodeAt(i + 1) !== CH.quote) return null;
    const pEnd = scanDecimalString(t, i + 2);
    const price = scannedDecimal;
    if (pEnd < 0 || t.charCodeAt(pEnd) !== CH.comma || t.charCodeAt(pEnd + 1) !== CH.quote) return null;
    const qEnd = scanDecimalString(t, pEnd + 2);
    if (qEnd < 0) return null;
    o = putLevel(o, price, scannedDecimal);
    const p = t.slice(i + 2, pEnd - 1);
    const q = t.slice(pEnd + 2, qEnd - 1);
    i = qEnd;
    if (t.charCodeAt(i) === CH.closeBracket) out.push([p, q]);
    else {
      // Extra strings (OKX: deprecated "0", order count).
      let n = 2;
      let x = '';
      let y = '';
      while (t.charCodeAt(i) === CH.comma) {
        if (n === maxStrings || t.charCodeAt(i + 1) !== CH.quote) return null;
        const e = scanString(t, i + 2);
        if (e < 0) return null;
        if (n === 2) x = t.slice(i + 2, e - 1);
        else y = t.slice(i + 2, e - 1);
        n++;
        i = e;
      }
      if (t.charCodeAt(i) !== CH.closeBracket) return null;
      out.push(n === 3 ? [p, q, x] : [p, q, x, y]);
    }
    i++;
    const c = t.charCodeAt(i);
    if (c === CH.comma) {
      i++;
      continue;
    }
    if (c !== CH.closeBracket) return null;
    scanned = i + 1;
    levelsEnd = o;
    return out;
  }
}

/**
 * Tag the scratch with the event's level arrays (bids parsed in [0, mid), asks in [mid, end)) unless
 * the scan was spoiled: L2Book.applyDelta called with these very arrays then uses the parsed levels.
 */
export function tagLevels(
  bids: readonly WireLevel[],
  asks: readonly WireLevel[],
  mid: number,
  end: number,
): void {
  if (!levelsParsed) return;
  const ls = levelScratch;
  ls.bids = bids;
  ls.asks = asks;
  ls.mid = mid;
  ls.end = end;
}

/**
 * tagLevels for a venue that sends asks first (OKX, Bitget, Gate.io futures): asks were parsed in
 * [0, asksEnd), bids in [asksEnd, end); the pairs are moved to the scratch's order (bids first) before
 * tagging.
 */
export function tagLevelsAsksFirst(
  bids: readonly WireLevel[],
  asks: readonly WireLevel[],
  asksEnd: number,
  end: number,
): void {
  if (!levelsParsed) return;
  if (asksEnd > 0 && end > asksEnd) {
    const keys = growLevelScratch(end + asksEnd, end);
    keys.copyWithin(end, 0, asksEnd); // asks after the bids
    keys.copyWithin(0, asksEnd, end + asksEnd); // bids, then asks, from 0
  }
  tagLevels(bids, asks, end - asksEnd, end);
}

/**
 * Instrument ids `<prefix><symbol>` built from frame text, reusing the previous frame's string when the
 * symbol is the same (a connection mostly carries few symbols), so no slice or concatenation then.
 */
export class InstrumentIds {
  private prefix = '';
  private symbol = '';
  private id = '';

  /** The id for the symbol text t[start, end) under `prefix` (`<venue>:`). */
  at(t: string, start: number, end: number, prefix: string): string {
    if (end - start !== this.symbol.length || prefix !== this.prefix || !t.startsWith(this.symbol, start)) {
      this.symbol = t.slice(start, end);
      this.prefix = prefix;
      this.id = prefix + this.symbol;
    }
    return this.id;
  }
}

/**
 * `"<key>":` at `i`, the key a plain string (the caller compares its text, t[i + 1, end - 2) where end
 * is the returned index): the index of the value after the colon, or -1.
 */
export function scanKey(t: string, i: number): number {
  if (t.charCodeAt(i) !== CH.quote) return -1;
  const end = scanString(t, i + 1);
  if (end < 0 || t.charCodeAt(end) !== CH.colon) return -1;
  return end + 1;
}
