/**
 * Bybit public WebSocket v5 frame parser (today's protocol, live).
 *
 * Follows: Bybit API v5 docs, "WebSocket Stream > Public > Orderbook" (topic `orderbook.{depth}.{symbol}`,
 * `type` snapshot|delta, `ts` ms, `cts`, data `s`, `b`/`a` as `[price, size]` strings best first, size
 * "0" deletes, `u` update id, `seq`; "u = 1 means a snapshot caused by a service restart: overwrite the
 * local book"), "Public > Trade" (topic `publicTrade.{symbol}`, `S` Buy|Sell = taker side, `i` trade
 * id, `T` ms, `p`, `v`), and "WebSocket Connect" (`op` acks with `success`, `{"op":"ping"}` → `pong`).
 *
 * Field rules:
 * - instrument: `<venue>:<symbol>` (venue `bybit-linear`).
 * - snapshot → BookSnapshot (sequence `u`, depthLimit from the topic); delta → BookDelta with
 *   firstSequence = sequence = `u`, prevSequence NaN; a delta with `u == 1` is flagged `isSnapshot`.
 *   `u` is required: a missing or malformed `u` is a typed drop, never an unchecked apply.
 * - The v1 topics (`orderBookL2_25.*`, `trade.*`: parser-v1.ts) are `unknown_stream` here.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, BookSnapshot, MarketEvent, Trade } from '../../core/model.ts';
import { isObject, levelList, optTime, parseObject, reqString, reqJsonUint, takerSide } from '../fields.ts';
import type { Json } from '../fields.ts';
import type { FeedParser } from '../types.ts';
import { BybitTickerFunding } from './funding.ts';
import { scanBybitV5BookFrame } from './scanner.ts';
import { bookDelta, bookSnapshot } from '../events.ts';

/**
 * Route a Bybit frame (v1 and v5 alike): its `topic`, the topic's kind (`orderbook`) and the instrument
 * `<venue>:<symbol>` (symbol = the topic's last dot-separated part); null for a request ack or pong.
 * @throws {MalformedFrameError} `unsupported` for a failed request, `invalid_field` for a frame that is
 *   neither a push nor an ack
 */
export function bybitRoute(
  msg: Json,
  venue: string,
): { topic: string; kind: string; instrument: string } | null {
  const topic = msg.topic;
  if (typeof topic === 'string')
    return {
      topic,
      kind: topic.slice(0, topic.indexOf('.')),
      instrument: `${venue}:${topic.slice(topic.lastIndexOf('.') + 1)}`,
    };
  if (!('success' in msg || 'op' in msg || 'ret_msg' in msg))
    throw new MalformedFrameError('invalid_field', 'frame without topic');
  if (msg.success === false)
    throw new MalformedFrameError('unsupported', `Bybit request failed: ${String(msg.ret_msg)}`);
  return null; // subscribe acks, pong
}

/** Parser for one Bybit v5 public connection. Stateless. */
export class BybitV5Parser implements FeedParser {
  /** Ticker snapshot/delta merge of this connection, for funding events (funding.ts). */
  private readonly tickers: BybitTickerFunding;

  private readonly prefix: string;

  /** @param venue the venue id prefixed to instruments */
  constructor(readonly venue: string = 'bybit-linear') {
    this.tickers = new BybitTickerFunding(venue);
    this.prefix = venue + ':';
  }

  parse(text: string, localTs: number): readonly MarketEvent[] {
    // Fast path (scanner.ts): an orderbook frame read in place; the same event as parseJson below, or
    // null for anything it does not recognise exactly.
    const e = scanBybitV5BookFrame(text, this.prefix, localTs);
    if (e !== null) return [e];
    return this.parseJson(text, localTs);
  }

  /**
   * The plain JSON path: JSON.parse, then the topic. Every frame the scanner declines comes here;
   * test/fuzz-scanner-bybit.test.ts compares the two.
   * @returns the frame's events; empty for acks and pongs
   * @throws {MalformedFrameError} `malformed_json`, `invalid_field`, `unknown_stream`, `unsupported`
   */
  parseJson(text: string, localTs: number): readonly MarketEvent[] {
    const msg = parseObject(text);
    const t = bybitRoute(msg, this.venue);
    if (t === null) return [];
    switch (t.kind) {
      case 'orderbook':
        return [this.book(msg, t.topic, t.instrument, localTs)];
      case 'publicTrade':
        return this.trades(msg, t.instrument, localTs);
      case 'tickers':
        return this.tickers.parse(msg, t.instrument, localTs);
      default:
        throw new MalformedFrameError(
          'unknown_stream',
          `unsupported Bybit v5 topic ${JSON.stringify(t.topic)}`,
        );
    }
  }

  private book(msg: Json, topic: string, instrument: string, localTs: number): BookSnapshot | BookDelta {
    const d = msg.data;
    if (!isObject(d)) throw invalidField('orderbook data must be an object', instrument);
    const u = reqJsonUint(d.u, 'u', instrument);
    const exchangeTs = optTime(msg.ts, 'ts', 'ms', instrument);
    const bids = d.b === undefined ? [] : levelList(d.b, 'b', instrument);
    const asks = d.a === undefined ? [] : levelList(d.a, 'a', instrument);
    if (msg.type === 'snapshot') {
      const depth = Number(topic.split('.')[1]);
      return bookSnapshot(
        instrument,
        exchangeTs,
        localTs,
        u,
        bids,
        asks,
        Number.isInteger(depth) ? depth : 0,
      );
    }
    if (msg.type !== 'delta')
      throw invalidField(`unknown orderbook type ${JSON.stringify(msg.type)}`, instrument);
    return bookDelta(instrument, exchangeTs, localTs, u, u, NaN, bids, asks, undefined, false, u === 1);
  }

  private trades(msg: Json, instrument: string, localTs: number): Trade[] {
    if (!Array.isArray(msg.data)) throw invalidField('publicTrade data must be an array', instrument);
    return msg.data.map((t: unknown): Trade => {
      if (!isObject(t)) throw invalidField('trade must be an object', instrument);
      const inst = typeof t.s === 'string' && t.s.length > 0 ? `${this.venue}:${t.s}` : instrument;
      return {
        type: 'trade',
        instrument: inst,
        exchangeTs: optTime(t.T, 'T', 'ms', inst),
        localTs,
        id: String(t.i ?? ''),
        price: reqString(t.p, 'trade p', inst),
        size: reqString(t.v, 'trade v', inst),
        side: takerSide(t.S, 'trade S', inst),
      };
    });
  }
}
