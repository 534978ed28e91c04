/**
 * Coinbase Advanced Trade WebSocket frame parser (today's protocol, live).
 *
 * Follows: Coinbase Developer Platform docs, "Advanced Trade WebSocket > Overview" (every message has
 * `channel`, `timestamp`, `sequence_num` and `events`; `sequence_num` counts every message on the
 * connection, so a jump means messages were lost on that connection), "Channels > Level2" (`l2_data`
 * events `{type: snapshot|update, product_id, updates: [{side: bid|offer, event_time, price_level,
 * new_quantity}]}`, quantity "0" removes the level), "Channels > Market Trades" (`market_trades` events
 * with `trades: [{trade_id, product_id, price, size, side: BUY|SELL, time}]`, the aggressor's side),
 * "Channels > Heartbeats".
 *
 * Connection gaps. The parser is per connection and owns the connection sequence: for each product
 * with a book on the connection it chains deltas by giving every delta `prevSequence` = the
 * `sequence_num` of that product's previous l2 message (its snapshot or update), and `sequence` = this
 * message's `sequence_num`; the descriptor's rule is `prevSequenceRule`. When `sequence_num` jumps, the
 * parser emits, for every product booked on the connection, an empty "gap marker" delta with
 * `prevSequence` NaN, which the rule sees as a gap at once: each of those books is resynced (the engine
 * asks for a snapshot; the descriptor's `resubscribe` gets one). Their chains stay broken (prevSequence
 * NaN) until the product's next snapshot. `connectionGaps` counts the jumps.
 *
 * Field rules: instrument `coinbase:<product_id>`; exchangeTs from the message `timestamp` (RFC 3339, ms
 * with sub-ms digits as a fraction); prices and sizes are the wire strings. A legacy Exchange message
 * (`type` without `channel`: parser-legacy.ts) is a typed `unsupported` error here.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import { isObject, optIsoTime, parseObject, reqNonEmpty, reqString, reqUint, takerSide } from '../fields.ts';
import type { FeedParser } from '../types.ts';

/** Parser for one Coinbase Advanced Trade connection (stateful: connection sequence, delta chains). */
export class CoinbaseAdvancedParser implements FeedParser {
  /** `sequence_num` of the last message, or NaN before the first. */
  lastSequence = NaN;
  /** Jumps in the connection's `sequence_num` seen so far. */
  connectionGaps = 0;
  /** Per product: the sequence its next delta must name as `prevSequence` (absent = chain broken). */
  private readonly chain = new Map<string, number>();
  /** Products with a book on this connection (gap markers go to these). */
  private readonly booked = new Set<string>();

  parse(text: string, localTs: number): readonly MarketEvent[] {
    const msg = parseObject(text);
    if (msg.type === 'error')
      throw new MalformedFrameError(
        'unsupported',
        `Coinbase error: ${String(msg.message)} ${String(msg.reason ?? '')}`,
      );
    if (typeof msg.channel !== 'string')
      throw new MalformedFrameError(
        'unsupported',
        'Coinbase legacy Exchange message on an Advanced Trade connection',
      );
    const n = reqUint(msg.sequence_num, 'sequence_num');
    const out: MarketEvent[] = [];
    const ts = optIsoTime(msg.timestamp, 'timestamp');
    if (!Number.isNaN(this.lastSequence) && n !== this.lastSequence + 1) {
      this.connectionGaps++;
      for (const product of this.booked) {
        this.chain.delete(product);
        out.push(this.marker(product, n, ts, localTs));
      }
    }
    this.lastSequence = n;
    const events = msg.events;
    switch (msg.channel) {
      case 'l2_data':
        if (!Array.isArray(events)) throw invalidField('l2_data without events');
        for (const e of events) out.push(this.l2Event(e, n, ts, localTs));
        return out;
      case 'market_trades':
        if (!Array.isArray(events)) throw invalidField('market_trades without events');
        for (const e of events) {
          if (!isObject(e) || !Array.isArray(e.trades))
            throw invalidField('market_trades event without trades');
          for (const t of e.trades) out.push(this.trade(t, localTs));
        }
        return out;
      case 'subscriptions':
      case 'heartbeats':
      case 'ticker':
      case 'ticker_batch':
      case 'status':
        return out;
      default:
        throw new MalformedFrameError(
          'unknown_stream',
          `unsupported Coinbase channel ${JSON.stringify(msg.channel)}`,
        );
    }
  }

  private marker(product: string, n: number, ts: number, localTs: number): BookDelta {
    return {
      type: 'book_delta',
      instrument: `coinbase:${product}`,
      exchangeTs: ts,
      localTs,
      firstSequence: n,
      sequence: n,
      prevSequence: NaN,
      bids: [],
      asks: [],
    };
  }

  private l2Event(e: unknown, n: number, ts: number, localTs: number): MarketEvent {
    if (!isObject(e)) throw invalidField('l2_data event must be an object');
    const product = reqNonEmpty(e.product_id, 'l2_data event product_id');
    const instrument = `coinbase:${product}`;
    if (!Array.isArray(e.updates)) throw invalidField('l2_data event without updates', instrument);
    const bids: WireLevel[] = [];
    const asks: WireLevel[] = [];
    for (const u of e.updates) {
      if (!isObject(u)) throw invalidField('l2 update must be an object', instrument);
      const level: WireLevel = [
        reqString(u.price_level, 'l2 update price_level', instrument),
        reqString(u.new_quantity, 'l2 update new_quantity', instrument),
      ];
      if (u.side === 'bid') bids.push(level);
      else if (u.side === 'offer' || u.side === 'ask') asks.push(level);
      else
        throw invalidField(`l2 update side must be bid or offer, got ${JSON.stringify(u.side)}`, instrument);
    }
    if (e.type === 'snapshot') {
      this.booked.add(product);
      this.chain.set(product, n);
      return {
        type: 'book_snapshot',
        instrument,
        exchangeTs: ts,
        localTs,
        sequence: n,
        bids,
        asks,
        depthLimit: 0,
      };
    }
    if (e.type !== 'update')
      throw invalidField(`unknown l2_data event type ${JSON.stringify(e.type)}`, instrument);
    const prev = this.chain.get(product);
    if (prev !== undefined) this.chain.set(product, n);
    return {
      type: 'book_delta',
      instrument,
      exchangeTs: ts,
      localTs,
      firstSequence: n,
      sequence: n,
      prevSequence: prev ?? NaN,
      bids,
      asks,
    };
  }

  private trade(t: unknown, localTs: number): Trade {
    if (!isObject(t)) throw invalidField('trade must be an object');
    const instrument = `coinbase:${reqNonEmpty(t.product_id, 'trade product_id')}`;
    return {
      type: 'trade',
      instrument,
      exchangeTs: optIsoTime(t.time, 'trade time', instrument),
      localTs,
      id: String(t.trade_id ?? ''),
      price: reqString(t.price, 'trade price', instrument),
      size: reqString(t.size, 'trade size', instrument),
      // Advanced Trade reports the trade's aggressor side (unlike the Exchange `matches` channel).
      side: takerSide(t.side, 'trade side', instrument),
    };
  }
}
