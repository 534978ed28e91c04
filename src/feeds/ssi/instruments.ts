/**
 * SSI FastConnect Data instruments (Vietnam: HOSE, HNX, UPCoM stocks; VN30F index futures; indices).
 *
 * Follows: SSI FastConnect Data API Specs v2.2, 4.2 "Securities" and 4.3 "SecuritiesDetails" (LotSize,
 * ContractMultiplier, TickPrice1..4 / TickIncrement1..4, LastTradingDate), and the market rules that the
 * exchanges publish (summarised in ../shared/data/ssi/README.md):
 * - HOSE tick by price band: 10 VND below 10,000; 50 VND from 10,000 to 49,950; 100 VND from 50,000;
 *   HNX and UPCoM 100 VND; VN30F 0.1 index point.
 * - Lot 100 shares (stocks); futures trade in contracts (lot 1).
 * - VN30F: multiplier 100,000 VND per index point; the last trading day is the 3rd Thursday of the
 *   contract month (closing auction ends 14:45 Asia/Ho_Chi_Minh, the instant used as `expiry`).
 * - Price limits +-7% HOSE, +-10% HNX, +-15% UPCoM around the reference price: the ceiling, floor and
 *   reference are taken from the stream (`Ceiling`, `Floor`, `RefPrice`), never computed here.
 *
 * Instrument ids are `ssi:<Symbol>` (`ssi:VCB`, `ssi:VN30F2104`, `ssi:VNINDEX`). Prices of stocks are in
 * VND per share, sizes in shares; futures prices in index points, sizes in contracts; indices carry no
 * size. Aliases `VN30F1M`, `VN30F2M`, `VN30F1Q`, `VN30F2Q` name the front month, the next month and the
 * next two quarter months among the listed contracts (see {@link resolveFuturesAlias}).
 */
import { makeSpec, type InstrumentSpec } from '../../core/instrument.ts';
import { zonedTimeToUtcMs } from '../../util/time.ts';

/** SSI's time zone: every `TradingDate`/`Time` on the wire is a wall-clock time there (UTC+7, no DST). */
export const SSI_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** The exchanges SSI reports (`Exchange`/`MarketId`; the spec's `DER` and the wire's `DERIVATIVES` are one). */
export type SsiExchange = 'HOSE' | 'HNX' | 'UPCOM' | 'DERIVATIVES';

/** VN30F multiplier: VND per index point per contract. */
export const VN30F_MULTIPLIER = 100_000;

/** Shares per lot on HOSE, HNX and UPCoM. */
export const STOCK_LOT = 100;

/** `ssi:<Symbol>`. */
export function ssiInstrument(symbol: string): string {
  return `ssi:${symbol}`;
}

/**
 * The exchange named by an `Exchange`/`MarketId` value (case-insensitive; `DER`, `DERIVATIVE`,
 * `DERIVATIVES`, `FU` → `DERIVATIVES`; `HNX30`/`HNXINDEX` style values → `HNX`), or null when unknown
 * (absent, null, or another market such as `HNXBOND`).
 */
export function ssiExchange(v: unknown): SsiExchange | null {
  if (typeof v !== 'string') return null;
  const s = v.toUpperCase();
  if (s === 'HOSE' || s === 'HSX') return 'HOSE';
  if (s === 'HNX') return 'HNX';
  if (s === 'UPCOM') return 'UPCOM';
  if (s === 'DER' || s === 'DERIVATIVE' || s === 'DERIVATIVES' || s === 'FU') return 'DERIVATIVES';
  return null;
}

/** True for a VN30 index futures symbol in the `VN30FYYMM` form (`VN30F2104`) or an alias (`VN30F1M`). */
export function isVn30Futures(symbol: string): boolean {
  return /^VN30F(\d{4}|[12][MQ])$/.test(symbol);
}

/**
 * Price increment of an instrument at `price`, as a decimal string: HOSE stocks by band (10 below
 * 10,000 VND, 50 up to 49,950, 100 from 50,000), HNX/UPCoM 100 VND, derivatives 0.1 point.
 * @param price a price in the instrument's unit (VND, or index points for derivatives); NaN or not
 *   positive gives the lowest band's tick on HOSE
 */
export function ssiTickSize(exchange: SsiExchange, price: number): string {
  switch (exchange) {
    case 'DERIVATIVES':
      return '0.1';
    case 'HNX':
    case 'UPCOM':
      return '100';
    case 'HOSE':
      return price >= 50_000 ? '100' : price >= 10_000 ? '50' : '10';
  }
}

/** The `YYYY-MM-DD` date of the third Thursday of `month` (1-12) of `year`. */
export function thirdThursday(year: number, month: number): string {
  const firstDow = new Date(Date.UTC(year, month - 1, 1)).getUTCDay(); // 0 Sunday … 4 Thursday
  const day = 1 + ((4 - firstDow + 7) % 7) + 14;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Wall-clock end of the last trading day (the closing auction ends 14:45). */
const EXPIRY_MS_OF_DAY = (14 * 60 + 45) * 60_000;

/**
 * Expiry of a `VN30FYYMM` contract: 14:45 Asia/Ho_Chi_Minh on the 3rd Thursday of 20YY-MM, ms since
 * epoch UTC; null for other symbols (aliases included: resolve them first).
 */
export function vn30fExpiry(symbol: string): number | null {
  const m = /^VN30F(\d\d)(\d\d)$/.exec(symbol);
  if (!m) return null;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return null;
  return zonedTimeToUtcMs(thirdThursday(2000 + Number(m[1]), month), EXPIRY_MS_OF_DAY, SSI_TIME_ZONE);
}

/** The instrument model of an SSI symbol (see the module comment). */
export interface SsiInstrumentSpec extends InstrumentSpec {
  readonly exchange: SsiExchange;
  /** `stock`, `future` (VN30F), `index` (VNINDEX, VN30, HNXIndex …). */
  readonly assetType: 'stock' | 'future' | 'index';
  /** VND per index point per contract (futures), 1 otherwise. */
  readonly multiplier: number;
}

/**
 * The instrument spec of `symbol` on `exchange`. Stocks: spot in VND, size in shares, lot 100, tick of
 * the band of `refPrice` (HOSE; pass NaN when unknown: the lowest band is used and the caller should
 * ask {@link ssiTickSize} per price). Futures: linear, contract size 100,000 VND per point, tick 0.1,
 * expiry from the symbol. Indices: `assetType: 'index'`, spot-like with contract size 1, no tick or lot.
 * @param source where the spec came from (`reference`: the Securities list; `recording`: a recorded
 *   stream; `fallback`: the documented rules only)
 */
export function ssiSpec(
  symbol: string,
  exchange: SsiExchange,
  opts: { refPrice?: number; index?: boolean; source?: InstrumentSpec['source'] } = {},
): SsiInstrumentSpec {
  const source = opts.source ?? 'fallback';
  if (exchange === 'DERIVATIVES' && isVn30Futures(symbol)) {
    const base = makeSpec({
      venue: 'ssi',
      symbol,
      base: 'VN30',
      quote: 'VND',
      kind: 'future',
      margin: 'linear',
      contractSize: VN30F_MULTIPLIER,
      tickSize: '0.1',
      lotSize: '1',
      expiry: vn30fExpiry(symbol),
      source,
    });
    return { ...base, exchange, assetType: 'future', multiplier: VN30F_MULTIPLIER };
  }
  const index = opts.index === true;
  const base = makeSpec({
    venue: 'ssi',
    symbol,
    base: symbol,
    quote: 'VND',
    kind: 'spot',
    margin: 'spot',
    contractSize: 1,
    tickSize: index ? '' : ssiTickSize(exchange, opts.refPrice ?? NaN),
    lotSize: index ? '' : String(STOCK_LOT),
    expiry: null,
    source,
  });
  return { ...base, exchange, assetType: index ? 'index' : 'stock', multiplier: 1 };
}

/** A listed futures contract with the traded volume used to pick the active one (optional). */
export interface FuturesListing {
  readonly symbol: string;
  /** Session volume in contracts (NaN or absent when unknown). */
  readonly volume?: number;
}

/**
 * Resolve a `VN30F1M`-style alias to a listed `VN30FYYMM` contract at `now`:
 * - `VN30F1M`: the nearest contract not yet expired; `VN30F2M`: the next one;
 * - `VN30F1Q` / `VN30F2Q`: the first / second quarter-month contract (March, June, September,
 *   December) after the `VN30F2M` one.
 * On the front contract's last trading day, when volumes are given and the next contract has traded
 * more, `VN30F1M` resolves to the next one (the market has rolled) and `VN30F2M` to the one after.
 * @returns the symbol, or null when the alias is unknown or not enough contracts are listed
 */
export function resolveFuturesAlias(
  alias: string,
  listed: readonly FuturesListing[],
  now: number,
): string | null {
  const live = listed
    .map((l) => ({ ...l, expiry: vn30fExpiry(l.symbol) }))
    .filter((l): l is typeof l & { expiry: number } => l.expiry !== null && l.expiry >= now)
    .sort((a, b) => a.expiry - b.expiry);
  let months = live;
  const front = live[0];
  const next = live[1];
  if (
    front &&
    next &&
    front.expiry - now < 86_400_000 &&
    (next.volume ?? NaN) > (front.volume ?? NaN) // NaN comparisons are false: no roll without volumes
  )
    months = live.slice(1);
  switch (alias) {
    case 'VN30F1M':
      return months[0]?.symbol ?? null;
    case 'VN30F2M':
      return months[1]?.symbol ?? null;
    case 'VN30F1Q':
    case 'VN30F2Q': {
      const after = months[1]?.expiry ?? -Infinity;
      const quarters = months.filter((l) => l.expiry > after && /(03|06|09|12)$/.test(l.symbol));
      return quarters[alias === 'VN30F1Q' ? 0 : 1]?.symbol ?? null;
    }
    default:
      return null;
  }
}
