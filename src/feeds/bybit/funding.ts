/**
 * Bybit v5 `tickers.{symbol}` (linear) → normalized funding events (core/model.ts `Funding`).
 *
 * Follows: Bybit API v5 docs, "WebSocket Stream > Public > Ticker": topic `tickers.{symbol}`; linear
 * and inverse contracts push a `snapshot` then `delta`s (every 100 ms), and "if a response param is not
 * found in the message, then its value has not changed"; `data` carries `symbol`, `markPrice`,
 * `indexPrice`, `fundingRate`, `nextFundingTime` (ms, string) among the 24 h statistics; `ts` is the
 * time the system generated the data (ms).
 *
 * Field rules: deltas are merged into the connection's last snapshot of the symbol; a funding event is
 * emitted for a snapshot, and for a delta that changes one of fundingRate, nextFundingTime, markPrice,
 * indexPrice (deltas of only prices/volumes give none). A delta before any snapshot of its symbol
 * gives none either (there is nothing to merge into; the venue sends the snapshot on subscribe).
 * intervalHours: the ticker's `fundingIntervalHour` when present, else 8 (Bybit v5 "Get Instruments
 * Info": `fundingInterval` in minutes is per symbol, 480 for most linear perpetuals). exchangeTs `ts`.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import type { Funding } from '../../core/model.ts';
import { isObject, optTime, reqNonEmpty, type Json } from '../fields.ts';
import { fundingEvent } from '../funding.ts';

/** Bybit's funding interval when the ticker does not say, hours (see module doc). */
export const BYBIT_DEFAULT_FUNDING_HOURS = 8;

const FUNDING_FIELDS = ['fundingRate', 'nextFundingTime', 'markPrice', 'indexPrice', 'fundingIntervalHour'];

/** Per-connection merge of Bybit ticker snapshots and deltas (see module doc). */
export class BybitTickerFunding {
  private readonly last = new Map<string, Json>();

  /** @param venue the venue id prefixed to instruments (`bybit-linear`) */
  constructor(readonly venue: string) {}

  /**
   * One `tickers.*` frame.
   * @throws {MalformedFrameError} `invalid_field` for a frame without a `data` object or `symbol`, a
   *   `type` other than snapshot/delta, or bad funding values
   */
  parse(msg: Json, instrument: string, localTs: number): Funding[] {
    const data = msg.data;
    if (!isObject(data))
      throw new MalformedFrameError('invalid_field', 'ticker without data object', instrument);
    const symbol = reqNonEmpty(data.symbol, 'data.symbol', instrument);
    let merged: Json;
    if (msg.type === 'snapshot') merged = { ...data };
    else if (msg.type === 'delta') {
      const base = this.last.get(symbol);
      if (!base) return [];
      merged = { ...base, ...data };
      this.last.set(symbol, merged);
      if (!FUNDING_FIELDS.some((k) => k in data)) return [];
    } else
      throw new MalformedFrameError('invalid_field', `ticker type ${JSON.stringify(msg.type)}`, instrument);
    this.last.set(symbol, merged);
    const id = `${this.venue}:${symbol}`;
    const hours = Number(merged.fundingIntervalHour);
    const next = optTime(merged.nextFundingTime, 'nextFundingTime', 'ms', id);
    return [
      fundingEvent(this.venue, id, {
        rate: merged.fundingRate,
        rateName: 'fundingRate',
        intervalHours: hours > 0 ? hours : BYBIT_DEFAULT_FUNDING_HOURS,
        nextFundingTime: next > 0 ? next : NaN,
        mark: merged.markPrice,
        index: merged.indexPrice,
        exchangeTs: typeof msg.ts === 'number' ? msg.ts : NaN,
        localTs,
      }),
    ];
  }
}
