/**
 * The OKX frame scanner: OkxV5Parser's fast path (and the 2022 generation's, parser-2022.ts). It reads
 * order-book pushes in place, without JSON.parse, and returns exactly the event the JSON.parse path of
 * parser-v5.ts returns for the same frame: same fields in the same order, the same level arrays of wire
 * strings (OKX's four-string levels `[price, size, "0", orderCount]` kept whole, so the CRC32 checksum
 * still reads the strings as sent).
 *
 * Follows: OKX API v5 docs, "WebSocket > Order book channel": a push `{"arg":{"channel":..,"instId":..},
 * "action":"snapshot"|"update","data":[{"asks":[..],"bids":[..],"ts":"..","checksum":..,
 * "prevSeqId":..,"seqId":..}]}` (`books`, `books-l2-tbt`, `books50-l2-tbt`; `books5` and `bbo-tbt`
 * pushes without `action` and with `instId` in the data object); the okx-2022-05 recordings hold the
 * same shape without `seqId`/`prevSeqId`.
 *
 * It only accepts that plain shape: `arg` with exactly `channel` then `instId`, a book channel, one data
 * object whose keys are among asks/bids/ts/checksum/seqId/prevSeqId/instId (each once), `ts` a quoted
 * integer (or a JSON integer), `checksum` a signed 32-bit JSON integer, sequence ids JSON integers (and
 * none at all on a 2022-generation connection). Anything else (whitespace, escapes, other keys, several
 * data objects, 16+ digit numbers, ...) gives null, and the frame takes the JSON.parse path, which
 * accepts it or throws its usual typed error (test/fuzz-scanner-okx.test.ts checks this on the
 * recorded frames and their seeded mutations).
 */
import type { BookDelta, BookSnapshot, WireLevel } from '../../core/model.ts';
import {
  CH,
  InstrumentIds,
  beginLevels,
  levelsEnd,
  scanInt,
  scanLevels,
  scanString,
  scanUint,
  scanUintString,
  scanned,
  tagLevels,
  tagLevelsAsksFirst,
} from '../frame-scan.ts';
import { OKX_BOOK_DEPTH, okxWholeImageChannel } from './channels.ts';
import { bookDelta, bookSnapshot } from '../events.ts';

/** OKX levels: price, size, deprecated "0", order count. */
const LEVEL_STRINGS = 4;
/** The signed 32-bit range OKX checksums must fit (parser-v5.ts checksumOf). */
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

const ARG = '{"arg":{"channel":"';
const INST_ID = ',"instId":"';
const ACTION = '},"action":"';
const DATA_AFTER_ACTION = ',"data":[{';
const DATA_AFTER_ARG = '},"data":[{';

/** Data object keys the scanner reads. */
const KEY = {
  asks: 'asks',
  bids: 'bids',
  ts: 'ts',
  checksum: 'checksum',
  seqId: 'seqId',
  prevSeqId: 'prevSeqId',
  instId: 'instId',
} as const;
/** Bits of the data keys seen (each at most once). */
const SEEN = { asks: 1, bids: 2, ts: 4, checksum: 8, seqId: 16, prevSeqId: 32, instId: 64 } as const;

const instruments = new InstrumentIds();

/** The channel of the last frame: its text, snapshot depth and whole-image flag (saves a slice). */
let lastChannel = '';
let lastDepth = 0;
let lastWhole = false;

/** The snapshot depth of the book channel t[start, end) (sets lastWhole), or 0 for any other channel. */
function channelDepth(t: string, start: number, end: number): number {
  if (end - start !== lastChannel.length || !t.startsWith(lastChannel, start)) {
    const channel = t.slice(start, end);
    const depth = Object.hasOwn(OKX_BOOK_DEPTH, channel) ? OKX_BOOK_DEPTH[channel]! : 0;
    if (depth === 0) return 0;
    lastChannel = channel;
    lastDepth = depth;
    lastWhole = okxWholeImageChannel(channel);
  }
  return lastDepth;
}

/** A JSON integer, or a quoted 1-15 digit one (`ts`), at `i`: value in `scanned`, end index, or -1. */
function scanTs(t: string, i: number): number {
  return t.charCodeAt(i) === CH.quote ? scanUintString(t, i + 1) : scanUint(t, i);
}

/**
 * Scan one OKX frame.
 * @param prefix the instrument prefix (`<venue>:`)
 * @param unsequenced the connection's generation has no sequence ids (2022): a push carrying one is
 *   declined (the JSON.parse path throws the generation's error), and deltas are flagged `unsequenced`
 * @returns the push's single book event, exactly as the JSON.parse path builds it, or null (take that
 *   path)
 */
export function scanOkxBookFrame(
  text: string,
  prefix: string,
  localTs: number,
  unsequenced: boolean,
): BookSnapshot | BookDelta | null {
  const t = text;
  if (!t.startsWith(ARG)) return null;
  const chStart = ARG.length;
  const chEnd = scanString(t, chStart);
  if (chEnd < 0) return null;
  const depth = channelDepth(t, chStart, chEnd - 1);
  if (depth === 0 || !t.startsWith(INST_ID, chEnd)) return null;
  const idStart = chEnd + INST_ID.length;
  const idEnd = scanString(t, idStart);
  if (idEnd < 0 || idEnd === idStart + 1) return null; // no empty instId
  let whole = lastWhole;
  let i: number;
  if (t.startsWith(ACTION, idEnd)) {
    i = idEnd + ACTION.length;
    if (t.startsWith('snapshot"', i)) {
      whole = true;
      i += 9;
    } else if (t.startsWith('update"', i)) i += 7;
    else return null;
    if (!t.startsWith(DATA_AFTER_ACTION, i)) return null;
    i += DATA_AFTER_ACTION.length;
  } else if (whole && t.startsWith(DATA_AFTER_ARG, idEnd)) i = idEnd + DATA_AFTER_ARG.length;
  else return null; // an update without `action`: the JSON.parse path's error

  let seen = 0;
  let ts = NaN;
  let checksum = 0;
  let seqId = NaN;
  let prevSeqId = NaN;
  let asks: WireLevel[] | null = null;
  let bids: WireLevel[] | null = null;
  let firstEnd = 0; // scratch end of the side read first (OKX sends asks first)
  let asksFirst = false;
  beginLevels();
  for (;;) {
    if (t.charCodeAt(i) !== CH.quote) return null;
    const kEnd = scanString(t, i + 1);
    if (kEnd < 0 || t.charCodeAt(kEnd) !== CH.colon) return null;
    const n = kEnd - i - 2;
    const k = t.charCodeAt(i + 1);
    const v = kEnd + 1;
    let bit: number;
    if (
      n === 4 &&
      (k === 97 /* a */ || k === 98) /* b */ &&
      t.startsWith(k === 97 ? KEY.asks : KEY.bids, i + 1)
    ) {
      const levels = scanLevels(t, v, firstEnd, LEVEL_STRINGS);
      if (levels === null) return null;
      if (asks === null && bids === null) {
        firstEnd = levelsEnd;
        asksFirst = k === 97;
      }
      if (k === 97) asks = levels;
      else bids = levels;
      i = scanned;
      bit = k === 97 ? SEEN.asks : SEEN.bids;
    } else if (n === 2 && t.startsWith(KEY.ts, i + 1)) {
      i = scanTs(t, v);
      if (i < 0) return null;
      ts = scanned;
      bit = SEEN.ts;
    } else if (n === 8 && t.startsWith(KEY.checksum, i + 1)) {
      i = scanInt(t, v);
      if (i < 0 || scanned < INT32_MIN || scanned > INT32_MAX) return null;
      checksum = scanned;
      bit = SEEN.checksum;
    } else if (n === 5 && t.startsWith(KEY.seqId, i + 1)) {
      i = scanInt(t, v);
      if (i < 0 || unsequenced) return null;
      seqId = scanned;
      bit = SEEN.seqId;
    } else if (n === 9 && t.startsWith(KEY.prevSeqId, i + 1)) {
      i = scanInt(t, v);
      if (i < 0 || unsequenced) return null;
      prevSeqId = scanned;
      bit = SEEN.prevSeqId;
    } else if (n === 6 && t.startsWith(KEY.instId, i + 1)) {
      if (t.charCodeAt(v) !== CH.quote) return null;
      i = scanString(t, v + 1);
      if (i < 0) return null;
      bit = SEEN.instId;
    } else return null;
    if ((seen & bit) !== 0) return null;
    seen |= bit;
    const c = t.charCodeAt(i);
    if (c === CH.comma) {
      i++;
      continue;
    }
    // `}]}` closes the data object, the data array and the frame.
    if (c !== CH.closeBrace || !t.startsWith(']}', i + 1) || i + 3 !== t.length) return null;
    break;
  }
  if (asks === null || bids === null) return null;
  // The side read first lies at [0, firstEnd) of the scratch, the other at [firstEnd, levelsEnd).
  if (asksFirst) tagLevelsAsksFirst(bids, asks, firstEnd, levelsEnd);
  else tagLevels(bids, asks, firstEnd, levelsEnd);
  const instrument = instruments.at(t, idStart, idEnd - 1, prefix);
  const exchangeTs = ts;
  const sum = seen & SEEN.checksum ? checksum : undefined;
  if (whole) return bookSnapshot(instrument, exchangeTs, localTs, seqId, bids, asks, depth, sum);
  return bookDelta(instrument, exchangeTs, localTs, seqId, seqId, prevSeqId, bids, asks, sum, unsequenced);
}
