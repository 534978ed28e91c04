/**
 * OKX v5 public WebSocket frame parser.
 *
 * Follows: OKX API v5 docs, "WebSocket > Order book channel" (`books` 400 levels, `books5`, `bbo-tbt`,
 * `books-l2-tbt`, `books50-l2-tbt`; `action` snapshot|update; `asks`/`bids` as
 * `[price, size, deprecated, orderCount]` strings; `ts` ms; `checksum`; `seqId`/`prevSeqId`),
 * "WebSocket > Trades channel" (`tradeId`, `px`, `sz`, `side` = taker side, `ts`), and "WebSocket >
 * Overview > Connect" (text `ping` → `pong`; `event` frames for subscribe/unsubscribe/error).
 *
 * Field rules:
 * - instrument: `okx:<instId>` (e.g. `okx:BTC-USDT`, `okx:BTC-USDT-SWAP`).
 * - exchangeTs: `ts` (ms). Snapshots/deltas: sequence = `seqId`, prevSequence = `prevSeqId`
 *   (NaN when absent, as in captures before OKX added them).
 * - `books5` and `bbo-tbt` pushes are whole depth-limited images: emitted as snapshots (depthLimit 5 / 1).
 * - `tickers` frames carry no book state the engine uses and are ignored (return no events).
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, BookSnapshot, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';

type Json = Record<string, unknown>;

/** Depth per side of each OKX book channel's snapshot (OKX "Order book channel", channel table). */
export const OKX_BOOK_DEPTH: Readonly<Record<string, number>> = {
  books: 400,
  'books-l2-tbt': 400,
  'books50-l2-tbt': 50,
  books5: 5,
  'bbo-tbt': 1,
};

/** Channels ignored on purpose (no events). */
const IGNORED_CHANNELS = new Set(['tickers']);

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function levels(v: unknown, name: string, instrument: string): readonly WireLevel[] {
  // Element shape is validated by the book before any change is applied.
  if (!Array.isArray(v)) throw invalidField(`${name} must be an array of levels`, instrument);
  return v as WireLevel[];
}

/** OKX sends ids and times as integers, sometimes as integer strings. */
function optInt(v: unknown, name: string, instrument: string): number {
  if (v === undefined || v === null) return NaN;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw invalidField(`${name} must be an integer`, instrument);
  return n;
}

function tsOf(v: unknown, instrument: string): number {
  const n = optInt(v, 'ts', instrument);
  return n;
}

/** Parser for one OKX public connection. Stateless. */
export class OkxParser implements FeedParser {
  constructor(readonly venue: string = 'okx') {}

  parse(text: string, localTs: number): readonly MarketEvent[] {
    if (text === 'pong') return [];
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      throw new MalformedFrameError('malformed_json', 'frame is not valid JSON');
    }
    if (!isObject(msg)) throw new MalformedFrameError('invalid_field', 'frame must be a JSON object');
    if (typeof msg.event === 'string') {
      if (msg.event === 'error')
        throw new MalformedFrameError('unsupported', `OKX error ${String(msg.code)}: ${String(msg.msg)}`);
      return []; // subscribe / unsubscribe / login / notice acknowledgements
    }
    const arg = msg.arg;
    if (!isObject(arg) || typeof arg.channel !== 'string')
      throw new MalformedFrameError('invalid_field', 'push without arg.channel');
    const channel = arg.channel;
    if (IGNORED_CHANNELS.has(channel)) return [];
    const data = msg.data;
    if (!Array.isArray(data)) throw new MalformedFrameError('invalid_field', 'push without data array');
    if (channel === 'trades' || channel === 'trades-all') return data.map((t) => this.trade(t, localTs));
    const depth = OKX_BOOK_DEPTH[channel];
    if (depth === undefined)
      throw new MalformedFrameError('unknown_stream', `unsupported OKX channel ${JSON.stringify(channel)}`);
    if (typeof arg.instId !== 'string' || arg.instId.length === 0)
      throw new MalformedFrameError('invalid_field', 'book push without arg.instId');
    const instrument = `${this.venue}:${arg.instId}`;
    const action = msg.action;
    const whole = action === 'snapshot' || channel === 'books5' || channel === 'bbo-tbt';
    if (!whole && action !== 'update')
      throw invalidField(`unknown book action ${JSON.stringify(action)}`, instrument);
    const out: MarketEvent[] = [];
    for (const d of data) {
      if (!isObject(d)) throw invalidField('book data must be an object', instrument);
      out.push(whole ? this.snapshot(d, instrument, depth, localTs) : this.delta(d, instrument, localTs));
    }
    return out;
  }

  private checksumOf(d: Json, instrument: string): { checksum?: number } {
    if (d.checksum === undefined) return {};
    const c = d.checksum;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < -0x80000000 || c > 0x7fffffff)
      throw invalidField('checksum must be a signed 32-bit integer', instrument);
    return { checksum: c };
  }

  private snapshot(d: Json, instrument: string, depth: number, localTs: number): BookSnapshot {
    return {
      type: 'book_snapshot',
      instrument,
      exchangeTs: tsOf(d.ts, instrument),
      localTs,
      sequence: optInt(d.seqId, 'seqId', instrument),
      bids: levels(d.bids, 'bids', instrument),
      asks: levels(d.asks, 'asks', instrument),
      depthLimit: depth,
      ...this.checksumOf(d, instrument),
    };
  }

  private delta(d: Json, instrument: string, localTs: number): BookDelta {
    const seq = optInt(d.seqId, 'seqId', instrument);
    return {
      type: 'book_delta',
      instrument,
      exchangeTs: tsOf(d.ts, instrument),
      localTs,
      firstSequence: seq,
      sequence: seq,
      prevSequence: optInt(d.prevSeqId, 'prevSeqId', instrument),
      bids: levels(d.bids, 'bids', instrument),
      asks: levels(d.asks, 'asks', instrument),
      ...this.checksumOf(d, instrument),
    };
  }

  private trade(t: unknown, localTs: number): Trade {
    if (!isObject(t) || typeof t.instId !== 'string')
      throw invalidField('trade must be an object with instId');
    const instrument = `${this.venue}:${t.instId}`;
    if (typeof t.px !== 'string' || typeof t.sz !== 'string')
      throw invalidField('trade px/sz must be strings', instrument);
    if (typeof t.tradeId !== 'string' && typeof t.tradeId !== 'number')
      throw invalidField('tradeId missing', instrument);
    const side = t.side === 'buy' ? 'buy' : t.side === 'sell' ? 'sell' : null;
    if (side === null) throw invalidField('trade side must be buy or sell', instrument);
    return {
      type: 'trade',
      instrument,
      exchangeTs: tsOf(t.ts, instrument),
      localTs,
      id: String(t.tradeId),
      price: t.px,
      size: t.sz,
      side,
    };
  }
}
