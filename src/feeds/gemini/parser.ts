/**
 * Gemini market data v2 frame parser.
 *
 * Follows: Gemini "Market Data Version 2" WebSocket (`wss://api.gemini.com/v2/marketdata`): after
 * `{"type":"subscribe","subscriptions":[{"name":"l2","symbols":[...]}]}` each symbol's first
 * `l2_updates` message is the current state of its whole book (`changes: [[side, price, quantity]]` with
 * side `buy`|`sell`) and carries the recent `trades` and `auction_events` lists; later `l2_updates`
 * carry only `changes` (quantity "0" removes the level); executions arrive as `trade` messages
 * (`event_id`, `timestamp` ms, `price`, `quantity`, `side` = the taker's side); `heartbeat` messages
 * keep the connection alive; an `{"result":"error"}` object reports a bad request.
 *
 * Sequence: Gemini v2 sends no sequence numbers and no checksum. The parser numbers each symbol's book
 * messages itself on its connection: the first message (the one with a `trades` member) is a snapshot at
 * 0, then each update continues the previous one (prevSequence = previous number). This chain is
 * continuous by construction, so it only keeps updates that precede the snapshot out of the book; a lost
 * message cannot be detected on Gemini's wire (integrity rests on the book never crossing). The
 * `trades` list of the first message holds executions from before the subscription and is not emitted.
 *
 * Field rules: instrument `gemini:<SYMBOL>` as the stream spells it (`BTCUSD`); book exchangeTs NaN
 * (l2_updates carry no time); prices and quantities are the wire strings.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, BookSnapshot, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';
import { optTime, parseObject, reqId, reqNonEmpty, reqString, takerSide, type Json } from '../fields.ts';

/** Message types ignored on purpose (no events). */
const IGNORED = new Set([
  'heartbeat',
  'auction_open',
  'auction_indicative',
  'auction_result',
  'candles_1m_updates',
]);

/** Parser for one Gemini v2 connection (stateful: each symbol's message chain). */
export class GeminiParser implements FeedParser {
  /** Per symbol: the number of its last book message (absent before its snapshot). */
  private readonly chain = new Map<string, number>();

  parse(text: string, localTs: number): readonly MarketEvent[] {
    const msg = parseObject(text);
    if (msg.result === 'error')
      throw new MalformedFrameError(
        'unsupported',
        `Gemini error: ${String(msg.reason)} ${String(msg.message ?? '')}`,
      );
    const type = msg.type;
    if (type === 'l2_updates') return [this.book(msg, localTs)];
    if (type === 'trade') return [this.trade(msg, localTs)];
    if (typeof type === 'string' && IGNORED.has(type)) return [];
    throw new MalformedFrameError(
      'unknown_stream',
      `unsupported Gemini message type ${JSON.stringify(type ?? null)}`,
    );
  }

  private book(msg: Json, localTs: number): BookSnapshot | BookDelta {
    const symbol = reqNonEmpty(msg.symbol, 'symbol');
    const instrument = `gemini:${symbol}`;
    if (!Array.isArray(msg.changes)) throw invalidField('l2_updates changes must be an array', instrument);
    const bids: WireLevel[] = [];
    const asks: WireLevel[] = [];
    for (const c of msg.changes as unknown[]) {
      if (!Array.isArray(c) || c.length < 3)
        throw invalidField('change must be [side, price, quantity]', instrument);
      if (c[0] === 'buy') bids.push([c[1], c[2]] as WireLevel);
      else if (c[0] === 'sell') asks.push([c[1], c[2]] as WireLevel);
      else throw invalidField(`change side must be buy or sell, got ${JSON.stringify(c[0])}`, instrument);
    }
    if (msg.trades !== undefined) {
      // The subscription's first message: the whole book. Bids best (highest) first, asks lowest first.
      this.chain.set(symbol, 0);
      return {
        type: 'book_snapshot',
        instrument,
        exchangeTs: NaN,
        localTs,
        sequence: 0,
        bids,
        asks,
        depthLimit: 0,
      };
    }
    const prev = this.chain.get(symbol);
    const seq = prev === undefined ? NaN : prev + 1;
    if (prev !== undefined) this.chain.set(symbol, seq);
    return {
      type: 'book_delta',
      instrument,
      exchangeTs: NaN,
      localTs,
      firstSequence: seq,
      sequence: seq,
      prevSequence: prev ?? NaN,
      bids,
      asks,
    };
  }

  private trade(msg: Json, localTs: number): Trade {
    const instrument = `gemini:${reqNonEmpty(msg.symbol, 'symbol')}`;
    return {
      type: 'trade',
      instrument,
      exchangeTs: optTime(msg.timestamp, 'timestamp', 'ms', instrument),
      localTs,
      id: reqId(msg.event_id ?? msg.tid, 'event_id', instrument),
      price: reqString(msg.price, 'price', instrument),
      size: reqString(msg.quantity, 'quantity', instrument),
      side: takerSide(msg.side, 'side', instrument),
    };
  }
}
