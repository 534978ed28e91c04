/**
 * Bybit public WebSocket v1 frame parser: the `orderBookL2_25` feed of the bybit-2021-04 recordings.
 *
 * Follows: Bybit's legacy "USDT Perpetual / Inverse Perpetual WebSocket" docs (`orderBookL2_25.{symbol}`
 * and `orderBook_200.100ms.{symbol}`: snapshot `data` as an array or `{order_book}`, deltas
 * `{delete, update, insert}` of `{price, id, side Buy|Sell, size}`, `timestamp_e6` µs; `trade.{symbol}`
 * with `side` = taker side, `trade_id`, `trade_time_ms`).
 *
 * Field rules:
 * - instrument: `<venue>:<symbol>`.
 * - Levels are price-keyed (Bybit derives `id` from price): insert/update set the size, delete sets
 *   size "0". Sizes (and inverse trade prices) are JSON numbers: their wire text is kept.
 * - The channel has no per-book sequence (`cross_seq` is engine-wide): this generation declares its
 *   deltas unsequenced (`BookDelta.unsequenced`), which bybitSequenceRule applies; integrity rests on
 *   the crossed check. Snapshots have sequence NaN.
 * - The v5 topics (`orderbook.*`, `publicTrade.*`: parser-v5.ts) are `unknown_stream` here.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, BookSnapshot, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import { isObject, optTime, parseJsonKeepingDecimals, reqString, takerSide, type Json } from '../fields.ts';
import type { FeedParser } from '../types.ts';
import { bookSnapshot, unsequencedDelta } from '../events.ts';
import { bybitRoute } from './parser-v5.ts';
import { scanBybitV1BookFrame } from './scanner.ts';

/** v1 frames with `size`/`price` JSON numbers, their wire text kept. */
const parseV1 = parseJsonKeepingDecimals(['size', 'price']);

/** Depth of the v1 `orderBookL2_25` snapshot. */
const L2_25_DEPTH = 25;

/** Parser for one Bybit v1 public connection. Stateless. */
export class BybitV1Parser implements FeedParser {
  private readonly prefix: string;

  /** @param venue the venue id prefixed to instruments */
  constructor(readonly venue: string = 'bybit-linear') {
    this.prefix = venue + ':';
  }

  parse(text: string, localTs: number): readonly MarketEvent[] {
    // Fast path (scanner.ts): an orderBookL2 frame read in place; the same event as parseJson below, or
    // null for anything it does not recognise exactly.
    const e = scanBybitV1BookFrame(text, this.prefix, localTs);
    if (e !== null) return [e];
    return this.parseJson(text, localTs);
  }

  /**
   * The plain JSON path: number-quoting JSON.parse (parseJsonKeepingDecimals), then the topic. Every
   * frame the scanner declines comes here; test/fuzz-scanner-bybit.test.ts compares the two.
   * @returns the frame's events; empty for acks and pongs
   * @throws {MalformedFrameError} `malformed_json`, `invalid_field`, `unknown_stream`, `unsupported`
   */
  parseJson(text: string, localTs: number): readonly MarketEvent[] {
    const msg = parseV1(text);
    const t = bybitRoute(msg, this.venue);
    if (t === null) return [];
    switch (t.kind) {
      case 'orderBookL2_25':
      case 'orderBook_200':
        return [this.book(msg, t.instrument, localTs)];
      case 'trade':
        return this.trades(msg, t.instrument, localTs);
      default:
        throw new MalformedFrameError(
          'unknown_stream',
          `unsupported Bybit v1 topic ${JSON.stringify(t.topic)}`,
        );
    }
  }

  private book(msg: Json, instrument: string, localTs: number): BookSnapshot | BookDelta {
    const exchangeTs = optTime(msg.timestamp_e6, 'timestamp_e6', 'us', instrument);
    const bids: WireLevel[] = [];
    const asks: WireLevel[] = [];
    const add = (rows: unknown, del: boolean): void => {
      if (rows === undefined) return;
      if (!Array.isArray(rows)) throw invalidField('orderBookL2 rows must be an array', instrument);
      for (const r of rows) {
        if (!isObject(r)) throw invalidField('orderBookL2 row must be an object', instrument);
        const price = reqString(r.price, 'orderBookL2 row price', instrument);
        const size = del ? '0' : reqString(r.size, 'orderBookL2 row size', instrument);
        if (r.side === 'Buy') bids.push([price, size]);
        else if (r.side === 'Sell') asks.push([price, size]);
        else throw invalidField(`orderBookL2 side must be Buy or Sell`, instrument);
      }
    };
    if (msg.type === 'snapshot') {
      const d = msg.data;
      add(isObject(d) ? d.order_book : d, false);
      // Bybit sends bids worst-first in the snapshot; the book sorts them.
      return bookSnapshot(instrument, exchangeTs, localTs, NaN, bids, asks, L2_25_DEPTH);
    }
    if (msg.type !== 'delta' || !isObject(msg.data))
      throw invalidField(`unknown orderBookL2 type ${JSON.stringify(msg.type)}`, instrument);
    add(msg.data.delete, true);
    add(msg.data.update, false);
    add(msg.data.insert, false);
    return unsequencedDelta(instrument, exchangeTs, localTs, bids, asks, { unsequenced: true });
  }

  private trades(msg: Json, instrument: string, localTs: number): Trade[] {
    if (!Array.isArray(msg.data)) throw invalidField('trade data must be an array', instrument);
    return msg.data.map((t: unknown): Trade => {
      if (!isObject(t)) throw invalidField('trade must be an object', instrument);
      return {
        type: 'trade',
        instrument,
        exchangeTs: optTime(t.trade_time_ms, 'trade_time_ms', 'ms', instrument),
        localTs,
        id: String(t.trade_id ?? ''),
        price: reqString(t.price, 'trade price', instrument),
        size: reqString(t.size, 'trade size', instrument),
        side: takerSide(t.side, 'trade side', instrument),
      };
    });
  }
}
