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
 * - bookTicker: sequence `u`; the venue's BBO (an oracle for the rebuilt book).
 */
import { MalformedFrameError } from '../../core/errors.ts';
import type { BookDelta, MarketEvent, TopOfBook, Trade, VenueId, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';

type Json = Record<string, unknown>;

/** A malformed-frame error that names the instrument, so it is counted against that book. */
function invalid(msg: string, instrument?: string): MalformedFrameError {
  const e = new MalformedFrameError('invalid_field', msg);
  if (instrument !== undefined) (e as MalformedFrameError & { instrument?: string }).instrument = instrument;
  return e;
}

function int(v: unknown, name: string, instrument: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw invalid(`${name} must be a non-negative integer`, instrument);
  return v;
}

function str(v: unknown, name: string, instrument: string): string {
  if (typeof v !== 'string') throw invalid(`${name} must be a string`, instrument);
  return v;
}

function levels(v: unknown, name: string, instrument: string): readonly WireLevel[] {
  // Element shape ([price, size] decimal strings) is validated by the book before any change is applied.
  if (!Array.isArray(v)) throw invalid(`${name} must be an array of levels`, instrument);
  return v as WireLevel[];
}

/** Parser for one Binance market. Stateless; one instance can serve many connections. */
export class BinanceParser implements FeedParser {
  private readonly prefix: string;

  /** @param venue which Binance market the frames come from */
  constructor(readonly venue: VenueId) {
    this.prefix = venue + ':';
  }

  parse(text: string, localTs: number): readonly MarketEvent[] {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      throw new MalformedFrameError('malformed_json', 'frame is not valid JSON');
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg))
      throw new MalformedFrameError('invalid_field', 'frame must be a JSON object');
    let data = msg as Json;
    if (typeof data.stream === 'string') {
      const inner = data.data;
      if (inner === null || typeof inner !== 'object' || Array.isArray(inner))
        throw new MalformedFrameError('invalid_field', 'combined stream frame without data object');
      data = inner as Json;
    } else if ('result' in data && 'id' in data) {
      return []; // response to SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS
    }
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
    const s = d.s;
    if (typeof s !== 'string' || s.length === 0) throw invalid('symbol `s` must be a non-empty string');
    return this.prefix + s;
  }

  private depth(d: Json, localTs: number): BookDelta {
    const instrument = this.instrumentOf(d);
    const U = int(d.U, 'U', instrument);
    const u = int(d.u, 'u', instrument);
    if (U > u) throw invalid(`U ${U} > u ${u}`, instrument);
    const pu = d.pu === undefined ? NaN : int(d.pu, 'pu', instrument);
    return {
      type: 'book_delta',
      instrument,
      exchangeTs: typeof d.E === 'number' ? d.E : NaN,
      localTs,
      firstSequence: U,
      sequence: u,
      prevSequence: pu,
      bids: levels(d.b, 'b', instrument),
      asks: levels(d.a, 'a', instrument),
    };
  }

  private trade(d: Json, localTs: number): Trade {
    const instrument = this.instrumentOf(d);
    const id = d.e === 'aggTrade' ? d.a : d.t;
    if (typeof id !== 'number' && typeof id !== 'string') throw invalid('trade id missing', instrument);
    const m = d.m;
    if (typeof m !== 'boolean') throw invalid('`m` (buyer is maker) must be a boolean', instrument);
    const ts = typeof d.T === 'number' ? d.T : typeof d.E === 'number' ? d.E : NaN;
    return {
      type: 'trade',
      instrument,
      exchangeTs: ts,
      localTs,
      id: String(id),
      price: str(d.p, 'p', instrument),
      size: str(d.q, 'q', instrument),
      side: m ? 'sell' : 'buy',
    };
  }

  private bbo(d: Json, localTs: number): TopOfBook {
    const instrument = this.instrumentOf(d);
    return {
      type: 'bbo',
      instrument,
      exchangeTs: typeof d.E === 'number' ? d.E : NaN,
      localTs,
      sequence: int(d.u, 'u', instrument),
      bidPrice: str(d.b, 'b', instrument),
      bidSize: str(d.B, 'B', instrument),
      askPrice: str(d.a, 'a', instrument),
      askSize: str(d.A, 'A', instrument),
    };
  }
}
