/**
 * Reader for LOBSTER data (https://lobsterdata.com, "Output Structure" of the LOBSTER sample files
 * readme): a **message file** and its **orderbook file**, read together, streaming, line k of one with
 * line k of the other, into normalized events of an order-by-order book rebuilt with book/l3-book.ts.
 *
 * Files: `TICKER_YYYY-MM-DD_START_END_message_N.csv` and `TICKER_YYYY-MM-DD_START_END_orderbook_N.csv`
 * (START/END: ms after midnight the file is meant to cover; N: levels per side of the orderbook file;
 * plain or gzipped, detected from the bytes). Message columns: time (seconds after midnight, decimals up
 * to ns), event type, order id, size (shares), price (USD × 10,000), direction (1 buy order, -1 sell
 * order). Orderbook row k is the book after message k: ask price 1, ask size 1, bid price 1, bid size 1,
 * ask price 2, ... for N levels; an empty level is price 9999999999 (ask) / -9999999999 (bid), size 0.
 *
 * Field rules:
 * - Instrument `lobster:<TICKER>` (venue `lobster`); the date comes from the file name.
 * - Times: LOBSTER's seconds after midnight are NASDAQ local time, America/New_York, on the file's date;
 *   converted to ms since epoch UTC with that day's offset (EDT -4 h, EST -5 h: util/time.ts). Both
 *   `exchangeTs` and `localTs` are that time (LOBSTER has no receive time). Digits below 1 µs do not
 *   survive in the ms number; the frame text keeps the original line.
 * - Prices: integer USD × 10,000 as in the files, kept exact as integers in the L3 book and presented as
 *   exact decimal strings in USD ("585.33"); sizes are share counts ("18").
 * - Sequence: the message's line number k (1-based), which is also its orderbook row's number.
 * - Events per message type: 1 new limit order, 2 partial cancellation, 3 full deletion, 4 execution of
 *   a visible order — L3 book changes; 5 execution of a hidden order, 6 cross trade — trades only (no
 *   visible book change); 7 trading halt indicator (price -1 halt, 0 quoting resumes, 1 trading
 *   resumes) — the L3 book's trading status (`LobsterStats.status`, `halts`), no book change.
 * - Trades (types 4, 5, 6): `id` = message line number k, as a string (`<k>:cross` for type 6); price and
 *   size from the message. **Aggressor side**: the direction column is the side of the *resting* order
 *   that was executed, so the aggressor is the other side: direction 1 (a buy order was hit) → `sell`,
 *   direction -1 (a sell order was lifted) → `buy`. Cross trades (type 6, the opening/closing/halt
 *   auction prints, negative order id) → `unknown`. A cross is LOBSTER's aggregate of executions that may
 *   also appear as type 4/5 messages (LOBSTER help, "Event type 6"): summing both double counts.
 *
 * The book (what replay verifies):
 * - Orderbook row 1 seeds the book (it already reflects message 1): a `book_snapshot` with sequence 1
 *   and depthLimit N, so a side listing N levels is known down to its N-th level only (levels beyond N
 *   are unknown at the start) and a side listing fewer is known entirely.
 * - Every later message k becomes one `book_delta` (sequence k; also when it changes nothing, so every
 *   row is checked) with the L2 changes of the L3 book (absolute level sizes, "0" deletes), the book's
 *   `coverage` and `depthOracle` = orderbook row k. The engine compares the row with the rebuilt book on
 *   the covered levels (rule: book/depth-oracle.ts) and counts `oracle: {checked, matched}`.
 * - Coverage follows LOBSTER's reporting window: a level-N message file holds only events inside the
 *   book's top N levels, so a price that drops below the N-th level stops being reported and becomes
 *   unknown (L3Book `windowDepth`), and a price that rises into the window shows up first in an
 *   orderbook row: before message k, row k-1's levels beyond coverage (already compared where covered)
 *   are adopted into the book (L3Book.adopt). Rows are therefore both the oracle for the covered levels
 *   and the source of the level that slides into the window from beyond, exactly as LOBSTER's own
 *   reconstruction needs.
 * - Resync: when the engine finds the book wrong (oracle mismatch, gap) it asks for a snapshot; the
 *   replay passes that on (LobsterControl) and the reader re-seeds from the next orderbook row, so the
 *   rest of the file is still checked and every mismatch is counted.
 * - A malformed message line is dropped and counted: its sequence number is then missing, so the
 *   engine sees a gap and resyncs from the next row. A malformed orderbook row is counted; its message
 *   goes on without an oracle (and its levels cannot be adopted).
 */
import type { BookDelta, BookSnapshot, Trade, WireLevel } from '../core/model.ts';
import {
  L3Book,
  formatTicks,
  newL3Counters,
  type L3Event,
  type L3Counters,
  type TradingStatus,
} from '../book/l3-book.ts';
import { parseDecimal } from '../core/decimal.ts';
import { LOBSTER_VENUE } from '../feeds/lobster/descriptor.ts';
import { zonedDay } from '../util/time.ts';
import type { RecordedFrame } from './types.ts';
import { FileLines } from './lines.ts';
import { baseName, type ReaderStats } from './stats.ts';

export { LOBSTER_VENUE };
/** NASDAQ's time zone: LOBSTER times are seconds after local midnight there. */
export const LOBSTER_TIME_ZONE = 'America/New_York';
/** LOBSTER prices are USD × 10,000. */
export const LOBSTER_PRICE_DECIMALS = 4;

/** What a LOBSTER file name tells. */
export interface LobsterName {
  ticker: string;
  /** `YYYY-MM-DD`. */
  date: string;
  /** Start and end of the period the file covers, ms after midnight (local time). */
  startMs: number;
  endMs: number;
  kind: 'message' | 'orderbook';
  /** Levels per side of the orderbook file (N). */
  level: number;
  /** The file name of the other file of the pair (same suffix: `.csv` or `.csv.gz`). */
  partner: string;
  /** `TICKER_DATE_START_END`: shared by both files of the pair. */
  stem: string;
}

const NAME = /^(.+)_(\d{4}-\d{2}-\d{2})_(\d+)_(\d+)_(message|orderbook)_(\d+)(\.csv(?:\.gz)?)$/;

/** Parse a LOBSTER file name (directory part ignored), or null when it is not one. */
export function parseLobsterName(path: string): LobsterName | null {
  const m = NAME.exec(baseName(path));
  if (!m) return null;
  const level = Number(m[6]);
  if (!(level > 0)) return null;
  const kind = m[5] as 'message' | 'orderbook';
  const stem = `${m[1]}_${m[2]}_${m[3]}_${m[4]}`;
  return {
    ticker: m[1]!,
    date: m[2]!,
    startMs: Number(m[3]),
    endMs: Number(m[4]),
    kind,
    level,
    partner: `${stem}_${kind === 'message' ? 'orderbook' : 'message'}_${level}${m[7]}`,
    stem,
  };
}

const INT = /^-?\d+$/;
const TIME = /^(\d+)(?:\.(\d+))?$/;

/** True when a line has the shape of a LOBSTER message row (6 numeric columns). */
export function looksLikeLobsterMessage(line: string): boolean {
  const f = line.split(',');
  return f.length === 6 && TIME.test(f[0]!) && f.slice(1).every((x) => INT.test(x));
}

/** True when a line has the shape of a LOBSTER orderbook row of `level` levels (4 × level integers). */
export function looksLikeLobsterOrderbook(line: string, level: number): boolean {
  const f = line.split(',');
  return f.length === 4 * level && f.every((x) => INT.test(x));
}

/**
 * LOBSTER time text (seconds after midnight, `34200.004241176`) → ms after midnight, or NaN when
 * malformed. Exact to the ns digit before the conversion to a double.
 */
export function parseLobsterTime(text: string): number {
  const m = TIME.exec(text);
  if (!m) return NaN;
  const frac = m[2] ?? '';
  // Whole ms from the integer part and the first 3 fraction digits, the rest as a fraction of a ms.
  const ms = Number(m[1]) * 1000 + Number((frac + '000').slice(0, 3));
  const rest = frac.length > 3 ? Number(`0.${frac.slice(3)}`) : 0;
  return ms + rest;
}

/**
 * Asks a running reader for a fresh snapshot: with `resync` set, the reader re-seeds its L3 book from
 * the next message's orderbook row and publishes it as a `book_snapshot` (sequence = that message) in
 * place of the delta: the orderbook file is LOBSTER's snapshot source, as REST depth is Binance's.
 */
export interface LobsterControl {
  resync: boolean;
}

/** Message counts by LOBSTER event type. */
export interface LobsterTypeCounts {
  /** 1 */ add: number;
  /** 2 */ cancel: number;
  /** 3 */ delete: number;
  /** 4 */ execute: number;
  /** 5 */ hidden: number;
  /** 6 */ cross: number;
  /** 7 */ halt: number;
}

/** What the reader saw in one LOBSTER pair (filled while reading). */
export interface LobsterStats {
  messageFile: string;
  orderbookFile: string;
  instrument: string;
  date: string;
  /** Levels per side of the orderbook file. */
  level: number;
  /** Message lines and orderbook rows read. */
  messages: number;
  rows: number;
  malformedMessages: number;
  malformedRows: number;
  /** Messages without an orderbook row plus rows without a message (files of different length). */
  unpaired: number;
  byType: LobsterTypeCounts;
  trades: number;
  /** Trading status after the last message, and type-7 halt starts seen. */
  status: TradingStatus;
  halts: number;
  /** Fresh snapshots from orderbook rows after the engine asked for one (a resync), see LobsterControl. */
  reseeds: number;
  /** Resting orders the L3 book knows at the end. */
  ordersKnown: number;
  /** The L3 book's counters (anomalies, anonymous reductions, adopted levels...). */
  l3: L3Counters;
  /** Times of the first and last message, ms since epoch UTC (NaN before any). */
  firstTs: number;
  lastTs: number;
}

const TYPE_NAMES: readonly (keyof LobsterTypeCounts)[] = [
  'add',
  'cancel',
  'delete',
  'execute',
  'hidden',
  'cross',
  'halt',
];

/** Fresh stats for a pair. */
export function newLobsterStats(messageFile: string, orderbookFile: string, name: LobsterName): LobsterStats {
  return {
    messageFile,
    orderbookFile,
    instrument: `${LOBSTER_VENUE}:${name.ticker}`,
    date: name.date,
    level: name.level,
    messages: 0,
    rows: 0,
    malformedMessages: 0,
    malformedRows: 0,
    unpaired: 0,
    byType: { add: 0, cancel: 0, delete: 0, execute: 0, hidden: 0, cross: 0, halt: 0 },
    trades: 0,
    status: 'trading',
    halts: 0,
    reseeds: 0,
    ordersKnown: 0,
    l3: newL3Counters(),
    firstTs: NaN,
    lastTs: NaN,
  };
}

/** One parsed message. */
interface Message {
  msOfDay: number;
  type: number;
  id: number;
  size: number;
  price: number;
  direction: 1 | -1;
}

function parseMessage(line: string): Message | null {
  const f = line.split(',');
  if (f.length !== 6) return null;
  const msOfDay = parseLobsterTime(f[0]!);
  if (Number.isNaN(msOfDay) || !f.slice(1).every((x) => INT.test(x))) return null;
  const [type, id, size, price, direction] = f.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (type < 1 || type > 7 || (direction !== 1 && direction !== -1)) return null;
  if (![id, size, price].every(Number.isSafeInteger) || size < 0) return null;
  return { msOfDay, type, id, size, price, direction };
}

/** One side of an orderbook row: [price ticks, size], best first. */
type RowSide = [number, number][];

function parseRow(line: string, level: number): { bids: RowSide; asks: RowSide } | null {
  const f = line.split(',');
  if (f.length !== 4 * level || !f.every((x) => INT.test(x))) return null;
  const bids: RowSide = [];
  const asks: RowSide = [];
  let bidsEnded = false;
  let asksEnded = false;
  for (let i = 0; i < level; i++) {
    const ap = Number(f[4 * i]);
    const as = Number(f[4 * i + 1]);
    const bp = Number(f[4 * i + 2]);
    const bs = Number(f[4 * i + 3]);
    // Empty levels (size 0, sentinel price) end a side; a level after an empty one is malformed.
    if (as === 0) asksEnded = true;
    else if (asksEnded || as < 0 || !(ap > 0) || ap >= 9999999999) return null;
    else asks.push([ap, as]);
    if (bs === 0) bidsEnded = true;
    else if (bidsEnded || bs < 0 || !(bp > 0)) return null;
    else bids.push([bp, bs]);
  }
  return { bids, asks };
}

const wire = (side: RowSide): WireLevel[] =>
  side.map(([p, s]) => [formatTicks(p, LOBSTER_PRICE_DECIMALS), String(s)] as const);

/** Coverage bound in ticks → quote currency as the book keys it (NaN for a wholly known side). */
function boundPrice(ticks: number): number {
  return Number.isFinite(ticks) ? parseDecimal(formatTicks(ticks, LOBSTER_PRICE_DECIMALS)) : NaN;
}

/**
 * Read one LOBSTER pair as normalized-event frames (kind `event`, venue `lobster`, connection
 * `connection`), in file order: the seeding snapshot, then per message its trade (if any) and its delta
 * (module doc). Reader counters go to `stats` (lines of both files, frames, malformed lines), LOBSTER
 * counters to `lobster`. Never throws for bad lines.
 * @param name the message file's parsed name (ticker, date, level)
 */
export async function* readLobster(
  message: { path: string; gzip: boolean },
  orderbook: { path: string; gzip: boolean },
  name: LobsterName,
  connection: string,
  stats: ReaderStats,
  lobster: LobsterStats,
  onFile: (lines: FileLines) => void = () => {},
  control: LobsterControl = { resync: false },
): AsyncGenerator<RecordedFrame> {
  const level = name.level;
  const instrument = `${LOBSTER_VENUE}:${name.ticker}`;
  const toUtc = zonedDay(name.date, LOBSTER_TIME_ZONE);
  const book = new L3Book({ priceDecimals: LOBSTER_PRICE_DECIMALS, windowDepth: level });
  lobster.l3 = book.counters;
  const msgLines = new FileLines(message.path, message.gzip);
  const rowLines = new FileLines(orderbook.path, orderbook.gzip);
  onFile(msgLines);
  onFile(rowLines);
  const rows = rowLines[Symbol.asyncIterator]();
  let rowsDone = false;
  let k = 0;
  let seeded = false;
  let prevRow: { bids: RowSide; asks: RowSide } | null = null;
  const frame = (event: RecordedFrame['event'] & object, text: string): RecordedFrame => {
    stats.frames++;
    return { localTs: event.localTs, kind: 'event', venue: LOBSTER_VENUE, connection, text, event };
  };
  try {
    for await (const line of msgLines) {
      stats.lines++;
      k++;
      lobster.messages++;
      let rowText: string | null = null;
      if (!rowsDone) {
        const r = await rows.next();
        if (r.done) rowsDone = true;
        else {
          rowText = r.value;
          stats.lines++;
          lobster.rows++;
        }
      }
      if (rowText === null) lobster.unpaired++;
      const m = parseMessage(line);
      if (!m) {
        stats.malformed++;
        lobster.malformedMessages++;
        prevRow = null;
        continue;
      }
      const row = rowText === null ? null : parseRow(rowText, level);
      if (rowText !== null && !row) {
        stats.malformed++;
        lobster.malformedRows++;
      }
      const ts = toUtc(m.msOfDay);
      if (Number.isNaN(lobster.firstTs)) lobster.firstTs = ts;
      lobster.lastTs = ts;
      lobster.byType[TYPE_NAMES[m.type - 1]!]++;
      const text = rowText === null ? line : `${line}\n${rowText}`;
      const ev = toL3Event(m);
      if (ev === null) {
        stats.malformed++;
        lobster.malformedMessages++;
        prevRow = null;
        continue;
      }
      if (ev.kind === 'status' && ev.status === 'halted' && book.status !== 'halted') lobster.halts++;
      let trade;
      let seedNow = false;
      if (!seeded || (control.resync && row)) {
        // The row already reflects its message: seed from it, apply nothing more. Without a row there
        // is nothing to seed from yet: only the message's trade (if any) goes out.
        trade = tradeOf(ev);
        if (ev.kind === 'status') book.apply(ev);
        if (row) {
          book.seed(row.bids, row.asks, level);
          if (seeded) lobster.reseeds++;
          seeded = seedNow = true;
          control.resync = false;
        }
      } else {
        if (prevRow) {
          book.adopt('bid', prevRow.bids, level);
          book.adopt('ask', prevRow.asks, level);
        }
        trade = book.apply(ev);
        book.shrink();
      }
      prevRow = row;
      lobster.status = book.status;
      lobster.ordersKnown = book.orderCount;
      if (trade) {
        lobster.trades++;
        const t: Trade = {
          type: 'trade',
          instrument,
          exchangeTs: ts,
          localTs: ts,
          id: m.type === 6 ? `${k}:cross` : String(k),
          price: formatTicks(trade.price, LOBSTER_PRICE_DECIMALS),
          size: String(trade.size),
          side: trade.restingSide === null ? 'unknown' : trade.restingSide === 'bid' ? 'sell' : 'buy',
        };
        yield frame(t, line);
      }
      if (!seeded) continue;
      if (seedNow) {
        const snap: BookSnapshot = {
          type: 'book_snapshot',
          instrument,
          exchangeTs: ts,
          localTs: ts,
          sequence: k,
          bids: wire(row!.bids),
          asks: wire(row!.asks),
          depthLimit: level,
        };
        yield frame(snap, text);
        continue;
      }
      const changes = book.drain();
      const cov = book.coverage;
      const d: BookDelta = {
        type: 'book_delta',
        instrument,
        exchangeTs: ts,
        localTs: ts,
        firstSequence: k,
        sequence: k,
        prevSequence: k - 1,
        bids: changes.bids,
        asks: changes.asks,
        coverage: { bidFloor: boundPrice(cov.bidFloor), askCeiling: boundPrice(cov.askCeiling) },
        ...(row ? { depthOracle: { depth: level, bids: wire(row.bids), asks: wire(row.asks) } } : {}),
      };
      yield frame(d, text);
    }
    // Rows without a message (an orderbook file longer than its message file).
    while (!rowsDone) {
      const r = await rows.next();
      if (r.done) break;
      stats.lines++;
      lobster.rows++;
      lobster.unpaired++;
    }
  } finally {
    await rows.return?.(undefined);
  }
}

/** The L3 event of a message, or null when its fields do not make one (a type-7 price other than -1/0/1). */
function toL3Event(m: Message): L3Event | null {
  const side = m.direction === 1 ? 'bid' : 'ask';
  switch (m.type) {
    case 1:
      return { kind: 'add', id: m.id, side, price: m.price, size: m.size };
    case 2:
      return { kind: 'cancel', id: m.id, side, price: m.price, size: m.size };
    case 3:
      return { kind: 'delete', id: m.id, side, price: m.price, size: m.size };
    case 4:
      return { kind: 'execute', id: m.id, side, price: m.price, size: m.size };
    case 5:
      return { kind: 'execute_hidden', side, price: m.price, size: m.size };
    case 6:
      return { kind: 'cross', price: m.price, size: m.size };
    default:
      if (m.price === -1) return { kind: 'status', status: 'halted' };
      if (m.price === 0) return { kind: 'status', status: 'quoting' };
      if (m.price === 1) return { kind: 'status', status: 'trading' };
      return null;
  }
}

/** The trade an event makes without touching a book (for the seeding message). */
function tradeOf(e: L3Event): { price: number; size: number; restingSide: 'bid' | 'ask' | null } | null {
  if (e.kind === 'execute' || e.kind === 'execute_hidden')
    return { price: e.price, size: e.size, restingSide: e.side };
  if (e.kind === 'cross') return { price: e.price, size: e.size, restingSide: null };
  return null;
}
