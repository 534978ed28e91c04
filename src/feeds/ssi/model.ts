/**
 * Normalized SSI FastConnect Data events: what src/feeds/ssi/parser.ts emits for each streamed message
 * (SSI FastConnect Data API Specs v2.2, section 3 "Market data streaming").
 *
 * Field rules (as core/model.ts, plus SSI's):
 * - `instrument` is `ssi:<Symbol>` (`ssi:VCB`, `ssi:VN30F2104`, `ssi:VNINDEX`).
 * - `exchangeTs` is the message's `TradingDate` + `Time` (or `TradingTime`) read as a wall-clock time in
 *   Asia/Ho_Chi_Minh, ms since epoch UTC; messages without a date (the spec's `B` sample) take the last
 *   trading date this parser saw, else the Ho Chi Minh date of the receive time. NaN without a time.
 * - `tradingDate` is `YYYY-MM-DD` (the date used for `exchangeTs`).
 * - Prices, volumes and values are decimal strings with the wire's digits (`"58500.0"`); `''` means
 *   unknown: absent, `null`, the string `"NaN"`, or a price of 0 (pre-open snapshots carry `LastPrice`
 *   0, empty book levels price 0). Stock prices are VND per share, volumes shares, values VND; futures
 *   prices are index points and volumes contracts; index values are points.
 * - `board`: `main` for the normal board (X, X-QUOTE, X-TRADE, B, the derivatives `Quote`/`Trade`),
 *   `odd_lot` for `OL` (odd-lot board: fewer than 100 shares; never mixed into the main board's book
 *   or session volume).
 */
import type { WireLevel } from '../../core/model.ts';
import type { SsiExchange } from './instruments.ts';

/** Which SSI board a quote or trade is from (see module comment). */
export type SsiBoard = 'main' | 'odd_lot';

/** Fields every SSI event carries. */
export interface SsiEventBase {
  readonly instrument: string;
  readonly symbol: string;
  /** `Exchange`/`MarketId` resolved (null when the message names none, e.g. `B`). */
  readonly exchange: SsiExchange | null;
  /** ms since epoch UTC (see module comment); NaN when the message has no time. */
  readonly exchangeTs: number;
  /** Local receive time, ms since epoch UTC. */
  readonly localTs: number;
  /** `YYYY-MM-DD`, '' when unknown. */
  readonly tradingDate: string;
  /** The envelope's `DataType` as sent (`X`, `X-QUOTE`, `Quote`, `B`, …). */
  readonly dataType: string;
}

/**
 * A top-N quote snapshot: the whole visible book of the message (HOSE fills 3 levels, HNX/UPCoM and
 * derivatives 10); levels whose price or volume is 0 are absent. Best first.
 */
export interface SsiQuote extends SsiEventBase {
  readonly type: 'ssi_quote';
  readonly board: SsiBoard;
  /** `TradingSession` (ATO, LO, ATC, PT, C, BREAK, HALT …), null when not sent. */
  readonly session: string | null;
  readonly bids: readonly WireLevel[];
  readonly asks: readonly WireLevel[];
  /** Levels per side the message has room for (3 for OL, 10 otherwise). */
  readonly depth: number;
}

/**
 * One trade print: `LastPrice`/`LastVol` of an X, X-TRADE, OL or derivatives `Trade` message whose
 * cumulative `TotalVol` moved (the size is always `LastVol`, never the cumulative volume), or one `B`
 * message (one print per message: `Close`, `Volume`).
 */
export interface SsiTrade extends SsiEventBase {
  readonly type: 'ssi_trade';
  readonly board: SsiBoard;
  readonly session: string | null;
  readonly price: string;
  readonly size: string;
  /** Cumulative session volume/value after this print as the venue reports it ('' for `B`). */
  readonly totalVol: string;
  readonly totalVal: string;
  /** X-TRADE `Side` (`BU` buy / `SD` sell) when sent: kept, not used for classification. */
  readonly venueSide: 'buy' | 'sell' | null;
}

/** Per-security state of an X, X-TRADE, OL or derivatives `Trade` message (prices '' when unknown). */
export interface SsiSecurity extends SsiEventBase {
  readonly type: 'ssi_security';
  readonly board: SsiBoard;
  readonly session: string | null;
  /** `TradingStatus` (N normal, H halt, S suspend, D delisted …), null when not sent. */
  readonly status: string | null;
  readonly refPrice: string;
  readonly ceiling: string;
  readonly floor: string;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly lastPrice: string;
  readonly lastVol: string;
  /** `AvgPrice` (or the spec's `Avg`); '' for `"NaN"`. */
  readonly avgPrice: string;
  /** `PriorVal`: the previous session's close. */
  readonly priorClose: string;
  readonly change: string;
  readonly ratioChange: string;
  readonly totalVol: string;
  readonly totalVal: string;
  readonly estMatchedPrice: string;
}

/**
 * Foreign-investor room and flow (`R`): cumulative session volumes/values. The wire spells them
 * `BuyVol`/`SellVol`/`BuyVal`/`SellVal`; the spec `FBuyVol`/`FSellVol`/`FBuyVal`/`FSellVal`.
 */
export interface SsiForeign extends SsiEventBase {
  readonly type: 'ssi_foreign';
  /** Shares foreigners may hold in total. */
  readonly totalRoom: string;
  /** Shares foreigners may still buy (remaining room). */
  readonly currentRoom: string;
  readonly buyVol: string;
  readonly sellVol: string;
  /** VND. */
  readonly buyVal: string;
  readonly sellVal: string;
}

/**
 * An index message (`MI`). Breadth counts as sent (the wire's `Advances`, `NoChanges`, `Declines`,
 * `Ceilings`, `Floors`; the spec's `Nochanges`, `Ceiling`, `Floor`); values in points, quantities in
 * shares, values in VND; `Pt` = put-through.
 */
export interface SsiIndex extends SsiEventBase {
  readonly type: 'ssi_index';
  readonly indexId: string;
  readonly indexName: string;
  readonly indexType: string | null;
  readonly session: string | null;
  readonly value: string;
  readonly priorValue: string;
  readonly estValue: string;
  readonly change: string;
  readonly ratioChange: string;
  readonly advances: number;
  readonly declines: number;
  readonly noChanges: number;
  readonly ceilings: number;
  readonly floors: number;
  readonly totalTrade: string;
  readonly totalQty: string;
  readonly totalValue: string;
  readonly totalQtyPt: string;
  readonly totalValuePt: string;
  readonly allQty: string;
  readonly allValue: string;
}

/** Security status (`F`): trading session and status of one symbol. */
export interface SsiStatus extends SsiEventBase {
  readonly type: 'ssi_status';
  readonly session: string | null;
  readonly status: string | null;
}

/** Every SSI event. */
export type SsiEvent = SsiQuote | SsiTrade | SsiSecurity | SsiForeign | SsiIndex | SsiStatus;

/** Every `DataType` the parser accepts (the spec's derivatives `Quote`/`Trade` included). */
export const SSI_DATA_TYPES = [
  'X',
  'X-QUOTE',
  'X-TRADE',
  'B',
  'R',
  'MI',
  'F',
  'OL',
  'Quote',
  'Trade',
] as const;

/** The channel types one can subscribe to with `SwitchChannels` (`TYPE:SYM1-SYM2` or `TYPE:ALL`). */
export const SSI_CHANNEL_TYPES = ['F', 'X', 'X-QUOTE', 'X-TRADE', 'B', 'R', 'MI', 'OL'] as const;
