/**
 * Normalized export: a recording replayed through the verified pipeline (the same Replay → Engine →
 * books as `depthwatch replay`) and written as research data, one row per record, in Tardis.dev's CSV
 * schemas where Tardis has one (https://docs.tardis.dev/downloadable-csv-files, "Data types"), so the
 * files load in any Tardis tooling and back into depthwatch (`depthwatch replay FILE.csv`,
 * src/recording/tardis.ts).
 *
 * Kinds and their rows:
 * - `deltas` = Tardis `incremental_book_L2` (`exchange,symbol,timestamp,local_timestamp,is_snapshot,side,
 *   price,amount`): what the verified book accepted, level by level. The first change of a book (and
 *   every snapshot that replaces it: initial sync, resync) is written as the whole book with
 *   `is_snapshot=true`; each delta the book applied as `false` rows with the absolute new amount (0
 *   deletes). Deltas a book rejected (gap, checksum, crossed, oracle mismatch) or buffered are not
 *   written: between a failure and the next snapshot nothing is, then a fresh `true` group resets the
 *   book (Tardis: a snapshot after non-snapshot rows discards the book). Two details keep the file exact
 *   on re-import: levels a venue truncation dropped (maxDepth venues) are written as deletions, and a
 *   snapshot that directly follows another one is preceded by `false` deletions of the levels it no
 *   longer holds (Tardis reads consecutive `true` groups as one snapshot).
 * - `book_snapshot_N` = Tardis `book_snapshot_N` (`exchange,symbol,timestamp,local_timestamp,
 *   asks[0].price,asks[0].amount,bids[0].price,bids[0].amount,...` for i < N): the top N of a live book.
 *   Without an interval, one row whenever the top N changed (Tardis' rule); with `intervalMs`, one row
 *   per interval boundary of local time (ms since epoch UTC, multiples of the interval) holding the book
 *   as it stood at that instant (after the last change before it), both timestamps the boundary. Only
 *   levels inside the book's coverage are written: a level beyond it is unknown, left empty like an
 *   absent level (columns present, values empty).
 * - `trades` = Tardis `trades` (`exchange,symbol,timestamp,local_timestamp,id,side,price,amount`), every
 *   normalized trade; `side` the aggressor (`buy`, `sell`, `unknown`).
 * - `metrics` (no Tardis schema): `exchange,symbol,timestamp,local_timestamp,state,sequence` then one
 *   column per stored book metric (snake_case, as the history stores name them: best_bid, spread_bps,
 *   ...), one row per instrument per `intervalMs` of local time (default 1000; the last metrics of each
 *   interval, as the history store samples them), empty for unknown (null) values. `state` tells
 *   whether the book was live when the metrics were computed.
 *
 * Field rules, all kinds: `exchange` is the Tardis exchange id of the venue (binance, binance-futures,
 * binance-delivery, okex / okex-swap / okex-futures / okex-options by OKX symbol, kraken, bybit,
 * coinbase; `tardis-<exchange>` venues give `<exchange>` back; others, e.g. `lobster`, their venue id);
 * `symbol` the venue symbol; `timestamp` exchange time and `local_timestamp` local receive time, both
 * integer µs since epoch UTC (`timestamp` falls back to the local time when the venue gives none, as
 * Tardis does); prices and amounts are the wire decimal strings, untouched (quote currency; base units
 * or contracts as the venue quotes). Fields are never quoted unless they contain a comma, quote or
 * line break (RFC 4180 quoting).
 */
import type { Trade } from '../core/model.ts';
import { splitInstrumentId } from '../core/model.ts';
import { parseDecimal } from '../core/decimal.ts';
import type { InstrumentBook } from '../book/instrument-book.ts';
import type { BookSide } from '../book/book-side.ts';
import type { BookState } from '../book/health.ts';
import type { BookUpdate, PipelineStage } from '../pipeline/engine.ts';
import { BOOK_METRIC_FIELDS, type MetricsSample } from '../analytics/types.ts';
import { metricColumn } from '../store/query.ts';
import { isTardisVenue } from '../feeds/tardis/descriptor.ts';
import type { Recording } from '../recording/open.ts';
import { Replay, type ReplayProgress, type ReplayResult } from './replay.ts';
import { summarize, type ReplaySummary } from './summary.ts';

/** What to export. */
export type ExportKind =
  | { kind: 'deltas' }
  | { kind: 'book_snapshot'; depth: number; intervalMs: number }
  | { kind: 'trades' }
  | { kind: 'metrics'; intervalMs: number };

/** Column types, as written to Parquet (DuckDB types). */
export type ExportColumnType = 'VARCHAR' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN';

/** One output column. */
export interface ExportColumn {
  name: string;
  type: ExportColumnType;
}

/** Receives rows: one string per column, empty for null. */
export type RowSink = (row: readonly string[]) => void;

const COMMON: readonly ExportColumn[] = [
  { name: 'exchange', type: 'VARCHAR' },
  { name: 'symbol', type: 'VARCHAR' },
  { name: 'timestamp', type: 'BIGINT' },
  { name: 'local_timestamp', type: 'BIGINT' },
];

/** The columns of a kind, in file order. */
export function exportColumns(k: ExportKind): ExportColumn[] {
  switch (k.kind) {
    case 'deltas':
      return [
        ...COMMON,
        { name: 'is_snapshot', type: 'BOOLEAN' },
        { name: 'side', type: 'VARCHAR' },
        { name: 'price', type: 'DOUBLE' },
        { name: 'amount', type: 'DOUBLE' },
      ];
    case 'trades':
      return [
        ...COMMON,
        { name: 'id', type: 'VARCHAR' },
        { name: 'side', type: 'VARCHAR' },
        { name: 'price', type: 'DOUBLE' },
        { name: 'amount', type: 'DOUBLE' },
      ];
    case 'book_snapshot': {
      const cols = [...COMMON];
      for (let i = 0; i < k.depth; i++)
        for (const n of [`asks[${i}].price`, `asks[${i}].amount`, `bids[${i}].price`, `bids[${i}].amount`])
          cols.push({ name: n, type: 'DOUBLE' });
      return cols;
    }
    case 'metrics':
      return [
        ...COMMON,
        { name: 'state', type: 'VARCHAR' },
        { name: 'sequence', type: 'BIGINT' },
        ...BOOK_METRIC_FIELDS.map((f) => ({ name: metricColumn(f), type: 'DOUBLE' as const })),
      ];
  }
}

/**
 * The Tardis.dev exchange id for a depthwatch instrument (field rules in the module doc).
 * @param instrument `<venue>:<symbol>`
 */
export function tardisExchangeId(instrument: string): { exchange: string; symbol: string } {
  const { venue, symbol } = splitInstrumentId(instrument);
  if (isTardisVenue(venue)) return { exchange: venue.slice('tardis-'.length), symbol };
  switch (venue) {
    case 'binance-usdm':
      return { exchange: 'binance-futures', symbol };
    case 'binance-coinm':
      return { exchange: 'binance-delivery', symbol };
    case 'okx':
      return {
        exchange: symbol.endsWith('-SWAP')
          ? 'okex-swap'
          : /-\d{6}$/.test(symbol)
            ? 'okex-futures'
            : /-[CP]$/.test(symbol)
              ? 'okex-options'
              : 'okex',
        symbol,
      };
    default:
      return { exchange: venue, symbol };
  }
}

/** ms since epoch (fractional) → integer µs text; empty for NaN. */
function micros(ms: number): string {
  return Number.isFinite(ms) ? String(Math.round(ms * 1000)) : '';
}

/** Integer text of a finite number, else empty. */
function intOrEmpty(n: number): string {
  return Number.isFinite(n) ? String(n) : '';
}

interface Mirror {
  exchange: string;
  symbol: string;
  /** Levels written so far per side: price key → price text. */
  bids: Map<number, string>;
  asks: Map<number, string>;
  /** Whether the last group written was a snapshot. */
  lastSnapshot: boolean;
  /** Whether anything has been written (the first change writes the whole book). */
  started: boolean;
}

/**
 * The `deltas` and `book_snapshot_N` kinds as a pipeline stage (add it to the replay's
 * `engine.stages`): it sees every change of every verified book, in order, and writes rows to `sink`.
 * Rows before `from` (ms since epoch UTC, local time) are not written (warm-up); the first row of each
 * book after it is then a whole-book snapshot (deltas) or the book as it is (book_snapshot).
 */
export class BookExportStage implements PipelineStage {
  private readonly mirrors = new Map<string, Mirror>();
  /** book_snapshot_N: last written top-N row text per instrument (change detection). */
  private readonly lastTop = new Map<string, string>();
  /** book_snapshot_N with an interval: the book's row as of its last change, and that change's slot. */
  private readonly pendingRow = new Map<string, { slot: number; fields: string[] }>();
  rows = 0;

  constructor(
    private readonly kind: Extract<ExportKind, { kind: 'deltas' | 'book_snapshot' }>,
    private readonly sink: RowSink,
    private readonly from = -Infinity,
  ) {}

  onBook(b: InstrumentBook, exchangeTs: number, localTs: number, update: BookUpdate): void {
    if (localTs < this.from || b.health.state !== 'live') return;
    if (this.kind.kind === 'deltas') this.delta(b, exchangeTs, localTs, update);
    else this.snapshotRow(b, exchangeTs, localTs);
  }

  onTrade(): void {}

  onState(b: InstrumentBook, _previous: BookState, localTs: number): void {
    // A book that stops being live stops its interval rows: write the boundaries it was live for.
    if (this.kind.kind === 'book_snapshot' && b.health.state !== 'live' && b.health.state !== 'stale')
      this.closeIntervals(b.instrument, localTs, true);
  }

  /** Write what is pending (interval rows up to the last change). */
  flush(): void {
    if (this.kind.kind !== 'book_snapshot' || this.kind.intervalMs <= 0) return;
    this.pendingRow.clear();
  }

  private emit(row: string[]): void {
    this.rows++;
    this.sink(row);
  }

  private mirror(instrument: string): Mirror {
    let m = this.mirrors.get(instrument);
    if (!m) {
      const { exchange, symbol } = tardisExchangeId(instrument);
      m = { exchange, symbol, bids: new Map(), asks: new Map(), lastSnapshot: false, started: false };
      this.mirrors.set(instrument, m);
    }
    return m;
  }

  private delta(b: InstrumentBook, exchangeTs: number, localTs: number, u: BookUpdate): void {
    const m = this.mirror(b.instrument);
    const ts = micros(Number.isFinite(exchangeTs) ? exchangeTs : localTs);
    const lts = micros(localTs);
    const row = (snap: boolean, side: 'bid' | 'ask', price: string, amount: string): void =>
      this.emit([m.exchange, m.symbol, ts, lts, snap ? 'true' : 'false', side, price, amount]);
    if (!m.started || u.outcome === 'snapshot') {
      if (m.lastSnapshot) {
        // Consecutive snapshot groups read as one: delete what the new book no longer holds first.
        for (const [key, text] of m.bids) if (b.book.bids.sizeAt(key) === 0) row(false, 'bid', text, '0');
        for (const [key, text] of m.asks) if (b.book.asks.sizeAt(key) === 0) row(false, 'ask', text, '0');
      }
      m.bids.clear();
      m.asks.clear();
      writeSide(b.book.bids, m.bids, (p, s) => row(true, 'bid', p, s));
      writeSide(b.book.asks, m.asks, (p, s) => row(true, 'ask', p, s));
      m.started = true;
      m.lastSnapshot = true;
      return;
    }
    const d = u.event;
    for (const [bidSide, levels] of [
      [true, d.bids],
      [false, d.asks],
    ] as const) {
      const mm = bidSide ? m.bids : m.asks;
      for (const l of levels) {
        const key = parseDecimal(l[0]);
        if (parseDecimal(l[1]) === 0) mm.delete(key);
        else mm.set(key, l[0]);
        row(false, bidSide ? 'bid' : 'ask', l[0], l[1]);
      }
      // A venue truncation (maxDepth) dropped levels the delta did not name: write their deletion.
      const side = bidSide ? b.book.bids : b.book.asks;
      if (mm.size > side.length)
        for (const [key, text] of mm)
          if (side.sizeAt(key) === 0) {
            mm.delete(key);
            row(false, bidSide ? 'bid' : 'ask', text, '0');
          }
    }
    m.lastSnapshot = false;
  }

  /** The top-N row fields of a book (levels inside coverage only). */
  private topFields(b: InstrumentBook, m: Mirror, ts: string, lts: string): string[] {
    const depth = (this.kind as { depth: number }).depth;
    const cov = b.health.coverage;
    const out = [m.exchange, m.symbol, ts, lts];
    const bids = b.book.bids;
    const asks = b.book.asks;
    for (let i = 0; i < depth; i++) {
      const ap = asks.price(i);
      const bp = bids.price(i);
      const askIn = i < asks.length && (Number.isNaN(cov.askCeiling) || ap <= cov.askCeiling);
      const bidIn = i < bids.length && (Number.isNaN(cov.bidFloor) || bp >= cov.bidFloor);
      out.push(askIn ? asks.priceString(i)! : '', askIn ? asks.sizeString(i)! : '');
      out.push(bidIn ? bids.priceString(i)! : '', bidIn ? bids.sizeString(i)! : '');
    }
    return out;
  }

  private snapshotRow(b: InstrumentBook, exchangeTs: number, localTs: number): void {
    const k = this.kind as Extract<ExportKind, { kind: 'book_snapshot' }>;
    const m = this.mirror(b.instrument);
    if (k.intervalMs > 0) {
      this.closeIntervals(b.instrument, localTs, false);
      const slot = Math.floor(localTs / k.intervalMs);
      this.pendingRow.set(b.instrument, { slot, fields: this.topFields(b, m, '', '') });
      return;
    }
    const fields = this.topFields(
      b,
      m,
      micros(Number.isFinite(exchangeTs) ? exchangeTs : localTs),
      micros(localTs),
    );
    const key = fields.slice(4).join(',');
    if (this.lastTop.get(b.instrument) === key) return;
    this.lastTop.set(b.instrument, key);
    this.emit(fields);
  }

  /**
   * Interval rows: write one row per boundary passed between the book's last change and `localTs`
   * (each holding the book as of that last change). `end`: the book stops being live: no more rows.
   */
  private closeIntervals(instrument: string, localTs: number, end: boolean): void {
    const k = this.kind as Extract<ExportKind, { kind: 'book_snapshot' }>;
    const p = this.pendingRow.get(instrument);
    if (!p) return;
    const now = Math.floor(localTs / k.intervalMs);
    for (let s = p.slot + 1; s <= now; s++) {
      const t = micros(s * k.intervalMs);
      const f = p.fields.slice();
      f[2] = t;
      f[3] = t;
      this.emit(f);
    }
    if (end) this.pendingRow.delete(instrument);
    else p.slot = now;
  }
}

/** Write every level of a side (best first) through `write`, recording it in `into`. */
function writeSide(side: BookSide, into: Map<number, string>, write: (p: string, s: string) => void): void {
  for (let i = 0; i < side.length; i++) {
    const p = side.priceString(i)!;
    into.set(side.price(i), p);
    write(p, side.sizeString(i)!);
  }
}

/** A `trades` row of a trade (columns of exportColumns `trades`). */
export function tradeRow(t: Trade): string[] {
  const { exchange, symbol } = tardisExchangeId(t.instrument);
  return [
    exchange,
    symbol,
    micros(Number.isFinite(t.exchangeTs) ? t.exchangeTs : t.localTs),
    micros(t.localTs),
    t.id,
    t.side,
    t.price,
    t.size,
  ];
}

/** A `metrics` row of a sample (columns of exportColumns `metrics`); null metrics are empty. */
export function metricsRow(s: MetricsSample): string[] {
  const { exchange, symbol } = tardisExchangeId(s.instrument);
  const out = [
    exchange,
    symbol,
    micros(Number.isFinite(s.exchangeTs) ? s.exchangeTs : s.localTs),
    micros(s.localTs),
    s.state,
    intOrEmpty(s.sequence),
  ];
  for (const f of BOOK_METRIC_FIELDS) {
    const v = s.metrics[f];
    out.push(v === null || !Number.isFinite(v) ? '' : String(v));
  }
  return out;
}

/** Options of exportRecording. */
export interface ExportOptions {
  kind: ExportKind;
  /** Where rows go (see export-writer.ts); a `broken` writer stops the replay. */
  writer: { write: RowSink; readonly broken?: boolean };
  /** Venue for files whose format does not tell it. */
  venue?: string;
  /** Time range on local time, ms since epoch UTC: earlier frames only warm the books up. */
  from?: number;
  to?: number;
  onProgress?: (p: ReplayProgress) => void;
  /** Called with the replay before it runs (e.g. to stop it on SIGINT). */
  onStart?: (replay: Replay) => void;
}

/** What an export did. */
export interface ExportResult {
  rows: number;
  /** Distinct `exchange` values written (a Tardis CSV file holds one exchange). */
  exchanges: string[];
  replay: ReplayResult;
  summary: ReplaySummary;
}

/**
 * Replay `recording` through the verified pipeline and write the rows of `opts.kind` (module doc).
 * @throws {RecordingError} as Replay does (unknown venue, bad options)
 */
export async function exportRecording(recording: Recording, opts: ExportOptions): Promise<ExportResult> {
  const k = opts.kind;
  const from = opts.from ?? -Infinity;
  const exchanges = new Set<string>();
  let rows = 0;
  let replay: Replay | null = null;
  const sink: RowSink = (row) => {
    rows++;
    exchanges.add(row[0]!);
    opts.writer.write(row);
    if (opts.writer.broken) replay?.stop();
  };
  const stage = k.kind === 'deltas' || k.kind === 'book_snapshot' ? new BookExportStage(k, sink, from) : null;
  replay = new Replay(recording, {
    ...(opts.venue !== undefined ? { venue: opts.venue } : {}),
    ...(opts.from !== undefined ? { from: opts.from } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    engine: {
      // Books only, unless metrics are the export: analytics are not needed for the other kinds.
      computeMetrics: k.kind === 'metrics',
      ...(k.kind === 'metrics' ? { sampleIntervalMs: k.intervalMs, analytics: false as const } : {}),
      ...(stage ? { stages: [stage] } : {}),
    },
  });
  if (k.kind === 'trades')
    replay.bus.subscribe('trade', (t) => {
      if (t.localTs >= from) sink(tradeRow(t));
    });
  if (k.kind === 'metrics')
    replay.bus.subscribe('metrics.sample', (s) => {
      if (s.localTs >= from) sink(metricsRow(s));
    });
  opts.onStart?.(replay);
  const result = await replay.run();
  return {
    rows,
    exchanges: [...exchanges],
    replay: result,
    summary: summarize(replay.engine, replay.analytics),
  };
}
