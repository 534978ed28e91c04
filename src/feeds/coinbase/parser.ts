/**
 * Coinbase frame parser: Advanced Trade WebSocket (live) and the legacy Exchange ("Pro") feed
 * (recordings).
 *
 * Follows: Coinbase Developer Platform docs, "Advanced Trade WebSocket > Overview" (every message has
 * `channel`, `timestamp`, `sequence_num` and `events`; `sequence_num` counts every message on the
 * connection, so a jump means messages were lost on that connection), "Channels > Level2" (`l2_data`
 * events `{type: snapshot|update, product_id, updates: [{side: bid|offer, event_time, price_level,
 * new_quantity}]}`, quantity "0" removes the level), "Channels > Market Trades" (`market_trades` events
 * with `trades: [{trade_id, product_id, price, size, side: BUY|SELL, time}]`), "Channels > Heartbeats";
 * and "Exchange WebSocket Feed > Channels" (legacy `level2`: `snapshot` with `bids`/`asks`, `l2update` with
 * `changes: [[buy|sell, price, size]]`; `matches`: `match`/`last_match` whose `side` is the MAKER's side,
 * so the taker is the opposite side).
 *
 * Connection gaps (Advanced Trade). The parser is per connection and owns the connection sequence: for
 * each product with a book on the connection it chains deltas by giving every delta
 * `prevSequence` = the `sequence_num` of that product's previous l2 message (its snapshot or update), and
 * `sequence` = this message's `sequence_num`; the descriptor's rule is `prevSequenceRule`. When
 * `sequence_num` jumps, the parser emits, for every product booked on the connection, an empty "gap
 * marker" delta with `prevSequence` NaN, which the rule sees as a gap at once: each of those books is
 * resynced (the engine asks for a snapshot; the descriptor's `resubscribe` gets one). Their chains stay
 * broken (prevSequence NaN) until the product's next snapshot. `connectionGaps` counts the jumps.
 *
 * Legacy feed. `level2` carries no sequence: the parser numbers each product's messages itself (snapshot
 * 0, then 1, 2, ...), so the chain is always continuous and integrity rests on the book never crossing.
 * `last_match` (the trade before the subscription) and `ticker` frames are ignored (no events).
 *
 * Field rules: instrument `coinbase:<product_id>`; exchangeTs from the message `timestamp`/`time`
 * (RFC 3339, ms); prices and sizes are the wire strings.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { AggressorSide, BookDelta, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function timeOf(v: unknown): number {
  return typeof v === 'string' ? Date.parse(v) : NaN;
}

/** Parser for one Coinbase connection (stateful: connection sequence, per-product delta chains). */
export class CoinbaseParser implements FeedParser {
  /** Advanced Trade `sequence_num` of the last message, or NaN before the first. */
  lastSequence = NaN;
  /** Jumps in the connection's `sequence_num` seen so far. */
  connectionGaps = 0;
  /** Per product: the sequence its next delta must name as `prevSequence` (absent = chain broken). */
  private readonly chain = new Map<string, number>();
  /** Products with a book on this connection (gap markers go to these). */
  private readonly booked = new Set<string>();

  parse(text: string, localTs: number): readonly MarketEvent[] {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      throw new MalformedFrameError('malformed_json', 'frame is not valid JSON');
    }
    if (!isObject(msg)) throw new MalformedFrameError('invalid_field', 'frame must be a JSON object');
    if (msg.type === 'error')
      throw new MalformedFrameError(
        'unsupported',
        `Coinbase error: ${String(msg.message)} ${String(msg.reason ?? '')}`,
      );
    if (typeof msg.channel === 'string') return this.advanced(msg, localTs);
    return this.legacy(msg, localTs);
  }

  private advanced(msg: Json, localTs: number): MarketEvent[] {
    const n = msg.sequence_num;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
      throw invalidField('sequence_num must be a non-negative integer');
    const out: MarketEvent[] = [];
    const ts = timeOf(msg.timestamp);
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
          for (const t of e.trades) out.push(this.advancedTrade(t, localTs));
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
    if (!isObject(e) || typeof e.product_id !== 'string')
      throw invalidField('l2_data event without product_id');
    const product = e.product_id;
    const instrument = `coinbase:${product}`;
    if (!Array.isArray(e.updates)) throw invalidField('l2_data event without updates', instrument);
    const bids: WireLevel[] = [];
    const asks: WireLevel[] = [];
    for (const u of e.updates) {
      if (!isObject(u) || typeof u.price_level !== 'string' || typeof u.new_quantity !== 'string')
        throw invalidField('l2 update must have price_level and new_quantity strings', instrument);
      if (u.side === 'bid') bids.push([u.price_level, u.new_quantity]);
      else if (u.side === 'offer' || u.side === 'ask') asks.push([u.price_level, u.new_quantity]);
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

  private advancedTrade(t: unknown, localTs: number): Trade {
    if (!isObject(t) || typeof t.product_id !== 'string') throw invalidField('trade without product_id');
    const instrument = `coinbase:${t.product_id}`;
    if (typeof t.price !== 'string' || typeof t.size !== 'string')
      throw invalidField('trade price/size must be strings', instrument);
    // Advanced Trade reports the trade's aggressor side (unlike the Exchange `matches` channel).
    const side: AggressorSide = t.side === 'BUY' ? 'buy' : t.side === 'SELL' ? 'sell' : 'unknown';
    return {
      type: 'trade',
      instrument,
      exchangeTs: timeOf(t.time),
      localTs,
      id: String(t.trade_id ?? ''),
      price: t.price,
      size: t.size,
      side,
    };
  }

  private legacy(msg: Json, localTs: number): MarketEvent[] {
    switch (msg.type) {
      case 'snapshot': {
        const instrument = this.productOf(msg);
        const product = msg.product_id as string;
        if (!Array.isArray(msg.bids) || !Array.isArray(msg.asks))
          throw invalidField('snapshot bids/asks must be arrays', instrument);
        this.chain.set(product, 0);
        return [
          {
            type: 'book_snapshot',
            instrument,
            exchangeTs: timeOf(msg.time),
            localTs,
            sequence: 0,
            bids: msg.bids as WireLevel[],
            asks: msg.asks as WireLevel[],
            depthLimit: 0,
          },
        ];
      }
      case 'l2update': {
        const instrument = this.productOf(msg);
        const product = msg.product_id as string;
        if (!Array.isArray(msg.changes)) throw invalidField('l2update changes must be an array', instrument);
        const bids: WireLevel[] = [];
        const asks: WireLevel[] = [];
        for (const c of msg.changes) {
          if (!Array.isArray(c) || typeof c[1] !== 'string' || typeof c[2] !== 'string')
            throw invalidField('l2update change must be [side, price, size]', instrument);
          if (c[0] === 'buy') bids.push([c[1], c[2]]);
          else if (c[0] === 'sell') asks.push([c[1], c[2]]);
          else throw invalidField(`l2update side must be buy or sell`, instrument);
        }
        const prev = this.chain.get(product);
        const seq = prev === undefined ? NaN : prev + 1;
        if (prev !== undefined) this.chain.set(product, seq);
        return [
          {
            type: 'book_delta',
            instrument,
            exchangeTs: timeOf(msg.time),
            localTs,
            firstSequence: seq,
            sequence: seq,
            prevSequence: prev ?? NaN,
            bids,
            asks,
          },
        ];
      }
      case 'match': {
        const instrument = this.productOf(msg);
        if (typeof msg.price !== 'string' || typeof msg.size !== 'string')
          throw invalidField('match price/size must be strings', instrument);
        // `side` is the maker order's side: a sell maker was lifted by a buying taker.
        const side: AggressorSide = msg.side === 'sell' ? 'buy' : msg.side === 'buy' ? 'sell' : 'unknown';
        return [
          {
            type: 'trade',
            instrument,
            exchangeTs: timeOf(msg.time),
            localTs,
            id: String(msg.trade_id ?? ''),
            price: msg.price,
            size: msg.size,
            side,
          },
        ];
      }
      case 'last_match':
      case 'ticker':
      case 'subscriptions':
      case 'heartbeat':
        return [];
      default:
        throw new MalformedFrameError(
          'unknown_stream',
          `unsupported Coinbase message type ${JSON.stringify(msg.type ?? null)}`,
        );
    }
  }

  private productOf(msg: Json): string {
    if (typeof msg.product_id !== 'string' || msg.product_id.length === 0)
      throw invalidField('message without product_id');
    return `coinbase:${msg.product_id}`;
  }
}
