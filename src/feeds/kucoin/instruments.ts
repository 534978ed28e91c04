/**
 * KuCoin instrument lists → InstrumentSpec (src/core/instrument.ts).
 *
 * Follows: KuCoin API docs, "Spot > Market Data > Get All Symbols" (`GET /api/v2/symbols`: `{"code":
 * "200000","data":[{symbol "BTC-USDT", baseCurrency, quoteCurrency, baseIncrement, priceIncrement,
 * enableTrading}]}`) and "Futures > Market Data > Get All Symbols" (`GET /api/v1/contracts/active`:
 * `[{symbol "XBTUSDTM", baseCurrency "XBT", quoteCurrency, settleCurrency, type "FFWCSX" perpetual /
 * "FFICSX" dated, multiplier, isInverse, tickSize, lotSize, expireDate}]`).
 *
 * Rules: spot tick = `priceIncrement`, lot = `baseIncrement`, sizes in base. Futures sizes are lots
 * (contracts): a linear contract is `multiplier` base units (XBTUSDTM 0.001 BTC); an inverse one
 * (`isInverse`, e.g. XBTUSDM) is |`multiplier`| quote units (1 USD; KuCoin writes it as -1). Numbers the
 * API sends as JSON numbers (tickSize, lotSize) become their shortest decimal text.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { makeSpec, normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import type { VenueReference } from '../types.ts';
import { isObject, parseJson, type Json } from '../fields.ts';

function list(body: string): Json[] {
  const o = parseJson(body);
  if (!isObject(o) || o.code !== '200000' || !Array.isArray(o.data))
    throw new MalformedFrameError(
      'invalid_field',
      `KuCoin instruments error: ${String(isObject(o) ? o.code : '?')} ${String(isObject(o) ? o.msg : '')}`,
    );
  return o.data.map((e) => {
    if (!isObject(e)) throw new MalformedFrameError('invalid_field', 'instrument entry must be an object');
    return e;
  });
}

function dec(o: Json, k: string): string {
  const v = o[k];
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new MalformedFrameError('invalid_field', `instrument field ${k} must be a decimal`);
}

function str(o: Json, k: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v === '')
    throw new MalformedFrameError('invalid_field', `instrument field ${k} must be a string`);
  return v;
}

/**
 * Parse the spot symbol list.
 * @throws {MalformedFrameError} on invalid JSON, an error code, or an entry without its fields
 */
export function parseKucoinSymbols(body: string, source: 'reference' | 'recording'): InstrumentSpec[] {
  return list(body).map((o) =>
    makeSpec({
      venue: 'kucoin',
      symbol: str(o, 'symbol'),
      base: normalizeAsset(str(o, 'baseCurrency')),
      quote: normalizeAsset(str(o, 'quoteCurrency')),
      kind: 'spot',
      margin: 'spot',
      contractSize: 1,
      tickSize: dec(o, 'priceIncrement'),
      lotSize: dec(o, 'baseIncrement'),
      expiry: null,
      source,
    }),
  );
}

/**
 * Parse the futures contract list.
 * @throws {MalformedFrameError} on invalid JSON, an error code, or an entry without its fields
 */
export function parseKucoinContracts(body: string, source: 'reference' | 'recording'): InstrumentSpec[] {
  return list(body).map((o) => {
    const inverse = o.isInverse === true;
    const multiplier = Math.abs(Number(dec(o, 'multiplier')));
    const expiry = typeof o.expireDate === 'number' && o.expireDate > 0 ? o.expireDate : null;
    return makeSpec({
      venue: 'kucoin-futures',
      symbol: str(o, 'symbol'),
      base: normalizeAsset(str(o, 'baseCurrency')),
      quote: normalizeAsset(str(o, 'quoteCurrency')),
      settle: normalizeAsset(str(o, 'settleCurrency')),
      kind: o.type === 'FFICSX' || expiry !== null ? 'future' : 'perpetual',
      margin: inverse ? 'inverse' : 'linear',
      contractSize: multiplier,
      sizeUnit: 'contracts',
      tickSize: dec(o, 'tickSize'),
      lotSize: dec(o, 'lotSize'),
      expiry,
      source,
    });
  });
}

/** KuCoin spot reference. */
export const kucoinSpotReference: VenueReference = {
  requests: (restBase) => [{ url: `${restBase.replace(/\/$/, '')}/api/v2/symbols`, weight: 4 }],
  matches: (url) => /\/api\/v[12]\/symbols(\?|$)/.test(url),
  parse: (body, _url, source) => parseKucoinSymbols(body, source),
};

/** KuCoin futures reference. */
export const kucoinFuturesReference: VenueReference = {
  requests: (restBase) => [{ url: `${restBase.replace(/\/$/, '')}/api/v1/contracts/active`, weight: 3 }],
  matches: (url) => /\/api\/v1\/contracts\/active(\?|$)/.test(url),
  parse: (body, _url, source) => parseKucoinContracts(body, source),
};
