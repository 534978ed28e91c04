/**
 * Gemini instrument metadata from REST `GET /v1/symbols/details/{symbol}`.
 *
 * Follows: Gemini REST API "Symbols and Network Info > Symbol Details": `{symbol, base_currency,
 * quote_currency, tick_size, quote_increment, min_order_size, status, product_type?, contract_type?}`.
 * Gemini's `tick_size` is the smallest increment of the base amount (the lot) and `quote_increment` the
 * price increment; both are JSON numbers (`1E-8`), read from their wire text and written as plain
 * decimals. `product_type` "swap" marks perpetuals (linear, settled in the quote); everything else spot.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { makeSpec, normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import type { VenueReference } from '../types.ts';
import { parseJsonKeepingDecimals, plainDecimal } from '../fields.ts';

const parseDetails = parseJsonKeepingDecimals(['tick_size', 'quote_increment']);

function num(v: unknown, name: string, symbol: string): string {
  if (typeof v !== 'string')
    throw new MalformedFrameError('invalid_field', `${symbol}: ${name} must be a number`);
  return plainDecimal(v);
}

/**
 * Parse one symbol-details body into its spec (instrument `gemini:<SYMBOL>`).
 * @throws {MalformedFrameError} when the body is not a symbol-details object
 */
export function parseGeminiSymbolDetails(body: string, source: 'reference' | 'recording'): InstrumentSpec {
  const o = parseDetails(body);
  const { symbol, base_currency: base, quote_currency: quote } = o;
  if (typeof symbol !== 'string' || typeof base !== 'string' || typeof quote !== 'string')
    throw new MalformedFrameError(
      'invalid_field',
      'symbol details need symbol, base_currency, quote_currency',
    );
  const perp = o.product_type === 'swap';
  return makeSpec({
    venue: 'gemini',
    symbol: symbol.toUpperCase(),
    base: normalizeAsset(base),
    quote: normalizeAsset(quote),
    kind: perp ? 'perpetual' : 'spot',
    margin: perp ? 'linear' : 'spot',
    contractSize: 1,
    ...(perp ? { sizeUnit: 'base' as const } : {}),
    tickSize: num(o.quote_increment, 'quote_increment', symbol),
    lotSize: num(o.tick_size, 'tick_size', symbol),
    expiry: null,
    source,
  });
}

/** Gemini reference data: the symbol list, then one details request per symbol. */
export const geminiReference: VenueReference = {
  requests: (restBase) => [{ url: `${restBase.replace(/\/$/, '')}/v1/symbols`, weight: 1 }],
  matches: (url) => /\/v1\/symbols\/details\/[A-Za-z0-9]+$/.test(url),
  parse: (body, _url, source) => [parseGeminiSymbolDetails(body, source)],
};
