/**
 * Bitget instrument lists → InstrumentSpec (src/core/instrument.ts).
 *
 * Follows: Bitget API v2 docs, "Spot > Market > Get Symbol Info" (`GET /api/v2/spot/public/symbols`:
 * `symbol`, `baseCoin`, `quoteCoin`, `pricePrecision`, `quantityPrecision`, `status`) and "Futures >
 * Market > Get Contract Config" (`GET /api/v2/mix/market/contracts?productType=USDT-FUTURES`: `symbol`,
 * `baseCoin`, `quoteCoin`, `pricePlace`, `priceEndStep`, `volumePlace`, `sizeMultiplier`, `symbolType`
 * perpetual|delivery, `deliveryTime`), and the v1 lists a 2022 recording carries (`/api/spot/v1/public/
 * products`: `symbolName`, `priceScale`, `quantityScale`; `/api/mix/v1/market/contracts?productType=umcbl`:
 * `symbol` `DASHUSDT_UMCBL`, `pricePlace`, `priceEndStep`, `volumePlace`). Envelope
 * `{"code":"00000","msg":"success","data":[...]}`; any other code is an error.
 *
 * Rules: the spec symbol is the WebSocket `instId` (`BTCUSDT`; v1 suffixes `_SPBL`/`_UMCBL` removed).
 * Tick = `priceEndStep` × 10^-`pricePlace` (spot: 10^-`pricePrecision`); lot = `sizeMultiplier`, else
 * 10^-`volumePlace` (spot: 10^-`quantityPrecision`). USDT-M contracts are linear and quote sizes in the
 * base coin (Bitget "Place Order": `size` in base coin), so contract size 1 and `sizeUnit: 'base'`.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { makeSpec, normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import type { VenueReference } from '../types.ts';
import { isObject, parseJson, type Json } from '../fields.ts';

/**
 * `digits` × 10^-`places` as a decimal string (`("5", 1)` → `"0.5"`, `("1", 4)` → `"0.0001"`).
 * @throws {MalformedFrameError} when digits is not an unsigned integer or places not 0..30
 */
export function scaledDecimal(digits: string, places: number): string {
  if (!/^\d+$/.test(digits) || !Number.isInteger(places) || places < 0 || places > 30)
    throw new MalformedFrameError('invalid_field', `bad increment ${digits}e-${places}`);
  if (places === 0) return digits.replace(/^0+(?=\d)/, '');
  const padded = digits.padStart(places + 1, '0');
  const whole = padded.slice(0, -places).replace(/^0+(?=\d)/, '');
  return `${whole}.${padded.slice(-places)}`;
}

function str(o: Json, k: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v === '')
    throw new MalformedFrameError('invalid_field', `instrument field ${k} must be a non-empty string`);
  return v;
}

function places(o: Json, k: string): number {
  const n = Number(str(o, k));
  if (!Number.isInteger(n))
    throw new MalformedFrameError('invalid_field', `instrument field ${k} must be an integer`);
  return n;
}

function list(body: string): Json[] {
  const m = parseJson(body);
  if (!isObject(m) || m.code !== '00000' || !Array.isArray(m.data))
    throw new MalformedFrameError(
      'invalid_field',
      `Bitget instruments error: ${String(isObject(m) ? m.code : '?')} ${String(isObject(m) ? m.msg : '')}`,
    );
  return m.data.map((e) => {
    if (!isObject(e)) throw new MalformedFrameError('invalid_field', 'instrument entry must be an object');
    return e;
  });
}

/**
 * Parse a spot symbol list (v2 `symbols` or v1 `products`).
 * @throws {MalformedFrameError} on invalid JSON, an error code, or an entry without its fields
 */
export function parseBitgetSpotSymbols(body: string, source: 'reference' | 'recording'): InstrumentSpec[] {
  return list(body).map((o) => {
    const v1 = 'priceScale' in o;
    const symbol = v1 ? str(o, 'symbolName') : str(o, 'symbol');
    return makeSpec({
      venue: 'bitget',
      symbol,
      base: normalizeAsset(str(o, 'baseCoin')),
      quote: normalizeAsset(str(o, 'quoteCoin')),
      kind: 'spot',
      margin: 'spot',
      contractSize: 1,
      tickSize: scaledDecimal('1', places(o, v1 ? 'priceScale' : 'pricePrecision')),
      lotSize: scaledDecimal('1', places(o, v1 ? 'quantityScale' : 'quantityPrecision')),
      expiry: null,
      source,
    });
  });
}

/**
 * Parse a USDT-M contract list (v2 `contracts?productType=USDT-FUTURES` or v1 `?productType=umcbl`).
 * @throws {MalformedFrameError} on invalid JSON, an error code, or an entry without its fields
 */
export function parseBitgetContracts(body: string, source: 'reference' | 'recording'): InstrumentSpec[] {
  return list(body).map((o) => {
    const symbol = str(o, 'symbol').replace(/_UMCBL$/, '');
    const delivery = o.symbolType === 'delivery';
    const expiry = delivery && typeof o.deliveryTime === 'string' && /^\d+$/.test(o.deliveryTime);
    return makeSpec({
      venue: 'bitget-futures',
      symbol,
      base: normalizeAsset(str(o, 'baseCoin')),
      quote: normalizeAsset(str(o, 'quoteCoin')),
      kind: delivery ? 'future' : 'perpetual',
      margin: 'linear',
      contractSize: 1,
      sizeUnit: 'base',
      tickSize: scaledDecimal(
        typeof o.priceEndStep === 'string' ? o.priceEndStep : '1',
        places(o, 'pricePlace'),
      ),
      lotSize:
        typeof o.sizeMultiplier === 'string' && o.sizeMultiplier !== ''
          ? o.sizeMultiplier
          : scaledDecimal('1', places(o, 'volumePlace')),
      expiry: expiry ? Number(o.deliveryTime) : null,
      source,
    });
  });
}

const SPOT_LIST = /\/api\/v2\/spot\/public\/symbols|\/api\/spot\/v1\/public\/products/;
const USDT_M_LIST =
  /\/api\/v2\/mix\/market\/contracts\?(.*&)?productType=usdt-futures|\/api\/mix\/v1\/market\/contracts\?(.*&)?productType=umcbl/i;

/**
 * Either market's list, by its URL: a recording's metadata file (cryptofeed `BITGET.0`) holds the spot
 * and the USDT-M lists under the venue family's name, so each Bitget reference reads both (every spec
 * names its own venue: `bitget` or `bitget-futures`). Coin-M lists (`dmcbl`) are not ours: not matched.
 */
function parseEither(body: string, url: string, source: 'reference' | 'recording'): InstrumentSpec[] {
  return USDT_M_LIST.test(url) ? parseBitgetContracts(body, source) : parseBitgetSpotSymbols(body, source);
}

/** Bitget spot reference: the v2 symbol list (the v1 product list in recordings; see parseEither). */
export const bitgetSpotReference: VenueReference = {
  requests: (restBase) => [{ url: `${restBase.replace(/\/$/, '')}/api/v2/spot/public/symbols`, weight: 1 }],
  matches: (url) => SPOT_LIST.test(url) || USDT_M_LIST.test(url),
  parse: parseEither,
};

/** Bitget USDT-M reference: the v2 contract list (v1 `umcbl` list in recordings; see parseEither). */
export const bitgetFuturesReference: VenueReference = {
  requests: (restBase) => [
    { url: `${restBase.replace(/\/$/, '')}/api/v2/mix/market/contracts?productType=USDT-FUTURES`, weight: 1 },
  ],
  matches: (url) => SPOT_LIST.test(url) || USDT_M_LIST.test(url),
  parse: parseEither,
};
