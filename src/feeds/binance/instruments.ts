/**
 * Binance reference data: `exchangeInfo` of spot, USD-M and COIN-M into InstrumentSpecs.
 *
 * Follows: Binance Spot API "General endpoints > Exchange information" (`GET /api/v3/exchangeInfo`,
 * weight 20: `symbols[]` with `symbol`, `status`, `baseAsset`, `quoteAsset`, `filters[]` of which
 * `PRICE_FILTER.tickSize` and `LOT_SIZE.stepSize`); Binance Derivatives USD-M "Exchange Information"
 * (`GET /fapi/v1/exchangeInfo`, weight 1: also `contractType` PERPETUAL / CURRENT_QUARTER / NEXT_QUARTER /
 * ..., `deliveryDate`, `marginAsset`; quantities in base units) and COIN-M "Exchange Information"
 * (`GET /dapi/v1/exchangeInfo`, weight 1: `contractSize` in USD per contract, e.g. 100 for BTCUSD_PERP and
 * 10 for ETHUSD_PERP; quantities in contracts; `contractStatus`; perpetuals carry `deliveryDate`
 * 4133404800000 (year 2100), which is no expiry). Recordings carry no exchangeInfo: replay uses the
 * documented fallback (core/instrument.ts fallbackSpec).
 */
import { makeSpec, normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import { MalformedFrameError } from '../../core/errors.ts';
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
  positive,
  spotSpec,
  text,
} from '../reference.ts';
import type { VenueReference } from '../types.ts';

/** Binance market of a reference (Binance.US serves the spot exchangeInfo on its own host). */
export type BinanceMarketId = 'binance' | 'binance-usdm' | 'binance-coinm' | 'binance-us';

const PATHS: Record<BinanceMarketId, { path: string; weight: number }> = {
  binance: { path: '/api/v3/exchangeInfo', weight: 20 },
  'binance-usdm': { path: '/fapi/v1/exchangeInfo', weight: 1 },
  'binance-coinm': { path: '/dapi/v1/exchangeInfo', weight: 1 },
  'binance-us': { path: '/api/v3/exchangeInfo', weight: 20 },
};

/** `deliveryDate` of perpetuals (2100-12-25): no expiry. */
const PERPETUAL_DELIVERY = 4133404800000;

function filter(o: Record<string, unknown>, type: string, key: string): string {
  for (const f of asArray(o.filters, 'filters')) {
    const x = asObject(f, 'filter');
    if (x.filterType === type) return decimalText(x[key], `${type}.${key}`);
  }
  throw new MalformedFrameError('invalid_field', `no ${type} filter`);
}

/** One exchangeInfo symbol as a spec of `venue`. @throws {MalformedFrameError} on unusable fields */
export function binanceSymbolSpec(
  venue: BinanceMarketId,
  o: Record<string, unknown>,
  source: InstrumentSpec['source'],
): InstrumentSpec {
  const symbol = text(o, 'symbol');
  const base = normalizeAsset(text(o, 'baseAsset'));
  const quote = normalizeAsset(text(o, 'quoteAsset'));
  const tickSize = filter(o, 'PRICE_FILTER', 'tickSize');
  const lotSize = filter(o, 'LOT_SIZE', 'stepSize');
  if (venue === 'binance' || venue === 'binance-us')
    return spotSpec({ venue, symbol, base, quote, tickSize, lotSize, source });
  const contractType = optText(o, 'contractType') ?? 'PERPETUAL';
  const delivery = optEpochMs(o.deliveryDate);
  const perpetual = contractType.endsWith('PERPETUAL') || delivery === null || delivery >= PERPETUAL_DELIVERY;
  const settle = normalizeAsset(optText(o, 'marginAsset') ?? (venue === 'binance-coinm' ? base : quote));
  const common = {
    venue,
    symbol,
    base,
    quote,
    settle,
    kind: perpetual ? ('perpetual' as const) : ('future' as const),
    tickSize,
    lotSize,
    expiry: perpetual ? null : delivery,
    source,
  };
  return venue === 'binance-coinm'
    ? makeSpec({ ...common, margin: 'inverse', contractSize: positive(o.contractSize, 'contractSize') })
    : makeSpec({ ...common, margin: 'linear', contractSize: 1, sizeUnit: 'base' });
}

/** The reference of one Binance market (exchangeInfo). */
export function binanceReference(venue: BinanceMarketId): VenueReference {
  const { path, weight } = PATHS[venue];
  return {
    requests: (restBase) => [{ url: joinUrl(restBase, path), weight }],
    matches: pathMatcher(path),
    parse(body, _url, source, onSkip) {
      const m = asObject(parseJsonBody(body, 'exchangeInfo'), 'exchangeInfo body');
      if (!Array.isArray(m.symbols))
        throw new MalformedFrameError(
          'invalid_field',
          `Binance exchangeInfo error: ${String(m.code)} ${String(m.msg)}`,
        );
      return mapEntries(m.symbols, (o) => binanceSymbolSpec(venue, o, source), onSkip);
    },
  };
}
