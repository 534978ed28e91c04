/**
 * Binance frame parser (spot, USD-M, COIN-M): combined-stream envelopes `{"stream","data"}` and raw
 * streams alike.
 *
 * Follows: Binance Spot API "WebSocket Streams" (Diff. Depth Stream, Trade Streams, Aggregate Trade
 * Streams, Individual Symbol Book Ticker Streams) and Binance Derivatives "Websocket Market Streams"
 * (Diff. Book Depth Streams with `pu`, Aggregate Trade, Individual Symbol Book Ticker).
 *
 * Field rules:
 * - instrument: `<venue>:<s>` with the venue id of this parser (binance, binance-usdm, binance-coinm).
 * - exchangeTs: `E` (event time, ms). Trades use `T` (trade time) when present.
 * - depth delta: firstSequence `U`, sequence `u`, prevSequence `pu` (futures; NaN on spot).
 * - trade side: `m` = buyer is the maker, so the aggressor sold (`sell`); `m == false` → `buy`.
 * - trade kind: futures `X` other than `MARKET` (insurance fund, ADL) sets Trade.kind (tradeKind).
 * - bookTicker: sequence `u`; the venue's BBO (an oracle for the rebuilt book).
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, MarketEvent, Bbo, Trade, VenueId } from '../../core/model.ts';
import { isObject, levelList, parseObject, reqNonEmpty, reqString, reqJsonUint } from '../fields.ts';
import type { Json } from '../fields.ts';
import { bookDelta } from '../events.ts';
import type { FeedParser } from '../types.ts';
import { tradeKind } from './trade-kind.ts';
export { tradeKind } from './trade-kind.ts';
import { scanBinanceFrame } from './scanner.ts';
import { BinanceMarkPriceParser } from './funding.ts';

/** Parser for one Binance market. Stateless; one instance can serve many connections. */
export class BinanceParser implements FeedParser {
  private readonly prefix: string;
  /** Futures `@markPrice` streams (funding.ts): per-connection interval learning, made on first use. */
  private markPrice: BinanceMarkPriceParser | null = null;

  /** @param venue which Binance market the frames come from */
  constructor(readonly venue: VenueId) {
    this.prefix = venue + ':';
  }

  parse(text: string, localTs: number): readonly MarketEvent[] {
    // Fast path (scanner.ts): a combined-stream depthUpdate, trade or bookTicker frame read in place; the
    // same event as parseJson below, or null for anything it does not recognise exactly.
    const e = scanBinanceFrame(text, this.prefix, localTs);
    if (e !== null) return [e];
    return this.parseJson(text, localTs);
  }

  /**
   * The plain JSON path: JSON.parse, the combined-stream envelope (or a raw stream payload), then
   * parseData. Every frame the scanner declines comes here; test/fuzz-scanner.test.ts compares the two.
   * @returns the frame's event; empty for responses to SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS
   * @throws {MalformedFrameError} `malformed_json`, `invalid_field`, `unknown_stream`
   */
  parseJson(text: string, localTs: number): readonly MarketEvent[] {
    let data = parseObject(text);
    if (typeof data.stream === 'string') {
      const inner = data.data;
      if (!isObject(inner))
        throw new MalformedFrameError('invalid_field', 'combined stream frame without data object');
      data = inner;
    } else if (('result' in data || 'error' in data) && 'id' in data) {
      // Response to SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS (errors are the connector's to log, not drops).
      return [];
    }
    if (data.e === 'markPriceUpdate')
      return (this.markPrice ??= new BinanceMarkPriceParser(this.venue)).parse(data, localTs);
    return [this.parseData(data, localTs)];
  }

  /** Parse the inner payload of one stream message. */
  parseData(d: Json, localTs: number): MarketEvent {
    const e = d.e;
    if (e === 'depthUpdate') return this.depth(d, localTs);
    if (e === 'trade' || e === 'aggTrade') return this.trade(d, localTs);
    // Spot bookTicker payloads carry no `e`; futures ones say "bookTicker".
    if (e === 'bookTicker' || (e === undefined && 'u' in d && 'b' in d && 'B' in d))
      return this.bbo(d, localTs);
    throw new MalformedFrameError('unknown_stream', `unsupported Binance event ${JSON.stringify(e ?? null)}`);
  }

  private instrumentOf(d: Json): string {
    return this.prefix + reqNonEmpty(d.s, 'symbol `s`');
  }

  private depth(d: Json, localTs: number): BookDelta {
    const instrument = this.instrumentOf(d);
    const U = reqJsonUint(d.U, 'U', instrument);
    const u = reqJsonUint(d.u, 'u', instrument);
    if (U > u) throw invalidField(`U ${U} > u ${u}`, instrument);
    const pu = d.pu === undefined ? NaN : reqJsonUint(d.pu, 'pu', instrument);
    return bookDelta(
      instrument,
      typeof d.E === 'number' ? d.E : NaN,
      localTs,
      U,
      u,
      pu,
      levelList(d.b, 'b', instrument),
      levelList(d.a, 'a', instrument),
    );
  }

  private trade(d: Json, localTs: number): Trade {
    const instrument = this.instrumentOf(d);
    const id = d.e === 'aggTrade' ? d.a : d.t;
    if (typeof id !== 'number' && typeof id !== 'string') throw invalidField('trade id missing', instrument);
    const m = d.m;
    if (typeof m !== 'boolean') throw invalidField('`m` (buyer is maker) must be a boolean', instrument);
    const ts = typeof d.T === 'number' ? d.T : typeof d.E === 'number' ? d.E : NaN;
    const trade: Trade = {
      type: 'trade',
      instrument,
      exchangeTs: ts,
      localTs,
      id: String(id),
      price: reqString(d.p, 'p', instrument),
      size: reqString(d.q, 'q', instrument),
      side: m ? 'sell' : 'buy',
    };
    const X = d.X;
    if (X === undefined || X === 'MARKET') return trade;
    if (typeof X !== 'string') throw invalidField('`X` (trade type) must be a string', instrument);
    return { ...trade, kind: tradeKind(X) };
  }

  private bbo(d: Json, localTs: number): Bbo {
    const instrument = this.instrumentOf(d);
    return {
      type: 'bbo',
      instrument,
      exchangeTs: typeof d.E === 'number' ? d.E : NaN,
      localTs,
      sequence: reqJsonUint(d.u, 'u', instrument),
      bidPrice: reqString(d.b, 'b', instrument),
      bidSize: reqString(d.B, 'B', instrument),
      askPrice: reqString(d.a, 'a', instrument),
      askSize: reqString(d.A, 'A', instrument),
    };
  }
}
