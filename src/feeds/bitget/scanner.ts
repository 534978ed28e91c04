/**
 * The Bitget frame scanner: BitgetParser's fast path for order-book pushes. It reads a `books*` push in
 * place, without JSON.parse, and returns exactly the event the JSON.parse path (`BitgetParser.parseJson`)
 * returns for the same frame: same fields in the same order, level arrays holding the exact wire strings
 * (the CRC32 checksum is computed over them, checksum.ts).
 *
 * Follows: Bitget API v2 docs, "Spot > WebSocket > Public > Depth Channel" and "Futures > WebSocket >
 * Public > Order Book Channel" (push `{"action":"snapshot"|"update","arg":{"instType","channel",
 * "instId"},"data":[{"asks":[["p","q"],..],"bids":[..],"checksum":<int32>,"seq":<int>,"ts":"<ms>"}],
 * "ts":<ms>}`), and the v1 docs ("spot/v1/stream", "mix/v1/stream") the 2022 recordings follow (no `seq`,
 * no top-level `ts`).
 *
 * Accepted: exactly that shape, `arg` keys in that order, one `data` object whose keys (asks, bids,
 * checksum, seq, ts) come in any order, once each, with levels of two plain strings, integer checksum
 * and seq, `ts` an integer string or number. Anything else (whitespace, escapes, other keys or channels,
 * several data objects, `null`s, trailing text) gives null and the frame takes the JSON.parse path,
 * which accepts it or throws its usual typed error (test/fuzz-scanner-bitget.test.ts checks both paths
 * agree on the recordings and their mutations). Prices and sizes are parsed while scanned and tag the
 * level scratch (frame-scan.ts; asks, sent first, are moved after the bids), so `L2Book.applyDelta` and
 * `applySnapshot` do not validate them again.
 */
import type { BookDelta, BookSnapshot, WireLevel } from '../../core/model.ts';
import {
  CH,
  InstrumentIds,
  beginLevels,
  levelsEnd,
  scanInt,
  scanKey,
  scanLevels,
  scanString,
  scanUint,
  scanned,
  tagLevels,
  tagLevelsAsksFirst,
} from '../frame-scan.ts';
import { BITGET_BOOK_DEPTH, BITGET_MARKETS } from './channels.ts';
import { bookDelta, bookSnapshot } from '../events.ts';

/** Text between the parts of the frame head. */
const HEAD = '{"action":"';
const ARG = ',"arg":{"instType":"';
const CHANNEL = ',"channel":"';
const INST_ID = ',"instId":"';
const DATA = '},"data":[{';
const TOP_TS = ',"ts":';

/** Bits of the data object's keys seen. */
const SEEN = { asks: 1, bids: 2, checksum: 4, seq: 8, ts: 16 } as const;
const LEVELS_REQUIRED = SEEN.asks | SEEN.bids;
/** First letter of `bids`. */
const LETTER_B = 98;

/** Range of a checksum optChecksum accepts (signed or unsigned 32-bit). */
const INT32_MIN = -0x80000000;
const UINT32_MAX = 0xffffffff;

/** Instrument prefix `<venue>:` of each `instType` spelling (BITGET_MARKETS). */
const PREFIX = new Map(Object.entries(BITGET_MARKETS).map(([k, v]) => [k, `${v}:`]));

const instruments = new InstrumentIds();

/**
 * Scan one Bitget frame.
 * @returns the book_snapshot or book_delta of a `books*` push in the plain shape (see the module doc),
 *   exactly as the JSON.parse path builds it, or null (take that path)
 */
export function scanBitgetFrame(t: string, localTs: number): BookSnapshot | BookDelta | null {
  if (!t.startsWith(HEAD)) return null;
  let i = scanString(t, HEAD.length);
  if (i < 0) return null;
  const action = t.slice(HEAD.length, i - 1);
  if (action !== 'update' && action !== 'snapshot') return null;
  if (!t.startsWith(ARG, i)) return null;
  const typeStart = i + ARG.length;
  i = scanString(t, typeStart);
  if (i < 0) return null;
  const prefix = PREFIX.get(t.slice(typeStart, i - 1));
  if (prefix === undefined || !t.startsWith(CHANNEL, i)) return null;
  const channelStart = i + CHANNEL.length;
  i = scanString(t, channelStart);
  if (i < 0) return null;
  const channel = t.slice(channelStart, i - 1);
  if (!Object.hasOwn(BITGET_BOOK_DEPTH, channel) || !t.startsWith(INST_ID, i)) return null;
  const depth = BITGET_BOOK_DEPTH[channel]!;
  const idStart = i + INST_ID.length;
  i = scanString(t, idStart);
  if (i < 0 || i === idStart + 1 || !t.startsWith(DATA, i)) return null;
  const instrument = instruments.at(t, idStart, i - 1, prefix);
  const whole = action === 'snapshot' || depth > 0;
  i += DATA.length;

  // The one data object: keys in any order, once each.
  let seen = 0;
  let checksum = 0;
  let seq = NaN;
  let ts = NaN;
  let bids: WireLevel[] | null = null;
  let asks: WireLevel[] | null = null;
  // Both sides are parsed into the scratch, in the order sent: the first from 0, the second after it.
  let firstEnd = 0;
  let end = 0;
  let asksFirst = false;
  beginLevels();
  for (;;) {
    const v = scanKey(t, i);
    if (v < 0) return null;
    const keyLength = v - i - 3;
    let bit: number;
    if (keyLength === 4 && (t.startsWith('asks', i + 1) || t.startsWith('bids', i + 1))) {
      const isBids = t.charCodeAt(i + 1) === LETTER_B;
      const first = bids === null && asks === null;
      const levels = scanLevels(t, v, end, 2);
      if (levels === null) return null;
      if (first) {
        firstEnd = levelsEnd;
        asksFirst = !isBids;
      }
      if (isBids) bids = levels;
      else asks = levels;
      end = levelsEnd;
      i = scanned;
      bit = isBids ? SEEN.bids : SEEN.asks;
    } else if (keyLength === 8 && t.startsWith('checksum', i + 1)) {
      i = scanInt(t, v);
      if (i < 0 || scanned < INT32_MIN || scanned > UINT32_MAX) return null;
      checksum = scanned | 0;
      bit = SEEN.checksum;
    } else if (keyLength === 3 && t.startsWith('seq', i + 1)) {
      i = scanInt(t, v);
      if (i < 0) return null;
      seq = scanned;
      bit = SEEN.seq;
    } else if (keyLength === 2 && t.startsWith('ts', i + 1)) {
      // A time string of digits (as sent) or a number.
      const quoted = t.charCodeAt(v) === CH.quote;
      i = scanUint(t, quoted ? v + 1 : v);
      if (i < 0 || (quoted && t.charCodeAt(i++) !== CH.quote)) return null;
      ts = scanned;
      bit = SEEN.ts;
    } else return null;
    if ((seen & bit) !== 0) return null;
    seen |= bit;
    const c = t.charCodeAt(i);
    if (c === CH.comma) {
      i++;
      continue;
    }
    if (c !== CH.closeBrace || t.charCodeAt(i + 1) !== CH.closeBracket) return null;
    i += 2;
    break;
  }
  if ((seen & LEVELS_REQUIRED) !== LEVELS_REQUIRED || bids === null || asks === null) return null;
  // v2's top-level `ts` (ignored by the parser), then the end of the frame.
  if (t.startsWith(TOP_TS, i)) {
    i = scanUint(t, i + TOP_TS.length);
    if (i < 0) return null;
  }
  if (t.charCodeAt(i) !== CH.closeBrace || i + 1 !== t.length) return null;
  // The scratch holds bids in [0, mid), asks after (level-scratch.ts): asks sent first are moved.
  if (asksFirst) tagLevelsAsksFirst(bids, asks, firstEnd, end);
  else tagLevels(bids, asks, firstEnd, end);
  const sum = (seen & SEEN.checksum) !== 0 ? checksum : undefined;
  if (whole) return bookSnapshot(instrument, ts, localTs, seq, bids, asks, depth, sum);
  return bookDelta(instrument, ts, localTs, seq, seq, NaN, bids, asks, sum);
}
