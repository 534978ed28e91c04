/**
 * Field checks shared by every venue parser (src/feeds/<venue>/): parse the frame, read typed fields,
 * and turn anything unusable into a typed {@link MalformedFrameError} (dropped and counted by the engine,
 * attributed to the instrument when known). One module so that every venue validates the same way and a
 * new venue writes none of this again.
 *
 * Conventions:
 * - `instrument` arguments are the normalized id (`<venue>:<symbol>`) when the parser already knows it,
 *   so the drop is counted against that book too.
 * - Times are ms since epoch UTC; sequences are non-negative safe integers; absent optional numbers are
 *   NaN (the model's "unknown").
 * - Prices and sizes stay wire decimal strings. Venues that send them as JSON numbers are parsed with
 *   {@link parseJsonKeepingDecimals}, which quotes the named members' number text before JSON.parse, so
 *   the exact digits survive (a double would round 17+ significant digits silently).
 */
import { MalformedFrameError, invalidField } from '../core/errors.ts';
import type { WireLevel } from '../core/model.ts';

/** A parsed JSON object. */
export type Json = Record<string, unknown>;

/**
 * A frozen lookup table of wire names (channels, market types) with no prototype: `table[name]` is
 * undefined for every name it does not list, `constructor`, `toString` and `__proto__` included. A plain
 * object literal answers those from Object.prototype, so a frame naming one would pass as a known stream
 * (with a function for its venue or depth) instead of being rejected.
 * @param entries the names and their values
 */
export function wireTable<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

/** True for a non-null, non-array object. */
export function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * JSON.parse that throws the typed drop error.
 * @throws {MalformedFrameError} `malformed_json`
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedFrameError('malformed_json', 'frame is not valid JSON');
  }
}

/**
 * The frame as a JSON object.
 * @throws {MalformedFrameError} `malformed_json` (not JSON) or `invalid_field` (not an object)
 */
export function parseObject(text: string): Json {
  const v = parseJson(text);
  if (!isObject(v)) throw new MalformedFrameError('invalid_field', 'frame must be a JSON object');
  return v;
}

/** A JSON number token (as JSON allows it). */
const NUMBER = '-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?';

/**
 * Build a parser that quotes the number text of the members named `keys` (object members `"key": 1.5`)
 * before JSON.parse, so prices and sizes that a venue sends as numbers keep their exact wire digits.
 * Use it where a venue's frames carry numeric prices/sizes (Kraken v2, Bybit v1, Deribit, BitMEX,
 * Bitfinex arrays excepted: see {@link quoteArrayNumbers}).
 * @returns `(text) => Json`, throwing like {@link parseObject}
 */
export function parseJsonKeepingDecimals(keys: readonly string[]): (text: string) => Json {
  const re = new RegExp(`"(${keys.map(escapeRe).join('|')})":\\s*(${NUMBER})`, 'g');
  const probes = keys.map((k) => `"${k}":`);
  return (text) => {
    let quoted = text;
    for (const p of probes)
      if (text.includes(p)) {
        quoted = text.replace(re, '"$1":"$2"');
        break;
      }
    return parseObject(quoted);
  };
}

/**
 * Quote every bare JSON number inside arrays of the text (`[1.5,2]` → `["1.5","2"]`), for venues whose
 * frames are positional arrays of numbers (Bitfinex `[chanId,[price,count,amount]]`). Numbers that are
 * object member values are left alone. Returns the rewritten text (parse it with {@link parseJson}).
 */
export function quoteArrayNumbers(text: string): string {
  return text.replace(new RegExp(`([\\[,])\\s*(${NUMBER})(?=\\s*[,\\]])`, 'g'), '$1"$2"');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A required string field.
 * @throws {MalformedFrameError} `invalid_field`
 */
export function reqString(v: unknown, name: string, instrument?: string): string {
  if (typeof v !== 'string') throw invalidField(`${name} must be a string`, instrument);
  return v;
}

/**
 * A required non-empty string field (symbols, ids).
 * @throws {MalformedFrameError} `invalid_field`
 */
export function reqNonEmpty(v: unknown, name: string, instrument?: string): string {
  if (typeof v !== 'string' || v.length === 0)
    throw invalidField(`${name} must be a non-empty string`, instrument);
  return v;
}

/**
 * A required id (trade ids): a JSON number or a non-empty string, as a string.
 * @throws {MalformedFrameError} `invalid_field`
 */
export function reqId(v: unknown, name: string, instrument?: string): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.length > 0) return v;
  throw invalidField(`${name} must be a number or a non-empty string`, instrument);
}

/**
 * A required non-negative safe integer, given as a JSON number or an integer string (`"123"`).
 * @throws {MalformedFrameError} `invalid_field`
 */
export function reqUint(v: unknown, name: string, instrument?: string): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw invalidField(`${name} must be a non-negative integer`, instrument);
  return n;
}

/**
 * A required non-negative safe integer given as a JSON number only, for venues that never quote ids
 * (Binance `U`/`u`/`pu`/`lastUpdateId`, Bybit v5 `u`): an integer string there is a malformed frame.
 * @throws {MalformedFrameError} `invalid_field`
 */
export function reqJsonUint(v: unknown, name: string, instrument?: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw invalidField(`${name} must be a non-negative integer`, instrument);
  return v;
}

/**
 * An optional safe integer (negative allowed: OKX `prevSeqId` -1), NaN when absent or null.
 * @throws {MalformedFrameError} `invalid_field` when present but not an integer
 */
export function optInt(v: unknown, name: string, instrument?: string): number {
  if (v === undefined || v === null) return NaN;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw invalidField(`${name} must be an integer`, instrument);
  return n;
}

/**
 * A time in ms since epoch UTC from a number or numeric string in `unit` (`ms`, `us`, `ns`, `s`; a
 * seconds value may carry a fraction, e.g. Bitstamp/Kraken `"1617667100.123456"`). NaN when absent.
 * @throws {MalformedFrameError} `invalid_field` when present but not a non-negative finite number
 */
export function optTime(
  v: unknown,
  name: string,
  unit: 'ms' | 'us' | 'ns' | 's',
  instrument?: string,
): number {
  if (v === undefined || v === null || v === '') return NaN;
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0)
    throw invalidField(`${name} must be a time`, instrument);
  return unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'us' ? n / 1000 : n / 1e6;
}

/**
 * A time as an ISO-8601 UTC string (`2021-04-17T16:09:56.123456Z`, Coinbase) → ms since epoch UTC
 * (sub-ms digits kept as a fraction). NaN when absent.
 * @throws {MalformedFrameError} `invalid_field` when present but not such a string
 */
export function optIsoTime(v: unknown, name: string, instrument?: string): number {
  if (v === undefined || v === null) return NaN;
  if (typeof v !== 'string') throw invalidField(`${name} must be an ISO time`, instrument);
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)$/.exec(v);
  const base = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (Number.isNaN(base))
    throw invalidField(`${name} must be an ISO time, got ${JSON.stringify(v)}`, instrument);
  return base + (m![2] ? Number(m![2]) * 1000 : 0);
}

/**
 * A list of wire levels. Only the list itself is checked here: each level's shape (`[price, size, ...]`
 * decimal strings) is validated by the book before any change is applied (one pass, no copy).
 * @throws {MalformedFrameError} `invalid_field` when not an array
 */
export function levelList(v: unknown, name: string, instrument?: string): readonly WireLevel[] {
  if (!Array.isArray(v)) throw invalidField(`${name} must be an array of levels`, instrument);
  return v as WireLevel[];
}

/**
 * A trade's taker side from the venue's spelling: `buy`/`sell` (any case, also `b`/`s`, `bid`/`ask` as
 * the side that was hit is NOT accepted here: map those explicitly in the venue parser).
 * @throws {MalformedFrameError} `invalid_field` for anything else
 */
export function takerSide(v: unknown, name: string, instrument?: string): 'buy' | 'sell' {
  const s = typeof v === 'string' ? v.toLowerCase() : '';
  if (s === 'buy' || s === 'b') return 'buy';
  if (s === 'sell' || s === 's') return 'sell';
  throw invalidField(`${name} must be buy or sell, got ${JSON.stringify(v)}`, instrument);
}

/**
 * A signed 32-bit checksum (OKX, Kraken, Bitget send CRC32 signed or unsigned), as a signed int32.
 * `undefined` when absent.
 * @throws {MalformedFrameError} `invalid_field` when present but not a 32-bit integer
 */
export function optChecksum(v: unknown, instrument?: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff)
    throw invalidField('checksum must be a 32-bit integer', instrument);
  return n | 0;
}

/**
 * An amount sent either as a decimal string or as a JSON integer (Gate.io futures sizes, KuCoin futures
 * lots), as exact decimal text: a string is returned as sent (its decimal shape is checked where it is
 * used, e.g. by the book), an integer as its digits.
 * @throws {MalformedFrameError} `precision` for a number that is not a safe integer (its digits are
 *   already lost), `invalid_field` for anything else
 */
export function exactAmount(v: unknown, name: string, instrument?: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v))
      throw new MalformedFrameError('precision', `${name} ${String(v)} is not an exact integer`, instrument);
    return String(v);
  }
  throw invalidField(`${name} must be a decimal string or an integer`, instrument);
}

const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/;

/** Digits of `m` (a NUMBER_TEXT match) as plain decimal text, fraction zeros trimmed, sign kept. */
function plainOf(m: RegExpExecArray): string {
  const digits = m[2]! + (m[3] ?? '');
  const point = m[2]!.length + Number(m[4] ?? 0);
  const int =
    point <= 0
      ? '0'
      : digits
          .slice(0, point)
          .padEnd(point, '0')
          .replace(/^0+(?=\d)/, '');
  const frac = (point < 0 ? '0'.repeat(-point) + digits : digits.slice(Math.max(point, 0))).replace(
    /0+$/,
    '',
  );
  return `${m[1]}${frac === '' ? int : `${int}.${frac}`}`;
}

/**
 * A price or size kept as wire text, with an exponent expanded exactly (`"3.5e-7"` → `"0.00000035"`:
 * BitMEX writes small prices so) because the book keys plain decimals only; any other value is returned
 * as it is (the book validates it). Only for venues without a checksum over the wire text.
 */
export function expandExponent(v: unknown): unknown {
  if (typeof v !== 'string' || !(v.includes('e') || v.includes('E'))) return v;
  const m = NUMBER_TEXT.exec(v);
  return m ? plainOf(m) : v;
}

/**
 * A JSON number's text as a plain decimal string, sign kept (`1E-8` → `0.00000001`, `-2.5e1` → `-25`,
 * `0.010` → `0.010`): venues that send numbers (Bitfinex, Gemini reference data) may use exponent
 * notation, which the book's decimal parser does not accept. Text without an exponent is returned as is.
 * @throws {MalformedFrameError} `invalid_field` when the text is not a JSON number
 */
export function plainDecimal(text: string, instrument?: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (!m) throw invalidField(`not a number: ${JSON.stringify(text)}`, instrument);
  if (m[4] === undefined) return text;
  const digits = m[2]! + (m[3] ?? '');
  const point = m[2]!.length + Number(m[4]);
  let s: string;
  if (point <= 0) s = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) s = digits + '0'.repeat(point - digits.length);
  else s = `${digits.slice(0, point)}.${digits.slice(point)}`;
  s = s.replace(/^0+(?=\d)/, '');
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  return m[1] + s;
}

/**
 * An optional decimal amount that a venue sends as a JSON number (already quoted by
 * {@link parseJsonKeepingDecimals}), a decimal string, or a "not a number" marker (SSI FastConnect sends
 * `AvgPrice: "NaN"`, derivatives quotes send sizes as `"140"`): the exact decimal text, or `''` for an
 * absent, `null` or `"NaN"` value (the model's "unknown"). Exponent text is expanded exactly.
 * @throws {MalformedFrameError} `invalid_field` for anything else (a boolean, an object, non-numeric text)
 */
export function optDecimalText(v: unknown, name: string, instrument?: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return '';
    return plainDecimal(String(v), instrument);
  }
  if (typeof v === 'string') {
    if (v === '' || v === 'NaN' || v === 'nan') return '';
    const m = NUMBER_TEXT.exec(v);
    if (!m) throw invalidField(`${name} must be a decimal, got ${JSON.stringify(v)}`, instrument);
    return m[4] === undefined ? v : plainOf(m);
  }
  throw invalidField(`${name} must be a decimal, got ${JSON.stringify(v)}`, instrument);
}

/**
 * Quote every object member's number in a JSON text (`"LastPrice":22950.0` → `"LastPrice":"22950.0"`),
 * in one pass that tracks string literals (a `:` inside a string is left alone); numbers inside arrays
 * are not member values and stay as they are. The result is JSON when the input is.
 */
export function quoteMemberNumbers(text: string): string {
  let out = '';
  let from = 0;
  let inString = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      continue;
    }
    if (c !== 58) continue; // ':'
    let j = i + 1;
    while (j < n && (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9)) j++;
    const d = text.charCodeAt(j);
    if (d !== 45 && (d < 48 || d > 57)) continue; // not '-' or a digit
    let k = j + 1;
    for (; k < n; k++) {
      const e = text.charCodeAt(k);
      if (e === 44 || e === 125 || e === 93 || e === 32 || e === 9 || e === 10 || e === 13) break;
    }
    out += text.slice(from, j) + '"' + text.slice(j, k) + '"';
    from = k;
    i = k - 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * JSON.parse of an object whose every member number is quoted first ({@link quoteMemberNumbers}), so
 * every amount keeps its exact wire digits: for venues whose messages are flat objects of many numeric
 * fields (SSI FastConnect Data: 60+ prices and volumes a message), where naming every key in
 * {@link parseJsonKeepingDecimals} costs a long alternation. Read the fields with {@link optDecimalText}
 * / {@link reqUint} (a quoted token that is not a JSON number is rejected there).
 * @throws like {@link parseObject}
 */
export function parseObjectQuotingNumbers(text: string): Json {
  return parseObject(quoteMemberNumbers(text));
}
