/**
 * Gate.io USDT perpetual `futures.tickers` → normalized funding events (core/model.ts `Funding`).
 *
 * Follows: Gate.io Futures WebSocket v4, "Tickers API" (channel `futures.tickers`, subscribe with
 * `payload` = contract list; an `update` carries `result` = a list of tickers with `contract`,
 * `funding_rate`, `funding_rate_indicative`, `mark_price`, `index_price` and 24 h statistics, all decimal
 * strings; envelope `time` s and `time_ms` ms), and Gate.io APIv4 "Futures > List all futures contracts"
 * (`funding_interval` in seconds per contract, 28800 for the contracts of the recorded reference body;
 * `funding_next_apply` s).
 *
 * Field rules: fundingRate `funding_rate`, predictedRate `funding_rate_indicative`, markPrice
 * `mark_price`, indexPrice `index_price`, exchangeTs the envelope's `time_ms` (else `time` × 1000).
 * The ticker carries neither interval nor next funding time: intervalHours is Gate's default 8 (the
 * contracts list is authoritative per contract), nextFundingTime NaN.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import type { Funding } from '../../core/model.ts';
import { isObject, optTime, reqNonEmpty, type Json } from '../fields.ts';
import { fundingEvent } from '../funding.ts';

/** Gate.io's default funding interval, hours (contracts list `funding_interval` 28800 s). */
export const GATEIO_DEFAULT_FUNDING_HOURS = 8;

/**
 * One `futures.tickers` update (`msg` is the whole frame).
 * @throws {MalformedFrameError} `invalid_field` for a `result` that is not a list of objects with a
 *   `contract` and a numeric `funding_rate`
 */
export function parseGateioTickers(venue: string, msg: Json, localTs: number): Funding[] {
  const r = msg.result;
  const list = Array.isArray(r) ? r : [r];
  const exchangeTs = typeof msg.time_ms === 'number' ? msg.time_ms : optTime(msg.time, 'time', 's');
  return list.map((t: unknown) => {
    if (!isObject(t))
      throw new MalformedFrameError('invalid_field', 'futures.tickers entry must be an object');
    const instrument = `${venue}:${reqNonEmpty(t.contract, 'contract')}`;
    return fundingEvent(venue, instrument, {
      rate: t.funding_rate,
      rateName: 'funding_rate',
      intervalHours: GATEIO_DEFAULT_FUNDING_HOURS,
      nextFundingTime: NaN,
      mark: t.mark_price,
      index: t.index_price,
      predicted: t.funding_rate_indicative,
      exchangeTs,
      localTs,
    });
  });
}
