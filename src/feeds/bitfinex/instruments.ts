/**
 * Bitfinex instrument lists from the public configuration endpoint.
 *
 * Follows: Bitfinex API docs, "REST Public > Configs" (`GET /v2/conf/pub:list:pair:exchange` → `[[PAIR,
 * ...]]` spot pairs; `pub:list:pair:futures` → perpetual pairs such as `BTCF0:USTF0`). A pair is
 * `BASEQUOTE` with 3-letter codes or `BASE:QUOTE`; its trading symbol is `t` + pair. Bitfinex prices
 * have 5 significant digits rather than a fixed tick, and the list carries no size increments, so
 * `tickSize` and `lotSize` are unknown (''). Perpetuals are linear, one base unit a contract, margined
 * in the quote (`USTF0` is Tether). Asset aliases (`UST` → USDT, `F0` suffixes) are resolved.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { makeSpec, normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import type { VenueReference } from '../types.ts';
import { parseJson } from '../fields.ts';

/** Base and quote of a Bitfinex pair (`BTCUSD`, `AAVE:USD`, `BTCF0:USTF0`). */
export function bitfinexAssets(pair: string): { base: string; quote: string } {
  const [b, q] = pair.includes(':')
    ? (pair.split(':') as [string, string])
    : [pair.slice(0, 3), pair.slice(3)];
  const strip = (c: string): string => normalizeAsset(c.replace(/F0$/, ''));
  return { base: strip(b), quote: strip(q) };
}

/**
 * Parse a `pub:list:pair:exchange` or `pub:list:pair:futures` body into specs.
 * @throws {MalformedFrameError} when the body is not `[[PAIR, ...]]`
 */
export function parseBitfinexPairs(
  body: string,
  futures: boolean,
  source: 'reference' | 'recording',
): InstrumentSpec[] {
  const v = parseJson(body);
  if (!Array.isArray(v) || !Array.isArray(v[0]) || v[0].some((p: unknown) => typeof p !== 'string'))
    throw new MalformedFrameError('invalid_field', 'Bitfinex pair list must be [[PAIR, ...]]');
  return (v[0] as string[]).map((pair) => {
    const { base, quote } = bitfinexAssets(pair);
    return makeSpec({
      venue: 'bitfinex',
      symbol: `t${pair}`,
      base,
      quote,
      kind: futures ? 'perpetual' : 'spot',
      margin: futures ? 'linear' : 'spot',
      contractSize: 1,
      ...(futures ? { sizeUnit: 'base' as const } : {}),
      tickSize: '',
      lotSize: '',
      expiry: null,
      source,
    });
  });
}

const LIST = /\/v2\/conf\/pub:list:pair:(exchange|futures)$/;

/** Bitfinex reference data: the spot and perpetual pair lists. */
export const bitfinexReference: VenueReference = {
  requests: (restBase) =>
    ['exchange', 'futures'].map((k) => ({
      url: `${restBase.replace(/\/$/, '')}/v2/conf/pub:list:pair:${k}`,
      weight: 1,
    })),
  matches: (url) => LIST.test(url),
  parse: (body, url, source) => parseBitfinexPairs(body, LIST.exec(url)?.[1] === 'futures', source),
};
