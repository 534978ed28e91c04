/**
 * The instrument model: what a size and a price on an instrument mean, so every notional is in quote
 * currency and every size can be told in base units, for spot and for linear and inverse contracts.
 *
 * Field rules (one place, like core/model.ts):
 * - `base`, `quote`, `settle`: asset codes as depthwatch spells them (upper case, the venue's aliases
 *   resolved: Kraken `XBT` → `BTC`, `ZUSD` → `USD`); `settle` is the currency margin and P&L are in
 *   (the quote for spot and linear contracts, the base for inverse ones).
 * - `kind`: `spot`, `perpetual`, `future` (dated), `option`; `margin`: `linear` (contract size in base
 *   units, notional = price × contracts × contractSize), `inverse` (contract size in quote units, e.g.
 *   Binance COIN-M BTCUSD_PERP = 100 USD a contract: notional = contracts × contractSize, base size =
 *   notional / price), or `spot` (sizes are base units, contractSize 1).
 * - `contractSize`: base units per contract (linear), quote units per contract (inverse), 1 for spot.
 *   `sizeUnit` says what book and trade sizes count on the wire: `base` or `contracts`.
 * - `tickSize`, `lotSize`: the venue's price and size increments as decimal strings (exact, as sent);
 *   `pricePrecision` / `sizePrecision`: decimals of those increments.
 * - `expiry`: ms since epoch UTC for dated futures and options, null otherwise.
 * - `source`: where the spec came from: `reference` (the venue's reference endpoint at start),
 *   `recording` (reference bodies a recording carries, e.g. cryptofeed `X.0`), `fallback` (documented
 *   defaults when neither is available; see {@link fallbackSpec}).
 */
import { splitInstrumentId, type InstrumentId, type VenueId } from './model.ts';

/** Market kind of an instrument. */
export type InstrumentKind = 'spot' | 'perpetual' | 'future' | 'option';

/** How a contract's size converts: spot (no contract), linear (base per contract), inverse (quote per contract). */
export type MarginType = 'spot' | 'linear' | 'inverse';

/** One instrument's reference data; see the module comment for the field rules. */
export interface InstrumentSpec {
  /** `<venue>:<symbol>`. */
  readonly id: InstrumentId;
  readonly venue: VenueId;
  /** Venue symbol as the venue spells it. */
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly settle: string;
  readonly kind: InstrumentKind;
  readonly margin: MarginType;
  /** Base units per contract (linear), quote units per contract (inverse), 1 (spot). */
  readonly contractSize: number;
  /** What wire sizes count: base units or contracts. */
  readonly sizeUnit: 'base' | 'contracts';
  /** Price increment (quote currency), decimal string as the venue sends it; '' when unknown. */
  readonly tickSize: string;
  /** Size increment (in `sizeUnit`), decimal string; '' when unknown. */
  readonly lotSize: string;
  /** Decimals of tickSize / lotSize (NaN when unknown). */
  readonly pricePrecision: number;
  readonly sizePrecision: number;
  /** Expiry, ms since epoch UTC (dated futures, options); null otherwise. */
  readonly expiry: number | null;
  /** Options only. */
  readonly option?: { readonly strike: number; readonly type: 'call' | 'put' };
  readonly source: 'reference' | 'recording' | 'fallback';
}

/** Decimals of a decimal string (`"0.010"` → 3, `"5"` → 0, `""` → NaN). */
export function decimalsOf(s: string): number {
  if (s === '') return NaN;
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - 1 - i;
}

/**
 * Build a spec, filling precisions from the increments and the derived fields from the kind.
 * @throws {RangeError} when contractSize is not positive and finite
 */
export function makeSpec(
  s: Omit<InstrumentSpec, 'id' | 'pricePrecision' | 'sizePrecision' | 'settle' | 'sizeUnit'> &
    Partial<Pick<InstrumentSpec, 'settle' | 'sizeUnit'>>,
): InstrumentSpec {
  if (!(s.contractSize > 0) || !Number.isFinite(s.contractSize))
    throw new RangeError(`contract size of ${s.venue}:${s.symbol} must be positive, got ${s.contractSize}`);
  return {
    ...s,
    id: `${s.venue}:${s.symbol}`,
    settle: s.settle ?? (s.margin === 'inverse' ? s.base : s.quote),
    sizeUnit: s.sizeUnit ?? (s.margin === 'spot' ? 'base' : 'contracts'),
    pricePrecision: decimalsOf(s.tickSize),
    sizePrecision: decimalsOf(s.lotSize),
  };
}

/**
 * Size in base units of `size` wire units at `price` (quote per base).
 * - spot, or sizes already in base: `size`;
 * - linear contracts: `size × contractSize`;
 * - inverse contracts: `size × contractSize / price` (contractSize quote units per contract).
 * @returns NaN when an inverse contract's price is not positive
 */
export function baseSize(spec: InstrumentSpec, price: number, size: number): number {
  if (spec.sizeUnit === 'base') return size;
  if (spec.margin === 'inverse') return price > 0 ? (size * spec.contractSize) / price : NaN;
  return size * spec.contractSize;
}

/**
 * Notional in quote currency of `size` wire units at `price`.
 * - spot / base sizes: `price × size`;
 * - linear contracts: `price × size × contractSize`;
 * - inverse contracts: `size × contractSize` (the contract's face value; independent of price).
 */
export function notional(spec: InstrumentSpec, price: number, size: number): number {
  if (spec.sizeUnit === 'base') return price * size;
  if (spec.margin === 'inverse') return size * spec.contractSize;
  return price * size * spec.contractSize;
}

/**
 * A round price bucket for heatmaps and support/resistance near `targetBps` of `price`: a whole number
 * of ticks of the form {1, 2, 2.5, 5} × 10^k, the one nearest (in ratio) to `targetBps` × price / 1e4, and
 * never below one tick. BTCUSDT at 60,000 (tick 0.01) and 2 bps → 10 USD; ETHUSDT at 2,600 → 0.5 USD;
 * Kraken ADA/XBT at 0.0000228 (tick 0.00000001) → one tick, where a fixed quote amount would swallow the
 * whole book.
 * @param tickSize the venue's tick (decimal string); when unknown ('' or not positive) the bucket is the
 *   round number nearest to the target
 * @param targetBps bucket width to aim at, basis points of price (default 2)
 * @returns the bucket size in quote currency, or NaN when price or targetBps is not positive
 */
export function defaultBucketSize(tickSize: string, price: number, targetBps = 2): number {
  if (!(price > 0) || !(targetBps > 0)) return NaN;
  const target = (price * targetBps) / 1e4;
  const tick = tickSize === '' ? NaN : Number(tickSize);
  const unit = tick > 0 ? tick : 10 ** Math.floor(Math.log10(target));
  const ticks = target / unit;
  if (ticks <= 1) return roundTo(unit, decimalsOf(tickSize) || 0);
  const mag = 10 ** Math.floor(Math.log10(ticks));
  let best = mag;
  for (const m of [1, 2, 2.5, 5, 10]) {
    const c = m * mag;
    if (Math.abs(Math.log(c / ticks)) < Math.abs(Math.log(best / ticks))) best = c;
  }
  // Whole ticks only (2.5 ticks is not a tick multiple).
  if (tick > 0) best = Math.max(1, Math.round(best));
  return roundTo(best * unit, Math.max(0, decimalsOf(tickSize) || 0) + 2);
}

function roundTo(x: number, decimals: number): number {
  const f = 10 ** Math.min(decimals, 15);
  return Math.round(x * f) / f;
}

/** Quote assets that count 1:1 as USD by default (consolidation, cross-venue comparisons). */
export const USD_LIKE: ReadonlySet<string> = new Set(['USD', 'USDT', 'USDC', 'BUSD', 'FDUSD', 'TUSD', 'DAI']);

/** Asset aliases venues use, to depthwatch's spelling. */
const ASSET_ALIASES: Readonly<Record<string, string>> = {
  XBT: 'BTC',
  XXBT: 'BTC',
  ZUSD: 'USD',
  ZEUR: 'EUR',
  XETH: 'ETH',
  XDG: 'DOGE', // Kraken
  XXDG: 'DOGE',
  UST: 'USDT', // Bitfinex spells Tether UST
};

/** Normalize an asset code (upper case, aliases resolved). */
export function normalizeAsset(code: string): string {
  const c = code.toUpperCase();
  return ASSET_ALIASES[c] ?? c;
}

/**
 * Reference data by instrument id, filled from venue reference endpoints or recordings; answers a
 * documented fallback for an instrument it has not seen (see {@link fallbackSpec}).
 */
export class InstrumentCatalog {
  private readonly specs = new Map<InstrumentId, InstrumentSpec>();
  private changes = 0;

  /** Add or replace specs (a later `reference` load replaces `recording`/`fallback` ones). */
  add(specs: Iterable<InstrumentSpec>): void {
    for (const s of specs) this.specs.set(s.id, s);
    this.changes++;
  }

  /**
   * Bumped by every `add`: holders of derived per-instrument state (the analytics' size units) compare
   * it to know when to look their spec up again, instead of a lookup per update.
   */
  get version(): number {
    return this.changes;
  }

  /** The spec of `id`, or undefined when not loaded. */
  find(id: InstrumentId): InstrumentSpec | undefined {
    return this.specs.get(id);
  }

  /** The spec of `id`, or its fallback when not loaded. */
  get(id: InstrumentId): InstrumentSpec {
    return this.specs.get(id) ?? fallbackSpec(id);
  }

  /** Number of loaded specs. */
  get size(): number {
    return this.specs.size;
  }

  /** Every loaded spec. */
  values(): IterableIterator<InstrumentSpec> {
    return this.specs.values();
  }
}

/**
 * Contract rules a venue documents for every instrument of a market, used when no reference data is
 * loaded. Binance COIN-M ("Contract Specifications"): BTC contracts are 100 USD, every other coin 10 USD.
 */
const VENUE_FALLBACKS: Readonly<Record<string, (symbol: string) => Partial<InstrumentSpec>>> = {
  'binance-coinm': (symbol) => ({
    kind: /_PERP$/.test(symbol) ? 'perpetual' : 'future',
    margin: 'inverse',
    contractSize: symbol.startsWith('BTC') ? 100 : 10,
    sizeUnit: 'contracts',
  }),
  'binance-usdm': (symbol) => ({ kind: /_\d{6}$/.test(symbol) ? 'future' : 'perpetual', margin: 'linear' }),
  // BitMEX "Contract specifications": XBTUSD and the XBT futures (XBTU21...) are 1 USD inverse contracts.
  bitmex: (symbol) =>
    /^XBT(USD|[FGHJKMNQUVXZ]\d\d)$/.test(symbol)
      ? {
          base: 'BTC',
          quote: 'USD',
          kind: symbol === 'XBTUSD' ? 'perpetual' : 'future',
          margin: 'inverse',
          contractSize: 1,
          sizeUnit: 'contracts',
        }
      : {},
  // Deribit "book.{instrument_name}.{interval}": futures/perpetual amounts are USD (inverse, 1 USD a
  // unit) unless the name is a linear `_USDC` one (coin amounts); option amounts are coins, premium in
  // the coin.
  deribit: (symbol) => {
    const coin = /^([A-Z]+)[-_]/.exec(symbol)?.[1];
    if (coin === undefined) return {};
    if (/-[CP]$/.test(symbol))
      return { base: coin, quote: coin, kind: 'option', margin: 'linear', sizeUnit: 'base' };
    const kind = symbol.endsWith('PERPETUAL') ? 'perpetual' : 'future';
    return symbol.includes('_')
      ? { base: coin, quote: /_([A-Z]+)/.exec(symbol)![1]!, kind, margin: 'linear', sizeUnit: 'base' }
      : { base: coin, quote: 'USD', kind, margin: 'inverse', contractSize: 1, sizeUnit: 'contracts' };
  },
  // Kraken Futures "Contract specifications": PI_/FI_ contracts are 1 USD inverse; PF_/FF_ are linear in
  // the coin (XBT spelled as BTC).
  'kraken-futures': (symbol) => {
    const m = /^(P[IF]|F[IF])_([A-Z0-9]+?)(USD|EUR|GBP)(_\d{6})?$/.exec(symbol);
    if (!m) return {};
    const base = normalizeAsset(m[2]!);
    const kind = m[1]!.startsWith('P') ? 'perpetual' : 'future';
    return m[1]!.endsWith('I')
      ? { base, quote: m[3]!, kind, margin: 'inverse', contractSize: 1, sizeUnit: 'contracts' }
      : { base, quote: m[3]!, kind, margin: 'linear', sizeUnit: 'base' };
  },
  // Hyperliquid "Info endpoint > meta": a coin name is a USDC-margined linear perpetual quoted in USD,
  // sizes in the coin.
  hyperliquid: (symbol) =>
    /^[A-Za-z0-9]+$/.test(symbol)
      ? { base: normalizeAsset(symbol), quote: 'USD', kind: 'perpetual', margin: 'linear', sizeUnit: 'base' }
      : {},
};

/** Quote currencies recognised at the end of concatenated symbols (`BTCUSDT`), longest first. */
const QUOTES = [
  'FDUSD',
  'USDT',
  'USDC',
  'BUSD',
  'TUSD',
  'USD',
  'EUR',
  'GBP',
  'BTC',
  'ETH',
  'BNB',
  'TRY',
  'JPY',
];

/**
 * Base and quote guessed from a venue symbol: separators (`BTC-USDT`, `XBT/USD`, `BTC_USDT`, `tBTCUSD`)
 * or a known quote suffix (`BTCUSDT`, `BTCUSD_PERP`); `?` when it cannot tell.
 */
export function guessAssets(symbol: string): { base: string; quote: string } {
  const core = symbol.replace(/^t(?=[A-Z])/, '').replace(/_(PERP|\d{6})$/, '');
  const sep = /[-/_:]/.exec(core);
  if (sep) {
    const [b, q] = [core.slice(0, sep.index), core.slice(sep.index + 1).split(/[-/_:]/)[0]!];
    return { base: normalizeAsset(b), quote: normalizeAsset(q) };
  }
  const up = core.toUpperCase();
  for (const q of QUOTES)
    if (up.endsWith(q) && up.length > q.length)
      return { base: normalizeAsset(up.slice(0, -q.length)), quote: normalizeAsset(q) };
  return { base: '?', quote: '?' };
}

/**
 * The documented fallback when an instrument has no loaded reference data: assets guessed from the
 * symbol ({@link guessAssets}), the venue's documented contract rule where it has one (Binance COIN-M
 * 100/10 USD inverse contracts, USD-M linear perpetuals; BitMEX XBT 1 USD inverse contracts; Deribit and
 * Kraken Futures by instrument name; Hyperliquid coins as linear USD perpetuals), otherwise spot-like (sizes in base units,
 * contract size 1); tick and lot unknown (''), `source: 'fallback'`.
 */
export function fallbackSpec(id: InstrumentId): InstrumentSpec {
  const { venue, symbol } = splitInstrumentId(id);
  const assets = guessAssets(symbol);
  const rule = VENUE_FALLBACKS[venue]?.(symbol) ?? {};
  return makeSpec({
    venue,
    symbol,
    base: rule.base ?? assets.base,
    quote: rule.quote ?? assets.quote,
    kind: rule.kind ?? 'spot',
    margin: rule.margin ?? 'spot',
    contractSize: rule.contractSize ?? 1,
    ...(rule.sizeUnit ? { sizeUnit: rule.sizeUnit } : rule.margin === 'linear' ? { sizeUnit: 'base' } : {}),
    tickSize: '',
    lotSize: '',
    expiry: null,
    source: 'fallback',
  });
}
