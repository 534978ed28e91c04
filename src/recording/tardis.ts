/**
 * Reader for Tardis.dev downloadable CSV files (https://docs.tardis.dev/downloadable-csv-files, "Data
 * types"): `incremental_book_L2`, `book_snapshot_N` (`book_snapshot_5`, `book_snapshot_25`), `trades` and
 * `quotes`, plain `.csv` or gzipped `.csv.gz` (detected from the bytes, not the name), streamed line by
 * line. Unlike the other readers it yields already-normalized events (frame kind `event`, see types.ts):
 * Tardis has normalized the exchange feed already, there is no wire frame left to parse.
 *
 * The schema is told by the header line (first line), columns are found by name. Field rules, all schemas:
 * - `exchange`: Tardis exchange id. Instruments are `tardis-<exchange>:<symbol>` (venue `tardis-<exchange>`),
 *   always, also where depthwatch has a venue for the same market (`binance-futures` is our
 *   `binance-usdm`): imported books follow another sync rule than live ones (no sequence, no checksum;
 *   see feeds/tardis/descriptor.ts) and stored history keeps its provenance. A row whose exchange differs from the
 *   file's first data row is malformed (Tardis files hold one exchange).
 * - `symbol`: kept as Tardis spells it (the exchange symbol, upper case).
 * - `timestamp`: exchange time, µs since epoch → `exchangeTs` in ms (fractional; Tardis falls back to
 *   `local_timestamp` when the exchange gives none). `local_timestamp`: Tardis' receive time, µs → `localTs`
 *   ms. Both must be unsigned integers, else the row is malformed.
 * - Prices and amounts are kept as the decimal strings in the file, exactly; each must parse with
 *   parseDecimal (plain decimal, ≤ 15 significant digits), else the row is malformed. Amounts are what
 *   Tardis says they are: base units, or contracts where the exchange quotes contracts (Deribit and
 *   BitMEX inverse perpetuals: USD contracts); they are not converted.
 * - Sequences are NaN (Tardis CSV carries none) and there are no checksums.
 *
 * Per schema:
 * - `incremental_book_L2` (`is_snapshot,side,price,amount`): consecutive rows of one symbol with the same
 *   `timestamp`, `local_timestamp` and `is_snapshot` are one exchange message → one event. A
 *   `is_snapshot=true` group that follows a `false` row (or starts the symbol) begins a fresh book: a
 *   `book_snapshot` (depthLimit 0; Tardis: "if last update was not a snapshot and current one is, existing
 *   order book state must be discarded"). A `true` group right after another `true` group continues that
 *   snapshot: a `book_delta` adding its levels (amounts are absolute, so this is exact). A `false` group is
 *   a `book_delta` (amount 0 deletes the level). `false` rows before the symbol's first snapshot are
 *   skipped and counted in `stats.skipped` (Tardis: buffered updates from before the snapshot).
 *   `side` must be `bid` or `ask`; `is_snapshot` `true` or `false`.
 * - `book_snapshot_N` (`asks[i].price,asks[i].amount,bids[i].price,bids[i].amount`, i < N): each row → a
 *   `book_snapshot` with depthLimit N, levels best first; empty price+amount pairs (fewer than N levels
 *   in the book) are left out; a half-empty pair makes the row malformed.
 * - `quotes` (`ask_amount,ask_price,bid_price,bid_amount`): each row → a `bbo` event. A row with an empty
 *   side (no bid or no ask at that moment) has no BBO: skipped and counted in `stats.skipped`.
 * - `trades` (`id,side,price,amount`): each row → a `trade`; `side` (taker side) `buy`, `sell` or
 *   `unknown`; `id` as in the file (may be empty: Tardis leaves it empty when the exchange gives none).
 *
 * Book schemas of one instrument must not be mixed in one replay/import (e.g. `incremental_book_L2` and
 * `book_snapshot_25` of the same symbol): both feed the one `tardis-<exchange>:<symbol>` book, and each
 * top-25 snapshot would replace the full book. Import them separately, into separate stores.
 *
 * Fields are comma-separated and unquoted (Tardis writes no quotes); a row with the wrong number of
 * fields, or failing any rule above, is malformed: dropped and counted in `stats.malformed`, never thrown.
 * Blank lines are skipped. The frame `text` is the CSV row(s) the event was made from, joined by `\n`.
 */
import type {
  AggressorSide,
  BookDelta,
  BookSnapshot,
  MarketEvent,
  Trade,
  Bbo,
  WireLevel,
} from '../core/model.ts';
import { parseDecimal } from '../core/decimal.ts';
import type { RecordedFrame } from './types.ts';
import { FileLines } from './lines.ts';
import type { ReaderStats } from './stats.ts';

/** The Tardis CSV data types this reader understands. */
export type TardisSchema = 'incremental_book_L2' | 'book_snapshot' | 'trades' | 'quotes';

/** A recognised Tardis CSV header. */
export interface TardisHeader {
  schema: TardisSchema;
  /** Levels per side of a `book_snapshot_N` file (5, 25...); 0 for the other schemas. */
  depth: number;
  /** Number of columns every data row must have. */
  columns: number;
  /** Column index by name. */
  index: Readonly<Record<string, number>>;
}

const COMMON = ['exchange', 'symbol', 'timestamp', 'local_timestamp'];
const FIXED: Readonly<Record<Exclude<TardisSchema, 'book_snapshot'>, readonly string[]>> = {
  incremental_book_L2: ['is_snapshot', 'side', 'price', 'amount'],
  trades: ['id', 'side', 'price', 'amount'],
  quotes: ['ask_amount', 'ask_price', 'bid_price', 'bid_amount'],
};
const LEVEL_COLUMN = /^(asks|bids)\[(\d+)\]\.(price|amount)$/;

/**
 * Recognise a Tardis CSV header line (the column names, in any order).
 * @returns the schema and column indexes, or null when the line is not a header of a supported schema
 */
export function parseTardisHeader(line: string): TardisHeader | null {
  const names = line.split(',');
  const index: Record<string, number> = {};
  for (let i = 0; i < names.length; i++) {
    if (index[names[i]!] !== undefined) return null;
    index[names[i]!] = i;
  }
  if (!COMMON.every((c) => index[c] !== undefined)) return null;
  const rest = names.filter((n) => !COMMON.includes(n));
  for (const schema of ['incremental_book_L2', 'trades', 'quotes'] as const) {
    const want = FIXED[schema];
    if (rest.length === want.length && want.every((c) => index[c] !== undefined))
      return { schema, depth: 0, columns: names.length, index };
  }
  // book_snapshot_N: exactly asks[i].price/amount and bids[i].price/amount for i < N.
  if (rest.length === 0 || rest.length % 4 !== 0) return null;
  const depth = rest.length / 4;
  for (const n of rest) {
    const m = LEVEL_COLUMN.exec(n);
    if (!m || Number(m[2]) >= depth) return null;
  }
  return { schema: 'book_snapshot', depth, columns: names.length, index };
}

/** Venue id of a Tardis exchange id: `tardis-<exchange>` (see the module doc for why no mapping). */
export function tardisVenue(exchange: string): string {
  return `tardis-${exchange}`;
}

/** The exchange of a file's first data row, for detection (null when `lines` hold no data row). */
export function tardisExchange(header: TardisHeader, lines: readonly string[]): string | null {
  for (const l of lines) {
    if (l.length === 0) continue;
    const f = l.split(',');
    if (f.length === header.columns && f[header.index['exchange']!]) return f[header.index['exchange']!]!;
  }
  return null;
}

const DIGITS = /^\d+$/;

/** µs-since-epoch text → ms (fractional), or NaN when the text is not an unsigned integer. */
function microsToMs(text: string): number {
  return DIGITS.test(text) ? Number(text) / 1000 : NaN;
}

/** True when `s` is a decimal parseDecimal accepts exactly. */
function isDecimal(s: string): boolean {
  try {
    parseDecimal(s);
    return true;
  } catch {
    return false;
  }
}

/** One incremental group being collected. */
interface Group {
  symbol: string;
  key: string;
  snapshot: boolean;
  exchangeTs: number;
  localTs: number;
  bids: WireLevel[];
  asks: WireLevel[];
  rows: string[];
}

/**
 * Read one Tardis CSV file as normalized-event frames (kind `event`, `venue` = `tardis-<exchange>`,
 * `connection` = `connection`), in file order. Counters go to `stats` (lines, frames, malformed rows,
 * skipped rows; see the module doc). A file whose first line is not a supported header yields nothing
 * and counts that line as malformed.
 * @param venue the file's venue (`tardis-<exchange>` from detection); rows of another exchange are malformed
 */
export async function* readTardis(
  path: string,
  gzip: boolean,
  connection: string,
  venue: string,
  stats: ReaderStats,
  onFile: (lines: FileLines) => void = () => {},
): AsyncGenerator<RecordedFrame> {
  const lines = new FileLines(path, gzip);
  onFile(lines);
  let header: TardisHeader | null = null;
  let first = true;
  /** Per symbol: whether its last incremental row was a snapshot row (absent: no snapshot yet). */
  const lastWasSnapshot = new Map<string, boolean>();
  let group: Group | null = null;
  const frame = (event: MarketEvent, text: string): RecordedFrame => {
    stats.frames++;
    return { localTs: event.localTs, kind: 'event', venue, connection, text, event };
  };
  const closeGroup = (g: Group): RecordedFrame => {
    const instrument = `${venue}:${g.symbol}`;
    const text = g.rows.join('\n');
    const fresh = g.snapshot && lastWasSnapshot.get(g.symbol) !== true;
    lastWasSnapshot.set(g.symbol, g.snapshot);
    if (fresh) return frame(snapshot(instrument, g.exchangeTs, g.localTs, g.bids, g.asks, 0), text);
    const d: BookDelta = {
      type: 'book_delta',
      instrument,
      exchangeTs: g.exchangeTs,
      localTs: g.localTs,
      firstSequence: NaN,
      sequence: NaN,
      prevSequence: NaN,
      bids: g.bids,
      asks: g.asks,
    };
    return frame(d, text);
  };
  for await (const line of lines) {
    stats.lines++;
    if (first) {
      first = false;
      header = parseTardisHeader(line);
      if (!header) {
        stats.malformed++;
        return;
      }
      continue;
    }
    if (line.length === 0) {
      stats.skipped++;
      continue;
    }
    const h = header!;
    const f = line.split(',');
    const ix = h.index;
    const exchangeTs = microsToMs(f[ix['timestamp']!] ?? '');
    const localTs = microsToMs(f[ix['local_timestamp']!] ?? '');
    const symbol = f[ix['symbol']!] ?? '';
    if (
      f.length !== h.columns ||
      Number.isNaN(exchangeTs) ||
      Number.isNaN(localTs) ||
      symbol.length === 0 ||
      tardisVenue(f[ix['exchange']!]!) !== venue
    ) {
      stats.malformed++;
      continue;
    }
    const instrument = `${venue}:${symbol}`;
    if (h.schema === 'incremental_book_L2') {
      const snap = f[ix['is_snapshot']!];
      const side = f[ix['side']!];
      const price = f[ix['price']!]!;
      const amount = f[ix['amount']!]!;
      if (
        (snap !== 'true' && snap !== 'false') ||
        (side !== 'bid' && side !== 'ask') ||
        !isDecimal(price) ||
        !isDecimal(amount)
      ) {
        stats.malformed++;
        continue;
      }
      const snapshot = snap === 'true';
      const key = `${symbol},${f[ix['timestamp']!]},${f[ix['local_timestamp']!]},${snap}`;
      if (group && group.key !== key) {
        yield closeGroup(group);
        group = null;
      }
      if (!group) {
        if (!snapshot && !lastWasSnapshot.has(symbol)) {
          stats.skipped++; // an update before the symbol's first snapshot
          continue;
        }
        group = { symbol, key, snapshot, exchangeTs, localTs, bids: [], asks: [], rows: [] };
      }
      (side === 'bid' ? group.bids : group.asks).push([price, amount]);
      group.rows.push(line);
      continue;
    }
    if (h.schema === 'trades') {
      const side = f[ix['side']!];
      const price = f[ix['price']!]!;
      const amount = f[ix['amount']!]!;
      if (
        (side !== 'buy' && side !== 'sell' && side !== 'unknown') ||
        !isDecimal(price) ||
        !isDecimal(amount)
      ) {
        stats.malformed++;
        continue;
      }
      const t: Trade = {
        type: 'trade',
        instrument,
        exchangeTs,
        localTs,
        id: f[ix['id']!]!,
        price,
        size: amount,
        side: side as AggressorSide,
      };
      yield frame(t, line);
      continue;
    }
    if (h.schema === 'quotes') {
      const q = ['bid_price', 'bid_amount', 'ask_price', 'ask_amount'].map((c) => f[ix[c]!]!);
      if (q.some((v) => v.length === 0)) {
        if (q.every((v) => v.length === 0 || isDecimal(v))) stats.skipped++;
        else stats.malformed++;
        continue;
      }
      if (!q.every(isDecimal)) {
        stats.malformed++;
        continue;
      }
      const b: Bbo = {
        type: 'bbo',
        instrument,
        exchangeTs,
        localTs,
        sequence: NaN,
        bidPrice: q[0]!,
        bidSize: q[1]!,
        askPrice: q[2]!,
        askSize: q[3]!,
      };
      yield frame(b, line);
      continue;
    }
    // book_snapshot_N
    const bids = levels(f, ix, 'bids', h.depth);
    const asks = levels(f, ix, 'asks', h.depth);
    if (!bids || !asks) {
      stats.malformed++;
      continue;
    }
    yield frame(snapshot(instrument, exchangeTs, localTs, bids, asks, h.depth), line);
  }
  if (group) yield closeGroup(group);
}

/** An unsequenced book snapshot (Tardis CSV has no sequence); times ms since epoch UTC. */
function snapshot(
  instrument: string,
  exchangeTs: number,
  localTs: number,
  bids: WireLevel[],
  asks: WireLevel[],
  depthLimit: number,
): BookSnapshot {
  return { type: 'book_snapshot', instrument, exchangeTs, localTs, sequence: NaN, bids, asks, depthLimit };
}

/** The non-empty levels of one side of a `book_snapshot_N` row, or null when a pair is malformed. */
function levels(
  f: readonly string[],
  ix: Readonly<Record<string, number>>,
  side: 'bids' | 'asks',
  depth: number,
): WireLevel[] | null {
  const out: WireLevel[] = [];
  for (let i = 0; i < depth; i++) {
    const price = f[ix[`${side}[${i}].price`]!]!;
    const amount = f[ix[`${side}[${i}].amount`]!]!;
    if (price.length === 0 && amount.length === 0) continue;
    if (!isDecimal(price) || !isDecimal(amount)) return null;
    out.push([price, amount]);
  }
  return out;
}
