/**
 * OKX v5 `funding-rate` channel → normalized funding events (core/model.ts `Funding`).
 *
 * Follows: OKX API v5 docs, "Public Data > WebSocket > Funding rate channel": subscribe
 * `{"op":"subscribe","args":[{"channel":"funding-rate","instId":"BTC-USD-SWAP"}]}` (perpetual swaps
 * only); a push `{"arg":{"channel":"funding-rate","instId":...},"data":[{"instType":"SWAP","instId",
 * "fundingRate","nextFundingRate","fundingTime","nextFundingTime","ts",...}]}` every 30 to 90 s, where
 * `fundingRate` is the current period's rate, `fundingTime` the settlement it applies at (ms, string),
 * `nextFundingTime` the settlement after that and `nextFundingRate` the forecast for it (`""` when the
 * venue gives none), `ts` the data time (ms, string).
 *
 * Field rules: fundingRate `fundingRate`; nextFundingTime = `fundingTime` (the next settlement);
 * intervalHours = (`nextFundingTime` − `fundingTime`) in hours (OKX notes the interval can be derived
 * so), NaN when either is missing; predictedRate `nextFundingRate`; exchangeTs `ts` (NaN when absent).
 * The channel carries no mark or index price.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import type { Funding } from '../../core/model.ts';
import { isObject, optTime, reqNonEmpty } from '../fields.ts';
import { fundingEvent } from '../funding.ts';

/**
 * The `data` array of one `funding-rate` push.
 * @throws {MalformedFrameError} `invalid_field` for an entry that is not an object, lacks `instId` or
 *   a numeric `fundingRate`, or has a bad time
 */
export function parseOkxFundingRate(venue: string, data: readonly unknown[], localTs: number): Funding[] {
  return data.map((d) => {
    if (!isObject(d)) throw new MalformedFrameError('invalid_field', 'funding-rate entry must be an object');
    const instrument = `${venue}:${reqNonEmpty(d.instId, 'instId')}`;
    const at = optTime(d.fundingTime, 'fundingTime', 'ms', instrument);
    const after = optTime(d.nextFundingTime, 'nextFundingTime', 'ms', instrument);
    const hours = (after - at) / 3_600_000;
    return fundingEvent(venue, instrument, {
      rate: d.fundingRate,
      rateName: 'fundingRate',
      intervalHours: hours > 0 ? hours : NaN,
      nextFundingTime: at > 0 ? at : NaN,
      predicted: d.nextFundingRate,
      exchangeTs: optTime(d.ts, 'ts', 'ms', instrument),
      localTs,
    });
  });
}
