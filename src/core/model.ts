/**
 * Normalized market events: what every venue parser emits and everything downstream consumes.
 *
 * Field rules (one place, like tardis-node's mapper docs):
 * - `instrument`: `<venue>:<venue symbol>` e.g. `binance:BTCUSDT`, `binance-usdm:BTCUSDT`,
 *   `binance-coinm:BTCUSD_PERP`, `okx:BTC-USDT`. The symbol is spelled as the venue spells it.
 * - `exchangeTs`: the venue's event time, ms since epoch UTC (NaN when the venue gives none).
 * - `localTs`: when the frame was received locally, ms since epoch UTC (fractional ms allowed).
 * - Prices and sizes are the venue's wire decimal strings, untouched, so checksums can be recomputed and
 *   no precision is lost. Price is in quote currency per base unit; size is in base units (or contracts
 *   where the venue quotes contracts; see the instrument's metadata).
 * - A level with size "0" (numerically zero) in a delta deletes the level.
 */

/** Venue identifiers, one per protocol family (a venue with several markets gets one id per market). */
export type VenueId =
  | 'binance'
  | 'binance-usdm'
  | 'binance-coinm'
  | 'okx'
  | 'kraken'
  | 'bybit-linear'
  | 'coinbase'
  | (string & {});

/** `<venue>:<symbol>`, e.g. `binance-usdm:BTCUSDT`. */
export type InstrumentId = string;

/** Book side. */
export type Side = 'bid' | 'ask';

/** Aggressor (taker) side of a trade; `unknown` when neither the venue nor a rule can tell. */
export type AggressorSide = 'buy' | 'sell' | 'unknown';

/**
 * One L2 level as it came off the wire: `[price, size, ...venue extras]`, decimal strings.
 * Binance `["61234.10","0.500"]`, OKX `["61234.1","0.5","0","3"]`, Kraken v1 `["61234.1","0.5","1617.1"]`.
 */
export type WireLevel = readonly [price: string, size: string, ...rest: unknown[]];

/** Full (possibly depth-limited) book image. Bids and asks best first. */
export interface BookSnapshot {
  readonly type: 'book_snapshot';
  readonly instrument: InstrumentId;
  readonly exchangeTs: number;
  readonly localTs: number;
  /** Venue sequence the snapshot stands at (Binance `lastUpdateId`, OKX `seqId`); NaN when none. */
  readonly sequence: number;
  readonly bids: readonly WireLevel[];
  readonly asks: readonly WireLevel[];
  /**
   * Most levels per side the venue sends in this snapshot (Binance REST `limit`, OKX 400), or 0 when
   * the snapshot is the full book. A depth-limited snapshot bounds the book's coverage.
   */
  readonly depthLimit: number;
  /** Venue checksum carried with the snapshot (signed 32-bit), when the venue sends one. */
  readonly checksum?: number;
}

/** Incremental L2 update: absolute new sizes per price (size 0 deletes). */
export interface BookDelta {
  readonly type: 'book_delta';
  readonly instrument: InstrumentId;
  readonly exchangeTs: number;
  readonly localTs: number;
  /** First update id covered by this delta (Binance `U`); equals `sequence` for single-id venues; NaN when none. */
  readonly firstSequence: number;
  /** Last update id covered (Binance `u`, OKX `seqId`, Bybit `u`); NaN when the venue has none. */
  readonly sequence: number;
  /** Previous delta's last id as the venue states it (Binance futures `pu`, OKX `prevSeqId`); NaN when none. */
  readonly prevSequence: number;
  readonly bids: readonly WireLevel[];
  readonly asks: readonly WireLevel[];
  /** Venue checksum over the book after this delta (signed 32-bit), when the venue sends one. */
  readonly checksum?: number;
  /** Venue flag that this delta is in fact a fresh snapshot (Bybit `u == 1`). */
  readonly isSnapshot?: boolean;
  /**
   * Set only by a parser generation whose channel has no per-book sequence by protocol (OKX `books` as
   * recorded in 2022, before `seqId`; Bybit v1 `orderBookL2_25`): a constant of that generation and
   * channel, never inferred from a missing field. Rules built with `declaredUnsequenced`
   * (book/sync-rule.ts) apply such deltas (integrity then rests on checksums and the crossed check);
   * any other delta with a NaN sequence is a gap.
   */
  readonly unsequenced?: true;
  /**
   * The price range the book is exactly known over after this delta, when the source tells it (books
   * rebuilt from order-by-order data whose venue reports events only inside its top-N window, e.g.
   * LOBSTER): replaces the book's coverage. Prices in quote currency; NaN = unbounded on that side.
   */
  readonly coverage?: { readonly bidFloor: number; readonly askCeiling: number };
  /** The venue's own image of its top levels after this delta: an oracle, see DepthOracle. */
  readonly depthOracle?: DepthOracle;
}

/**
 * The venue's own top-`depth` image of its book (LOBSTER's orderbook file row), carried on the delta it
 * stands after. Compared with the rebuilt book on the levels inside the book's coverage only (rule in
 * book/depth-oracle.ts). Levels best first, wire decimal strings; a side listing fewer than `depth`
 * levels has no more levels at all.
 */
export interface DepthOracle {
  readonly depth: number;
  readonly bids: readonly WireLevel[];
  readonly asks: readonly WireLevel[];
}

/**
 * What a trade print that is not an ordinary market trade was, as the venue marks it (Binance futures
 * trade stream `X`: `INSURANCE_FUND` → `insurance_fund`, `ADL` → `adl`, `LIQUIDATION` → `liquidation`,
 * any other non-`MARKET` value → `other`). Such prints are not order flow: trade-flow analytics exclude
 * them (and count them).
 */
export type NonMarketTradeKind = 'insurance_fund' | 'adl' | 'liquidation' | 'other';

/** One public trade. */
export interface Trade {
  readonly type: 'trade';
  readonly instrument: InstrumentId;
  readonly exchangeTs: number;
  readonly localTs: number;
  /** Venue trade id as a string. */
  readonly id: string;
  readonly price: string;
  readonly size: string;
  /** Taker side: `buy` lifted the ask, `sell` hit the bid. */
  readonly side: AggressorSide;
  /** Set only for prints the venue marks as not a market trade (see {@link NonMarketTradeKind}). */
  readonly kind?: NonMarketTradeKind;
}

/** The venue's own best bid/offer (Binance `bookTicker`): an oracle for the rebuilt book. */
export interface Bbo {
  readonly type: 'bbo';
  readonly instrument: InstrumentId;
  readonly exchangeTs: number;
  readonly localTs: number;
  /** Update id the BBO stands at (Binance `u`); NaN when none. */
  readonly sequence: number;
  readonly bidPrice: string;
  readonly bidSize: string;
  readonly askPrice: string;
  readonly askSize: string;
}

/**
 * A perpetual's funding state as the venue streams it (Binance `markPriceUpdate`, OKX `funding-rate`,
 * Bybit v5 `tickers`, Gate.io `futures.tickers`, Hyperliquid `activeAssetCtx`, Kraken Futures
 * `ticker`; parsers in src/feeds/<venue>/funding.ts). Not a book event: it never touches a book; the
 * pipeline keeps the latest one per instrument (pipeline/funding-board.ts) and publishes it.
 *
 * - `fundingRate`: the rate of one funding interval as a decimal fraction (0.0001 = 0.01 % = 1 bp per
 *   interval), the venue's wire text (a JSON number's exact digits; exponent form expanded). Positive:
 *   longs pay shorts. Kraken Futures sends an absolute rate too: the normalized value is its
 *   `relative_funding_rate` (a fraction), see feeds/kraken-futures/funding.ts.
 * - `intervalHours`: hours between fundings, from the frame (OKX `nextFundingTime − fundingTime`) or
 *   the venue's documented schedule; NaN when neither tells.
 * - `nextFundingTime`: the next settlement, ms since epoch UTC; NaN when the frame does not carry it.
 * - `markPrice` / `indexPrice`: decimal strings (quote per base unit) when the frame carries them.
 * - `predictedRate`: the venue's estimate of the next interval's rate when it streams one (OKX
 *   `nextFundingRate`, Gate.io `funding_rate_indicative`, Kraken Futures
 *   `relative_funding_rate_prediction`).
 * - `exchangeTs` (the venue's event time) and `localTs` (receive time) as for every event.
 */
export interface Funding {
  readonly type: 'funding';
  readonly instrument: InstrumentId;
  readonly venue: VenueId;
  readonly exchangeTs: number;
  readonly localTs: number;
  readonly fundingRate: string;
  readonly intervalHours: number;
  readonly nextFundingTime: number;
  readonly markPrice?: string;
  readonly indexPrice?: string;
  readonly predictedRate?: string;
}

/** Every normalized market event. */
export type MarketEvent = BookSnapshot | BookDelta | Trade | Bbo | Funding;

/** Build an instrument id from venue and venue symbol. */
export function instrumentId(venue: VenueId, symbol: string): InstrumentId {
  return `${venue}:${symbol}`;
}

/**
 * Split an instrument id into venue and symbol.
 * @throws {TypeError} when the id has no `:`.
 */
export function splitInstrumentId(id: InstrumentId): { venue: VenueId; symbol: string } {
  const i = id.indexOf(':');
  if (i <= 0 || i === id.length - 1)
    throw new TypeError(`instrument id must be <venue>:<symbol>, got "${id}"`);
  return { venue: id.slice(0, i), symbol: id.slice(i + 1) };
}
