/**
 * OKX v5 public WebSocket frame parser (today's protocol).
 *
 * Follows: OKX API v5 docs, "WebSocket > Order book channel" (`books` 400 levels, `books5`, `bbo-tbt`,
 * `books-l2-tbt`, `books50-l2-tbt`; `action` snapshot|update; `asks`/`bids` as
 * `[price, size, deprecated, orderCount]` strings; `ts` ms; `checksum`; `seqId`/`prevSeqId`),
 * "WebSocket > Trades channel" (`tradeId`, `px`, `sz`, `side` = taker side, `ts`), and "WebSocket >
 * Overview > Connect" (text `ping` → `pong`; `event` frames for subscribe/unsubscribe/error).
 *
 * Field rules:
 * - instrument: `okx:<instId>` (e.g. `okx:BTC-USDT`, `okx:BTC-USDT-SWAP`).
 * - exchangeTs: `ts` (ms). Snapshots/deltas: sequence = `seqId`, prevSequence = `prevSeqId`. A book push
 *   without them reads NaN, which the venue's strict rule (okxSequenceRule) reports as a gap: only the
 *   2022 generation (parser-2022.ts) declares its pushes unsequenced.
 * - `books5` and `bbo-tbt` pushes are whole depth-limited images: emitted as snapshots (depthLimit 5 / 1).
 * - `tickers` frames carry no book state the engine uses and are ignored (return no events).
 */
import { parseOkxFundingRate } from './funding.ts';
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, BookSnapshot, MarketEvent, Trade } from '../../core/model.ts';
import { isObject, levelList, optChecksum, optInt, parseObject, reqNonEmpty, reqString } from '../fields.ts';
import { takerSide } from '../fields.ts';
import type { Json } from '../fields.ts';
import type { FeedParser } from '../types.ts';
import { OKX_BOOK_DEPTH, okxWholeImageChannel } from './channels.ts';
import { scanOkxBookFrame } from './scanner.ts';
import { bookDelta, bookSnapshot } from '../events.ts';

export { OKX_BOOK_DEPTH } from './channels.ts';

/** Channels ignored on purpose (no events). */
const IGNORED_CHANNELS = new Set(['tickers']);

/** The sequence fields of one book push, as a generation reads them. */
export interface OkxSequence {
  sequence: number;
  prevSequence: number;
  /** Declared by the generation (parser-2022.ts): the channel has no sequence. */
  unsequenced?: true;
}

/** Parser for one OKX v5 public connection. Stateless. */
export class OkxV5Parser implements FeedParser {
  /**
   * This generation's book pushes carry no `seqId`/`prevSeqId` (parser-2022.ts): tells the frame
   * scanner to decline pushes that do and to flag deltas unsequenced, as sequenceOf does.
   */
  protected readonly unsequencedPushes: boolean = false;
  private readonly prefix: string;

  constructor(readonly venue: string = 'okx') {
    this.prefix = venue + ':';
  }

  parse(text: string, localTs: number): readonly MarketEvent[] {
    // Fast path (scanner.ts): a book push read in place; the same event as parseJson below, or null for
    // anything it does not recognise exactly.
    const e = scanOkxBookFrame(text, this.prefix, localTs, this.unsequencedPushes);
    if (e !== null) return [e];
    return this.parseJson(text, localTs);
  }

  /**
   * The plain JSON path: JSON.parse, then the push's channel. Every frame the scanner declines comes
   * here; test/fuzz-scanner-okx.test.ts compares the two.
   * @returns the push's events; empty for `pong`, acknowledgements and ignored channels
   * @throws {MalformedFrameError} `malformed_json`, `invalid_field`, `unknown_stream`, `unsupported`
   */
  parseJson(text: string, localTs: number): readonly MarketEvent[] {
    if (text === 'pong') return [];
    const msg = parseObject(text);
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
    if (channel === 'funding-rate') return parseOkxFundingRate(this.venue, data, localTs);
    const depth = OKX_BOOK_DEPTH[channel];
    if (depth === undefined)
      throw new MalformedFrameError('unknown_stream', `unsupported OKX channel ${JSON.stringify(channel)}`);
    const instrument = `${this.venue}:${reqNonEmpty(arg.instId, 'book push arg.instId')}`;
    const action = msg.action;
    const whole = action === 'snapshot' || okxWholeImageChannel(channel);
    if (!whole && action !== 'update')
      throw invalidField(`unknown book action ${JSON.stringify(action)}`, instrument);
    const out: MarketEvent[] = [];
    for (const d of data) {
      if (!isObject(d)) throw invalidField('book data must be an object', instrument);
      out.push(whole ? this.snapshot(d, instrument, depth, localTs) : this.delta(d, instrument, localTs));
    }
    return out;
  }

  /** This generation's sequence fields of a book push: `seqId`/`prevSeqId` (NaN when absent). */
  protected sequenceOf(d: Json, instrument: string): OkxSequence {
    return {
      sequence: optInt(d.seqId, 'seqId', instrument),
      prevSequence: optInt(d.prevSeqId, 'prevSeqId', instrument),
    };
  }

  private checksumOf(d: Json, instrument: string): number | undefined {
    if (typeof d.checksum === 'number' && (d.checksum > 0x7fffffff || d.checksum < -0x80000000))
      throw invalidField('checksum must be a signed 32-bit integer', instrument);
    return optChecksum(d.checksum, instrument);
  }

  private snapshot(d: Json, instrument: string, depth: number, localTs: number): BookSnapshot {
    return bookSnapshot(
      instrument,
      optInt(d.ts, 'ts', instrument),
      localTs,
      this.sequenceOf(d, instrument).sequence,
      levelList(d.bids, 'bids', instrument),
      levelList(d.asks, 'asks', instrument),
      depth,
      this.checksumOf(d, instrument),
    );
  }

  private delta(d: Json, instrument: string, localTs: number): BookDelta {
    const s = this.sequenceOf(d, instrument);
    return bookDelta(
      instrument,
      optInt(d.ts, 'ts', instrument),
      localTs,
      s.sequence,
      s.sequence,
      s.prevSequence,
      levelList(d.bids, 'bids', instrument),
      levelList(d.asks, 'asks', instrument),
      this.checksumOf(d, instrument),
      s.unsequenced === true,
    );
  }

  private trade(t: unknown, localTs: number): Trade {
    if (!isObject(t)) throw invalidField('trade must be an object with instId');
    const instrument = `${this.venue}:${reqNonEmpty(t.instId, 'trade instId')}`;
    if (typeof t.tradeId !== 'string' && typeof t.tradeId !== 'number')
      throw invalidField('tradeId missing', instrument);
    return {
      type: 'trade',
      instrument,
      exchangeTs: optInt(t.ts, 'ts', instrument),
      localTs,
      id: String(t.tradeId),
      price: reqString(t.px, 'trade px', instrument),
      size: reqString(t.sz, 'trade sz', instrument),
      side: takerSide(t.side, 'trade side', instrument),
    };
  }
}
