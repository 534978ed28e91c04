/**
 * Bitget public WebSocket frame parser, spot and USDT-M futures, v2 (today) and v1 (2022 recordings).
 *
 * Follows: Bitget API v2 docs, "Spot > WebSocket > Public > Depth Channel" / "Trade Channel" and "Futures
 * > WebSocket > Public > Order Book Channel" / "Public Trade Channel"; "Common > WebSocket API" (text
 * `ping` → `pong`; `{"event":"subscribe"|"unsubscribe"|"error",...}` acknowledgements). The v1 docs
 * ("spot/v1/stream", "mix/v1/stream") for the recorded format.
 *
 * Frame: `{"action":"snapshot"|"update","arg":{"instType","channel","instId"},"data":[...],"ts"}`.
 * - Market from `arg.instType`: v2 `SPOT` / v1 `sp` → venue `bitget`; v2 `USDT-FUTURES` / v1 `mc` →
 *   `bitget-futures`; other markets (COIN-/USDC-FUTURES) are `unknown_stream`. So one parser reads a
 *   capture whose file names only the venue family (cryptofeed `BITGET.ws.2.0` is the mix stream).
 * - `books`: `action` snapshot → book_snapshot (depthLimit 0: the channel sends all levels), update →
 *   book_delta. `data[0]`: `asks`/`bids` `[price, size]` strings, `checksum` (signed int32), `ts` (ms),
 *   v2 `seq` (sequence = firstSequence = `seq`; prevSequence NaN: Bitget states no previous id).
 *   `books1`/`books5`/`books15` pushes are whole depth-limited images: snapshots (depthLimit 1/5/15).
 * - `trade`: v2 `data` objects `{ts, price, size, side, tradeId}`; v1 arrays `[ts, price, size, side]`
 *   (no id: `<ts>#<index>`). `side` is the taker side. The first push after a subscribe (`action`
 *   snapshot) is recent history from before the subscription and is not emitted (it is not new flow).
 * - `ticker`, `candle*` channels are ignored (no events).
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, BookSnapshot, MarketEvent, Trade } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';
import {
  isObject,
  levelList,
  optChecksum,
  optInt,
  optTime,
  parseObject,
  reqNonEmpty,
  reqString,
  takerSide,
  type Json,
} from '../fields.ts';
import { BITGET_BOOK_DEPTH, BITGET_MARKETS } from './channels.ts';
import { bookDelta, bookSnapshot } from '../events.ts';
import { scanBitgetFrame } from './scanner.ts';
export { BITGET_BOOK_DEPTH, BITGET_MARKETS } from './channels.ts';

const IGNORED = /^(ticker|candle)/;

/** Parser for one Bitget public connection. Stateless. */
export class BitgetParser implements FeedParser {
  parse(text: string, localTs: number): readonly MarketEvent[] {
    // Fast path (scanner.ts): a `books*` push read in place; the same event as parseJson below, or null
    // for anything it does not recognise exactly.
    const e = scanBitgetFrame(text, localTs);
    if (e !== null) return [e];
    return this.parseJson(text, localTs);
  }

  /**
   * The plain JSON path: JSON.parse, then the push's channel. Every frame the scanner declines comes
   * here; test/fuzz-scanner-bitget.test.ts compares the two.
   * @returns the frame's events; empty for `pong`, acknowledgements, ignored channels and the trade
   *   history pushed after a subscribe
   * @throws {MalformedFrameError} `malformed_json`, `invalid_field`, `unknown_stream`, `unsupported`
   *   (a Bitget `error` event)
   */
  parseJson(text: string, localTs: number): readonly MarketEvent[] {
    if (text === 'pong') return [];
    const msg = parseObject(text);
    if (typeof msg.event === 'string') {
      if (msg.event === 'error')
        throw new MalformedFrameError('unsupported', `Bitget error ${String(msg.code)}: ${String(msg.msg)}`);
      return []; // subscribe / unsubscribe / login acknowledgements
    }
    const arg = msg.arg;
    if (!isObject(arg)) throw invalidField('push without arg');
    const channel = reqNonEmpty(arg.channel, 'arg.channel');
    if (IGNORED.test(channel)) return [];
    const venue = BITGET_MARKETS[String(arg.instType)];
    if (venue === undefined)
      throw new MalformedFrameError(
        'unknown_stream',
        `unsupported Bitget instType ${JSON.stringify(arg.instType)}`,
      );
    const instrument = `${venue}:${reqNonEmpty(arg.instId, 'arg.instId')}`;
    const data = msg.data;
    if (!Array.isArray(data)) throw invalidField('push without data array', instrument);
    if (channel === 'trade') {
      if (msg.action === 'snapshot') return [];
      return data.map((t, i) => this.trade(t, i, instrument, localTs));
    }
    const depth = BITGET_BOOK_DEPTH[channel];
    if (depth === undefined)
      throw new MalformedFrameError(
        'unknown_stream',
        `unsupported Bitget channel ${JSON.stringify(channel)}`,
      );
    const whole = msg.action === 'snapshot' || depth > 0;
    if (!whole && msg.action !== 'update')
      throw invalidField(`unknown book action ${JSON.stringify(msg.action)}`, instrument);
    const out: MarketEvent[] = [];
    for (const d of data) {
      if (!isObject(d)) throw invalidField('book data must be an object', instrument);
      out.push(whole ? this.snapshot(d, instrument, depth, localTs) : this.delta(d, instrument, localTs));
    }
    return out;
  }

  private snapshot(d: Json, instrument: string, depth: number, localTs: number): BookSnapshot {
    const checksum = optChecksum(d.checksum, instrument);
    return bookSnapshot(
      instrument,
      optTime(d.ts, 'ts', 'ms', instrument),
      localTs,
      optInt(d.seq, 'seq', instrument),
      levelList(d.bids, 'bids', instrument),
      levelList(d.asks, 'asks', instrument),
      depth,
      checksum,
    );
  }

  private delta(d: Json, instrument: string, localTs: number): BookDelta {
    const seq = optInt(d.seq, 'seq', instrument);
    const checksum = optChecksum(d.checksum, instrument);
    return bookDelta(
      instrument,
      optTime(d.ts, 'ts', 'ms', instrument),
      localTs,
      seq,
      seq,
      NaN,
      levelList(d.bids, 'bids', instrument),
      levelList(d.asks, 'asks', instrument),
      checksum,
    );
  }

  private trade(t: unknown, i: number, instrument: string, localTs: number): Trade {
    if (Array.isArray(t)) {
      // v1: [ts, price, size, side]
      const ts = reqString(t[0], 'trade ts', instrument);
      return {
        type: 'trade',
        instrument,
        exchangeTs: optTime(ts, 'trade ts', 'ms', instrument),
        localTs,
        id: `${ts}#${i}`,
        price: reqString(t[1], 'trade price', instrument),
        size: reqString(t[2], 'trade size', instrument),
        side: takerSide(t[3], 'trade side', instrument),
      };
    }
    if (!isObject(t)) throw invalidField('trade must be an object or an array', instrument);
    return {
      type: 'trade',
      instrument,
      exchangeTs: optTime(t.ts, 'trade ts', 'ms', instrument),
      localTs,
      id: reqNonEmpty(t.tradeId, 'tradeId', instrument),
      price: reqString(t.price, 'trade price', instrument),
      size: reqString(t.size, 'trade size', instrument),
      side: takerSide(t.side, 'trade side', instrument),
    };
  }
}
