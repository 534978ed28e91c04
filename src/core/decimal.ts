/**
 * Exact decimal handling for wire prices and sizes.
 *
 * Why a double can be an exact key: IEEE-754 binary64 round-trips every decimal of at most 15 significant
 * digits (DBL_DIG = 15): the nearest double to such a decimal is unique and prints back to it. So the
 * correctly rounded conversion is injective over those decimals (equal decimals such as "1.50" and "1.5"
 * share a key, as they should; distinct ones never collide). We check the digit count and reject longer
 * strings with a typed error instead of silently merging two levels.
 *
 * Speed: validation and conversion are one pass over the characters. The digits (after leading zeros)
 * are accumulated as an integer m; with at most 15 of them m < 2^53 is exact, and so is 10^f for f <= 22
 * fraction digits, so m / 10^f is one correctly rounded IEEE division: exactly the nearest double to the
 * decimal, i.e. the same number as `Number(s)` (Clinger's fast path). Anything else (more than 15 digits
 * counting trailing zeros, more than 22 fraction digits) falls back to `Number(s)`.
 */
import { PrecisionError, MalformedFrameError } from './errors.ts';

/** 10^0 .. 10^22, all exactly representable as doubles. */
const POW10 = new Float64Array(23);
for (let i = 0, p = 1; i < 23; i++, p *= 10) POW10[i] = p;

function notDecimal(s: string): MalformedFrameError {
  return new MalformedFrameError('invalid_field', `not a decimal: "${s}"`);
}

/**
 * Parse a non-negative wire decimal ("61234.10", "0.00100000"; "1e-8", "-1", " 1", "1." are rejected)
 * to a number, checking that it is exact (at most 15 significant digits) and well formed.
 * @param rounded accept more than 15 significant digits, returning the nearest double (`Number(s)`):
 *   for sizes only, which are never book keys; the caller keeps the exact wire string (book levels do,
 *   for checksums and output), so only arithmetic on the size (sums, notionals) sees the rounding
 * @returns the value (finite, >= 0), identical to `Number(s)` for every accepted string
 * @throws {MalformedFrameError} `invalid_field` for anything but digits with one optional inner `.`
 * @throws {PrecisionError} for more than 15 significant digits (trailing zeros do not count), unless
 *   `rounded`
 */
export function parseDecimal(s: string, rounded = false): number {
  const n = s.length;
  if (n === 0 || n > 64) throw notDecimal(s);
  let m = 0; // the digits after the leading zeros, as an integer (exact while digits <= 15)
  let digits = 0; // digits accumulated into m, trailing zeros included
  let lastNonZero = 0; // significant digits up to the last non-zero one
  let dot = -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const d = c - 48;
    if (d >>> 0 > 9) {
      if (c !== 46 /* . */ || dot >= 0 || i === 0 || i === n - 1) throw notDecimal(s);
      dot = i;
      continue;
    }
    if (digits === 0 && d === 0) continue; // leading zero: not significant
    m = m * 10 + d;
    digits++;
    if (d !== 0) lastNonZero = digits;
  }
  if (lastNonZero > 15) {
    if (rounded) return +s;
    throw new PrecisionError(s);
  }
  const frac = dot < 0 ? 0 : n - 1 - dot;
  if (digits <= 15 && frac <= 22) return frac === 0 ? m : m / POW10[frac]!;
  return +s;
}

/** Value read by the last {@link scanDecimalString}: NaN when it must be validated by parseDecimal. */
export let scannedDecimal = 0;

/**
 * Read the JSON string that starts at `i` (just after its opening quote) in `t` as a wire decimal, in
 * the same pass that finds its end: for scanners that parse levels in place (no string slice needed
 * for the number). The value goes to {@link scannedDecimal}: exactly `parseDecimal(s)` of the string's
 * contents `s` when that takes its exact fast path (at most 15 digits after the leading zeros, at most
 * 22 fraction digits, well formed), else NaN — then the caller validates the string itself with
 * parseDecimal (which gives the typed error or the `Number(s)` fallback). Never throws.
 * @returns the index after the closing quote, or -1 when the string holds an escape or a control
 *   character or is unterminated (JSON.parse decides those)
 */
export function scanDecimalString(t: string, i: number): number {
  const start = i;
  // readDigits' loop, written out here: this is the scanners' hot path, and the call with its
  // module-level accumulator measured 5-15 % slower than these local loops (bench: scanLevels over the
  // Binance depth frames).
  let m = 0;
  let d = t.charCodeAt(i) - 48;
  while (d >= 0 && d <= 9) {
    // (false for NaN: the end of the text)
    m = m * 10 + d;
    d = t.charCodeAt(++i) - 48;
  }
  let dot = -1;
  if (d === -2 /* . */) {
    dot = i;
    d = t.charCodeAt(++i) - 48;
    while (d >= 0 && d <= 9) {
      m = m * 10 + d;
      d = t.charCodeAt(++i) - 48;
    }
  }
  if (d !== -14 /* " */) {
    // Not a plain decimal (a second `.`, a sign, an exponent, ... or the end of the text).
    scannedDecimal = NaN;
    return jsonStringEnd(t, i);
  }
  const n = i - start;
  const frac = dot < 0 ? 0 : i - 1 - dot;
  scannedDecimal =
    n === 0 ||
    n > 64 ||
    dot === start ||
    (frac === 0 && dot >= 0) ||
    frac > 22 ||
    tooManyDigits(t, start, i, n - (dot < 0 ? 0 : 1))
      ? NaN
      : frac === 0
        ? m
        : m / POW10[frac]!;
  return i + 1;
}

/**
 * End (index after the closing quote) of the JSON string that goes on at `i` (anywhere after its
 * opening quote), or -1 when the rest of it holds an escape or a control character (JSON.parse decides
 * those) or is unterminated. The frame scanners' `scanString` (src/feeds/frame-scan.ts) is this function;
 * it lives here so that scanDecimalString, its cold path, can call it, and stays out of
 * scanDecimalString's body so that the hot function is small enough for V8 to inline into the scanners.
 */
export function jsonStringEnd(t: string, i: number): number {
  for (;;) {
    const e = t.charCodeAt(i++);
    if (e === 34) return i;
    if (e === 92 /* \ */ || e < 32 || e !== e) return -1; // e !== e: end of text (NaN)
  }
}

/** The digits read by the last {@link readDigits} calls of one scan, as an integer. */
let acc = 0;

/**
 * Read the run of ASCII digits at `i` of `t`, appending them to `acc` (`acc * 10 + digit` each): the
 * index after the run. `acc` is exact while it holds at most 15 significant digits (leading zeros add
 * nothing); the callers check that with {@link tooManyDigits}.
 */
function readDigits(t: string, i: number): number {
  let m = acc;
  let d = t.charCodeAt(i) - 48;
  while (d >= 0 && d <= 9) {
    // (false for NaN: the end of the text)
    m = m * 10 + d;
    d = t.charCodeAt(++i) - 48;
  }
  acc = m;
  return i;
}

/**
 * Whether the decimal text t[start, end) of `chars` digits (its `.` not counted) has more than 15
 * significant digits (leading zeros do not count, trailing ones do: parseDecimal's count). Only texts of
 * more than 15 digits are walked again.
 */
function tooManyDigits(t: string, start: number, end: number, chars: number): boolean {
  if (chars <= 15) return false;
  let i = start;
  while (i < end && (t.charCodeAt(i) === 48 /* 0 */ || t.charCodeAt(i) === 46)) i++;
  let n = 0;
  for (; i < end; i++) if (t.charCodeAt(i) !== 46) n++;
  return n > 15;
}

/**
 * Read an unquoted wire decimal at `i` in `t`: the number text of venues that send prices or sizes as
 * JSON numbers (Bybit v1 `size`), whose parsers quote it before JSON.parse (feeds/fields.ts
 * `parseJsonKeepingDecimals`, pattern `\d+(\.\d+)?`). Reads digits, then a `.` only when a digit
 * follows it (as that pattern does), and stops at anything else: the caller checks the character at the
 * returned index (`,` or `}` for a whole JSON number; `.`, `e`, ... mean the token is not a plain
 * decimal). The value goes to {@link scannedDecimal} exactly as {@link scanDecimalString} sets it for the
 * same text (NaN when parseDecimal must validate it). Never throws.
 * @returns the index after the token, or -1 when `t[i]` is not a digit
 */
export function scanDecimalNumber(t: string, i: number): number {
  const start = i;
  acc = 0;
  i = readDigits(t, i);
  if (i === start) return -1;
  let frac = 0;
  if (t.charCodeAt(i) === 46 /* . */) {
    const f = t.charCodeAt(i + 1) - 48;
    if (f >= 0 && f <= 9) {
      const dot = i;
      i = readDigits(t, i + 1);
      frac = i - 1 - dot;
    }
  }
  const n = i - start;
  scannedDecimal =
    n > 64 || frac > 22 || tooManyDigits(t, start, i, frac === 0 ? n : n - 1)
      ? NaN
      : frac === 0
        ? acc
        : acc / POW10[frac]!;
  return i;
}
