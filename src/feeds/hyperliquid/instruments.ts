/**
 * Hyperliquid perpetuals metadata → InstrumentSpec (src/core/instrument.ts).
 *
 * Follows: Hyperliquid API docs, "Info endpoint > Perpetuals > Retrieve perpetuals metadata"
 * (`POST /info` with `{"type":"meta"}` → `{"universe":[{name, szDecimals, maxLeverage, onlyIsolated?,
 * isDelisted?}], "marginTables": ...}`) and "Tick and lot size" (sizes are multiples of 10^-szDecimals;
 * prices have at most 5 significant figures and at most 6 - szDecimals decimals for perpetuals, integer
 * prices always allowed).
 *
 * Rules: one spec per universe entry, symbol = `name` (the WebSocket `coin`), a USDC-margined linear
 * perpetual quoted in USD (`quote: USD`, `settle: USDC`), sizes in the coin (`sizeUnit: base`, contract
 * size 1). The tick depends on the price (5 significant figures), so `tickSize` is the finest the venue
 * allows, 10^-(6 - szDecimals); bucket sizes derived from it stay whole multiples of every real tick
 * coarser than it. Delisted entries are left out.
 *
 * `requests` is empty: the endpoint is a POST, which `RestRequest` (GETs) cannot express; the specs come
 * from a `meta` body a recording or a caller provides (`parse`), else from the catalog's fallback
 * (src/core/instrument.ts: Hyperliquid coins are linear USD perpetuals in base units).
 */
import { MalformedFrameError } from '../../core/errors.ts';
import { makeSpec, normalizeAsset, type InstrumentSpec } from '../../core/instrument.ts';
import type { VenueReference } from '../types.ts';
import { isObject, parseObject } from '../fields.ts';
import { pathMatcher, stepOfDecimals } from '../reference.ts';

/**
 * Parse a `meta` body.
 * @param onSkip told about each entry left out for unusable fields
 * @throws {MalformedFrameError} when the body is not JSON or has no `universe` list
 */
export function parseHyperliquidMeta(
  body: string,
  source: 'reference' | 'recording',
  onSkip?: (reason: string) => void,
): InstrumentSpec[] {
  const m = parseObject(body);
  if (!Array.isArray(m.universe))
    throw new MalformedFrameError('invalid_field', 'Hyperliquid meta body without a universe list');
  const out: InstrumentSpec[] = [];
  for (const e of m.universe) {
    if (!isObject(e) || typeof e.name !== 'string' || e.name === '') {
      onSkip?.('universe entry without name');
      continue;
    }
    if (e.isDelisted === true) continue;
    const sz = e.szDecimals;
    if (typeof sz !== 'number' || !Number.isInteger(sz) || sz < 0 || sz > 6) {
      onSkip?.(`${e.name}: szDecimals must be an integer 0..6`);
      continue;
    }
    out.push(
      makeSpec({
        venue: 'hyperliquid',
        symbol: e.name,
        base: normalizeAsset(e.name),
        quote: 'USD',
        settle: 'USDC',
        kind: 'perpetual',
        margin: 'linear',
        contractSize: 1,
        sizeUnit: 'base',
        tickSize: stepOfDecimals(6 - sz),
        lotSize: stepOfDecimals(sz),
        expiry: null,
        source,
      }),
    );
  }
  return out;
}

/** Hyperliquid reference (see the module comment: POST endpoint, so no GET requests). */
export const hyperliquidReference = {
  requests: () => [],
  matches: pathMatcher('/info'),
  parse: (body: string, _url: string, source: 'reference' | 'recording', onSkip?: (reason: string) => void) =>
    parseHyperliquidMeta(body, source, onSkip),
} satisfies VenueReference;
