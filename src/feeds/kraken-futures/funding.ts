/**
 * Kraken Futures `ticker` feed → normalized funding events (core/model.ts `Funding`).
 *
 * Follows: Kraken Futures docs, "WebSocket API v1 > Public feeds > Ticker": subscribe
 * `{"event":"subscribe","feed":"ticker","product_ids":[...]}`; every message holds all fields (deltas
 * throttled to one a second): `time` (server time ms), `product_id`, `funding_rate` (the current
 * funding rate, absolute: quote currency per contract), `funding_rate_prediction`,
 * `relative_funding_rate` ("the absolute funding rate relative to the spot price at the time of funding
 * rate calculation": a fraction), `relative_funding_rate_prediction`, `next_funding_rate_time` (ms),
 * `markPrice`, `index`, bid/ask/volume statistics; funding fields are perpetuals only and "if zero,
 * field is not populated". And Kraken support, "Inverse Crypto-Collateral Perpetual Contract
 * Specifications" / "Linear Multi-Collateral Perpetual Contract Specifications": auto-roll (funding)
 * every 1 hour at the end of the hour.
 *
 * Field rules: fundingRate `relative_funding_rate` (the fraction, comparable with the other venues; a
 * perpetual's ticker without it has a zero rate: "0"), predictedRate
 * `relative_funding_rate_prediction`, nextFundingTime `next_funding_rate_time`, intervalHours 1,
 * markPrice `markPrice`, indexPrice `index`, exchangeTs `time`. Numbers are read with their exact wire
 * digits. A dated future's ticker (no funding fields, `tag` not `perpetual`) gives no event.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import type { Funding } from '../../core/model.ts';
import { optTime, parseObjectQuotingNumbers, reqNonEmpty } from '../fields.ts';
import { fundingEvent } from '../funding.ts';

/** Kraken Futures perpetuals fund every hour (contract specifications: auto-roll period). */
export const KRAKEN_FUTURES_FUNDING_HOURS = 1;

/**
 * One `ticker` frame (raw text, re-read so every number keeps its digits).
 * @returns the funding event; empty for a non-perpetual product
 * @throws {MalformedFrameError} `malformed_json`, or `invalid_field` for a missing `product_id` or a
 *   non-numeric funding value
 */
export function parseKrakenFuturesTicker(text: string, localTs: number): Funding[] {
  const msg = parseObjectQuotingNumbers(text);
  const instrument = `kraken-futures:${reqNonEmpty(msg.product_id, 'product_id')}`;
  const perpetual =
    msg.tag === 'perpetual' || 'relative_funding_rate' in msg || 'next_funding_rate_time' in msg;
  if (!perpetual) return [];
  if (msg.suspended !== undefined && typeof msg.suspended !== 'boolean')
    throw new MalformedFrameError('invalid_field', '`suspended` must be a boolean', instrument);
  const next = optTime(msg.next_funding_rate_time, 'next_funding_rate_time', 'ms', instrument);
  return [
    fundingEvent('kraken-futures', instrument, {
      rate: msg.relative_funding_rate ?? '0',
      rateName: 'relative_funding_rate',
      intervalHours: KRAKEN_FUTURES_FUNDING_HOURS,
      nextFundingTime: next > 0 ? next : NaN,
      mark: msg.markPrice,
      index: msg.index,
      predicted: msg.relative_funding_rate_prediction,
      exchangeTs: optTime(msg.time, 'time', 'ms', instrument),
      localTs,
    }),
  ];
}
