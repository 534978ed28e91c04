/**
 * Replay of SSI FastConnect Data recordings (`depthwatch replay --venue ssi FILE.jsonl…`).
 *
 * Input: JSON lines, one SSI message a line, in the `Broadcast` argument's envelope
 * `{"DataType":"X","Content":"<JSON string>"}` (the recordings in ../shared/data/ssi/stream). A line may
 * carry the local receive time as `"localTs"` (ms since epoch UTC; `depthwatch run --record` writes it,
 * see {@link ssiRecordLine}); without it the message's exchange time stands in. Blank lines are skipped;
 * a directory is read as its `*.jsonl` files in name order.
 *
 * Every line goes through the SSI parser (feeds/ssi/parser.ts) and the market state
 * (analytics/ssi/market.ts) in file order. A line that cannot be used is dropped and counted by code
 * (and per instrument when known); nothing else is skipped.
 *
 * The summary reports, per instrument, the frames and drops and `final`: `bids`/`asks` (the last
 * top-N quote), `session` (open, high, low, last, reference, ceiling, floor, volumes by side, VWAP,
 * foreign net) and, for indices, `index` (value, priorValue, change, breadth, totals and the series of
 * every message's value and breadth).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MalformedFrameError } from '../core/errors.ts';
import type { WireLevel } from '../core/model.ts';
import { SsiParser, type SsiParserStats } from '../feeds/ssi/parser.ts';
import { SsiMarket, type SsiMarketCounters } from '../analytics/ssi/market.ts';
import type { IndexPoint } from '../analytics/ssi/breadth.ts';
import type { ForeignFlow } from '../analytics/ssi/foreign.ts';

/** `final.session` of one instrument (prices VND or points, volumes shares or contracts, values VND; null = unknown). */
export interface SsiSessionSummary {
  id: string | null;
  phase: string;
  tradingSession: string | null;
  open: number | null;
  high: number | null;
  low: number | null;
  last: number | null;
  reference: number | null;
  ceiling: number | null;
  floor: number | null;
  prints: number;
  volume: number;
  value: number;
  vwap: number | null;
  buyVolume: number;
  sellVolume: number;
  unknownVolume: number;
  auctionVolume: number;
  oddLotVolume: number;
  ceilingHits: number;
  floorHits: number;
  locked: 'ceiling' | 'floor' | null;
  foreignNetVol: number | null;
  foreignNetVal: number | null;
}

/** `final.index` of an index instrument. */
export interface SsiIndexSummary {
  value: number;
  priorValue: number;
  change: number;
  advances: number;
  declines: number;
  noChanges: number;
  ceilings: number;
  floors: number;
  totalQty: number;
  totalValue: number;
  adRatio: number | null;
  /** One point per message (exchange time, value, breadth). */
  series: readonly IndexPoint[];
}

/** One instrument of the summary. */
export interface SsiInstrumentSummary {
  frames: number;
  dropped: number;
  final: {
    bids: readonly WireLevel[];
    asks: readonly WireLevel[];
    session: SsiSessionSummary | null;
    index?: SsiIndexSummary;
  };
}

/** What `replay --venue ssi --json` prints. */
export interface SsiReplaySummary {
  venue: 'ssi';
  files: string[];
  lines: number;
  messages: number;
  dropped: number;
  droppedByCode: Record<string, number>;
  parser: SsiParserStats;
  market: SsiMarketCounters;
  instruments: Record<string, SsiInstrumentSummary>;
  foreign: { total: ForeignFlow | null; topBuyers: string[]; topSellers: string[] };
  basis: ReturnType<SsiMarket['basis']>;
}

/**
 * One recording line for `run --record`: the envelope as received plus the local receive time.
 * @param content the `Content` JSON string exactly as received
 */
export function ssiRecordLine(dataType: string, content: string, localTs: number): string {
  return JSON.stringify({ DataType: dataType, Content: content, localTs });
}

async function expand(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    if ((await stat(p)).isDirectory())
      out.push(
        ...(await readdir(p))
          .filter((f) => f.endsWith('.jsonl'))
          .sort()
          .map((f) => join(p, f)),
      );
    else out.push(p);
  }
  return out;
}

const orNull = (n: number): number | null => (Number.isFinite(n) ? n : null);

/**
 * Replay SSI recordings (see module comment) and summarise.
 * @throws {Error} when a file cannot be read (ENOENT, EACCES)
 */
export async function replaySsi(
  paths: readonly string[],
): Promise<{ summary: SsiReplaySummary; market: SsiMarket }> {
  const files = await expand(paths);
  const parser = new SsiParser();
  const market = new SsiMarket();
  const frames = new Map<string, { frames: number; dropped: number }>();
  const droppedByCode: Record<string, number> = {};
  let lines = 0;
  let messages = 0;
  let dropped = 0;
  const count = (instrument: string | undefined, drop: boolean): void => {
    if (!instrument) return;
    let f = frames.get(instrument);
    if (!f) frames.set(instrument, (f = { frames: 0, dropped: 0 }));
    if (drop) f.dropped++;
    else f.frames++;
  };
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      lines++;
      try {
        const localTs = /"localTs":\s*(\d+(?:\.\d+)?)/.exec(line);
        const events = parser.parseEnvelope(line, localTs ? Number(localTs[1]) : NaN);
        messages++;
        const seen = new Set<string>();
        for (const e of events) {
          market.apply(e);
          if (!seen.has(e.instrument)) {
            seen.add(e.instrument);
            count(e.instrument, false);
          }
        }
      } catch (e) {
        if (!(e instanceof MalformedFrameError)) throw e;
        dropped++;
        droppedByCode[e.code] = (droppedByCode[e.code] ?? 0) + 1;
        count(e.instrument, true);
      }
    }
  }
  const instruments: Record<string, SsiInstrumentSummary> = {};
  for (const [id, f] of [...frames].sort(([a], [b]) => a.localeCompare(b))) {
    const symbol = id.slice('ssi:'.length);
    const row = market.row(symbol);
    const idx = market.index(symbol);
    const a = row?.aggregate ?? null;
    instruments[id] = {
      ...f,
      final: {
        bids: row?.bids ?? [],
        asks: row?.asks ?? [],
        session: row
          ? {
              id: a?.id ?? null,
              phase: row.phase,
              tradingSession: row.session,
              open: orNull(a && a.prints > 0 ? a.open : NaN),
              high: orNull(a && a.prints > 0 ? a.high : NaN),
              low: orNull(a && a.prints > 0 ? a.low : NaN),
              last: orNull(row.last),
              reference: orNull(row.reference),
              ceiling: orNull(row.ceiling),
              floor: orNull(row.floor),
              prints: a?.prints ?? 0,
              volume: a?.volume ?? 0,
              value: a?.value ?? 0,
              vwap: orNull(row.vwap),
              buyVolume: a?.buyVolume ?? 0,
              sellVolume: a?.sellVolume ?? 0,
              unknownVolume: a?.unknownVolume ?? 0,
              auctionVolume: a?.auctionVolume ?? 0,
              oddLotVolume: a?.oddLotVolume ?? 0,
              ceilingHits: a?.ceilingHits ?? 0,
              floorHits: a?.floorHits ?? 0,
              locked: row.locked,
              foreignNetVol: orNull(row.foreignNetVol),
              foreignNetVal: orNull(row.foreignNetVal),
            }
          : null,
        ...(idx
          ? {
              index: {
                value: idx.value,
                priorValue: idx.priorValue,
                change: idx.change,
                advances: idx.advances,
                declines: idx.declines,
                noChanges: idx.noChanges,
                ceilings: idx.ceilings,
                floors: idx.floors,
                totalQty: idx.totalQty,
                totalValue: idx.totalValue,
                adRatio: idx.adRatio,
                series: idx.series,
              },
            }
          : {}),
      },
    };
  }
  const movers = market.foreign.topMovers(5);
  return {
    market,
    summary: {
      venue: 'ssi',
      files,
      lines,
      messages,
      dropped,
      droppedByCode,
      parser: parser.stats,
      market: market.counters,
      instruments,
      foreign: {
        total: market.foreign.total(),
        topBuyers: movers.buyers.map((f) => f.symbol),
        topSellers: movers.sellers.map((f) => f.symbol),
      },
      basis: market.basis(),
    },
  };
}

/** The human-readable table of a summary (one line per instrument, then the totals). */
export function formatSsiSummary(s: SsiReplaySummary): string {
  const out = [
    'instrument      frames dropped  last          volume        buy       sell    unknown  index',
  ];
  for (const [id, i] of Object.entries(s.instruments)) {
    const ss = i.final.session;
    const ix = i.final.index;
    out.push(
      [
        id.padEnd(14),
        String(i.frames).padStart(7),
        String(i.dropped).padStart(7),
        String(ss?.last ?? '').padStart(6),
        String(ss?.volume ?? '').padStart(15),
        String(ss?.buyVolume ?? '').padStart(10),
        String(ss?.sellVolume ?? '').padStart(10),
        String(ss?.unknownVolume ?? '').padStart(10),
        ix
          ? ` ${ix.value} (${ix.change >= 0 ? '+' : ''}${ix.change}) A${ix.advances}/D${ix.declines}/U${ix.noChanges}`
          : '',
      ].join(' '),
    );
  }
  out.push(
    `ssi: ${s.files.length} file(s), ${s.lines} lines, ${s.messages} messages, ${s.dropped} dropped` +
      (s.dropped
        ? ` (${Object.entries(s.droppedByCode)
            .map(([c, n]) => `${c}=${n}`)
            .join(' ')})`
        : '') +
      `; ${s.market.trades} prints aggregated, ${s.market.stalePrints} previous-session prints excluded, ` +
      `${s.market.shadowedPrints} shadowed, ${s.parser.repeatedPrints} repeated X prints, ${s.parser.nanValues} NaN values`,
  );
  return out.join('\n');
}
