/**
 * Kraken spot instrument metadata from REST `GET /0/public/AssetPairs`.
 *
 * Follows: Kraken Spot REST API, "Get Tradable Asset Pairs": `result` maps pair names to `altname`,
 * `wsname` (the WebSocket symbol, e.g. `XBT/USD`), `pair_decimals` (price precision), `lot_decimals`
 * (volume precision), `ordermin`, `tick_size` (newer responses), `status`. An `error` list that is not
 * empty is an error.
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import { joinUrl, mapEntries, pathMatcher, spotSpec, trimZeros } from '../reference.ts';
import type { VenueReference } from '../types.ts';
import type { KrakenPrecision } from './parser.ts';

/** One Kraken spot pair. */
export interface KrakenInstrument {
  /** `kraken:<wsname>`. */
  instrument: string;
  /** REST pair key, e.g. `XXBTZUSD`. */
  pair: string;
  wsname: string;
  /** Price decimals (`pair_decimals`). */
  pricePrecision: number;
  /** Volume decimals (`lot_decimals`). */
  qtyPrecision: number;
  /** Price increment, quote currency: `tick_size` when sent, else 10^-pricePrecision. */
  tickSize: string;
  /** Volume increment, base currency: 10^-qtyPrecision. */
  lotSize: string;
  /** Minimum order volume, base currency; null when not sent. */
  minSize: string | null;
}

function step(decimals: number): string {
  return decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`;
}

/**
 * Parse an AssetPairs body. Pairs without `wsname` (dark pools) are skipped.
 * @throws {MalformedFrameError} on invalid JSON, a non-empty `error`, or missing decimals
 */
export function parseKrakenAssetPairs(body: string): KrakenInstrument[] {
  let msg: unknown;
  try {
    msg = JSON.parse(body);
  } catch {
    throw new MalformedFrameError('malformed_json', 'AssetPairs body is not JSON');
  }
  const m = msg as { error?: unknown; result?: unknown };
  if (
    m === null ||
    typeof m !== 'object' ||
    (Array.isArray(m.error) && m.error.length > 0) ||
    m.result === null ||
    typeof m.result !== 'object'
  )
    throw new MalformedFrameError(
      'invalid_field',
      `Kraken AssetPairs error: ${JSON.stringify(m?.error ?? null)}`,
    );
  const out: KrakenInstrument[] = [];
  for (const [pair, v] of Object.entries(m.result as Record<string, unknown>)) {
    const o = v as Record<string, unknown>;
    if (typeof o.wsname !== 'string') continue;
    const pd = o.pair_decimals;
    const ld = o.lot_decimals;
    if (typeof pd !== 'number' || typeof ld !== 'number' || !Number.isInteger(pd) || !Number.isInteger(ld))
      throw new MalformedFrameError(
        'invalid_field',
        `AssetPairs ${pair}: pair_decimals/lot_decimals must be integers`,
      );
    out.push({
      instrument: `kraken:${o.wsname}`,
      pair,
      wsname: o.wsname,
      pricePrecision: pd,
      qtyPrecision: ld,
      tickSize: typeof o.tick_size === 'string' ? o.tick_size : step(pd),
      lotSize: step(ld),
      minSize: typeof o.ordermin === 'string' ? o.ordermin : null,
    });
  }
  return out;
}

/** Precisions by WebSocket symbol, for `new KrakenParser(precisions)`. */
export function krakenPrecisions(instruments: readonly KrakenInstrument[]): Map<string, KrakenPrecision> {
  return new Map(instruments.map((i) => [i.wsname, { price: i.pricePrecision, qty: i.qtyPrecision }]));
}

/**
 * The specs of one AssetPairs pair: spot, assets from `wsname` (`ADA/XBT` → ADA, BTC), tick `tick_size`
 * when sent else 10^-`pair_decimals`, lot 10^-`lot_decimals`. Listed under the v1 name (`kraken:XBT/USD`,
 * as the recordings spell it) and, when it differs, the WebSocket v2 name with Kraken's asset aliases
 * resolved (`kraken:BTC/USD`, `kraken:DOGE/USD`), which the live v2 connection uses.
 */
export function krakenSpecs(i: KrakenInstrument, source: InstrumentSpec['source']): InstrumentSpec[] {
  const [b, q] = i.wsname.split('/');
  if (!b || !q) throw new MalformedFrameError('invalid_field', `wsname ${i.wsname} is not BASE/QUOTE`);
  const base = normalizeAsset(b);
  const quote = normalizeAsset(q);
  const spec = (symbol: string): InstrumentSpec =>
    spotSpec({
      venue: 'kraken',
      symbol,
      base,
      quote,
      tickSize: trimZeros(i.tickSize),
      lotSize: i.lotSize,
      source,
    });
  const v2 = `${base}/${quote}`;
  return v2 === i.wsname ? [spec(i.wsname)] : [spec(i.wsname), spec(v2)];
}

const ASSET_PAIRS = '/0/public/AssetPairs';

/** Kraken spot reference: `GET /0/public/AssetPairs` (public REST, 1 call; see parseKrakenAssetPairs). */
export const krakenReference: VenueReference = {
  restUrl: 'https://api.kraken.com',
  requests: (restBase) => [{ url: joinUrl(restBase, ASSET_PAIRS), weight: 1 }],
  matches: pathMatcher(ASSET_PAIRS),
  parse(body, _url, source, onSkip) {
    const pairs = parseKrakenAssetPairs(body);
    return mapEntries(
      pairs as unknown as Record<string, unknown>[],
      (o) => krakenSpecs(o as unknown as KrakenInstrument, source),
      onSkip,
    );
  },
};
