/**
 * Coinbase product metadata.
 *
 * Follows: Coinbase Advanced Trade REST, "List Public Products" (`GET /api/v3/brokerage/market/products`:
 * `{"products":[{product_id, price_increment, base_increment, base_min_size, status, ...}]}`) and, for the
 * 2021 recordings, Coinbase Exchange REST "Get all known trading pairs" (`GET /products`: an array of
 * `{id, quote_increment, base_increment, base_min_size, status}`).
 */
import { MalformedFrameError } from '../../core/errors.ts';
import type { InstrumentSpec } from '../../core/instrument.ts';
import {
  decimalText,
  joinUrl,
  mapEntries,
  parseJsonBody,
  pathMatcher,
  spotSpec,
  text,
} from '../reference.ts';
import type { VenueReference } from '../types.ts';

/** One Coinbase product. Decimal strings. */
export interface CoinbaseInstrument {
  /** `coinbase:<product_id>`. */
  instrument: string;
  productId: string;
  /** Price increment, quote currency. */
  tickSize: string;
  /** Size increment, base currency. */
  lotSize: string;
  minSize: string;
  status: string;
}

function str(o: Record<string, unknown>, k: string): string {
  const v = o[k];
  if (typeof v !== 'string')
    throw new MalformedFrameError('invalid_field', `product field ${k} must be a string`);
  return v;
}

/**
 * Parse an Advanced Trade or Exchange products body.
 * @throws {MalformedFrameError} on invalid JSON, an error body, or products without increments
 */
export function parseCoinbaseProducts(body: string): CoinbaseInstrument[] {
  let msg: unknown;
  try {
    msg = JSON.parse(body);
  } catch {
    throw new MalformedFrameError('malformed_json', 'products body is not JSON');
  }
  const advanced = msg !== null && typeof msg === 'object' && !Array.isArray(msg);
  const list: unknown = advanced ? (msg as { products?: unknown }).products : msg;
  if (!Array.isArray(list))
    throw new MalformedFrameError(
      'invalid_field',
      `Coinbase products error: ${JSON.stringify(msg).slice(0, 200)}`,
    );
  return list.map((e: unknown) => {
    if (e === null || typeof e !== 'object') throw new MalformedFrameError('invalid_field', 'product entry');
    const o = e as Record<string, unknown>;
    const productId = advanced ? str(o, 'product_id') : str(o, 'id');
    return {
      instrument: `coinbase:${productId}`,
      productId,
      tickSize: advanced ? str(o, 'price_increment') : str(o, 'quote_increment'),
      lotSize: str(o, 'base_increment'),
      minSize: str(o, 'base_min_size'),
      status: typeof o.status === 'string' ? o.status : '',
    };
  });
}

/**
 * One products entry as a spot spec: Advanced Trade (`product_id`, `base_currency_id`,
 * `quote_currency_id`, `price_increment`, `base_increment`, `product_type` SPOT; FUTURE products are
 * skipped: not served by this adapter) or Exchange (`id`, `base_currency`, `quote_currency`,
 * `quote_increment`, `base_increment`).
 */
export function coinbaseSpec(o: Record<string, unknown>, source: InstrumentSpec['source']): InstrumentSpec {
  const advanced = 'product_id' in o;
  if (advanced && o.product_type !== undefined && o.product_type !== 'SPOT')
    throw new MalformedFrameError('unsupported', `product_type ${String(o.product_type)} is not served`);
  return spotSpec({
    venue: 'coinbase',
    symbol: text(o, advanced ? 'product_id' : 'id'),
    base: text(o, advanced ? 'base_currency_id' : 'base_currency'),
    quote: text(o, advanced ? 'quote_currency_id' : 'quote_currency'),
    tickSize: decimalText(o[advanced ? 'price_increment' : 'quote_increment'], 'price increment'),
    lotSize: decimalText(o.base_increment, 'base_increment'),
    source,
  });
}

const ADVANCED_PRODUCTS = '/api/v3/brokerage/market/products';

/**
 * Coinbase reference: Advanced Trade "List Public Products" (`GET /api/v3/brokerage/market/products`,
 * public, 10 requests/s); recordings' Exchange `GET /products` bodies parse too.
 */
export const coinbaseReference: VenueReference = {
  restUrl: 'https://api.coinbase.com',
  requests: (restBase) => [{ url: joinUrl(restBase, ADVANCED_PRODUCTS), weight: 1 }],
  matches: pathMatcher(ADVANCED_PRODUCTS, '/products'),
  parse(body, _url, source, onSkip) {
    const msg = parseJsonBody(body, 'products');
    const list: unknown =
      msg !== null && typeof msg === 'object' && !Array.isArray(msg)
        ? (msg as { products?: unknown }).products
        : msg;
    if (!Array.isArray(list))
      throw new MalformedFrameError(
        'invalid_field',
        `Coinbase products error: ${JSON.stringify(msg).slice(0, 200)}`,
      );
    return mapEntries(list, (o) => coinbaseSpec(o, source), onSkip);
  },
};
