/**
 * Bitstamp WebSocket v2 frame parser and REST order-book snapshot.
 *
 * Follows: Bitstamp "WebSocket API v2" (https://www.bitstamp.net/websocket/v2/): channels
 * `diff_order_book_{pair}` (event `data`, `{timestamp, microtimestamp, bids, asks}`, each level
 * `[price, amount]` decimal strings, amount "0" deletes the level) and `live_trades_{pair}` (event
 * `trade`, `{id, amount_str, price_str, type, microtimestamp}`, `type` 0 = buy, 1 = sell: the side of the
 * order that triggered the trade, i.e. the taker); control events `bts:subscription_succeeded`,
 * `bts:unsubscription_succeeded`, `bts:heartbeat`, `bts:request_reconnect`, `bts:error`. And Bitstamp
 * REST "Order book" (`GET /api/v2/order_book/{pair}/`: `{timestamp, microtimestamp, bids, asks}`, the
 * whole book), whose `microtimestamp` is where the diff channel continues: "apply the updates newer
 * than the snapshot" (Bitstamp "How to maintain a local order book").
 *
 * Field rules:
 * - instrument: `bitstamp:<pair>` with the pair as the channel spells it (`btcusd`).
 * - Deltas and snapshots: sequence = `microtimestamp` (µs since epoch, an integer), firstSequence equal,
 *   prevSequence NaN (Bitstamp has no update ids); exchangeTs = microtimestamp / 1000 (ms, fractional).
 *   Continuity rule: descriptor.ts `bitstampRule`.
 * - Trades: id `id`, price `price_str`, size `amount_str` (wire strings), exchangeTs from microtimestamp.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, BookSnapshot, InstrumentId, MarketEvent, Trade } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';
import {
  isObject,
  levelList,
  parseObject,
  reqId,
  reqNonEmpty,
  reqString,
  reqUint,
  type Json,
} from '../fields.ts';

const DIFF = 'diff_order_book_';
const TRADES = 'live_trades_';

/** µs integer (number or integer string) → [sequence, exchangeTs ms]. */
function micro(v: unknown, instrument: string): [number, number] {
  const us = reqUint(v, 'microtimestamp', instrument);
  return [us, us / 1000];
}

/** Parser for one Bitstamp connection. Stateless. */
export class BitstampParser implements FeedParser {
  parse(text: string, localTs: number): readonly MarketEvent[] {
    const msg = parseObject(text);
    const event = msg.event;
    if (typeof event !== 'string') throw invalidField('frame without event');
    if (event.startsWith('bts:')) {
      if (event === 'bts:error')
        throw new MalformedFrameError('unsupported', `Bitstamp error: ${JSON.stringify(msg.data ?? null)}`);
      return []; // subscription acks, heartbeats, reconnect requests
    }
    const channel = reqNonEmpty(msg.channel, 'channel');
    const data = msg.data;
    if (channel.startsWith(DIFF)) {
      const instrument = `bitstamp:${channel.slice(DIFF.length)}`;
      if (event !== 'data' || !isObject(data)) throw invalidField('diff_order_book without data', instrument);
      return [this.delta(data, instrument, localTs)];
    }
    if (channel.startsWith(TRADES)) {
      const instrument = `bitstamp:${channel.slice(TRADES.length)}`;
      if (event !== 'trade' || !isObject(data))
        throw invalidField('live_trades without trade data', instrument);
      return [this.trade(data, instrument, localTs)];
    }
    throw new MalformedFrameError(
      'unknown_stream',
      `unsupported Bitstamp channel ${JSON.stringify(channel)}`,
    );
  }

  private delta(d: Json, instrument: string, localTs: number): BookDelta {
    const [us, ts] = micro(d.microtimestamp, instrument);
    return {
      type: 'book_delta',
      instrument,
      exchangeTs: ts,
      localTs,
      firstSequence: us,
      sequence: us,
      prevSequence: NaN,
      bids: levelList(d.bids, 'bids', instrument),
      asks: levelList(d.asks, 'asks', instrument),
    };
  }

  private trade(d: Json, instrument: string, localTs: number): Trade {
    const side = d.type === 0 ? 'buy' : d.type === 1 ? 'sell' : null;
    if (side === null) throw invalidField('trade type must be 0 (buy) or 1 (sell)', instrument);
    return {
      type: 'trade',
      instrument,
      exchangeTs: micro(d.microtimestamp, instrument)[1],
      localTs,
      id: reqId(d.id, 'id', instrument),
      price: reqString(d.price_str, 'price_str', instrument),
      size: reqString(d.amount_str, 'amount_str', instrument),
      side,
    };
  }
}

/**
 * A REST `order_book` body as a snapshot standing at its `microtimestamp` (the whole book: depthLimit 0).
 * @throws {MalformedFrameError} on invalid JSON, a missing microtimestamp or level lists
 */
export function parseBitstampSnapshot(body: string, instrument: InstrumentId, localTs: number): BookSnapshot {
  const o = parseObject(body);
  const [us, ts] = micro(o.microtimestamp, instrument);
  return {
    type: 'book_snapshot',
    instrument,
    exchangeTs: ts,
    localTs,
    sequence: us,
    bids: levelList(o.bids, 'bids', instrument),
    asks: levelList(o.asks, 'asks', instrument),
    depthLimit: 0,
  };
}
