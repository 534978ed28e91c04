/**
 * Bitfinex WebSocket v2 public frame parser (P-precision books and trades).
 *
 * Follows: Bitfinex API docs, "WebSocket > General" (`wss://api-pub.bitfinex.com/ws/2`; events
 * `info`, `conf`, `subscribed {channel, chanId, symbol, prec, len}`, `unsubscribed`, `error`, `pong`;
 * channel messages `[CHAN_ID, ...]`; heartbeats `[CHAN_ID, "hb"]`), "Configuration" (`conf` flags:
 * SEQ_ALL 65536 adds a per-connection sequence number as the last element of every channel message;
 * OB_CHECKSUM 131072 adds `[CHAN_ID, "cs", CHECKSUM]` after each book change), "Books" (P0-P4:
 * snapshot `[CHAN_ID, [[PRICE, COUNT, AMOUNT], ...]]`, update `[CHAN_ID, [PRICE, COUNT, AMOUNT]]`;
 * COUNT > 0: set the level, AMOUNT > 0 bid, < 0 ask (size = |AMOUNT|); COUNT = 0: delete, AMOUNT 1
 * from the bids, -1 from the asks), "Trades" (`[CHAN_ID, "te", [ID, MTS, AMOUNT, PRICE]]`, AMOUNT > 0
 * a buy by the taker; the `tu` repeat and the snapshot of past trades are not emitted), and
 * "WebSocket Checksum".
 *
 * Numbers are JSON numbers on the wire: the frame is read with `quoteArrayNumbers` so prices and sizes
 * keep their exact text (exponent forms are written out as plain decimals).
 *
 * Sequence (per connection). Book messages must carry the SEQ_ALL number (the descriptor always asks
 * for it; a book message without one is rejected, `unsupported`): every book message of a channel
 * chains to the previous one of that channel (prevSequence = its number, sequence = this number;
 * rule `prevSequenceRule`), snapshot included. When the connection number jumps, messages were lost on
 * the connection and no one can tell which channel they were for: every book on the connection gets an
 * empty "gap marker" delta (prevSequence NaN) and resyncs (`connectionGaps` counts the jumps), as for
 * Coinbase. A checksum message becomes an empty delta carrying the checksum, chained like the others,
 * so the engine verifies the book at that point (checksum.ts).
 *
 * Field rules: instrument `bitfinex:<symbol>` as subscribed (`tBTCUSD`, `tTESTBTC:TESTUSD`); book
 * exchangeTs NaN (no time on book messages); trade exchangeTs MTS (ms).
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';
import { parseJson, parseObject, plainDecimal, quoteArrayNumbers, reqUint } from '../fields.ts';

/** `conf` flag: sequence numbers on every channel message. */
export const BITFINEX_SEQ_ALL = 65536;
/** `conf` flag: book checksum messages. */
export const BITFINEX_OB_CHECKSUM = 131072;

/** What one channel id stands for on a connection. */
interface Channel {
  channel: string;
  symbol: string;
  instrument: string;
  /** Book precision (`P0`...), '' for other channels. */
  prec: string;
}

/** Book levels of P-precision entries `[price, count, amount]` (wire text), split by side. */
export function bitfinexLevels(
  entries: readonly unknown[],
  instrument?: string,
): { bids: WireLevel[]; asks: WireLevel[] } {
  const bids: WireLevel[] = [];
  const asks: WireLevel[] = [];
  for (const e of entries) {
    if (
      !Array.isArray(e) ||
      e.length < 3 ||
      typeof e[0] !== 'string' ||
      typeof e[1] !== 'string' ||
      typeof e[2] !== 'string'
    )
      throw invalidField('book entry must be [PRICE, COUNT, AMOUNT]', instrument);
    const price = plainDecimal(e[0], instrument);
    const amount = plainDecimal(e[2], instrument);
    if (!/^\d+$/.test(e[1])) throw invalidField('book COUNT must be a non-negative integer', instrument);
    if (e[1] === '0' || /^0+$/.test(e[1])) {
      if (amount === '1') bids.push([price, '0']);
      else if (amount === '-1') asks.push([price, '0']);
      else throw invalidField('a deleted level must have AMOUNT 1 (bid) or -1 (ask)', instrument);
    } else if (amount.startsWith('-')) asks.push([price, amount.slice(1)]);
    else bids.push([price, amount]);
  }
  return { bids, asks };
}

const NUM = '-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?';
const LEVEL_UPDATE = new RegExp(`^\\[(\\d+),\\[(${NUM}),(\\d+),(${NUM})\\](?:,(\\d+))?\\]$`);
const CONTROL = /^\[(\d+),"(hb|cs)"(?:,(-?\d+))?(?:,(\d+))?\]$/;

/**
 * The common small frames (a level update, a heartbeat, a checksum) read with one anchored regex, as
 * the same string array `quoteArrayNumbers` + JSON.parse would give; null for anything else (snapshots,
 * trades, odd spacing), which takes the JSON path.
 */
export function fastFrame(text: string): unknown[] | null {
  let m = LEVEL_UPDATE.exec(text);
  if (m !== null) return m[5] === undefined ? [m[1], [m[2], m[3], m[4]]] : [m[1], [m[2], m[3], m[4]], m[5]];
  m = CONTROL.exec(text);
  if (m === null) return null;
  const out: unknown[] = [m[1], m[2]];
  if (m[3] !== undefined) out.push(m[3]);
  if (m[4] !== undefined) out.push(m[4]);
  return out;
}

/** Parser for one Bitfinex connection (stateful: channel ids, flags, connection sequence, chains). */
export class BitfinexParser implements FeedParser {
  /** `conf` flags acknowledged by the venue (0 until a `conf` OK arrives). */
  flags = 0;
  /** SEQ_ALL number of the last channel message, NaN before the first. */
  lastSequence = NaN;
  /** Jumps of the connection sequence seen so far. */
  connectionGaps = 0;
  private readonly channels = new Map<number, Channel>();
  /** Per book channel id: the sequence its next book message must name as prevSequence. */
  private readonly chain = new Map<number, number>();

  /**
   * @param onSubscribed told each subscription (`channel`, symbol → channel id; null when it ends), so
   *   the descriptor can unsubscribe by channel id (Bitfinex has no unsubscribe by symbol)
   */
  constructor(
    private readonly onSubscribed: (
      channel: string,
      symbol: string,
      chanId: number | null,
    ) => void = () => {},
  ) {}

  parse(text: string, localTs: number): readonly MarketEvent[] {
    if (text.charCodeAt(0) === 123 /* { */) return this.event(parseObject(text));
    const msg = fastFrame(text) ?? parseJson(quoteArrayNumbers(text));
    if (!Array.isArray(msg) || msg.length < 2) throw invalidField('channel message must be [CHAN_ID, ...]');
    const chanId = reqUint(msg[0], 'CHAN_ID');
    const out: MarketEvent[] = [];
    let seq = NaN;
    let end = msg.length;
    if (this.flags & BITFINEX_SEQ_ALL) {
      seq = reqUint(msg[end - 1], 'sequence');
      end--;
      if (!Number.isNaN(this.lastSequence) && seq !== this.lastSequence + 1) {
        this.connectionGaps++;
        for (const [id, ch] of this.channels)
          if (this.chain.delete(id)) out.push(this.marker(ch.instrument, seq, localTs));
      }
      this.lastSequence = seq;
    }
    const body = msg[1];
    // A heartbeat carries nothing but its sequence number; Bitfinex may send one before the channel's
    // `subscribed` event (seen in the 2021-04 capture).
    if (body === 'hb') return out;
    const ch = this.channels.get(chanId);
    if (ch === undefined)
      throw new MalformedFrameError('unknown_stream', `message on unknown channel ${chanId}`);
    if (ch.channel === 'book') out.push(...this.book(ch, chanId, body, msg, end, seq, localTs));
    else if (ch.channel === 'trades') {
      if (body === 'te') out.push(this.trade(ch, msg[2], localTs));
    }
    return out;
  }

  private event(o: Record<string, unknown>): MarketEvent[] {
    switch (o.event) {
      case 'subscribed': {
        const chanId = reqUint(o.chanId, 'chanId');
        const symbol = typeof o.symbol === 'string' ? o.symbol : typeof o.key === 'string' ? o.key : '';
        if (typeof o.channel !== 'string' || symbol === '')
          throw invalidField('subscribed without channel/symbol');
        this.channels.set(chanId, {
          channel: o.channel,
          symbol,
          instrument: `bitfinex:${symbol}`,
          prec: typeof o.prec === 'string' ? o.prec : '',
        });
        this.onSubscribed(o.channel, symbol, chanId);
        return [];
      }
      case 'unsubscribed': {
        const chanId = reqUint(o.chanId, 'chanId');
        const ch = this.channels.get(chanId);
        if (ch) this.onSubscribed(ch.channel, ch.symbol, null);
        this.channels.delete(chanId);
        this.chain.delete(chanId);
        return [];
      }
      case 'conf':
        if (o.status === 'OK') this.flags = typeof o.flags === 'number' ? o.flags : 0;
        return [];
      case 'error':
        throw new MalformedFrameError('unsupported', `Bitfinex error ${String(o.code)}: ${String(o.msg)}`);
      case 'info':
      case 'pong':
        return [];
      default:
        throw new MalformedFrameError(
          'unknown_stream',
          `unsupported Bitfinex event ${JSON.stringify(o.event ?? null)}`,
        );
    }
  }

  private book(
    ch: Channel,
    chanId: number,
    body: unknown,
    msg: unknown[],
    end: number,
    seq: number,
    localTs: number,
  ): MarketEvent[] {
    const instrument = ch.instrument;
    if (!/^P[0-4]$/.test(ch.prec) || !ch.symbol.startsWith('t'))
      throw new MalformedFrameError(
        'unsupported',
        `only P-precision trading-pair books are supported (${ch.prec} ${ch.symbol})`,
        instrument,
      );
    if (Number.isNaN(seq))
      throw new MalformedFrameError(
        'unsupported',
        'Bitfinex book message without a sequence number: the connection must send conf flags 65536',
        instrument,
      );
    const prev = this.chain.get(chanId);
    if (body === 'cs') {
      if (end < 3) throw invalidField('checksum message without CHECKSUM', instrument);
      const c = msg[2];
      const n = typeof c === 'string' && /^-?\d+$/.test(c) ? Number(c) : NaN;
      if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff)
        throw invalidField('CHECKSUM must be a signed 32-bit integer', instrument);
      if (prev !== undefined) this.chain.set(chanId, seq);
      return [{ ...this.delta(instrument, seq, prev, [], [], localTs), checksum: n }];
    }
    if (!Array.isArray(body)) throw invalidField('book message must carry levels', instrument);
    if (body.length === 0 || Array.isArray(body[0])) {
      const { bids, asks } = bitfinexLevels(body, instrument);
      this.chain.set(chanId, seq);
      return [
        {
          type: 'book_snapshot',
          instrument,
          exchangeTs: NaN,
          localTs,
          sequence: seq,
          bids,
          asks,
          depthLimit: 0,
        },
      ];
    }
    const { bids, asks } = bitfinexLevels([body], instrument);
    if (prev !== undefined) this.chain.set(chanId, seq);
    return [this.delta(instrument, seq, prev, bids, asks, localTs)];
  }

  private delta(
    instrument: string,
    seq: number,
    prev: number | undefined,
    bids: WireLevel[],
    asks: WireLevel[],
    localTs: number,
  ): BookDelta {
    return {
      type: 'book_delta',
      instrument,
      exchangeTs: NaN,
      localTs,
      firstSequence: seq,
      sequence: seq,
      prevSequence: prev ?? NaN,
      bids,
      asks,
    };
  }

  private marker(instrument: string, seq: number, localTs: number): BookDelta {
    return this.delta(instrument, seq, undefined, [], [], localTs);
  }

  private trade(ch: Channel, t: unknown, localTs: number): Trade {
    const instrument = ch.instrument;
    if (!Array.isArray(t) || t.length < 4 || t.some((x, i) => i < 4 && typeof x !== 'string'))
      throw invalidField('trade must be [ID, MTS, AMOUNT, PRICE]', instrument);
    const amount = plainDecimal(t[2] as string, instrument);
    if (/^-?0*\.?0*$/.test(amount)) throw invalidField('trade AMOUNT must not be zero', instrument);
    return {
      type: 'trade',
      instrument,
      exchangeTs: reqUint(t[1], 'MTS', instrument),
      localTs,
      id: t[0] as string,
      price: plainDecimal(t[3] as string, instrument),
      size: amount.startsWith('-') ? amount.slice(1) : amount,
      side: amount.startsWith('-') ? 'sell' : 'buy',
    };
  }
}
