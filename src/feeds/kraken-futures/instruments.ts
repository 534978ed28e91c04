/**
 * Kraken Futures instrument list → InstrumentSpec (src/core/instrument.ts).
 *
 * Follows: Kraken Futures docs, "REST API v3 > Instruments" (`GET /derivatives/api/v3/instruments` →
 * `{"result":"success","instruments":[{symbol, type futures_inverse|flexible_futures|futures_vanilla|
 * spot index, underlying, tickSize, contractSize, tradeable, lastTradingTime (ISO, dated contracts),
 * tag perpetual|month|quarter..., base, quote, contractValueTradePrecision}]}`; any other `result` is an
 * error) and "Contract specifications": inverse contracts (`futures_inverse`: `PI_` perpetuals, `FI_`
 * dated) are worth `contractSize` USD each (1 USD), settled in the coin; multi-collateral linear
 * contracts (`flexible_futures`, `PF_`/`FF_`) are `contractSize` coins each, quoted and settled in USD.
 *
 * Rules: the spec symbol is the product id upper-cased, as the WebSocket feed spells it (`PI_XBTUSD`).
 * Base and quote come from `base`/`quote` when present, else from the symbol's pair (`xbtusd` → XBT/USD,
 * normalized to BTC/USD). Perpetual when there is no `lastTradingTime` (or `tag: perpetual`); a dated
 * future's expiry is its `lastTradingTime`. Lot = 10^-`contractValueTradePrecision` contracts when
 * given, else 1. Index entries (`spot index`) are not books and are left out.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { makeSpec, normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import type { VenueReference } from '../types.ts';
import { isObject, optIsoTime, type Json } from '../fields.ts';
import {
  decimalText,
  joinUrl,
  mapEntries,
  parseJsonBody,
  pathMatcher,
  positive,
  stepOfDecimals,
} from '../reference.ts';

/** Quote currencies of Kraken Futures pairs, at the end of the symbol's pair. */
const QUOTES = ['usd', 'eur', 'gbp', 'usdt', 'usdc'];

function assetsOf(o: Json, symbol: string): { base: string; quote: string } {
  if (typeof o.base === 'string' && typeof o.quote === 'string')
    return { base: normalizeAsset(o.base), quote: normalizeAsset(o.quote) };
  const pair = /^[a-z]+_([a-z0-9]+?)(?:_\d{6})?$/i.exec(symbol)?.[1]?.toLowerCase() ?? '';
  const q = [...QUOTES]
    .sort((a, b) => b.length - a.length)
    .find((x) => pair.endsWith(x) && pair.length > x.length);
  if (!q) throw new MalformedFrameError('invalid_field', `cannot tell base/quote of ${symbol}`);
  return { base: normalizeAsset(pair.slice(0, -q.length)), quote: normalizeAsset(q) };
}

function specOf(o: Json, source: 'reference' | 'recording'): InstrumentSpec | null {
  const type = o.type;
  if (type !== 'futures_inverse' && type !== 'flexible_futures' && type !== 'futures_vanilla') return null;
  if (typeof o.symbol !== 'string' || o.symbol === '')
    throw new MalformedFrameError('invalid_field', 'instrument without symbol');
  const symbol = o.symbol.toUpperCase();
  const { base, quote } = assetsOf(o, symbol);
  const expiry = optIsoTime(o.lastTradingTime ?? undefined, 'lastTradingTime');
  const perpetual = o.tag === 'perpetual' || Number.isNaN(expiry);
  const precision = typeof o.contractValueTradePrecision === 'number' ? o.contractValueTradePrecision : 0;
  const inverse = type === 'futures_inverse';
  return makeSpec({
    venue: 'kraken-futures',
    symbol,
    base,
    quote,
    kind: perpetual ? 'perpetual' : 'future',
    margin: inverse ? 'inverse' : 'linear',
    contractSize: positive(o.contractSize, 'contractSize'),
    sizeUnit: 'contracts',
    tickSize: decimalText(o.tickSize, 'tickSize'),
    lotSize: stepOfDecimals(precision),
    expiry: perpetual ? null : expiry,
    source,
  });
}

/**
 * Parse an `instruments` body.
 * @param onSkip told about each entry left out for unusable fields
 * @throws {MalformedFrameError} when the body is not JSON or not a successful instrument list
 */
export function parseKrakenFuturesInstruments(
  body: string,
  source: 'reference' | 'recording',
  onSkip?: (reason: string) => void,
): InstrumentSpec[] {
  const m = parseJsonBody(body, 'Kraken Futures instruments');
  if (!isObject(m) || m.result !== 'success' || !Array.isArray(m.instruments))
    throw new MalformedFrameError(
      'invalid_field',
      `Kraken Futures instruments error: ${isObject(m) ? String(m.error ?? m.result) : 'no instrument list'}`,
    );
  return mapEntries(m.instruments, (e) => specOf(e, source), onSkip);
}

const PATH = '/derivatives/api/v3/instruments';

/** Kraken Futures reference: the instrument list. */
export const krakenFuturesReference = {
  requests: (restBase) => [{ url: joinUrl(restBase, PATH), weight: 1 }],
  matches: pathMatcher(PATH),
  parse: (body: string, _url: string, source: 'reference' | 'recording', onSkip?: (reason: string) => void) =>
    parseKrakenFuturesInstruments(body, source, onSkip),
} satisfies VenueReference;
