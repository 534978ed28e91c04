/**
 * Building blocks of the venue frame scanners (src/feeds/<venue>/scanner.ts): fast paths that read a
 * frame's JSON text in place, without JSON.parse, and decline (the caller returns null) on anything that
 * is not exactly the plain shape they expect, so the JSON.parse path decides every other frame.
 *
 * Each helper reads one JSON token at an index and returns the index after it, or -1 for text it does
 * not accept: escapes and control characters in strings, whitespace, numbers with a sign, fraction,
 * exponent, leading zero or more than 15 digits. What it accepts, JSON.parse reads to the same value.
 *
 * Level lists are parsed while they are scanned into the shared level scratch (book/level-scratch.ts),
 * whatever order the venue sends the sides in (Bitget, OKX and Gate.io futures send asks first: those
 * are parsed into a side buffer and moved after the bids at the end); {@link finishDeltaLevels} then
 * tags the scratch so `L2Book.applyDelta` skips validating the same levels again.
 */
import type { WireLevel } from '../core/model.ts';
import { scanDecimalString, scannedDecimal } from '../core/decimal.ts';
import { growLevelScratch, levelScratch } from '../book/level-scratch.ts';

/** Character codes the scanners compare with. */
export const CH = {
  quote: 34, // "
  backslash: 92, // \
  space: 32, // below it: JSON control characters
  comma: 44, // ,
  colon: 58, // :
  zero: 48, // 0
  dot: 46, // .
  minus: 45, // -
  lowerE: 101, // e
  upperE: 69, // E
  openBracket: 91, // [
  closeBracket: 93, // ]
  openBrace: 123, // {
  closeBrace: 125, // }
} as const;

/** Most digits of an integer the scanners read (15 digits are always a safe integer). */
const MAX_INT_DIGITS = 15;

/** Second result of the scan helpers: the integer scanUint/scanInt read, or the end of a level list. */
export let scanned = 0;

/**
 * End (index after the closing quote) of a JSON string whose opening quote is at `i - 1`, or -1 when it
 * holds an escape or a control character (JSON.parse decides those) or is unterminated. The string's
 * value is then exactly `t.slice(i, end - 1)`.
 */
export function scanString(t: string, i: number): number {
  for (;;) {
    const c = t.charCodeAt(i++);
    if (c === CH.quote) return i;
    if (c === CH.backslash || c < CH.space || c !== c) return -1; // c !== c: end of text (NaN)
  }
}

/**
 * A JSON unsigned integer of 1-15 digits at `i` (no sign, no leading zero, no fraction or exponent), so
 * a safe integer whose text is `String(value)`: value in {@link scanned}, returns the index after it, or
 * -1.
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

/**
 * A JSON integer of 1-15 digits at `i`, optionally negative (`-0` is declined: JSON.parse reads it as
 * -0): value in {@link scanned}, returns the index after it, or -1.
 */
export function scanInt(t: string, i: number): number {
  if (t.charCodeAt(i) !== CH.minus) return scanUint(t, i);
  const end = scanUint(t, i + 1);
  if (end < 0 || scanned === 0) return -1;
  scanned = -scanned;
  return end;
}

/**
 * `"<key>":` at `i`, the key one plain string (the caller compares its text): returns the index of the
 * value (after the colon), or -1. The key's text is t[i + 1, end - 2) where end is the returned index.
 */
export function scanKey(t: string, i: number): number {
  if (t.charCodeAt(i) !== CH.quote) return -1;
  const end = scanString(t, i + 1);
  if (end < 0 || t.charCodeAt(end) !== CH.colon) return -1;
  return end + 1;
}

/** Buffer of the asks while they are read before the bids (see the module doc). */
let askKeys: Float64Array = new Float64Array(512);
/** The side the level writer fills: its buffer, next free offset, and whether it is the scratch. */
let wKeys: Float64Array = askKeys;
let wOffset = 0;
let wIntoScratch = false;
/** State of the delta being scanned: sides read (end offsets; -1 = not yet) and exactness. */
let bidEnd = -1;
let askEnd = -1;
let asksInSideBuffer = false;
let exact = true;

/**
 * Start scanning one book delta's levels: this scan owns the level scratch from now on (its generation
 * is bumped and any previous tag cleared, as any writer of the scratch does).
 */
export function beginDeltaLevels(): void {
  const ls = levelScratch;
  ls.generation++;
  ls.bids = null;
  ls.asks = null;
  bidEnd = -1;
  askEnd = -1;
  asksInSideBuffer = false;
  exact = true;
}

/**
 * Point the level writer at one side of the delta begun by {@link beginDeltaLevels}: bids go to the
 * scratch from 0, asks after the bids when those are read, else to the side buffer. A side read twice
 * makes the delta inexact (never tagged).
 */
export function openSide(bids: boolean): void {
  if (bids) {
    if (bidEnd >= 0) exact = false;
    wKeys = levelScratch.keys;
    wOffset = 0;
    wIntoScratch = true;
  } else if (bidEnd >= 0) {
    if (askEnd >= 0) exact = false;
    wKeys = levelScratch.keys;
    wOffset = bidEnd;
    wIntoScratch = true;
    asksInSideBuffer = false;
  } else {
    if (askEnd >= 0) exact = false;
    wKeys = askKeys;
    wOffset = 0;
    wIntoScratch = false;
    asksInSideBuffer = true;
  }
}

/**
 * Append one level to the open side: `price` and `size` as scanDecimalString gives them (NaN when the
 * wire string needs parseDecimal's own validation; a price that is not positive also makes the delta
 * inexact, so the book reports it).
 */
export function writeLevel(price: number, size: number): void {
  if (!(price > 0) || size !== size) exact = false;
  let keys = wKeys;
  const o = wOffset;
  if (o + 2 > keys.length) {
    if (wIntoScratch) keys = growLevelScratch(o + 2, o);
    else {
      keys = new Float64Array(Math.max(o + 2, keys.length * 2));
      keys.set(askKeys.subarray(0, o));
      askKeys = keys;
    }
    wKeys = keys;
  }
  keys[o] = price;
  keys[o + 1] = size;
  wOffset = o + 2;
}

/** Close the side opened by {@link openSide} (its levels end at the writer's offset). */
export function closeSide(bids: boolean): void {
  if (bids) bidEnd = wOffset;
  else askEnd = wOffset;
}

/**
 * End the delta begun by {@link beginDeltaLevels}: when both sides were read once and every level parsed
 * exactly, lay them out as the scratch wants them (bids [0, mid), asks [mid, end)) and tag it with the
 * event's own level arrays, so `L2Book.applyDelta(bids, asks)` uses the parsed numbers. Otherwise the
 * scratch stays untagged and the book validates the wire strings as usual.
 */
export function finishDeltaLevels(bids: readonly WireLevel[], asks: readonly WireLevel[]): void {
  if (!exact || bidEnd < 0 || askEnd < 0) return;
  const ls = levelScratch;
  let end = askEnd;
  if (asksInSideBuffer) {
    end = bidEnd + askEnd;
    const keys = growLevelScratch(end, bidEnd);
    const from = askKeys;
    // (A loop: a delta holds few levels, and subarray() would allocate a view per frame.)
    for (let k = 0; k < askEnd; k++) keys[bidEnd + k] = from[k]!;
  }
  ls.bids = bids;
  ls.asks = asks;
  ls.mid = bidEnd;
  ls.end = end;
}

/**
 * A level list `[["p","q"],...]` at `i` with exactly two plain strings per level: the arrays (as
 * JSON.parse builds them, wire strings exact), end index in {@link scanned}; null for anything else.
 * `side`: 0 bids, 1 asks (each parsed into the delta begun by {@link beginDeltaLevels}), 2 not parsed
 * (a snapshot's levels, which the book validates itself).
 */
export function scanPairLevels(t: string, i: number, side: 0 | 1 | 2): WireLevel[] | null {
  if (t.charCodeAt(i) !== CH.openBracket) return null;
  const out: WireLevel[] = [];
  const parse = side !== 2;
  if (parse) openSide(side === 0);
  i++;
  if (t.charCodeAt(i) !== CH.closeBracket) {
    for (;;) {
      if (t.charCodeAt(i) !== CH.openBracket || t.charCodeAt(i + 1) !== CH.quote) return null;
      const pEnd = scanDecimalString(t, i + 2);
      const price = scannedDecimal;
      if (pEnd < 0 || t.charCodeAt(pEnd) !== CH.comma || t.charCodeAt(pEnd + 1) !== CH.quote) return null;
      const qEnd = scanDecimalString(t, pEnd + 2);
      if (qEnd < 0 || t.charCodeAt(qEnd) !== CH.closeBracket) return null;
      if (parse) writeLevel(price, scannedDecimal);
      out.push([t.slice(i + 2, pEnd - 1), t.slice(pEnd + 2, qEnd - 1)]);
      i = qEnd + 1;
      const c = t.charCodeAt(i);
      if (c === CH.comma) {
        i++;
        continue;
      }
      if (c !== CH.closeBracket) return null;
      break;
    }
  }
  if (parse) closeSide(side === 0);
  scanned = i + 1;
  return out;
}

/**
 * Caches one instrument id `<prefix><symbol>` per scanner: the previous frame's string when the symbol
 * text is the same (a connection carries few symbols), so no slice or concatenation per frame.
 */
export class InstrumentCache {
  private prefix = '';
  private symbol = '';
  private id = '';

  /** The id `<prefix><symbol>` for the symbol text t[start, end). */
  at(t: string, start: number, end: number, prefix: string): string {
    if (end - start !== this.symbol.length || prefix !== this.prefix || !t.startsWith(this.symbol, start)) {
      this.symbol = t.slice(start, end);
      this.prefix = prefix;
      this.id = prefix + this.symbol;
    }
    return this.id;
  }
}
