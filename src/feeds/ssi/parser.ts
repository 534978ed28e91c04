/**
 * SSI FastConnect Data message parser.
 *
 * Follows: SSI FastConnect Data API Specs v2.2, 3.1 "Securities Status" (F), 3.2 "Market Data" (X,
 * X-QUOTE, X-TRADE and the derivatives `Quote`/`Trade` samples), 3.3 "Foreign Room Data" (R), 3.4 "Index
 * Data" (MI), 3.5 "Realtime Bars" (B), and the odd-lot board message `OL` of SSI's SDK samples. Every
 * message is the SignalR hub method `Broadcast` whose one argument is `{DataType, Content}` with `Content`
 * a JSON string (a second parse); recordings hold that argument one per line.
 *
 * Both the documented and the real spellings are accepted: envelope `DataType`/`datatype`,
 * `Content`/`content`; `RType`/`Rtype`; `Time`/`TradingTime`; `AvgPrice`/`Avg`; `Isin`/`ISIN`/`ISin`;
 * R `BuyVol`… (wire) / `FBuyVol`… (spec); MI `IndexId`/`IndexID`, `NoChanges`/`Nochanges`,
 * `Ceilings`/`Ceiling`, `Floors`/`Floor`, `TotalQttyPt`/`TotalQttyPT`, `IndexType`/`TypeIndex`.
 * `TradingDate` is `DD/MM/YYYY` on the wire (`DDMMYYYY` in the spec: both read).
 *
 * Rules (see model.ts for the field rules):
 * - Numbers keep their wire digits (`parseObjectQuotingNumbers`): `TotalVal` `185028289999.99728` has 17
 *   significant digits. `"NaN"` strings (`AvgPrice`) and prices of 0 (pre-open snapshots, empty levels)
 *   are "unknown" (''), never a malformed message; the parser counts them ({@link SsiParserStats}).
 * - Quotes: levels 1..10 per side; a level with price 0 or volume 0 is absent.
 * - Trades from X / X-TRADE / OL / `Trade`: one print when `LastPrice` and `LastVol` are positive and the
 *   symbol's cumulative `TotalVol` on that board moved since the previous message (X repeats the last
 *   print on every quote change); the first message of a symbol counts when its `LastVol` is positive.
 *   A `TotalVol` below the previous one is a new session and counts. `B`: every message is one print.
 * - The order of events from one X message is trade, security, quote: the trade is classified against
 *   the quote that stood before this message.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { WireLevel } from '../../core/model.ts';
import { zonedDay } from '../../util/time.ts';
import {
  isObject,
  optDecimalText,
  parseObjectQuotingNumbers,
  parseObject,
  reqNonEmpty,
  type Json,
} from '../fields.ts';
import { SSI_TIME_ZONE, ssiExchange, ssiInstrument, type SsiExchange } from './instruments.ts';
import type {
  SsiBoard,
  SsiEvent,
  SsiEventBase,
  SsiForeign,
  SsiIndex,
  SsiQuote,
  SsiSecurity,
  SsiStatus,
  SsiTrade,
} from './model.ts';

/** What the parser met that is not an error but worth counting. */
export interface SsiParserStats {
  /** Messages parsed, by DataType. */
  readonly messages: Record<string, number>;
  /** Values sent as the string "NaN" (read as unknown). */
  nanValues: number;
  /** X / X-TRADE / Trade messages with `LastPrice` 0 (pre-open snapshots). */
  preOpen: number;
  /** X / X-TRADE / OL messages that repeated the previous print (TotalVol unchanged): no trade. */
  repeatedPrints: number;
}

/** The first present member among `names`. */
function pick(o: Json, ...names: string[]): unknown {
  for (const n of names) if (o[n] !== undefined) return o[n];
  return undefined;
}

function optString(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Parser for one SSI connection or recording. Stateful only for the trade de-duplication and dates. */
export class SsiParser {
  /** Counters (see {@link SsiParserStats}). */
  readonly stats: SsiParserStats = { messages: {}, nanValues: 0, preOpen: 0, repeatedPrints: 0 };
  private lastDate = '';
  private readonly days = new Map<string, (ms: number) => number>();
  /** `board|symbol` → last cumulative TotalVol seen. */
  private readonly totals = new Map<string, number>();

  /**
   * Parse one envelope text `{"DataType":…,"Content":"<JSON>"}` (a recording line, or the argument of a
   * SignalR `Broadcast`).
   * @param localTs receive time, ms since epoch UTC
   * @throws {MalformedFrameError} `malformed_json`, `invalid_field`, `unknown_stream` (unknown DataType)
   */
  parseEnvelope(text: string, localTs: number): SsiEvent[] {
    const env = parseObject(text);
    return this.parseMessage(
      pick(env, 'DataType', 'datatype', 'Datatype', 'dataType'),
      pick(env, 'Content', 'content'),
      localTs,
    );
  }

  /**
   * Parse one message from its `DataType` and `Content` (a JSON string, or an already parsed object).
   * @throws {MalformedFrameError} as {@link parseEnvelope}
   */
  parseMessage(dataType: unknown, content: unknown, localTs: number): SsiEvent[] {
    if (typeof dataType !== 'string' || dataType === '')
      throw invalidField('DataType must be a non-empty string');
    const c = typeof content === 'string' ? parseObjectQuotingNumbers(content) : content;
    if (!isObject(c)) throw invalidField(`${dataType} Content must be a JSON object`);
    const m = this.stats.messages;
    m[dataType] = (m[dataType] ?? 0) + 1;
    switch (dataType) {
      case 'X':
        return this.security(dataType, c, localTs, 'main', true);
      case 'X-TRADE':
      case 'Trade':
        return this.security(dataType, c, localTs, 'main', false);
      case 'OL':
        return this.security(dataType, c, localTs, 'odd_lot', true);
      case 'X-QUOTE':
      case 'Quote':
        return [this.quote(dataType, c, localTs, 'main', this.base(dataType, c, localTs))];
      case 'B':
        return [this.bar(c, localTs)];
      case 'R':
        return [this.foreign(c, localTs)];
      case 'MI':
        return [this.index(c, localTs)];
      case 'F':
        return [this.status(c, localTs)];
      default:
        m[dataType]! -= 1;
        throw new MalformedFrameError('unknown_stream', `unknown SSI DataType ${JSON.stringify(dataType)}`);
    }
  }

  /** A decimal field, '' when unknown; counts "NaN". */
  private dec(o: Json, instrument: string, ...names: string[]): string {
    const v = pick(o, ...names);
    if (v === 'NaN') this.stats.nanValues++;
    return optDecimalText(v, names[0]!, instrument);
  }

  /** A price field: as {@link dec}, and a price of 0 is unknown. */
  private price(o: Json, instrument: string, ...names: string[]): string {
    const s = this.dec(o, instrument, ...names);
    return s !== '' && Number(s) === 0 ? '' : s;
  }

  /** A count field (breadth): a non-negative integer, 0 when absent. */
  private count(o: Json, instrument: string, ...names: string[]): number {
    const s = this.dec(o, instrument, ...names);
    const n = s === '' ? 0 : Number(s);
    if (!Number.isSafeInteger(n) || n < 0) throw invalidField(`${names[0]} must be a count`, instrument);
    return n;
  }

  private base(dataType: string, c: Json, localTs: number, symbolKeys: string[] = ['Symbol']): SsiEventBase {
    const symbol = reqNonEmpty(pick(c, ...symbolKeys), symbolKeys[0]!);
    const instrument = ssiInstrument(symbol);
    const exchange: SsiExchange | null = ssiExchange(pick(c, 'Exchange', 'MarketId', 'MarketID', 'Market'));
    const { ts, date } = this.time(c, localTs, instrument);
    return { instrument, symbol, exchange, exchangeTs: ts, localTs, tradingDate: date, dataType };
  }

  /** `TradingDate` + `Time`/`TradingTime` in Ho Chi Minh time → ms UTC and `YYYY-MM-DD`. */
  private time(c: Json, localTs: number, instrument: string): { ts: number; date: string } {
    const d = pick(c, 'TradingDate');
    let date: string;
    if (d !== undefined && d !== null && d !== '') {
      const m = typeof d === 'string' ? /^(\d\d)\/?(\d\d)\/?(\d{4})$/.exec(d) : null;
      if (!m) throw invalidField(`TradingDate must be DD/MM/YYYY, got ${JSON.stringify(d)}`, instrument);
      date = `${m[3]}-${m[2]}-${m[1]}`;
      this.lastDate = date;
    } else date = this.lastDate || hcmDate(localTs);
    const t = pick(c, 'Time', 'TradingTime');
    if (t === undefined || t === null || t === '') return { ts: NaN, date };
    const tm = typeof t === 'string' ? /^(\d\d):?(\d\d):?(\d\d)$/.exec(t) : null;
    if (!tm) throw invalidField(`Time must be HH:MM:SS, got ${JSON.stringify(t)}`, instrument);
    let day = this.days.get(date);
    if (!day) {
      try {
        day = zonedDay(date, SSI_TIME_ZONE);
      } catch {
        throw invalidField(`TradingDate ${JSON.stringify(d)} is not a date`, instrument);
      }
      this.days.set(date, day);
    }
    const ms = ((Number(tm[1]) * 60 + Number(tm[2])) * 60 + Number(tm[3])) * 1000;
    return { ts: day(ms), date };
  }

  private levels(c: Json, side: 'Bid' | 'Ask', instrument: string): WireLevel[] {
    const out: WireLevel[] = [];
    for (let i = 1; i <= 10; i++) {
      const p = this.dec(c, instrument, `${side}Price${i}`);
      const v = this.dec(c, instrument, `${side}Vol${i}`);
      if (p === '' || v === '' || Number(p) === 0 || Number(v) === 0) continue;
      out.push([p, v]);
    }
    return out;
  }

  private quote(dataType: string, c: Json, localTs: number, board: SsiBoard, b: SsiEventBase): SsiQuote {
    return {
      type: 'ssi_quote',
      ...b,
      board,
      session: optString(c.TradingSession),
      bids: this.levels(c, 'Bid', b.instrument),
      asks: this.levels(c, 'Ask', b.instrument),
      depth: board === 'odd_lot' ? 3 : 10,
    };
  }

  /** X, X-TRADE, OL, Trade: [trade?], security, [quote when the message carries levels]. */
  private security(
    dataType: string,
    c: Json,
    localTs: number,
    board: SsiBoard,
    withQuote: boolean,
  ): SsiEvent[] {
    const b = this.base(dataType, c, localTs);
    const i = b.instrument;
    const session = optString(c.TradingSession);
    const sec: SsiSecurity = {
      type: 'ssi_security',
      ...b,
      board,
      session,
      status: optString(c.TradingStatus),
      refPrice: this.price(c, i, 'RefPrice'),
      ceiling: this.price(c, i, 'Ceiling'),
      floor: this.price(c, i, 'Floor'),
      open: this.price(c, i, 'Open'),
      high: this.price(c, i, 'High', 'Highest'),
      low: this.price(c, i, 'Low', 'Lowest'),
      close: this.price(c, i, 'Close'),
      lastPrice: this.price(c, i, 'LastPrice'),
      lastVol: this.dec(c, i, 'LastVol'),
      avgPrice: this.price(c, i, 'AvgPrice', 'Avg'),
      priorClose: this.price(c, i, 'PriorVal'),
      change: this.dec(c, i, 'Change'),
      ratioChange: this.dec(c, i, 'RatioChange'),
      totalVol: this.dec(c, i, 'TotalVol'),
      totalVal: this.dec(c, i, 'TotalVal'),
      estMatchedPrice: this.price(c, i, 'EstMatchedPrice'),
    };
    const out: SsiEvent[] = [];
    if (sec.lastPrice === '') this.stats.preOpen++;
    const trade = this.printOf(sec, session, c);
    if (trade) out.push(trade);
    out.push(sec);
    if (withQuote) out.push(this.quote(dataType, c, localTs, board, b));
    return out;
  }

  private printOf(sec: SsiSecurity, session: string | null, c: Json): SsiTrade | null {
    if (sec.lastPrice === '' || sec.lastVol === '' || !(Number(sec.lastVol) > 0)) return null;
    const key = `${sec.board}|${sec.symbol}`;
    const total = sec.totalVol === '' ? NaN : Number(sec.totalVol);
    const prev = this.totals.get(key);
    if (!Number.isNaN(total)) {
      this.totals.set(key, total);
      if (prev !== undefined && total === prev) {
        this.stats.repeatedPrints++;
        return null;
      }
    }
    const side =
      c.Side === 'BU' || c.Side === 'B' ? 'buy' : c.Side === 'SD' || c.Side === 'S' ? 'sell' : null;
    return {
      type: 'ssi_trade',
      instrument: sec.instrument,
      symbol: sec.symbol,
      exchange: sec.exchange,
      exchangeTs: sec.exchangeTs,
      localTs: sec.localTs,
      tradingDate: sec.tradingDate,
      dataType: sec.dataType,
      board: sec.board,
      session,
      price: sec.lastPrice,
      size: sec.lastVol,
      totalVol: sec.totalVol,
      totalVal: sec.totalVal,
      venueSide: side,
    };
  }

  /** B: one print per message (`Close`, `Volume`). */
  private bar(c: Json, localTs: number): SsiTrade {
    const b = this.base('B', c, localTs);
    const price = this.price(c, b.instrument, 'Close');
    const size = this.dec(c, b.instrument, 'Volume');
    if (price === '' || size === '') throw invalidField('B must have Close and Volume', b.instrument);
    return {
      type: 'ssi_trade',
      ...b,
      board: 'main',
      session: optString(c.TradingSession),
      price,
      size,
      totalVol: '',
      totalVal: '',
      venueSide: null,
    };
  }

  private foreign(c: Json, localTs: number): SsiForeign {
    const b = this.base('R', c, localTs);
    const i = b.instrument;
    return {
      type: 'ssi_foreign',
      ...b,
      totalRoom: this.dec(c, i, 'TotalRoom'),
      currentRoom: this.dec(c, i, 'CurrentRoom'),
      buyVol: this.dec(c, i, 'BuyVol', 'FBuyVol'),
      sellVol: this.dec(c, i, 'SellVol', 'FSellVol'),
      buyVal: this.dec(c, i, 'BuyVal', 'FBuyVal'),
      sellVal: this.dec(c, i, 'SellVal', 'FSellVal'),
    };
  }

  private index(c: Json, localTs: number): SsiIndex {
    const b = this.base('MI', c, localTs, ['IndexId', 'IndexID', 'IndexName']);
    const i = b.instrument;
    return {
      type: 'ssi_index',
      ...b,
      indexId: b.symbol,
      indexName: optString(c.IndexName) ?? b.symbol,
      indexType: optString(pick(c, 'IndexType', 'TypeIndex')),
      session: optString(c.TradingSession),
      value: this.price(c, i, 'IndexValue'),
      priorValue: this.price(c, i, 'PriorIndexValue'),
      estValue: this.price(c, i, 'IndexValEst'),
      change: this.dec(c, i, 'Change'),
      ratioChange: this.dec(c, i, 'RatioChange'),
      advances: this.count(c, i, 'Advances'),
      declines: this.count(c, i, 'Declines'),
      noChanges: this.count(c, i, 'NoChanges', 'Nochanges'),
      ceilings: this.count(c, i, 'Ceilings', 'Ceiling'),
      floors: this.count(c, i, 'Floors', 'Floor'),
      totalTrade: this.dec(c, i, 'TotalTrade'),
      totalQty: this.dec(c, i, 'TotalQtty'),
      totalValue: this.dec(c, i, 'TotalValue'),
      totalQtyPt: this.dec(c, i, 'TotalQttyPt', 'TotalQttyPT'),
      totalValuePt: this.dec(c, i, 'TotalValuePt', 'TotalValuePT'),
      allQty: this.dec(c, i, 'AllQty'),
      allValue: this.dec(c, i, 'AllValue'),
    };
  }

  private status(c: Json, localTs: number): SsiStatus {
    const b = this.base('F', c, localTs);
    return {
      type: 'ssi_status',
      ...b,
      session: optString(c.TradingSession),
      status: optString(c.TradingStatus),
    };
  }
}

const hcmFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: SSI_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Asia/Ho_Chi_Minh calendar date (`YYYY-MM-DD`) of an instant (ms UTC). */
export function hcmDate(utcMs: number): string {
  return Number.isFinite(utcMs) ? hcmFormat.format(new Date(utcMs)) : '';
}
