/**
 * Gate.io instrument lists → InstrumentSpec (src/core/instrument.ts).
 *
 * Follows: Gate.io APIv4 "Spot > List all currency pairs supported" (`GET /api/v4/spot/currency_pairs`:
 * `[{id: "ETH_USDT", base, quote, precision (price decimals), amount_precision, trade_status}]`) and
 * "Futures > List all futures contracts" (`GET /api/v4/futures/usdt/contracts`: `[{name, type: "direct",
 * quanto_multiplier (base units per contract), order_price_round (tick), order_size_min, in_delisting}]`).
 * A body that is not a JSON array (Gate errors are `{"label","message"}`) is refused.
 *
 * Rules: spot tick 10^-`precision`, lot 10^-`amount_precision`, sizes in base. Futures settled in USDT
 * are linear ("direct"): contract size = `quanto_multiplier` base units, wire sizes in contracts, tick =
 * `order_price_round`, lot 1 contract; perpetual (the `/futures/` market; dated ones are `/delivery/`).
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { guessAssets, makeSpec, normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import type { VenueReference } from '../types.ts';
import { isObject, parseJson, type Json } from '../fields.ts';
import { scaledDecimal } from '../bitget/instruments.ts';

function entries(body: string): Json[] {
  const v = parseJson(body);
  if (!Array.isArray(v))
    throw new MalformedFrameError(
      'invalid_field',
      `Gate.io instruments error: ${isObject(v) ? `${String(v.label)} ${String(v.message)}` : 'not a list'}`,
    );
  return v.map((e) => {
    if (!isObject(e)) throw new MalformedFrameError('invalid_field', 'instrument entry must be an object');
    return e;
  });
}

function str(o: Json, k: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v === '')
    throw new MalformedFrameError('invalid_field', `instrument field ${k} must be a non-empty string`);
  return v;
}

function int(o: Json, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new MalformedFrameError('invalid_field', `instrument field ${k} must be a non-negative integer`);
  return v;
}

/**
 * Parse a spot currency-pair list.
 * @throws {MalformedFrameError} on invalid JSON, an error body, or an entry without its fields
 */
export function parseGateioPairs(body: string, source: 'reference' | 'recording'): InstrumentSpec[] {
  return entries(body).map((o) =>
    makeSpec({
      venue: 'gateio',
      symbol: str(o, 'id'),
      base: normalizeAsset(str(o, 'base')),
      quote: normalizeAsset(str(o, 'quote')),
      kind: 'spot',
      margin: 'spot',
      contractSize: 1,
      tickSize: scaledDecimal('1', int(o, 'precision')),
      lotSize: scaledDecimal('1', int(o, 'amount_precision')),
      expiry: null,
      source,
    }),
  );
}

/**
 * Parse a USDT futures contract list.
 * @throws {MalformedFrameError} on invalid JSON, an error body, or an entry without its fields
 */
export function parseGateioContracts(body: string, source: 'reference' | 'recording'): InstrumentSpec[] {
  return entries(body).map((o) => {
    const name = str(o, 'name');
    const { base, quote } = guessAssets(name);
    const multiplier = Number(str(o, 'quanto_multiplier'));
    return makeSpec({
      venue: 'gateio-futures',
      symbol: name,
      base,
      quote,
      settle: 'USDT',
      kind: 'perpetual',
      margin: 'linear',
      contractSize: multiplier,
      sizeUnit: 'contracts',
      tickSize: str(o, 'order_price_round'),
      lotSize: '1',
      expiry: null,
      source,
    });
  });
}

/** Gate.io spot reference. */
export const gateioSpotReference: VenueReference = {
  requests: (restBase) => [{ url: `${restBase.replace(/\/$/, '')}/api/v4/spot/currency_pairs`, weight: 1 }],
  matches: (url) => /\/api\/v4\/spot\/currency_pairs(\?|$)/.test(url),
  parse: (body, _url, source) => parseGateioPairs(body, source),
};

/** Gate.io USDT futures reference. */
export const gateioFuturesReference: VenueReference = {
  requests: (restBase) => [
    { url: `${restBase.replace(/\/$/, '')}/api/v4/futures/usdt/contracts`, weight: 1 },
  ],
  matches: (url) => /\/api\/v4\/futures\/usdt\/contracts(\?|$)/.test(url),
  parse: (body, _url, source) => parseGateioContracts(body, source),
};
