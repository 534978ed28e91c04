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
import { makeSpec, normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import {
  asArray,
  asObject,
  decimalText,
  joinUrl,
  mapEntries,
  optEpochMs,
  optText,
  parseJsonBody,
  pathMatcher,
  spotSpec,
  text,
} from '../reference.ts';
import type { VenueReference } from '../types.ts';

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

/** Futures month codes (CME convention, used in Bybit's legacy inverse futures names: `BTCUSDM21`). */
const MONTH_CODES = 'FGHJKMNQUVXZ';

/**
 * Expiry of a legacy Bybit inverse future from its name (`BTCUSDM21` → 2021-06-25 08:00 UTC): Bybit's
 * inverse futures contract specification delivers at 08:00 UTC on the last Friday of the delivery month.
 * @returns ms since epoch, or null when the name carries no month code
 */
export function bybitLegacyExpiry(name: string): number | null {
  const m = /([FGHJKMNQUVXZ])(\d{2})$/.exec(name);
  if (!m) return null;
  const month = MONTH_CODES.indexOf(m[1]!);
  const year = 2000 + Number(m[2]);
  const last = new Date(Date.UTC(year, month + 1, 0, 8));
  last.setUTCDate(last.getUTCDate() - ((last.getUTCDay() + 2) % 7)); // back to Friday (day 5)
  return last.getTime();
}

/**
 * A v5 instruments-info entry as a spec (Bybit "Get Instruments Info"): `contractType` LinearPerpetual /
 * LinearFutures (sizes in base units), InversePerpetual / InverseFutures (contracts of 1 USD), none for
 * spot (`lotSizeFilter.basePrecision`); `deliveryTime` "0" = no expiry; assets `baseCoin`, `quoteCoin`,
 * `settleCoin`. Options are skipped (not served by this adapter).
 */
export function bybitV5Spec(o: Record<string, unknown>, source: InstrumentSpec['source']): InstrumentSpec {
  const symbol = text(o, 'symbol');
  const lot = asObject(o.lotSizeFilter, 'lotSizeFilter');
  const tickSize = decimalText(asObject(o.priceFilter, 'priceFilter').tickSize, 'tickSize');
  const lotSize = decimalText(lot.qtyStep ?? lot.basePrecision, 'qtyStep');
  const base = normalizeAsset(text(o, 'baseCoin'));
  const quote = normalizeAsset(text(o, 'quoteCoin'));
  const common = { venue: 'bybit-linear', symbol, base, quote, tickSize, lotSize, source };
  const ct = optText(o, 'contractType');
  if (ct === undefined) {
    if (o.optionsType !== undefined) throw new MalformedFrameError('unsupported', 'options are not served');
    return spotSpec(common);
  }
  const inverse = ct.startsWith('Inverse');
  if (!inverse && !ct.startsWith('Linear'))
    throw new MalformedFrameError('invalid_field', `unknown contractType ${ct}`);
  const perpetual = ct.endsWith('Perpetual');
  const settle = normalizeAsset(optText(o, 'settleCoin') ?? (inverse ? base : quote));
  return makeSpec({
    ...common,
    settle,
    kind: perpetual ? 'perpetual' : 'future',
    margin: inverse ? 'inverse' : 'linear',
    contractSize: 1,
    sizeUnit: inverse ? 'contracts' : 'base',
    expiry: perpetual ? null : optEpochMs(o.deliveryTime),
  });
}

/**
 * A legacy v2 `symbols` entry as a spec (2021 recordings): quote USD = inverse contracts of 1 USD
 * (`BTCUSD` perpetual, `BTCUSDM21` dated, see bybitLegacyExpiry), quote USDT = linear perpetual with
 * sizes in base units.
 */
export function bybitLegacySpec(
  o: Record<string, unknown>,
  source: InstrumentSpec['source'],
): InstrumentSpec {
  const symbol = text(o, 'name');
  const base = normalizeAsset(text(o, 'base_currency'));
  const quote = normalizeAsset(text(o, 'quote_currency'));
  const tickSize = decimalText(asObject(o.price_filter, 'price_filter').tick_size, 'tick_size');
  const lotSize = decimalText(asObject(o.lot_size_filter, 'lot_size_filter').qty_step, 'qty_step');
  const inverse = quote === 'USD';
  const expiry = inverse && symbol !== `${base}USD` ? bybitLegacyExpiry(symbol) : null;
  return makeSpec({
    venue: 'bybit-linear',
    symbol,
    base,
    quote,
    kind: expiry === null ? 'perpetual' : 'future',
    margin: inverse ? 'inverse' : 'linear',
    contractSize: 1,
    sizeUnit: inverse ? 'contracts' : 'base',
    tickSize,
    lotSize,
    expiry,
    source,
  });
}

const V5_INFO = '/v5/market/instruments-info';
const V2_SYMBOLS = '/v2/public/symbols';

/**
 * Bybit reference for the `bybit` (linear) adapter: `GET /v5/market/instruments-info?category=linear&
 * limit=1000` (one page holds every linear contract); recordings' legacy `GET /v2/public/symbols` bodies
 * parse too.
 */
export const bybitReference: VenueReference = {
  restUrl: 'https://api.bybit.com',
  requests: (restBase) => [{ url: joinUrl(restBase, `${V5_INFO}?category=linear&limit=1000`), weight: 1 }],
  matches: pathMatcher(V5_INFO, V2_SYMBOLS),
  parse(body, _url, source, onSkip) {
    const m = asObject(parseJsonBody(body, 'instruments'), 'instruments body');
    if ('retCode' in m) {
      if (m.retCode !== 0)
        throw new MalformedFrameError(
          'invalid_field',
          `Bybit error ${String(m.retCode)}: ${String(m.retMsg)}`,
        );
      const list = asArray(asObject(m.result, 'result').list, 'result.list');
      return mapEntries(list, (o) => bybitV5Spec(o, source), onSkip);
    }
    if (m.ret_code !== 0 || !Array.isArray(m.result))
      throw new MalformedFrameError(
        'invalid_field',
        `Bybit error ${String(m.ret_code)}: ${String(m.ret_msg)}`,
      );
    return mapEntries(m.result, (o) => bybitLegacySpec(o, source), onSkip);
  },
};
