/**
 * Hyperliquid WebSocket frame parser.
 *
 * Follows: Hyperliquid API docs, "WebSocket > Subscriptions" (`{"method":"subscribe","subscription":
 * {"type":"l2Book","coin":"BTC"}}` answered by `{"channel":"subscriptionResponse","data":{...}}`;
 * `l2Book` data `WsBook {coin, levels: [bids, asks], time}` with levels `{px, sz, n}` best first: every
 * message is the whole (aggregated, up to 20 levels a side) book; `trades` data `WsTrade[] {coin, side
 * "B"|"A", px, sz, hash, time, tid, users}` where `side` is the aggressor's: B bought, A sold) and
 * "WebSocket > Heartbeats" (`{"method":"ping"}` → `{"channel":"pong"}`); errors arrive as
 * `{"channel":"error","data":"..."}`. The hftbacktest recording holds the same frames.
 *
 * Field rules: instrument `hyperliquid:<coin>` (perpetuals by coin name, `BTC`; spot pairs as the venue
 * names them, `@107`, `PURR/USDC`). Every `l2Book` is a BookSnapshot with sequence = `time` (ms, the
 * block time): the book's `snapshotOrder: 'increasing'` drops a snapshot at or before the current one
 * (duplicate or out of order), and the connector's staleness check sees a book whose time stops
 * advancing. depthLimit 20 (the venue's aggregation depth). Levels keep `n` (order count) as an extra.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookSnapshot, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';
import { parseHyperliquidAssetCtx } from './funding.ts';
import { isObject, optTime, parseObject, reqNonEmpty, reqUint } from '../fields.ts';

/** Levels per side of an `l2Book` message (Hyperliquid's aggregation depth). */
export const HYPERLIQUID_BOOK_DEPTH = 20;

/** `hyperliquid:<coin>`. */
export function hyperliquidInstrument(coin: string): string {
  return `hyperliquid:${coin}`;
}

function levels(v: unknown, name: string, instrument: string): WireLevel[] {
  if (!Array.isArray(v)) throw invalidField(`${name} must be an array of levels`, instrument);
  return v.map((l: unknown): WireLevel => {
    if (!isObject(l)) throw invalidField(`${name} level must be {px, sz, n}`, instrument);
    return [l.px as string, l.sz as string, l.n];
  });
}

/** Parser for one Hyperliquid connection. Stateless. */
export class HyperliquidParser implements FeedParser {
  parse(text: string, localTs: number): readonly MarketEvent[] {
    const msg = parseObject(text);
    switch (msg.channel) {
      case 'l2Book':
        return [this.book(msg.data, localTs)];
      case 'trades':
        return this.trades(msg.data, localTs);
      case 'activeAssetCtx':
        return parseHyperliquidAssetCtx(msg.data, localTs);
      case 'subscriptionResponse':
      case 'pong':
        return [];
      case 'error':
        throw new MalformedFrameError('unsupported', `Hyperliquid error: ${String(msg.data)}`);
      default:
        throw new MalformedFrameError(
          typeof msg.channel === 'string' ? 'unknown_stream' : 'invalid_field',
          `unsupported Hyperliquid channel ${JSON.stringify(msg.channel)}`,
        );
    }
  }

  private book(data: unknown, localTs: number): BookSnapshot {
    if (!isObject(data)) throw invalidField('l2Book data must be an object');
    const instrument = hyperliquidInstrument(reqNonEmpty(data.coin, 'coin'));
    const lv = data.levels;
    if (!Array.isArray(lv) || lv.length !== 2) throw invalidField('levels must be [bids, asks]', instrument);
    const time = reqUint(data.time, 'time', instrument);
    return {
      type: 'book_snapshot',
      instrument,
      exchangeTs: time,
      localTs,
      sequence: time,
      bids: levels(lv[0], 'bids', instrument),
      asks: levels(lv[1], 'asks', instrument),
      depthLimit: HYPERLIQUID_BOOK_DEPTH,
    };
  }

  private trades(data: unknown, localTs: number): Trade[] {
    if (!Array.isArray(data)) throw invalidField('trades data must be an array');
    return data.map((t: unknown): Trade => {
      if (!isObject(t)) throw invalidField('trade must be an object');
      const instrument = hyperliquidInstrument(reqNonEmpty(t.coin, 'coin'));
      if (typeof t.px !== 'string' || typeof t.sz !== 'string')
        throw invalidField('trade must have px and sz strings', instrument);
      if (t.side !== 'B' && t.side !== 'A') throw invalidField('trade side must be B or A', instrument);
      return {
        type: 'trade',
        instrument,
        exchangeTs: optTime(t.time, 'time', 'ms', instrument),
        localTs,
        id: String(t.tid ?? t.hash ?? ''),
        price: t.px,
        size: t.sz,
        side: t.side === 'B' ? 'buy' : 'sell',
      };
    });
  }
}
