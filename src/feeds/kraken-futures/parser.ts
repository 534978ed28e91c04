/**
 * Kraken Futures (Derivatives) WebSocket v1 frame parser.
 *
 * Follows: Kraken Futures docs, "WebSocket API v1 > Public feeds > Book" (after `{"event":"subscribe",
 * "feed":"book","product_ids":[...]}` the server sends one `book_snapshot` per product (`product_id`,
 * `timestamp` ms, `seq`, `bids`/`asks` as `{price, qty}`), then one `book` message per level change
 * (`side` buy|sell, `price`, `qty` = the new size, 0 removes the level, `seq`, `timestamp`); `seq`
 * increases by one per message of the product, so a missing number is a lost update), "Trade" (`trade`
 * messages: `side` = the taker's side, `qty`, `price`, `time` ms, `uid`, `seq`, `type` fill|liquidation|
 * termination|block; `trade_snapshot` = recent history on subscribe), "Ticker lite" and the event
 * messages (`info`, `subscribed`, `unsubscribed`, `alert`, `error`; `heartbeat` feed).
 *
 * Field rules: instrument `kraken-futures:<product_id>` as the feed spells it (upper case, `PI_XBTUSD`,
 * `PF_XBTUSD`, `FI_XBTUSD_210924`). Snapshot sequence = `seq`, full book (depthLimit 0); `book` →
 * BookDelta with firstSequence = sequence = `seq` (the consecutive rule checks `seq` = previous + 1).
 * Prices and sizes are JSON numbers on the wire; their exact text is kept (an exponent form expanded). `ticker` frames give funding
 * events (funding.ts). `trade_snapshot` (trades from before the subscription) and `ticker_lite` give no events: only live prints count as order flow.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, BookSnapshot, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';
import { parseKrakenFuturesTicker } from './funding.ts';
import {
  expandExponent,
  isObject,
  optTime,
  parseJsonKeepingDecimals,
  reqNonEmpty,
  reqUint,
  takerSide,
} from '../fields.ts';

const parseFrame = parseJsonKeepingDecimals(['price', 'qty']);

/** `kraken-futures:<product_id>`. */
export function krakenFuturesInstrument(productId: string): string {
  return `kraken-futures:${productId}`;
}

function levels(v: unknown, name: string, instrument: string): WireLevel[] {
  if (!Array.isArray(v)) throw invalidField(`${name} must be an array of levels`, instrument);
  return v.map((l: unknown): WireLevel => {
    if (!isObject(l)) throw invalidField(`${name} level must be {price, qty}`, instrument);
    return [expandExponent(l.price) as string, expandExponent(l.qty) as string];
  });
}

/** Parser for one Kraken Futures connection. Stateless. */
export class KrakenFuturesParser implements FeedParser {
  parse(text: string, localTs: number): readonly MarketEvent[] {
    const msg = parseFrame(text);
    const feed = msg.feed;
    if (typeof msg.event === 'string') {
      if (msg.event === 'error' || msg.event === 'alert' || msg.event.endsWith('_failed'))
        throw new MalformedFrameError('unsupported', `Kraken Futures ${msg.event}: ${String(msg.message)}`);
      return []; // info, subscribed, unsubscribed, pong
    }
    if (typeof feed !== 'string') throw new MalformedFrameError('invalid_field', 'frame without feed');
    switch (feed) {
      case 'book_snapshot':
        return [this.snapshot(msg, localTs)];
      case 'book':
        return [this.delta(msg, localTs)];
      case 'trade':
        return [this.trade(msg, localTs)];
      case 'ticker':
        return parseKrakenFuturesTicker(text, localTs);
      case 'trade_snapshot':
      case 'ticker_lite':
      case 'heartbeat':
        return [];
      default:
        throw new MalformedFrameError(
          'unknown_stream',
          `unsupported Kraken Futures feed ${JSON.stringify(feed)}`,
        );
    }
  }

  private snapshot(msg: Record<string, unknown>, localTs: number): BookSnapshot {
    const instrument = krakenFuturesInstrument(reqNonEmpty(msg.product_id, 'product_id'));
    return {
      type: 'book_snapshot',
      instrument,
      exchangeTs: optTime(msg.timestamp, 'timestamp', 'ms', instrument),
      localTs,
      sequence: reqUint(msg.seq, 'seq', instrument),
      bids: levels(msg.bids, 'bids', instrument),
      asks: levels(msg.asks, 'asks', instrument),
      depthLimit: 0,
    };
  }

  private delta(msg: Record<string, unknown>, localTs: number): BookDelta {
    const instrument = krakenFuturesInstrument(reqNonEmpty(msg.product_id, 'product_id'));
    const seq = reqUint(msg.seq, 'seq', instrument);
    const level: WireLevel[] = [[expandExponent(msg.price) as string, expandExponent(msg.qty) as string]];
    const buy = msg.side === 'buy';
    if (!buy && msg.side !== 'sell') throw invalidField('book side must be buy or sell', instrument);
    return {
      type: 'book_delta',
      instrument,
      exchangeTs: optTime(msg.timestamp, 'timestamp', 'ms', instrument),
      localTs,
      firstSequence: seq,
      sequence: seq,
      prevSequence: NaN,
      bids: buy ? level : [],
      asks: buy ? [] : level,
    };
  }

  private trade(msg: Record<string, unknown>, localTs: number): Trade {
    const instrument = krakenFuturesInstrument(reqNonEmpty(msg.product_id, 'product_id'));
    if (typeof msg.price !== 'string' || typeof msg.qty !== 'string')
      throw invalidField('trade must have numeric price and qty', instrument);
    return {
      type: 'trade',
      instrument,
      exchangeTs: optTime(msg.time, 'time', 'ms', instrument),
      localTs,
      id: String(msg.uid ?? msg.seq ?? ''),
      price: expandExponent(msg.price) as string,
      size: expandExponent(msg.qty) as string,
      side: takerSide(msg.side, 'side', instrument),
    };
  }
}
