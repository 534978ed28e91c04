/**
 * BitMEX realtime WebSocket frame parser.
 *
 * Follows: BitMEX API docs, "WebSocket API" (`wss://ws.bitmex.com/realtime`; `{"op":"subscribe","args":
 * ["orderBookL2:XBTUSD"]}` answered by `{"success":true,"subscribe":...}`, errors `{"error":...}`; a
 * welcome `{"info":...}` on connect; text `ping` → `pong`), "Subscriptions > orderBookL2" (table data with
 * `action`: `partial` = the full image of the subscribed symbol (`filter.symbol`), then `insert` (new
 * level: `id`, `side`, `size`, `price`), `update` (new `size` of the level `id`), `delete` (level `id`
 * gone); rows are keyed by `symbol`, `id`, `side`; "if you receive an update or delete for an id you do
 * not hold, your book is out of sync: resubscribe") and "Subscriptions > trade" (`side` Buy|Sell is the
 * taker's side, `size`, `price`, `trdMatchID`, `timestamp` ISO). The 2021 recordings' `update`/`delete`
 * rows carry no `price`; today's carry it (and `timestamp`): both are read.
 *
 * State per connection and symbol (the venue protocol's own, like Kraken's channel ids): the levels the
 * partial and inserts announced, `id` → (side, price). That is what turns `update`/`delete` rows into
 * price levels, and it is the integrity check BitMEX offers (there is no sequence or checksum):
 * - an `update`/`delete` of an id not held, an `insert` of an id already held, a row whose side or
 *   (today's) price differs from the held level, or a row whose id/side cannot be read means rows were
 *   missed: the symbol's book is out of sync → the parser emits a delta that does not chain
 *   (`prevSequence` -1), which the book's prev-sequence rule reports as a `gap` (resync by resubscribe),
 *   and it emits only such deltas for the symbol until its next `partial`;
 * - otherwise each table message gives one BookDelta per symbol, numbered on this connection: snapshot
 *   `sequence` n, the following deltas n+1, n+2... with `prevSequence` = the previous number.
 * Sizes and prices are JSON numbers on the wire; their exact text is kept. Sizes are contracts (see the
 * instrument spec: XBTUSD is an inverse contract of 1 USD); exponent forms (`3.5e-7`) are expanded to
 * plain decimals (BitMEX has no checksum over the text). Malformed sizes/prices are passed on to the
 * book, which rejects them and resyncs (`malformed_delta`).
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, BookSnapshot, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';
import {
  expandExponent,
  isObject,
  optIsoTime,
  parseJsonKeepingDecimals,
  takerSide,
  type Json,
  wireTable,
} from '../fields.ts';

const parseFrame = parseJsonKeepingDecimals(['size', 'price']);

/** `bitmex:<symbol>`. */
export function bitmexInstrument(symbol: string): string {
  return `bitmex:${symbol}`;
}

/** Book tables and the most levels per side each sends (0: the whole book). */
export const BITMEX_BOOK_TABLES: Readonly<Record<string, number>> = wireTable({
  orderBookL2: 0,
  orderBookL2_25: 25,
});

interface Held {
  readonly buy: boolean;
  readonly price: string;
}

interface SymbolState {
  readonly ids: Map<number, Held>;
  /** Number of the last event emitted for the symbol on this connection. */
  seq: number;
  /** Rows were missed since the last partial: only gap deltas until the next one. */
  broken: boolean;
}

/** Parser for one BitMEX connection (holds the id → level map of each symbol). */
export class BitmexParser implements FeedParser {
  private readonly symbols = new Map<string, SymbolState>();

  parse(text: string, localTs: number): readonly MarketEvent[] {
    if (text === 'pong') return [];
    const msg = parseFrame(text);
    if (typeof msg.table !== 'string') {
      if (msg.error !== undefined)
        throw new MalformedFrameError('unsupported', `BitMEX error: ${JSON.stringify(msg.error)}`);
      if ('success' in msg || 'info' in msg) return []; // subscribe/unsubscribe acks, welcome
      throw new MalformedFrameError('invalid_field', 'frame without table');
    }
    if (!Array.isArray(msg.data))
      throw new MalformedFrameError('invalid_field', 'table data must be an array');
    for (const r of msg.data)
      if (isObject(r)) {
        // BitMEX writes small numbers with an exponent (`3.5e-7`): plain decimal text, same value.
        if (r.price !== undefined) r.price = expandExponent(r.price);
        if (r.size !== undefined) r.size = expandExponent(r.size);
      }
    const table = msg.table;
    if (table in BITMEX_BOOK_TABLES) return this.book(msg, msg.data, BITMEX_BOOK_TABLES[table]!, localTs);
    if (table === 'trade') return msg.action === 'insert' ? this.trades(msg.data, localTs) : [];
    if (table === 'quote' || table === 'instrument') return [];
    throw new MalformedFrameError('unknown_stream', `unsupported BitMEX table ${JSON.stringify(table)}`);
  }

  private state(symbol: string): SymbolState {
    let s = this.symbols.get(symbol);
    if (!s) this.symbols.set(symbol, (s = { ids: new Map(), seq: 0, broken: true }));
    return s;
  }

  private book(msg: Json, rows: unknown[], depthLimit: number, localTs: number): MarketEvent[] {
    const bySymbol = new Map<string, Json[]>();
    for (const r of rows) {
      if (!isObject(r) || typeof r.symbol !== 'string' || r.symbol === '')
        throw new MalformedFrameError('invalid_field', 'orderBookL2 row without symbol');
      let list = bySymbol.get(r.symbol);
      if (!list) bySymbol.set(r.symbol, (list = []));
      list.push(r);
    }
    const action = msg.action;
    if (action === 'partial') {
      const filter = isObject(msg.filter) ? msg.filter.symbol : undefined;
      if (typeof filter === 'string' && !bySymbol.has(filter)) bySymbol.set(filter, []);
      return [...bySymbol].map(([symbol, list]) => this.partial(symbol, list, depthLimit, localTs));
    }
    if (action !== 'insert' && action !== 'update' && action !== 'delete')
      throw new MalformedFrameError('invalid_field', `unknown orderBookL2 action ${JSON.stringify(action)}`);
    return [...bySymbol].map(([symbol, list]) => this.delta(symbol, action, list, localTs));
  }

  private partial(symbol: string, rows: Json[], depthLimit: number, localTs: number): BookSnapshot {
    const instrument = bitmexInstrument(symbol);
    const s = this.state(symbol);
    s.ids.clear();
    s.broken = false;
    const bids: WireLevel[] = [];
    const asks: WireLevel[] = [];
    for (const r of rows) {
      const key = rowKey(r);
      if (key === null || typeof r.price !== 'string') {
        // A partial we cannot read whole: the book must not go live on it.
        s.broken = true;
        throw invalidField('orderBookL2 partial row without id, side or price', instrument);
      }
      s.ids.set(key.id, { buy: key.buy, price: r.price });
      (key.buy ? bids : asks).push([r.price, r.size as string]);
    }
    return {
      type: 'book_snapshot',
      instrument,
      exchangeTs: latestTime(rows, instrument),
      localTs,
      sequence: ++s.seq,
      bids,
      asks,
      depthLimit,
    };
  }

  private delta(symbol: string, action: string, rows: Json[], localTs: number): BookDelta {
    const instrument = bitmexInstrument(symbol);
    const s = this.state(symbol);
    const bids: WireLevel[] = [];
    const asks: WireLevel[] = [];
    if (!s.broken)
      for (const r of rows) {
        const key = rowKey(r);
        const held = key === null ? undefined : s.ids.get(key.id);
        if (key === null || (action === 'insert') === (held !== undefined)) {
          s.broken = true;
          break;
        }
        let price: string;
        if (action === 'insert') {
          if (typeof r.price !== 'string') {
            s.broken = true;
            break;
          }
          price = r.price;
          s.ids.set(key.id, { buy: key.buy, price });
        } else {
          if (
            held!.buy !== key.buy ||
            (typeof r.price === 'string' && Number(r.price) !== Number(held!.price))
          ) {
            s.broken = true;
            break;
          }
          price = held!.price;
          if (action === 'delete') s.ids.delete(key.id);
        }
        (key.buy ? bids : asks).push([price, action === 'delete' ? '0' : (r.size as string)]);
      }
    const seq = ++s.seq;
    const gap = s.broken;
    return {
      type: 'book_delta',
      instrument,
      exchangeTs: latestTime(rows, instrument),
      localTs,
      firstSequence: seq,
      sequence: seq,
      prevSequence: gap ? -1 : seq - 1,
      bids: gap ? [] : bids,
      asks: gap ? [] : asks,
    };
  }

  private trades(rows: unknown[], localTs: number): Trade[] {
    return rows.map((t): Trade => {
      if (!isObject(t) || typeof t.symbol !== 'string')
        throw new MalformedFrameError('invalid_field', 'trade row without symbol');
      const instrument = bitmexInstrument(t.symbol);
      if (typeof t.price !== 'string' || typeof t.size !== 'string')
        throw invalidField('trade must have numeric price and size', instrument);
      return {
        type: 'trade',
        instrument,
        exchangeTs: optIsoTime(t.timestamp, 'timestamp', instrument),
        localTs,
        id: String(t.trdMatchID ?? ''),
        price: t.price,
        size: t.size,
        side: takerSide(t.side, 'side', instrument),
      };
    });
  }
}

/** A row's level key, or null when its id or side cannot be read. */
function rowKey(r: Json): { id: number; buy: boolean } | null {
  const id = r.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return null;
  if (r.side === 'Buy') return { id, buy: true };
  if (r.side === 'Sell') return { id, buy: false };
  return null;
}

/** The latest row `timestamp` (today's rows carry one), NaN when none does. */
function latestTime(rows: readonly Json[], instrument: string): number {
  let t = NaN;
  for (const r of rows) {
    if (r.timestamp === undefined) continue;
    const x = optIsoTime(r.timestamp, 'timestamp', instrument);
    if (!(x <= t)) t = x;
  }
  return t;
}
