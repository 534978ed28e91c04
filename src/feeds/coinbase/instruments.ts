/**
 * Coinbase product metadata.
 *
 * Follows: Coinbase Advanced Trade REST, "List Public Products" (`GET /api/v3/brokerage/market/products`:
 * `{"products":[{product_id, price_increment, base_increment, base_min_size, status, ...}]}`) and, for the
 * 2021 recordings, Coinbase Exchange REST "Get all known trading pairs" (`GET /products`: an array of
 * `{id, quote_increment, base_increment, base_min_size, status}`).
 */
import { MalformedFrameError } from '../../core/errors.ts';

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
