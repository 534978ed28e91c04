/**
 * Binance frame parser (spot, USD-M, COIN-M): combined-stream envelopes `{"stream","data"}` and raw
 * streams alike.
 *
 * Follows: Binance Spot API "WebSocket Streams" (Diff. Depth Stream, Trade Streams, Aggregate Trade
 * Streams, Individual Symbol Book Ticker Streams) and Binance Derivatives "Websocket Market Streams"
 * (Diff. Book Depth Streams with `pu`, Aggregate Trade, Individual Symbol Book Ticker).
 *
 * Field rules:
 * - instrument: `<venue>:<s>` with the venue id of this parser (binance, binance-usdm, binance-coinm).
 * - exchangeTs: `E` (event time, ms). Trades use `T` (trade time) when present.
 * - depth delta: firstSequence `U`, sequence `u`, prevSequence `pu` (futures; NaN on spot).
 * - trade side: `m` = buyer is the maker, so the aggressor sold (`sell`); `m == false` → `buy`.
 * - trade kind: futures `X` other than `MARKET` (insurance fund, ADL) sets Trade.kind (tradeKind).
 * - bookTicker: sequence `u`; the venue's BBO (an oracle for the rebuilt book).
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type {
  BookDelta,
  MarketEvent,
  Bbo,
  NonMarketTradeKind,
  Trade,
  VenueId,
  WireLevel,
} from '../../core/model.ts';
import type { FeedParser } from '../types.ts';

type Json = Record<string, unknown>;

function int(v: unknown, name: string, instrument: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw invalidField(`${name} must be a non-negative integer`, instrument);
  return v;
}

function str(v: unknown, name: string, instrument: string): string {
  if (typeof v !== 'string') throw invalidField(`${name} must be a string`, instrument);
  return v;
}

function levels(v: unknown, name: string, instrument: string): readonly WireLevel[] {
  // Element shape ([price, size] decimal strings) is validated by the book before any change is applied.
  if (!Array.isArray(v)) throw invalidField(`${name} must be an array of levels`, instrument);
  return v as WireLevel[];
}

/** Second result of the scan helpers below (the parsed integer, or the end of a level list). */
let scanned = 0;

/**
 * End (index after the closing quote) of a JSON string whose opening quote is at `i - 1`, or -1 when it
 * holds an escape or a control character (JSON.parse decides those) or is unterminated.
 */
function scanString(t: string, i: number): number {
  for (;;) {
    const c = t.charCodeAt(i++);
    if (c === 34) return i;
    if (c === 92 || c < 32 || c !== c) return -1; // backslash, control character, end of text (NaN)
  }
}

/**
 * A JSON unsigned integer of 1-15 digits at `i` (no leading zero, no fraction or exponent), so it is a
 * safe integer: value in `scanned`, returns the index after it, or -1.
 */
function scanUint(t: string, i: number): number {
  let v = 0;
  const start = i;
  for (;;) {
    const d = t.charCodeAt(i) - 48;
    if (d >>> 0 > 9 || d !== d) break; // d !== d: past the end (NaN)
    v = v * 10 + d;
    i++;
  }
  const n = i - start;
  if (n === 0 || n > 15 || (n > 1 && t.charCodeAt(start) === 48)) return -1;
  const c = t.charCodeAt(i);
  if (c === 46 || c === 101 || c === 69) return -1; // . e E: not a plain integer
  scanned = v;
  return i;
}

/**
 * A level list `[["p","q"],...]` at `i` with exactly two plain strings per level: the arrays (as
 * JSON.parse would build them), end index in `scanned`; null for anything else.
 */
function scanLevels(t: string, i: number): WireLevel[] | null {
  if (t.charCodeAt(i) !== 91 /* [ */) return null;
  const out: WireLevel[] = [];
  i++;
  if (t.charCodeAt(i) === 93 /* ] */) {
    scanned = i + 1;
    return out;
  }
  for (;;) {
    if (t.charCodeAt(i) !== 91 || t.charCodeAt(i + 1) !== 34) return null;
    const pEnd = scanString(t, i + 2);
    if (pEnd < 0 || t.charCodeAt(pEnd) !== 44 || t.charCodeAt(pEnd + 1) !== 34) return null;
    const qEnd = scanString(t, pEnd + 2);
    if (qEnd < 0 || t.charCodeAt(qEnd) !== 93) return null;
    out.push([t.slice(i + 2, pEnd - 1), t.slice(pEnd + 2, qEnd - 1)]);
    i = qEnd + 1;
    const c = t.charCodeAt(i);
    if (c === 44) {
      i++;
      continue;
    }
    if (c !== 93) return null;
    scanned = i + 1;
    return out;
  }
}

/**
 * Scratch of scanFlat, per key (char code of a one-letter key; 1 = `ps`): 0 absent, 1 string
 * [flatStart, flatEnd), 2 integer flatNum, 3 true, 4 false.
 */
const flatKind = new Uint8Array(128);
const flatStart = new Int32Array(128);
const flatEnd = new Int32Array(128);
const flatNum = new Float64Array(128);
/** Keys seen by the current scan, in order (at most one per key). */
const flatSeen = new Uint8Array(128);
/** Keys scanFlat models (trade: e E T s t p q X m M; bookTicker: e u s ps b B a A T E). */
const FLAT_KEYS = new Uint8Array(128);
for (const k of 'eETstpqXmMubBaA') FLAT_KEYS[k.charCodeAt(0)] = 1;
FLAT_KEYS[1] = 1;

/** Parser for one Binance market. Stateless; one instance can serve many connections. */
export class BinanceParser implements FeedParser {
  private readonly prefix: string;

  /** @param venue which Binance market the frames come from */
  constructor(readonly venue: VenueId) {
    this.prefix = venue + ':';
  }

  parse(text: string, localTs: number): readonly MarketEvent[] {
    // Fast path: a combined-stream depthUpdate frame scanned in place (same event as below, or null
    // for anything it does not recognise exactly, which then takes the JSON.parse path).
    if (text.charCodeAt(2) === 115 /* {"s */ && text.startsWith('{"stream":"')) {
      const i = scanString(text, 11);
      if (i > 0 && text.startsWith(',"data":{', i)) {
        const start = i + 9;
        const e = text.startsWith('"e":"depthUpdate"', start)
          ? this.scanDepth(text, start, localTs)
          : this.scanFlat(text, start, localTs);
        if (e !== null) return [e];
      }
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      throw new MalformedFrameError('malformed_json', 'frame is not valid JSON');
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg))
      throw new MalformedFrameError('invalid_field', 'frame must be a JSON object');
    let data = msg as Json;
    if (typeof data.stream === 'string') {
      const inner = data.data;
      if (inner === null || typeof inner !== 'object' || Array.isArray(inner))
        throw new MalformedFrameError('invalid_field', 'combined stream frame without data object');
      data = inner as Json;
    } else if (('result' in data || 'error' in data) && 'id' in data) {
      // Response to SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS (errors are the connector's to log, not drops).
      return [];
    }
    return [this.parseData(data, localTs)];
  }

  /**
   * Scan the data object (from `start`) of a combined-stream depth frame `{"stream":"..","data":{"e":
   * "depthUpdate",..,"b":[["p","q"],..],"a":[..]}}` without building the intermediate JSON objects. Returns exactly the BookDelta that
   * `JSON.parse` + `depth()` would build (same fields, same level arrays of wire strings), or null when the
   * frame is anything else or not in the plain shape Binance sends: whitespace, escapes, control
   * characters, keys other than e/E/T/s/ps/U/u/pu/b/a, repeated keys, non-integer or 16+ digit numbers,
   * levels that are not two strings, U > u, trailing text. Null means "take the JSON.parse path", which
   * then accepts the frame or throws its usual typed error, so behaviour never differs.
   */
  private scanDepth(t: string, start: number, localTs: number): BookDelta | null {
    let i = start;
    let seen = 0;
    let E = NaN;
    let U = -1;
    let u = -1;
    let pu = NaN;
    let symbol = '';
    let bids: WireLevel[] | null = null;
    let asks: WireLevel[] | null = null;
    for (;;) {
      if (t.charCodeAt(i) !== 34 /* " */) return null;
      const k1 = t.charCodeAt(i + 1);
      const k2 = t.charCodeAt(i + 2);
      let bit: number;
      if (k2 === 34) {
        if (t.charCodeAt(i + 3) !== 58 /* : */) return null;
        i += 4;
        if (k1 === 101 /* e */) {
          if (!t.startsWith('"depthUpdate"', i)) return null;
          i += 13;
          bit = 1;
        } else if (k1 === 69 /* E */ || k1 === 84 /* T */) {
          const end = scanUint(t, i);
          if (end < 0) return null;
          if (k1 === 69) E = scanned;
          i = end;
          bit = k1 === 69 ? 2 : 4;
        } else if (k1 === 115 /* s */) {
          const end = scanString(t, i + 1);
          if (t.charCodeAt(i) !== 34 || end < 0 || end === i + 2) return null;
          symbol = t.slice(i + 1, end - 1);
          i = end;
          bit = 8;
        } else if (k1 === 85 /* U */ || k1 === 117 /* u */) {
          const end = scanUint(t, i);
          if (end < 0) return null;
          if (k1 === 85) U = scanned;
          else u = scanned;
          i = end;
          bit = k1 === 85 ? 16 : 32;
        } else if (k1 === 98 /* b */ || k1 === 97 /* a */) {
          const levels = scanLevels(t, i);
          if (levels === null) return null;
          if (k1 === 98) bids = levels;
          else asks = levels;
          i = scanned;
          bit = k1 === 98 ? 64 : 128;
        } else return null;
      } else if (k1 === 112 /* p */ && k2 === 117 /* u */ && t.startsWith('":', i + 3)) {
        const end = scanUint(t, i + 5);
        if (end < 0) return null;
        pu = scanned;
        i = end;
        bit = 256;
      } else if (k1 === 112 /* p */ && k2 === 115 /* s: COIN-M pair */ && t.startsWith('":"', i + 3)) {
        const end = scanString(t, i + 6);
        if (end < 0) return null;
        i = end;
        bit = 512;
      } else return null;
      if ((seen & bit) !== 0) return null;
      seen |= bit;
      const c = t.charCodeAt(i);
      if (c === 44 /* , */) {
        i++;
        continue;
      }
      if (c !== 125 /* } */ || t.charCodeAt(i + 1) !== 125 || i + 2 !== t.length) return null;
      break;
    }
    // e, s, U, u, b, a are required; U > u is an error the slow path reports.
    if ((seen & 0xf9) !== 0xf9 || U > u || bids === null || asks === null) return null;
    return {
      type: 'book_delta',
      instrument: this.prefix + symbol,
      exchangeTs: E,
      localTs,
      firstSequence: U,
      sequence: u,
      prevSequence: pu,
      bids,
      asks,
    };
  }

  /**
   * Scan the flat data object (from `start`) of a combined-stream trade or bookTicker frame without
   * building JSON objects: keys of one letter (or `ps`), values plain strings, integers of 1-15 digits,
   * or booleans, then `}}` at the end of the frame. Returns exactly the event `JSON.parse` + `trade()` /
   * `bbo()` would build, or null (take the JSON.parse path) for anything else: other events (aggTrade
   * included), missing or mistyped fields, repeated keys, escapes, whitespace, trailing text.
   */
  private scanFlat(t: string, start: number, localTs: number): Trade | Bbo | null {
    const kind = flatKind;
    let i = start;
    let seenList = 0; // keys seen, to reset their kind afterwards
    let ok = false;
    for (;;) {
      if (t.charCodeAt(i) !== 34) break;
      let key = t.charCodeAt(i + 1);
      if (key < 65 || key >= 128 || key === 92 || key !== key) break; // letters only (no \\, controls)
      if (t.charCodeAt(i + 2) === 34) i += 3;
      else if (key === 112 /* p */ && t.charCodeAt(i + 2) === 115 /* s */ && t.charCodeAt(i + 3) === 34) {
        key = 1; // "ps"
        i += 4;
      } else break;
      if (t.charCodeAt(i) !== 58 /* : */ || kind[key] !== 0 || FLAT_KEYS[key] === 0) break;
      flatSeen[seenList++] = key;
      i++;
      const c = t.charCodeAt(i);
      if (c === 34) {
        const end = scanString(t, i + 1);
        if (end < 0) break;
        kind[key] = 1;
        flatStart[key] = i + 1;
        flatEnd[key] = end - 1;
        i = end;
      } else if (c === 116 /* t */ && t.startsWith('true', i)) {
        kind[key] = 3;
        i += 4;
      } else if (c === 102 /* f */ && t.startsWith('false', i)) {
        kind[key] = 4;
        i += 5;
      } else {
        const end = scanUint(t, i);
        if (end < 0) break;
        kind[key] = 2;
        flatNum[key] = scanned;
        i = end;
      }
      const d = t.charCodeAt(i);
      if (d === 44) {
        i++;
        continue;
      }
      ok = d === 125 && t.charCodeAt(i + 1) === 125 && i + 2 === t.length;
      break;
    }
    const event = ok ? this.flatEvent(t, localTs) : null;
    for (let k = 0; k < seenList; k++) kind[flatSeen[k]!] = 0;
    return event;
  }

  /** The trade or bbo event from scanFlat's scratch (keys already checked against FLAT_KEYS), or null. */
  private flatEvent(t: string, localTs: number): Trade | Bbo | null {
    const kind = flatKind;
    const s =
      kind[115] === 1 && flatEnd[115]! > flatStart[115]! ? t.slice(flatStart[115], flatEnd[115]) : null;
    if (s === null) return null;
    const e = kind[101] === 1 ? t.slice(flatStart[101], flatEnd[101]) : kind[101] === 0 ? undefined : null;
    const E = kind[69] === 2 ? flatNum[69]! : NaN;
    if (e === 'trade') {
      // trade(): id t (number), m boolean, p/q strings, time T else E.
      if (kind[116] !== 2 || (kind[109] !== 3 && kind[109] !== 4) || kind[112] !== 1 || kind[113] !== 1)
        return null;
      if (kind[97] !== 0 || kind[98] !== 0 || kind[117] !== 0 || kind[66] !== 0 || kind[65] !== 0)
        return null;
      // Futures `X` (trade type): only a non-MARKET value marks the print (tradeKind).
      const X = kind[88] === 1 ? t.slice(flatStart[88], flatEnd[88]) : kind[88] === 0 ? undefined : null;
      if (X === null) return null;
      const trade: Trade = {
        type: 'trade',
        instrument: this.prefix + s,
        exchangeTs: kind[84] === 2 ? flatNum[84]! : E,
        localTs,
        id: String(flatNum[116]),
        price: t.slice(flatStart[112], flatEnd[112]),
        size: t.slice(flatStart[113], flatEnd[113]),
        side: kind[109] === 3 ? 'sell' : 'buy',
      };
      return X === undefined || X === 'MARKET' ? trade : { ...trade, kind: tradeKind(X) };
    }
    if (e === 'bookTicker' || e === undefined) {
      // bbo(): u integer, b/B/a/A strings.
      if (kind[117] !== 2 || kind[98] !== 1 || kind[66] !== 1 || kind[97] !== 1 || kind[65] !== 1)
        return null;
      if (kind[116] !== 0 || kind[112] !== 0 || kind[113] !== 0 || kind[109] !== 0) return null;
      return {
        type: 'bbo',
        instrument: this.prefix + s,
        exchangeTs: E,
        localTs,
        sequence: flatNum[117]!,
        bidPrice: t.slice(flatStart[98], flatEnd[98]),
        bidSize: t.slice(flatStart[66], flatEnd[66]),
        askPrice: t.slice(flatStart[97], flatEnd[97]),
        askSize: t.slice(flatStart[65], flatEnd[65]),
      };
    }
    return null;
  }

  /** Parse the inner payload of one stream message. */
  parseData(d: Json, localTs: number): MarketEvent {
    const e = d.e;
    if (e === 'depthUpdate') return this.depth(d, localTs);
    if (e === 'trade' || e === 'aggTrade') return this.trade(d, localTs);
    // Spot bookTicker payloads carry no `e`; futures ones say "bookTicker".
    if (e === 'bookTicker' || (e === undefined && 'u' in d && 'b' in d && 'B' in d))
      return this.bbo(d, localTs);
    throw new MalformedFrameError('unknown_stream', `unsupported Binance event ${JSON.stringify(e ?? null)}`);
  }

  private instrumentOf(d: Json): string {
    const s = d.s;
    if (typeof s !== 'string' || s.length === 0) throw invalidField('symbol `s` must be a non-empty string');
    return this.prefix + s;
  }

  private depth(d: Json, localTs: number): BookDelta {
    const instrument = this.instrumentOf(d);
    const U = int(d.U, 'U', instrument);
    const u = int(d.u, 'u', instrument);
    if (U > u) throw invalidField(`U ${U} > u ${u}`, instrument);
    const pu = d.pu === undefined ? NaN : int(d.pu, 'pu', instrument);
    return {
      type: 'book_delta',
      instrument,
      exchangeTs: typeof d.E === 'number' ? d.E : NaN,
      localTs,
      firstSequence: U,
      sequence: u,
      prevSequence: pu,
      bids: levels(d.b, 'b', instrument),
      asks: levels(d.a, 'a', instrument),
    };
  }

  private trade(d: Json, localTs: number): Trade {
    const instrument = this.instrumentOf(d);
    const id = d.e === 'aggTrade' ? d.a : d.t;
    if (typeof id !== 'number' && typeof id !== 'string') throw invalidField('trade id missing', instrument);
    const m = d.m;
    if (typeof m !== 'boolean') throw invalidField('`m` (buyer is maker) must be a boolean', instrument);
    const ts = typeof d.T === 'number' ? d.T : typeof d.E === 'number' ? d.E : NaN;
    const trade: Trade = {
      type: 'trade',
      instrument,
      exchangeTs: ts,
      localTs,
      id: String(id),
      price: str(d.p, 'p', instrument),
      size: str(d.q, 'q', instrument),
      side: m ? 'sell' : 'buy',
    };
    const X = d.X;
    if (X === undefined || X === 'MARKET') return trade;
    if (typeof X !== 'string') throw invalidField('`X` (trade type) must be a string', instrument);
    return { ...trade, kind: tradeKind(X) };
  }

  private bbo(d: Json, localTs: number): Bbo {
    const instrument = this.instrumentOf(d);
    return {
      type: 'bbo',
      instrument,
      exchangeTs: typeof d.E === 'number' ? d.E : NaN,
      localTs,
      sequence: int(d.u, 'u', instrument),
      bidPrice: str(d.b, 'b', instrument),
      bidSize: str(d.B, 'B', instrument),
      askPrice: str(d.a, 'a', instrument),
      askSize: str(d.A, 'A', instrument),
    };
  }
}

/**
 * The non-market kind of a Binance futures trade type `X` other than `MARKET` (Binance Derivatives
 * "Trade Streams": `MARKET`, `INSURANCE_FUND` (liquidation taken over by the insurance fund), `ADL`
 * (auto-deleveraging), `NA`).
 */
export function tradeKind(X: string): NonMarketTradeKind {
  if (X === 'INSURANCE_FUND') return 'insurance_fund';
  if (X === 'ADL') return 'adl';
  if (X === 'LIQUIDATION') return 'liquidation';
  return 'other';
}
