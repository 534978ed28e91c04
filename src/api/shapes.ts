/**
 * Mapping of engine, store and analytics objects to the contract's JSON shapes (src/contract), in one
 * place: trades get numbers plus exact decimal strings, stored snapshots numbers plus their wire
 * strings, candles `start`, consolidation views `localTs`, live candle series the `candles` channel
 * payload. Pure (reads, never changes, what it maps).
 */
import type { Funding, Trade as EngineTrade } from '../core/model.ts';
import { annualizedFundingRate } from '../pipeline/funding-board.ts';
import type { FundingEntry } from '../contract/funding.ts';
import type { BookSnapshotRow, Candle as StoreCandle, TradeRow } from '../store/types.ts';
import type { ConsolidatedView as GroupView } from '../analytics/consolidated/group.ts';
import type { WatchlistView } from '../analytics/consolidated/stage.ts';
import type { CandleSeries, TradeFlow } from '../analytics/flow.ts';
import type { z } from 'zod';
import type {
  BookSnapshot,
  Candle,
  CandlesUpdate,
  ConsolidatedView,
  Trade,
  WatchlistResponse,
} from '../contract/schemas.ts';

/**
 * The plain decimal string of a finite number (no exponent): `1e-7` → `0.0000001`, `1.5e21` →
 * `1500000000000000000000`. It is the shortest decimal that reads back as the same double, so a value
 * stored from a wire decimal of at most 15 significant digits gives that decimal back.
 * @throws {RangeError} for NaN or ±Infinity
 */
export function decimalText(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([-+]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, lead, frac = '', expS] = m;
  const exp = Number(expS);
  const digits = lead! + frac;
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return sign + digits + '0'.repeat(intLen - digits.length);
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

/** A live trade (wire decimal strings) as the contract's Trade. */
export function tradeOf(t: EngineTrade): z.input<typeof Trade> {
  return {
    instrument: t.instrument,
    exchangeTs: t.exchangeTs,
    localTs: t.localTs,
    id: t.id,
    price: Number(t.price),
    size: Number(t.size),
    priceText: t.price,
    sizeText: t.size,
    side: t.side,
  };
}

/** A stored trade (numbers) as the contract's Trade. */
export function tradeRowOf(t: TradeRow): z.input<typeof Trade> {
  return { ...t, priceText: decimalText(t.price), sizeText: decimalText(t.size) };
}

/** A stored candle (`ts`) as the contract's Candle (`start`). */
export function candleOf(c: StoreCandle): z.input<typeof Candle> {
  const { ts, ...rest } = c;
  return { start: ts, ...rest };
}

/** A stored book snapshot (wire strings) as the contract's BookSnapshot (numbers and strings). */
export function snapshotOf(r: BookSnapshotRow): z.input<typeof BookSnapshot> {
  const num = (l: [string, string]): [number, number] => [Number(l[0]), Number(l[1])];
  return {
    instrument: r.instrument,
    state: r.state,
    sequence: r.sequence,
    exchangeTs: r.exchangeTs,
    localTs: r.localTs,
    bids: r.bids.map(num),
    asks: r.asks.map(num),
    bidsText: r.bids,
    asksText: r.asks,
  };
}

/** A consolidation group view (`ts`) as the contract's ConsolidatedView (`localTs`). */
export function consolidatedOf(v: GroupView): z.input<typeof ConsolidatedView> {
  const { ts, route, ...rest } = v;
  return { ...rest, route: route as unknown as Record<string, unknown> | null, localTs: ts };
}

/** The watchlist (`ts`) as the contract's page (`items`, `localTs`), optionally one named list's rows. */
export function watchlistOf(
  w: WatchlistView,
  rows: WatchlistView['rows'] = w.rows,
  nextCursor: string | null = null,
): z.input<typeof WatchlistResponse> {
  return {
    items: rows.map(({ ts, ...r }) => ({ ...r, localTs: ts })),
    nextCursor,
    breadth: w.breadth,
    lists: w.lists,
    localTs: w.ts,
  };
}

/**
 * A funding event (core/model.ts `Funding`, the FundingBoard's latest) as the contract's FundingEntry:
 * unknown numbers null, absent mark/index/predicted null, `annualizedRate` computed
 * (pipeline/funding-board.ts annualizedFundingRate).
 */
export function fundingEntryOf(f: Funding): FundingEntry {
  const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);
  return {
    instrument: f.instrument,
    venue: f.venue,
    symbol: f.instrument.slice(f.instrument.indexOf(':') + 1),
    fundingRate: f.fundingRate,
    intervalHours: finite(f.intervalHours),
    annualizedRate: finite(annualizedFundingRate(f)),
    nextFundingTime: finite(f.nextFundingTime),
    markPrice: f.markPrice ?? null,
    indexPrice: f.indexPrice ?? null,
    predictedRate: f.predictedRate ?? null,
    exchangeTs: finite(f.exchangeTs),
    localTs: f.localTs,
  };
}

/** Closed candles in a `candles` channel message after the first one (the client upserts by `start`). */
export const LIVE_CLOSED_CANDLES = 3;
/** Closed candles per interval in the first `candles` message after a subscription. */
export const FIRST_CLOSED_CANDLES = 120;

/**
 * The `candles` channel payload of an instrument's trade flow (analytics/flow.ts): per interval the last
 * `closed` closed candles, the forming one (copied: the live one keeps changing) and the indicators
 * after the last close. Units as the contract's CandlesUpdate (prices quote, volumes base, ms UTC).
 * @param closed closed candles per interval (LIVE_CLOSED_CANDLES, or FIRST_CLOSED_CANDLES on subscribe)
 */
export function candlesUpdateOf(
  instrument: string,
  flow: TradeFlow,
  closed: number,
): z.input<typeof CandlesUpdate> {
  const intervals: z.input<typeof CandlesUpdate>['intervals'] = {};
  for (const [label, s] of Object.entries(flow.series) as [string, CandleSeries][]) {
    const I = s.indicators;
    intervals[label] = {
      intervalMs: s.intervalMs,
      closed: s.recentClosed(closed),
      forming: s.current ? { ...s.current } : null,
      indicators: {
        ema: I.ema,
        rsi: I.rsi,
        macd: I.macd ? { ...I.macd } : null,
        bollinger: I.bollinger ? { ...I.bollinger } : null,
      },
    };
  }
  return { instrument, ts: flow.stats.lastTs, intervals };
}
