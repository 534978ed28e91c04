/**
 * Bybit public WebSocket frame parser: v5 (live) and the v1 `orderBookL2_25` feed (2021 recordings).
 *
 * Follows: Bybit API v5 docs, "WebSocket Stream > Public > Orderbook" (topic
 * `orderbook.{depth}.{symbol}`, `type` snapshot|delta, `ts` ms, `cts`, data `s`, `b`/`a` as
 * `[price, size]` strings best first, size "0" deletes, `u` update id, `seq`; "u = 1 means a snapshot
 * caused by a service restart: overwrite the local book"), "Public > Trade" (topic `publicTrade.{symbol}`,
 * `S` Buy|Sell = taker side, `i` trade id, `T` ms, `p`, `v`), and "WebSocket Connect" (`op` acks with
 * `success`, `{"op":"ping"}` → `pong`). The v1 feed follows Bybit's legacy "USDT Perpetual / Inverse
 * Perpetual WebSocket" docs (`orderBookL2_25.{symbol}`: snapshot `data` as an array or `{order_book}`,
 * deltas `{delete, update, insert}` of `{price, id, side Buy|Sell, size}`; `trade.{symbol}` with `side`
 * = taker side, `trade_id`, `trade_time_ms`).
 *
 * Field rules:
 * - instrument: `bybit:<symbol>`.
 * - v5: snapshot → BookSnapshot (sequence `u`, depthLimit from the topic); delta → BookDelta with
 *   firstSequence = sequence = `u`, prevSequence NaN; a delta with `u == 1` is flagged `isSnapshot`.
 * - v1: levels are price-keyed (Bybit derives `id` from price), so insert/update set the size and delete
 *   sets size "0". v1 has no per-book contiguous sequence (`cross_seq` is engine-wide): sequence NaN.
 *   v1 sizes (and inverse trade prices) are JSON numbers; their wire text is kept (quoted before JSON.parse).
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, BookSnapshot, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function levels(v: unknown, name: string, instrument: string): readonly WireLevel[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw invalidField(`${name} must be an array of levels`, instrument);
  return v as WireLevel[];
}

function intOf(v: unknown, name: string, instrument: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw invalidField(`${name} must be a non-negative integer`, instrument);
  return v;
}

/** Quote v1 `"size"`/`"price"` JSON numbers so their wire text survives JSON.parse. */
const NUMBER_MEMBER = /"(size|price)":\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/g;

/** Parser for one Bybit public connection. Stateless. */
export class BybitParser implements FeedParser {
  parse(text: string, localTs: number): readonly MarketEvent[] {
    let msg: unknown;
    try {
      msg = JSON.parse(text.includes('"size":') ? text.replace(NUMBER_MEMBER, '"$1":"$2"') : text);
    } catch {
      throw new MalformedFrameError('malformed_json', 'frame is not valid JSON');
    }
    if (!isObject(msg)) throw new MalformedFrameError('invalid_field', 'frame must be a JSON object');
    if (typeof msg.topic !== 'string') {
      if ('success' in msg || 'op' in msg || 'ret_msg' in msg) {
        if (msg.success === false)
          throw new MalformedFrameError('unsupported', `Bybit request failed: ${String(msg.ret_msg)}`);
        return []; // subscribe acks, pong
      }
      throw new MalformedFrameError('invalid_field', 'frame without topic');
    }
    const topic = msg.topic;
    const dot = topic.indexOf('.');
    const kind = topic.slice(0, dot);
    const symbol = topic.slice(topic.lastIndexOf('.') + 1);
    const instrument = `bybit:${symbol}`;
    switch (kind) {
      case 'orderbook':
        return [this.v5Book(msg, topic, instrument, localTs)];
      case 'publicTrade':
        return this.v5Trades(msg, instrument, localTs);
      case 'orderBookL2_25':
      case 'orderBook_200':
        return [this.v1Book(msg, instrument, localTs)];
      case 'trade':
        return this.v1Trades(msg, instrument, localTs);
      default:
        throw new MalformedFrameError('unknown_stream', `unsupported Bybit topic ${JSON.stringify(topic)}`);
    }
  }

  private v5Book(msg: Json, topic: string, instrument: string, localTs: number): BookSnapshot | BookDelta {
    const d = msg.data;
    if (!isObject(d)) throw invalidField('orderbook data must be an object', instrument);
    const u = intOf(d.u, 'u', instrument);
    const exchangeTs = typeof msg.ts === 'number' ? msg.ts : NaN;
    const bids = levels(d.b, 'b', instrument);
    const asks = levels(d.a, 'a', instrument);
    if (msg.type === 'snapshot') {
      const depth = Number(topic.split('.')[1]);
      return {
        type: 'book_snapshot',
        instrument,
        exchangeTs,
        localTs,
        sequence: u,
        bids,
        asks,
        depthLimit: Number.isInteger(depth) ? depth : 0,
      };
    }
    if (msg.type !== 'delta')
      throw invalidField(`unknown orderbook type ${JSON.stringify(msg.type)}`, instrument);
    return {
      type: 'book_delta',
      instrument,
      exchangeTs,
      localTs,
      firstSequence: u,
      sequence: u,
      prevSequence: NaN,
      bids,
      asks,
      ...(u === 1 ? { isSnapshot: true } : {}),
    };
  }

  private v5Trades(msg: Json, instrument: string, localTs: number): Trade[] {
    if (!Array.isArray(msg.data)) throw invalidField('publicTrade data must be an array', instrument);
    return msg.data.map((t: unknown): Trade => {
      if (!isObject(t) || typeof t.p !== 'string' || typeof t.v !== 'string')
        throw invalidField('trade must have p and v strings', instrument);
      return {
        type: 'trade',
        instrument: typeof t.s === 'string' ? `bybit:${t.s}` : instrument,
        exchangeTs: typeof t.T === 'number' ? t.T : NaN,
        localTs,
        id: String(t.i ?? ''),
        price: t.p,
        size: t.v,
        side: t.S === 'Buy' ? 'buy' : t.S === 'Sell' ? 'sell' : 'unknown',
      };
    });
  }

  private v1Book(msg: Json, instrument: string, localTs: number): BookSnapshot | BookDelta {
    const exchangeTs = typeof msg.timestamp_e6 === 'number' ? msg.timestamp_e6 / 1000 : NaN;
    const bids: WireLevel[] = [];
    const asks: WireLevel[] = [];
    const add = (rows: unknown, del: boolean): void => {
      if (rows === undefined) return;
      if (!Array.isArray(rows)) throw invalidField('orderBookL2 rows must be an array', instrument);
      for (const r of rows) {
        if (!isObject(r) || typeof r.price !== 'string')
          throw invalidField('orderBookL2 row without price', instrument);
        const size = del ? '0' : r.size;
        if (typeof size !== 'string') throw invalidField('orderBookL2 row without size', instrument);
        if (r.side === 'Buy') bids.push([r.price, size]);
        else if (r.side === 'Sell') asks.push([r.price, size]);
        else throw invalidField(`orderBookL2 side must be Buy or Sell`, instrument);
      }
    };
    if (msg.type === 'snapshot') {
      const d = msg.data;
      add(isObject(d) ? d.order_book : d, false);
      // Bybit sends bids worst-first in the snapshot; the book sorts them.
      return {
        type: 'book_snapshot',
        instrument,
        exchangeTs,
        localTs,
        sequence: NaN,
        bids,
        asks,
        depthLimit: 25,
      };
    }
    if (msg.type !== 'delta' || !isObject(msg.data))
      throw invalidField(`unknown orderBookL2 type ${JSON.stringify(msg.type)}`, instrument);
    add(msg.data.delete, true);
    add(msg.data.update, false);
    add(msg.data.insert, false);
    return {
      type: 'book_delta',
      instrument,
      exchangeTs,
      localTs,
      firstSequence: NaN,
      sequence: NaN,
      prevSequence: NaN,
      bids,
      asks,
    };
  }

  private v1Trades(msg: Json, instrument: string, localTs: number): Trade[] {
    if (!Array.isArray(msg.data)) throw invalidField('trade data must be an array', instrument);
    return msg.data.map((t: unknown): Trade => {
      if (!isObject(t) || typeof t.price !== 'string' || typeof t.size !== 'string')
        throw invalidField('trade must have price and size', instrument);
      const ms = t.trade_time_ms;
      return {
        type: 'trade',
        instrument,
        exchangeTs: typeof ms === 'string' || typeof ms === 'number' ? Number(ms) : NaN,
        localTs,
        id: String(t.trade_id ?? ''),
        price: t.price,
        size: t.size,
        side: t.side === 'Buy' ? 'buy' : t.side === 'Sell' ? 'sell' : 'unknown',
      };
    });
  }
}
