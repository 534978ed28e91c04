/**
 * Gate.io WebSocket v4 frame parser: spot (`gateio`) and USDT-settled perpetual futures
 * (`gateio-futures`), and their REST order-book snapshots.
 *
 * Follows: Gate.io "Spot WebSocket v4" (`spot.order_book_update`, `spot.obu` "Order Book V2",
 * `spot.trades`, `spot.book_ticker`, `spot.ping`/`spot.pong`; envelope `{"time","time_ms","channel",
 * "event":"update"|"subscribe"|...,"error","result"}`), "Futures WebSocket v4" (the same channels with
 * the `futures.` prefix; levels `{"p": price string, "s": size}` in contracts; a trade's `size` is
 * signed, negative for a taker sell), and "APIv4 > Spot > Retrieve order book" / "Futures > Futures
 * order book" (`with_id=true` gives the snapshot's update `id`).
 *
 * Field rules:
 * - venue from the channel prefix: `spot.` → `gateio`, `futures.` → `gateio-futures`; instrument
 *   `<venue>:<currency pair or contract>` (`gateio:BTC_USDT`, `gateio-futures:BTC_USDT`).
 * - `order_book_update`: book_delta, firstSequence `U`, sequence `u` (prevSequence NaN), exchangeTs `t`.
 * - `obu`: `full: true` → book_snapshot at `u` (depthLimit = the stream's level, `ob.<pair>.<level>`);
 *   otherwise book_delta `U`..`u`.
 * - levels become `[price, size]` wire strings; futures sizes are JSON integers (contracts) or decimal
 *   strings, kept exactly (a non-safe integer is refused as `precision`).
 * - `trades`: spot `{id, create_time_ms, side, amount, price}` (side = taker side); futures arrays of
 *   `{id, create_time_ms, size (signed), price}`. `book_ticker`: bbo at `u` (the venue's BBO oracle).
 * - pongs, subscribe/unsubscribe acks and other channels (tickers, candlesticks) give no events; a frame
 *   with a non-null `error` is `unsupported`.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { Bbo, BookDelta, BookSnapshot, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';
import { parseGateioTickers } from './funding.ts';
import {
  exactAmount,
  isObject,
  optTime,
  parseJson,
  parseObject,
  reqNonEmpty,
  reqString,
  reqUint,
  takerSide,
  type Json,
} from '../fields.ts';
import { GATEIO_MARKETS } from './channels.ts';
import { scanGateioFrame } from './scanner.ts';
import { bookDelta, bookSnapshot } from '../events.ts';

const IGNORED = new Set(['tickers', 'candlesticks', 'pong', 'ping', 'order_book']);

/**
 * A level `[p, s]` (spot) or `{p, s}` (futures) as `[price, size]` wire strings. Sizes sent as JSON
 * integers must be safe integers (exact); anything else is refused.
 * @throws {MalformedFrameError} `invalid_field` on a bad shape, `precision` on a non-safe integer size
 */
export function gateLevel(v: unknown, instrument?: string): WireLevel {
  if (Array.isArray(v)) return v as unknown as WireLevel; // spot: validated by the book
  if (!isObject(v)) throw invalidField('level must be [price, size] or {p, s}', instrument);
  const size = exactAmount(v.s, 'size', instrument);
  return [v.p, size] as unknown as WireLevel;
}

function levels(v: unknown, name: string, instrument: string): WireLevel[] {
  if (!Array.isArray(v)) throw invalidField(`${name} must be an array of levels`, instrument);
  return v.map((l) => gateLevel(l, instrument));
}

/** Parser for one Gate.io v4 connection (spot or futures). Stateless. */
export class GateioParser implements FeedParser {
  parse(text: string, localTs: number): readonly MarketEvent[] {
    // Fast path (scanner.ts): an order-book update read in place; the same event as parseJson below, or
    // null for anything it does not recognise exactly.
    const e = scanGateioFrame(text, localTs);
    if (e !== null) return [e];
    return this.parseJson(text, localTs);
  }

  /**
   * The plain JSON path: JSON.parse, then the frame's channel. Every frame the scanner declines comes
   * here; test/fuzz-scanner-gateio.test.ts compares the two.
   * @returns the frame's events; empty for pongs, acknowledgements and ignored channels
   * @throws {MalformedFrameError} `malformed_json`, `invalid_field`, `precision` (a non-safe integer
   *   size), `unknown_stream`, `unsupported` (a frame with an `error`)
   */
  parseJson(text: string, localTs: number): readonly MarketEvent[] {
    const msg = parseObject(text);
    const channel = reqNonEmpty(msg.channel, 'channel');
    const dot = channel.indexOf('.');
    const venue = GATEIO_MARKETS[channel.slice(0, dot)];
    const name = channel.slice(dot + 1);
    if (msg.error !== undefined && msg.error !== null)
      throw new MalformedFrameError(
        'unsupported',
        `Gate.io error on ${channel}: ${JSON.stringify(msg.error)}`,
      );
    if (msg.event !== 'update' && msg.event !== 'all') return []; // subscribe/unsubscribe acks, pong
    if (venue === undefined)
      throw new MalformedFrameError(
        'unknown_stream',
        `unsupported Gate.io channel ${JSON.stringify(channel)}`,
      );
    if (name === 'tickers' && venue === 'gateio-futures') return parseGateioTickers(venue, msg, localTs);
    if (IGNORED.has(name)) return [];
    const r = msg.result;
    if (name === 'trades') {
      const list = Array.isArray(r) ? r : [r];
      return list.map((t) => this.trade(t, venue, localTs));
    }
    if (!isObject(r)) throw invalidField(`${channel} result must be an object`);
    if (name === 'order_book_update') return [this.delta(r, `${venue}:${reqNonEmpty(r.s, 's')}`, localTs)];
    if (name === 'obu') {
      const m = /^ob\.(.+)\.(\d+)$/.exec(reqNonEmpty(r.s, 's'));
      if (!m) throw invalidField(`obu stream name ${JSON.stringify(r.s)} is not ob.<pair>.<level>`);
      const instrument = `${venue}:${m[1]}`;
      if (r.full === true) return [this.snapshot(r, instrument, Number(m[2]), localTs)];
      return [this.delta(r, instrument, localTs)];
    }
    if (name === 'book_ticker') return [this.bbo(r, `${venue}:${reqNonEmpty(r.s, 's')}`, localTs)];
    throw new MalformedFrameError('unknown_stream', `unsupported Gate.io channel ${JSON.stringify(channel)}`);
  }

  private delta(r: Json, instrument: string, localTs: number): BookDelta {
    return bookDelta(
      instrument,
      optTime(r.t, 't', 'ms', instrument),
      localTs,
      reqUint(r.U, 'U', instrument),
      reqUint(r.u, 'u', instrument),
      NaN,
      levels(r.b, 'b', instrument),
      levels(r.a, 'a', instrument),
    );
  }

  private snapshot(r: Json, instrument: string, depth: number, localTs: number): BookSnapshot {
    return bookSnapshot(
      instrument,
      optTime(r.t, 't', 'ms', instrument),
      localTs,
      reqUint(r.u, 'u', instrument),
      levels(r.b, 'b', instrument),
      levels(r.a, 'a', instrument),
      depth,
    );
  }

  private bbo(r: Json, instrument: string, localTs: number): Bbo {
    return {
      type: 'bbo',
      instrument,
      exchangeTs: optTime(r.t, 't', 'ms', instrument),
      localTs,
      sequence: reqUint(r.u, 'u', instrument),
      bidPrice: reqString(r.b, 'b', instrument),
      bidSize: exactAmount(r.B, 'B', instrument),
      askPrice: reqString(r.a, 'a', instrument),
      askSize: exactAmount(r.A, 'A', instrument),
    };
  }

  private trade(t: unknown, venue: string, localTs: number): Trade {
    if (!isObject(t)) throw invalidField('trade must be an object');
    const futures = venue === 'gateio-futures';
    const instrument = `${venue}:${reqNonEmpty(futures ? t.contract : t.currency_pair, 'trade symbol')}`;
    const id = t.id;
    if (typeof id !== 'number' && typeof id !== 'string') throw invalidField('trade id missing', instrument);
    const ts = t.create_time_ms ?? (typeof t.create_time === 'number' ? t.create_time * 1000 : undefined);
    let side: 'buy' | 'sell';
    let size: string;
    if (futures) {
      const s = t.size;
      const text =
        typeof s === 'number' && Number.isSafeInteger(s) ? String(s) : reqString(s, 'size', instrument);
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw invalidField('trade size must be a decimal', instrument);
      side = text.startsWith('-') ? 'sell' : 'buy';
      size = text.replace(/^-/, '');
    } else {
      side = takerSide(t.side, 'side', instrument);
      size = reqString(t.amount, 'amount', instrument);
    }
    return {
      type: 'trade',
      instrument,
      exchangeTs: optTime(ts, 'create_time_ms', 'ms', instrument),
      localTs,
      id: String(id),
      price: reqString(t.price, 'price', instrument),
      size,
      side,
    };
  }
}

/**
 * A REST order-book body (`with_id=true`) as a snapshot: spot `{id, current, update, asks: [[p, s]],
 * bids}`, futures the same with `{p, s}` levels. depthLimit = `limit`, the number of levels asked for.
 * @throws {MalformedFrameError} on a malformed body or a missing `id`
 */
export function parseGateioSnapshot(
  body: string,
  instrument: string,
  localTs: number,
  limit: number,
): BookSnapshot {
  const o = parseJson(body);
  if (!isObject(o)) throw invalidField('order book body must be an object', instrument);
  if (o.label !== undefined)
    throw new MalformedFrameError(
      'unsupported',
      `Gate.io error ${String(o.label)}: ${String(o.message)}`,
      instrument,
    );
  const current = o.current;
  return {
    type: 'book_snapshot',
    instrument,
    // Spot `current` is ms; futures `current` is seconds with a fraction.
    exchangeTs: typeof current === 'number' ? (current < 1e11 ? Math.round(current * 1000) : current) : NaN,
    localTs,
    sequence: reqUint(o.id, 'id', instrument),
    bids: levels(o.bids, 'bids', instrument),
    asks: levels(o.asks, 'asks', instrument),
    depthLimit: limit,
  };
}
