/**
 * Kraken spot WebSocket v2 frame parser (today's protocol, live).
 *
 * Follows: Kraken API docs, "Spot WebSocket API v2": channels `book` (`type` snapshot|update, `data[]`
 * with `symbol`, `bids`/`asks` as `{price, qty}` JSON numbers, `checksum`, `timestamp` RFC 3339),
 * `trade` (`side` buy|sell of the taker, `trade_id`), `instrument` (`pairs[]` with `price_precision`,
 * `qty_precision`), `heartbeat`, `status`; method acks `{"method":"subscribe","success":...}`; and the
 * guide "Spot Websockets (v2) Book Checksum" (levels formatted to the pair's precisions).
 *
 * Field rules:
 * - instrument: `kraken:<symbol>` as v2 spells it (`BTC/USD`).
 * - Prices/sizes are taken from the frame text (not via a double) and padded to the instrument's
 *   precision when it is known from the `instrument` channel (or given to the constructor), as the
 *   checksum guide requires; without a known precision the wire text is used.
 * - exchangeTs: `timestamp` (ms, sub-ms digits kept as a fraction); NaN when absent.
 * - checksum: unsigned 32-bit. No sequence numbers: sequence/prevSequence NaN, the descriptor's rule is
 *   `unsequencedRule` (integrity from the checksum on every update).
 * - A v1 frame (array, or an `event` object) on a v2 connection is a typed `unsupported` error.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import { isObject, optChecksum, optIsoTime, parseJsonKeepingDecimals, reqNonEmpty } from '../fields.ts';
import { reqString, takerSide } from '../fields.ts';
import type { Json } from '../fields.ts';
import type { FeedParser } from '../types.ts';
import { unsequencedDelta } from '../events.ts';

/** Decimal places Kraken uses for an instrument's prices and quantities. */
export interface KrakenPrecision {
  price: number;
  qty: number;
}

/** v2 frames with `price`/`qty` JSON numbers, their wire text kept. */
const parseV2 = parseJsonKeepingDecimals(['price', 'qty']);

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

/** Parser for one Kraken v2 connection; remembers instrument precisions seen on it. */
export class KrakenV2Parser implements FeedParser {
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
    if (text.trimStart().startsWith('['))
      throw new MalformedFrameError('unsupported', 'Kraken v1 frame on a v2 connection');
    const msg = parseV2(text);
    if (typeof msg.event === 'string')
      throw new MalformedFrameError('unsupported', 'Kraken v1 event frame on a v2 connection');
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
        return this.book(msg, localTs);
      case 'trade':
        return this.trades(msg, localTs);
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
      if (Number.isInteger(price) && Number.isInteger(qty))
        this.precision.set(p.symbol, { price: price as number, qty: qty as number });
    }
  }

  private levels(v: unknown, name: string, instrument: string, prec?: KrakenPrecision): WireLevel[] {
    if (!Array.isArray(v)) throw invalidField(`${name} must be an array`, instrument);
    return v.map((l: unknown) => {
      if (!isObject(l)) throw invalidField(`${name} level must be {price, qty} numbers`, instrument);
      const price = reqString(l.price, `${name} price`, instrument);
      const qty = reqString(l.qty, `${name} qty`, instrument);
      return prec
        ? [padDecimal(price, prec.price, instrument), padDecimal(qty, prec.qty, instrument)]
        : [price, qty];
    });
  }

  private book(msg: Json, localTs: number): MarketEvent[] {
    if (!Array.isArray(msg.data)) throw invalidField('book frame without data array');
    const type = msg.type;
    if (type !== 'snapshot' && type !== 'update')
      throw invalidField(`unknown book type ${JSON.stringify(type)}`);
    return msg.data.map((d: unknown): MarketEvent => {
      if (!isObject(d)) throw invalidField('book data must be an object');
      const symbol = reqNonEmpty(d.symbol, 'book symbol');
      const instrument = `kraken:${symbol}`;
      const prec = this.precision.get(symbol);
      const bids = this.levels(d.bids, 'bids', instrument, prec);
      const asks = this.levels(d.asks, 'asks', instrument, prec);
      const c = optChecksum(d.checksum, instrument);
      const checksum = c === undefined ? undefined : c >>> 0;
      const exchangeTs = optIsoTime(d.timestamp, 'timestamp', instrument);
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
          ...(checksum === undefined ? {} : { checksum }),
        };
      return unsequencedDelta(instrument, exchangeTs, localTs, bids, asks, { checksum });
    });
  }

  private trades(msg: Json, localTs: number): Trade[] {
    if (!Array.isArray(msg.data)) throw invalidField('trade frame without data array');
    return msg.data.map((t: unknown): Trade => {
      if (!isObject(t)) throw invalidField('trade must be an object');
      const symbol = reqNonEmpty(t.symbol, 'trade symbol');
      const instrument = `kraken:${symbol}`;
      const price = reqString(t.price, 'trade price', instrument);
      const qty = reqString(t.qty, 'trade qty', instrument);
      const prec = this.precision.get(symbol);
      return {
        type: 'trade',
        instrument,
        exchangeTs: optIsoTime(t.timestamp, 'timestamp', instrument),
        localTs,
        id: String(t.trade_id ?? ''),
        price: prec ? padDecimal(price, prec.price, instrument) : price,
        size: prec ? padDecimal(qty, prec.qty, instrument) : qty,
        side: takerSide(t.side, 'trade side', instrument),
      };
    });
  }
}
