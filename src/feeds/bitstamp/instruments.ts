/**
 * Bitstamp instrument metadata from REST `GET /api/v2/trading-pairs-info/`.
 *
 * Follows: Bitstamp REST API "Trading pairs info": a JSON array of `{name: "BTC/USD", url_symbol:
 * "btcusd", base_decimals, counter_decimals, trading: "Enabled"|"Disabled", minimum_order, ...}`.
 * `counter_decimals` is the price precision (tick 10^-counter_decimals quote units), `base_decimals` the
 * amount precision (lot 10^-base_decimals base units). Every Bitstamp market is spot.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { makeSpec, normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import type { VenueReference } from '../types.ts';
import { isObject, parseJson } from '../fields.ts';

/** `10^-d` as a decimal string (`2` → `"0.01"`, `0` → `"1"`). */
export function decimalStep(d: number): string {
  return d === 0 ? '1' : `0.${'0'.repeat(d - 1)}1`;
}

/**
 * Parse a trading-pairs-info body into specs (instrument `bitstamp:<url_symbol>`).
 * @throws {MalformedFrameError} when the body is not an array of pairs with name, url_symbol and decimals
 */
export function parseBitstampPairs(body: string, source: 'reference' | 'recording'): InstrumentSpec[] {
  const list = parseJson(body);
  if (!Array.isArray(list))
    throw new MalformedFrameError('invalid_field', 'trading-pairs-info must be an array');
  return list.map((e: unknown) => {
    if (!isObject(e)) throw new MalformedFrameError('invalid_field', 'trading pair entry must be an object');
    const { name, url_symbol: sym, base_decimals: bd, counter_decimals: cd } = e;
    if (typeof name !== 'string' || !name.includes('/') || typeof sym !== 'string')
      throw new MalformedFrameError('invalid_field', 'trading pair needs name "BASE/QUOTE" and url_symbol');
    if (!Number.isInteger(bd) || !Number.isInteger(cd) || (bd as number) < 0 || (cd as number) < 0)
      throw new MalformedFrameError(
        'invalid_field',
        `trading pair ${sym}: base/counter_decimals must be integers`,
      );
    const [base, quote] = name.split('/') as [string, string];
    return makeSpec({
      venue: 'bitstamp',
      symbol: sym,
      base: normalizeAsset(base),
      quote: normalizeAsset(quote),
      kind: 'spot',
      margin: 'spot',
      contractSize: 1,
      tickSize: decimalStep(cd as number),
      lotSize: decimalStep(bd as number),
      expiry: null,
      source,
    });
  });
}

/** Bitstamp reference data: one request lists every pair. */
export const bitstampReference: VenueReference = {
  requests: (restBase) => [{ url: `${restBase.replace(/\/$/, '')}/api/v2/trading-pairs-info/`, weight: 1 }],
  matches: (url) => /\/api\/v2\/trading-pairs-info\/?$/.test(url),
  parse: (body, _url, source) => parseBitstampPairs(body, source),
};
