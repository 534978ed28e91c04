/**
 * Hyperliquid `activeAssetCtx` → normalized funding events (core/model.ts `Funding`).
 *
 * Follows: Hyperliquid API docs, "WebSocket > Subscriptions": subscription `{"type":"activeAssetCtx",
 * "coin":<coin>}`, data `WsActiveAssetCtx {coin, ctx: PerpsAssetCtx}` (a spot coin gets
 * `WsActiveSpotAssetCtx`, no funding) where `PerpsAssetCtx` = `SharedAssetCtx {dayNtlVlm, prevDayPx,
 * markPx, midPx?}` & `{funding, openInterest, oraclePx}`; and "Trading > Funding": funding is paid
 * every hour (the rate `funding` is the hourly rate).
 *
 * Field rules: fundingRate `ctx.funding`, markPrice `ctx.markPx`, indexPrice `ctx.oraclePx` (the
 * venue's oracle is its index), intervalHours 1, nextFundingTime the next whole hour after the receive
 * time (the frame carries no time: the documented hourly schedule), exchangeTs NaN. Values may be
 * decimal strings (as the venue sends them) or JSON numbers (as the docs' type listing writes them).
 */
import { MalformedFrameError } from '../../core/errors.ts';
import type { Funding } from '../../core/model.ts';
import { isObject, reqNonEmpty } from '../fields.ts';
import { fundingEvent, nextWholeHour } from '../funding.ts';

/** Hyperliquid funds every hour ("Trading > Funding"). */
export const HYPERLIQUID_FUNDING_HOURS = 1;

/**
 * The `data` of one `activeAssetCtx` message.
 * @returns the funding event; empty for a spot coin's context (no `funding` field)
 * @throws {MalformedFrameError} `invalid_field` for data without `coin` or a `ctx` object, or bad values
 */
export function parseHyperliquidAssetCtx(data: unknown, localTs: number): Funding[] {
  if (!isObject(data))
    throw new MalformedFrameError('invalid_field', 'activeAssetCtx data must be an object');
  const instrument = `hyperliquid:${reqNonEmpty(data.coin, 'coin')}`;
  const ctx = data.ctx;
  if (!isObject(ctx))
    throw new MalformedFrameError('invalid_field', 'activeAssetCtx without ctx object', instrument);
  if (!('funding' in ctx)) return [];
  return [
    fundingEvent('hyperliquid', instrument, {
      rate: ctx.funding,
      rateName: 'funding',
      intervalHours: HYPERLIQUID_FUNDING_HOURS,
      nextFundingTime: nextWholeHour(localTs),
      mark: ctx.markPx,
      index: ctx.oraclePx,
      exchangeTs: NaN,
      localTs,
    }),
  ];
}
