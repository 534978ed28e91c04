/**
 * Bybit instrument metadata.
 *
 * Follows: Bybit API v5 docs, "Market > Get Instruments Info" (`GET /v5/market/instruments-info?category=`;
 * `{"retCode":0,"result":{"category","list":[{symbol, contractType, status, baseCoin, quoteCoin,
 * priceFilter:{tickSize}, lotSizeFilter:{qtyStep|basePrecision, minOrderQty}}]}}`) and, for the 2021
 * recordings, the legacy "Query Symbol" endpoint `GET /v2/public/symbols` (`{"ret_code":0,"result":[{name,
 * price_filter:{tick_size}, lot_size_filter:{qty_step (number), min_trading_qty}}]}`).
 */
import { MalformedFrameError } from '../../core/errors.ts';

/** One Bybit instrument. Decimal strings. */
export interface BybitInstrument {
  /** `bybit:<symbol>`. */
  instrument: string;
  symbol: string;
  /** Price increment, quote currency. */
  tickSize: string;
  /** Quantity increment: base units (linear, spot) or contracts of 1 USD (inverse). */
  lotSize: string;
  minSize: string;
  status: string;
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new MalformedFrameError('invalid_field', `${what} must be an object`);
  return v as Record<string, unknown>;
}

/** A decimal that may arrive as a JSON number in the legacy API. */
function dec(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new MalformedFrameError('invalid_field', `${what} must be a decimal`);
}

/**
 * Parse a v5 instruments-info or legacy v2 symbols body.
 * @throws {MalformedFrameError} on invalid JSON, an error code, or entries without tick/lot sizes
 */
export function parseBybitInstruments(body: string): BybitInstrument[] {
  let msg: unknown;
  try {
    msg = JSON.parse(body);
  } catch {
    throw new MalformedFrameError('malformed_json', 'instruments body is not JSON');
  }
  const m = obj(msg, 'instruments body');
  if ('retCode' in m) {
    if (m.retCode !== 0)
      throw new MalformedFrameError('invalid_field', `Bybit error ${String(m.retCode)}: ${String(m.retMsg)}`);
    const list = obj(m.result, 'result').list;
    if (!Array.isArray(list)) throw new MalformedFrameError('invalid_field', 'result.list must be an array');
    return list.map((e) => {
      const o = obj(e, 'instrument');
      const symbol = dec(o.symbol, 'symbol');
      const lot = obj(o.lotSizeFilter, 'lotSizeFilter');
      return {
        instrument: `bybit:${symbol}`,
        symbol,
        tickSize: dec(obj(o.priceFilter, 'priceFilter').tickSize, 'tickSize'),
        lotSize: dec(lot.qtyStep ?? lot.basePrecision, 'qtyStep'),
        minSize: dec(lot.minOrderQty, 'minOrderQty'),
        status: typeof o.status === 'string' ? o.status : '',
      };
    });
  }
  if (m.ret_code !== 0 || !Array.isArray(m.result))
    throw new MalformedFrameError('invalid_field', `Bybit error ${String(m.ret_code)}: ${String(m.ret_msg)}`);
  return m.result.map((e) => {
    const o = obj(e, 'symbol');
    const symbol = dec(o.name, 'name');
    const lot = obj(o.lot_size_filter, 'lot_size_filter');
    return {
      instrument: `bybit:${symbol}`,
      symbol,
      tickSize: dec(obj(o.price_filter, 'price_filter').tick_size, 'tick_size'),
      lotSize: dec(lot.qty_step, 'qty_step'),
      minSize: dec(lot.min_trading_qty, 'min_trading_qty'),
      status: typeof o.status === 'string' ? o.status : '',
    };
  });
}
