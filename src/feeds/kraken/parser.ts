/**
 * Kraken spot WebSocket frame parser: v2 (live) and v1 (recordings from before v2).
 *
 * Follows: Kraken API docs, "Spot WebSocket API v2" (channels `book`: `type` snapshot|update, `data[]`
 * with `symbol`, `bids`/`asks` as `{price, qty}` JSON numbers, `checksum`, `timestamp` RFC 3339;
 * `trade`: `side` buy|sell of the taker, `trade_id`; `instrument`: `pairs[]` with `price_precision` and
 * `qty_precision`; `heartbeat`, `status`; method acks `{"method":"subscribe","success":...}`) and
 * "Spot WebSocket API v1" (`book-<depth>` payloads `[channelID, {"as","bs"}, "book-N", pair]` for the
 * snapshot and `[channelID, {"a"}, {"b","c"}, "book-N", pair]` for updates, levels
 * `[price, volume, timestamp(, "r")]` with `r` marking a level republished into scope; `trade` payloads
 * `[channelID, [[price, volume, time, side b|s, orderType, misc]], "trade", pair]`); and the guides "Spot
 * Websockets (v1/v2) Book Checksum".
 *
 * Field rules:
 * - instrument: `kraken:<symbol>` as the protocol spells it (v2 `BTC/USD`, v1 `XBT/USD`).
 * - Prices/sizes stay wire strings. v2 numbers are taken from the frame text (not via a double) and
 *   padded to the instrument's precision when it is known from the `instrument` channel (or given to
 *   the constructor), as the v2 checksum guide requires. Without a known precision, the wire text is used.
 * - exchangeTs: v2 `timestamp`; v1 the latest level/trade time (seconds with µs → ms). NaN when none.
 * - checksum: unsigned 32-bit (v1 `c` string, v2 `checksum` number). v1 snapshots carry none.
 * - Kraken books have no sequence numbers: sequence/prevSequence are NaN (integrity from checksums).
 * - v1 trades have no id: the id is `<time>#<index in frame>`.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { AggressorSide, BookDelta, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';

type Json = Record<string, unknown>;

/** Decimal places Kraken uses for an instrument's prices and quantities. */
export interface KrakenPrecision {
  price: number;
  qty: number;
}

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Quote the JSON numbers of `price`/`qty` members so their wire text survives JSON.parse. */
const NUMBER_MEMBER = /"(price|qty)":\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/g;

/**
 * Format a wire number text to `places` decimals (pad zeros; convert exponent form).
 * @throws {MalformedFrameError} when the text has more decimals than `places` or is not a number
 */
export function padDecimal(text: string, places: number, instrument?: string): string {
  if (/[eE]/.test(text)) {
    const n = Number(text);
    if (!Number.isFinite(n)) throw invalidField(`not a number: ${text}`, instrument);
    return n.toFixed(places);
  }
  const dot = text.indexOf('.');
  const decimals = dot < 0 ? 0 : text.length - dot - 1;
  if (decimals === places) return text;
  if (decimals > places) throw invalidField(`${text} has more than ${places} decimals`, instrument);
  return (dot < 0 ? text + (places > 0 ? '.' : '') : text) + '0'.repeat(places - decimals);
}

function maxLevelTime(levels: readonly WireLevel[], acc: number): number {
  for (const l of levels) {
    const t = Array.isArray(l) && typeof l[2] === 'string' ? Number(l[2]) * 1000 : NaN;
    if (t > acc || Number.isNaN(acc)) acc = Number.isNaN(t) ? acc : t;
  }
  return acc;
}

/** Parser for one Kraken spot connection; remembers instrument precisions (v2) seen on it. */
export class KrakenParser implements FeedParser {
  private readonly precision = new Map<string, KrakenPrecision>();

  /** @param precisions known precisions by v2 symbol (e.g. from REST AssetPairs), optional */
  constructor(precisions?: ReadonlyMap<string, KrakenPrecision>) {
    if (precisions) for (const [k, v] of precisions) this.precision.set(k, v);
  }

  /** Precision known for a symbol, if any. */
  precisionOf(symbol: string): KrakenPrecision | undefined {
    return this.precision.get(symbol);
  }

  parse(text: string, localTs: number): readonly MarketEvent[] {
    let msg: unknown;
    try {
      msg = JSON.parse(
        text.includes('"price"') || text.includes('"qty"') ? text.replace(NUMBER_MEMBER, '"$1":"$2"') : text,
      );
    } catch {
      throw new MalformedFrameError('malformed_json', 'frame is not valid JSON');
    }
    if (Array.isArray(msg)) return this.v1(msg, localTs);
    if (!isObject(msg))
      throw new MalformedFrameError('invalid_field', 'frame must be a JSON object or array');
    if (typeof msg.event === 'string') {
      // v1 control: heartbeat, systemStatus, subscriptionStatus, pong.
      if (msg.event === 'subscriptionStatus' && msg.status === 'error')
        throw new MalformedFrameError(
          'unsupported',
          `Kraken subscription error: ${String(msg.errorMessage)}`,
        );
      return [];
    }
    if (typeof msg.method === 'string') {
      if (msg.success === false)
        throw new MalformedFrameError('unsupported', `Kraken ${msg.method} error: ${String(msg.error)}`);
      return []; // subscribe/unsubscribe acks, pong
    }
    switch (msg.channel) {
      case 'heartbeat':
      case 'status':
      case 'ticker': // no book state the engine uses (as OKX tickers)
        return [];
      case 'instrument':
        this.learnPrecisions(msg.data);
        return [];
      case 'book':
        return this.v2Book(msg, localTs);
      case 'trade':
        return this.v2Trades(msg, localTs);
      default:
        throw new MalformedFrameError(
          'unknown_stream',
          `unsupported Kraken channel ${JSON.stringify(msg.channel ?? null)}`,
        );
    }
  }

  private learnPrecisions(data: unknown): void {
    if (!isObject(data) || !Array.isArray(data.pairs)) throw invalidField('instrument data without pairs');
    for (const p of data.pairs) {
      if (!isObject(p) || typeof p.symbol !== 'string') continue;
      const price = p.price_precision;
      const qty = p.qty_precision;
      if (
        typeof price === 'number' &&
        typeof qty === 'number' &&
        Number.isInteger(price) &&
        Number.isInteger(qty)
      )
        this.precision.set(p.symbol, { price, qty });
    }
  }

  private v2Levels(
    v: unknown,
    name: string,
    instrument: string,
    prec: KrakenPrecision | undefined,
  ): WireLevel[] {
    if (!Array.isArray(v)) throw invalidField(`${name} must be an array`, instrument);
    return v.map((l: unknown) => {
      if (!isObject(l) || typeof l.price !== 'string' || typeof l.qty !== 'string')
        throw invalidField(`${name} level must be {price, qty} numbers`, instrument);
      return prec
        ? [padDecimal(l.price, prec.price, instrument), padDecimal(l.qty, prec.qty, instrument)]
        : [l.price, l.qty];
    });
  }

  private v2Book(msg: Json, localTs: number): MarketEvent[] {
    if (!Array.isArray(msg.data)) throw invalidField('book frame without data array');
    const type = msg.type;
    if (type !== 'snapshot' && type !== 'update')
      throw invalidField(`unknown book type ${JSON.stringify(type)}`);
    return msg.data.map((d: unknown): MarketEvent => {
      if (!isObject(d) || typeof d.symbol !== 'string') throw invalidField('book data without symbol');
      const instrument = `kraken:${d.symbol}`;
      const prec = this.precision.get(d.symbol);
      const bids = this.v2Levels(d.bids, 'bids', instrument, prec);
      const asks = this.v2Levels(d.asks, 'asks', instrument, prec);
      const c = d.checksum;
      if (c !== undefined && (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 0xffffffff))
        throw invalidField('checksum must be an unsigned 32-bit integer', instrument);
      const exchangeTs = typeof d.timestamp === 'string' ? Date.parse(d.timestamp) : NaN;
      const checksum = c === undefined ? {} : { checksum: c };
      if (type === 'snapshot')
        return {
          type: 'book_snapshot',
          instrument,
          exchangeTs,
          localTs,
          sequence: NaN,
          bids,
          asks,
          depthLimit: 0,
          ...checksum,
        };
      return {
        type: 'book_delta',
        instrument,
        exchangeTs,
        localTs,
        firstSequence: NaN,
        sequence: NaN,
        prevSequence: NaN,
        bids,
        asks,
        ...checksum,
      };
    });
  }

  private v2Trades(msg: Json, localTs: number): Trade[] {
    if (!Array.isArray(msg.data)) throw invalidField('trade frame without data array');
    return msg.data.map((t: unknown): Trade => {
      if (!isObject(t) || typeof t.symbol !== 'string') throw invalidField('trade without symbol');
      const instrument = `kraken:${t.symbol}`;
      if (typeof t.price !== 'string' || typeof t.qty !== 'string')
        throw invalidField('trade price/qty must be numbers', instrument);
      const prec = this.precision.get(t.symbol);
      const side: AggressorSide = t.side === 'buy' ? 'buy' : t.side === 'sell' ? 'sell' : 'unknown';
      return {
        type: 'trade',
        instrument,
        exchangeTs: typeof t.timestamp === 'string' ? Date.parse(t.timestamp) : NaN,
        localTs,
        id: String(t.trade_id ?? ''),
        price: prec ? padDecimal(t.price, prec.price, instrument) : t.price,
        size: prec ? padDecimal(t.qty, prec.qty, instrument) : t.qty,
        side,
      };
    });
  }

  private v1(arr: unknown[], localTs: number): MarketEvent[] {
    if (arr.length < 4) throw invalidField('v1 channel message too short');
    const channelName = arr[arr.length - 2];
    const pair = arr[arr.length - 1];
    if (typeof channelName !== 'string' || typeof pair !== 'string')
      throw invalidField('v1 message without channel name and pair');
    const instrument = `kraken:${pair}`;
    const payloads = arr.slice(1, -2);
    if (channelName === 'trade') return this.v1Trades(payloads[0], instrument, localTs);
    if (channelName === 'ticker' || channelName === 'spread') return []; // no book state the engine uses
    if (!channelName.startsWith('book-'))
      throw new MalformedFrameError('unknown_stream', `unsupported Kraken v1 channel ${channelName}`);
    const depth = Number(channelName.slice(5));
    const first = payloads[0];
    if (!isObject(first)) throw invalidField('v1 book payload must be an object', instrument);
    if ('as' in first || 'bs' in first) {
      const asks = (first.as ?? []) as WireLevel[];
      const bids = (first.bs ?? []) as WireLevel[];
      if (!Array.isArray(asks) || !Array.isArray(bids))
        throw invalidField('v1 snapshot as/bs must be arrays', instrument);
      return [
        {
          type: 'book_snapshot',
          instrument,
          exchangeTs: maxLevelTime(bids, maxLevelTime(asks, NaN)),
          localTs,
          sequence: NaN,
          bids,
          asks,
          depthLimit: Number.isInteger(depth) ? depth : 0,
        },
      ];
    }
    let asks: WireLevel[] = [];
    let bids: WireLevel[] = [];
    let checksum: number | undefined;
    for (const p of payloads) {
      if (!isObject(p)) throw invalidField('v1 book update payload must be an object', instrument);
      if (p.a !== undefined) {
        if (!Array.isArray(p.a)) throw invalidField('v1 `a` must be an array', instrument);
        asks = asks.concat(p.a as WireLevel[]);
      }
      if (p.b !== undefined) {
        if (!Array.isArray(p.b)) throw invalidField('v1 `b` must be an array', instrument);
        bids = bids.concat(p.b as WireLevel[]);
      }
      if (p.c !== undefined) {
        if (typeof p.c !== 'string' || !/^\d{1,10}$/.test(p.c) || Number(p.c) > 0xffffffff)
          throw invalidField('v1 checksum `c` must be an unsigned 32-bit integer string', instrument);
        checksum = Number(p.c);
      }
    }
    const delta: BookDelta = {
      type: 'book_delta',
      instrument,
      exchangeTs: maxLevelTime(bids, maxLevelTime(asks, NaN)),
      localTs,
      firstSequence: NaN,
      sequence: NaN,
      prevSequence: NaN,
      bids,
      asks,
      ...(checksum === undefined ? {} : { checksum }),
    };
    return [delta];
  }

  private v1Trades(v: unknown, instrument: string, localTs: number): Trade[] {
    if (!Array.isArray(v)) throw invalidField('v1 trade payload must be an array', instrument);
    return v.map((t: unknown, i): Trade => {
      if (
        !Array.isArray(t) ||
        typeof t[0] !== 'string' ||
        typeof t[1] !== 'string' ||
        typeof t[2] !== 'string'
      )
        throw invalidField('v1 trade must be [price, volume, time, side, ...]', instrument);
      return {
        type: 'trade',
        instrument,
        exchangeTs: Number(t[2]) * 1000,
        localTs,
        id: `${t[2]}#${i}`,
        price: t[0],
        size: t[1],
        side: t[3] === 'b' ? 'buy' : t[3] === 's' ? 'sell' : 'unknown',
      };
    });
  }
}
