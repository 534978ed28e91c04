/**
 * BitMEX instrument list → InstrumentSpec (src/core/instrument.ts).
 *
 * Follows: BitMEX API docs, "Instrument > Get active instruments" (`GET /api/v1/instrument/active`: a JSON
 * array of `{symbol, typ, state, underlying, quoteCurrency, settlCurrency, expiry (ISO or null),
 * tickSize, lotSize, multiplier, underlyingToSettleMultiplier, quoteToSettleMultiplier,
 * underlyingToPositionMultiplier, isInverse, isQuanto}`; errors are `{"error":{"message","name"}}`) and
 * the contract guide "Contract value": an inverse contract is worth `multiplier / underlyingToSettle
 * Multiplier` quote units (XBTUSD: -100000000 / -100000000 = 1 USD a contract); a linear contract
 * `multiplier / quoteToSettleMultiplier` base units (XBTUSDT: 1 / 1000000 = 0.000001 XBT), or
 * `1 / underlyingToPositionMultiplier` when that is what the entry gives.
 *
 * Rules: `typ` FFWCSX/FFWCSF = perpetual, FFCCSX = dated future (expiry kept), IFXXXP = spot (sizes in
 * units of `1 / underlyingToPositionMultiplier` base); other types (indices, options, ...) are not
 * order books we subscribe and are left out. Quanto contracts (`isQuanto`) are worth a fixed amount of
 * the settle currency per quote point, so their size in base or quote depends on the settle rate: they
 * are skipped (told to `onSkip`) rather than given a wrong constant contract size. Assets are normalized
 * (`XBT`/`XBt` → BTC, `USDt` → USDT).
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { makeSpec, normalizeAsset, type InstrumentKind, type InstrumentSpec } from '../../core/instrument.ts';
import type { VenueReference } from '../types.ts';
import { isObject, optIsoTime, wireTable, type Json } from '../fields.ts';
import { decimalText, joinUrl, mapEntries, parseJsonBody, pathMatcher, text as str } from '../reference.ts';

/** A non-zero finite multiplier, or NaN when absent/null. */
function mult(o: Json, k: string): number {
  const v = o[k];
  return typeof v === 'number' && Number.isFinite(v) && v !== 0 ? v : NaN;
}

const KINDS: Readonly<Record<string, InstrumentKind>> = wireTable({
  FFWCSX: 'perpetual',
  FFWCSF: 'perpetual',
  FFCCSX: 'future',
  IFXXXP: 'spot',
});

/** One entry → spec, or null for instruments without an order book we subscribe. */
function specOf(o: Json, source: 'reference' | 'recording'): InstrumentSpec | null {
  const kind = KINDS[typeof o.typ === 'string' ? o.typ : ''];
  if (kind === undefined) return null;
  const symbol = str(o, 'symbol');
  if (o.isQuanto === true)
    throw new MalformedFrameError(
      'invalid_field',
      `${symbol} is a quanto contract: its base/quote size depends on the settle rate`,
    );
  const base = normalizeAsset(str(o, 'underlying'));
  const quote = normalizeAsset(str(o, 'quoteCurrency'));
  const settle = normalizeAsset(str(o, 'settlCurrency'));
  const tickSize = decimalText(o.tickSize, 'tickSize');
  const lotSize = decimalText(o.lotSize, 'lotSize');
  const expiry = kind === 'future' ? optIsoTime(o.expiry, 'expiry') : NaN;
  const common = { venue: 'bitmex', symbol, base, quote, settle, kind, tickSize, lotSize, source } as const;
  const perPosition = 1 / mult(o, 'underlyingToPositionMultiplier');
  if (kind === 'spot')
    return makeSpec({
      ...common,
      margin: 'spot',
      contractSize: Number.isNaN(perPosition) ? 1 : perPosition,
      sizeUnit: Number.isNaN(perPosition) ? 'base' : 'contracts',
      expiry: null,
    });
  const inverse = o.isInverse === true;
  const contractSize = inverse
    ? mult(o, 'multiplier') / mult(o, 'underlyingToSettleMultiplier')
    : mult(o, 'multiplier') / mult(o, 'quoteToSettleMultiplier');
  return makeSpec({
    ...common,
    margin: inverse ? 'inverse' : 'linear',
    // makeSpec throws RangeError for a size that is not positive (missing multipliers): the entry is skipped.
    contractSize: Number.isNaN(contractSize) && !inverse ? perPosition : contractSize,
    sizeUnit: 'contracts',
    expiry: Number.isNaN(expiry) ? null : expiry,
  });
}

/**
 * Parse an `instrument/active` body.
 * @param onSkip told about each entry left out for unusable fields (quanto contracts included)
 * @throws {MalformedFrameError} when the body is not JSON, is a BitMEX error, or is not an array
 */
export function parseBitmexInstruments(
  body: string,
  source: 'reference' | 'recording',
  onSkip?: (reason: string) => void,
): InstrumentSpec[] {
  const m = parseJsonBody(body, 'BitMEX instrument/active');
  if (!Array.isArray(m)) {
    const e = isObject(m) && isObject(m.error) ? String(m.error.message) : 'not an instrument array';
    throw new MalformedFrameError('invalid_field', `BitMEX instrument/active error: ${e}`);
  }
  return mapEntries(m, (e) => specOf(e, source), onSkip);
}

const PATH = '/api/v1/instrument/active';

/** BitMEX reference: the active instruments. */
export const bitmexReference = {
  requests: (restBase) => [{ url: joinUrl(restBase, PATH), weight: 1 }],
  matches: pathMatcher(PATH),
  parse: (body: string, _url: string, source: 'reference' | 'recording', onSkip?: (reason: string) => void) =>
    parseBitmexInstruments(body, source, onSkip),
} satisfies VenueReference;
