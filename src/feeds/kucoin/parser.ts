/**
 * KuCoin WebSocket frame parser: spot (`kucoin`) and futures (`kucoin-futures`), and their REST
 * order-book snapshots.
 *
 * Follows: KuCoin API docs (docs-new), "Spot > Public Channels > Orderbook - Increment"
 * (`/market/level2:{symbol}`, subject `trade.l2update`, `data: {changes: {asks, bids: [[price, size,
 * sequence]]}, sequenceStart, sequenceEnd, symbol, time}`; "update the price level only when the change's
 * sequence is greater than the local one"; a change with price "0" carries a sequence only), "Spot >
 * Match Execution Data" (`/market/match:{symbol}`, subject `trade.l3match`: `{symbol, sequence, side,
 * size, price, tradeId, time (ns)}`, side = taker side), "Futures > Public Channels > Orderbook -
 * Increment" (`/contractMarket/level2:{symbol}`, subject `level2`, `data: {sequence, change:
 * "price,side,size", timestamp}`, one change a message, sequences +1), "Futures > Trade"
 * (`/contractMarket/execution:{symbol}`, subject `match`, size in lots, `ts` ns), and the control
 * messages `welcome`, `ack`, `pong`, `error`.
 *
 * Field rules:
 * - venue from the topic: `/market/...` → `kucoin`, `/contractMarket/...` → `kucoin-futures`.
 * - Spot increments are split into one book_delta per change sequence: delta k covers the ids after the
 *   previous one up to its change's sequence (the first starts at `sequenceStart`, an empty last one
 *   reaches `sequenceEnd` when no change carries it), so the range rule applies KuCoin's per-change
 *   filter exactly: a change at or below the snapshot's sequence is stale, the next is applied.
 * - Futures: one book_delta per message at `sequence`; side `buy` → bids, `sell` → asks.
 * - Prices and sizes stay wire strings; futures JSON integer sizes become their exact digits.
 * - Tickers, candles and other topics give no events.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, BookSnapshot, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';
import {
  exactAmount,
  isObject,
  optTime,
  parseJson,
  parseObject,
  quoteArrayNumbers,
  reqNonEmpty,
  reqString,
  reqUint,
  takerSide,
  type Json,
} from '../fields.ts';

const IGNORED =
  /^\/(market\/(ticker|candles|snapshot)|contractMarket\/(ticker|tickerV2|level2Depth\d+|snapshot))[:/]/;

/** Parser for one KuCoin connection (spot or futures). Stateless. */
export class KucoinParser implements FeedParser {
  parse(text: string, localTs: number): readonly MarketEvent[] {
    const msg = parseObject(text);
    const type = msg.type;
    if (type === 'welcome' || type === 'ack' || type === 'pong') return [];
    if (type === 'error')
      throw new MalformedFrameError('unsupported', `KuCoin error ${String(msg.code)}: ${String(msg.data)}`);
    if (type !== 'message') throw invalidField(`unknown message type ${JSON.stringify(type)}`);
    const topic = reqNonEmpty(msg.topic, 'topic');
    if (IGNORED.test(topic)) return [];
    const colon = topic.indexOf(':');
    const channel = colon < 0 ? topic : topic.slice(0, colon);
    const data = msg.data;
    if (!isObject(data)) throw invalidField('message data must be an object');
    switch (channel) {
      case '/market/level2':
        return this.spotIncrement(
          data,
          `kucoin:${reqNonEmpty(data.symbol ?? topic.slice(colon + 1), 'symbol')}`,
          localTs,
        );
      case '/market/match':
        return [this.trade(data, `kucoin:${reqNonEmpty(data.symbol, 'symbol')}`, data.time, localTs)];
      case '/contractMarket/level2':
        return [this.futuresIncrement(data, `kucoin-futures:${topic.slice(colon + 1)}`, localTs)];
      case '/contractMarket/execution':
        return [this.trade(data, `kucoin-futures:${reqNonEmpty(data.symbol, 'symbol')}`, data.ts, localTs)];
      default:
        throw new MalformedFrameError('unknown_stream', `unsupported KuCoin topic ${JSON.stringify(topic)}`);
    }
  }

  private spotIncrement(d: Json, instrument: string, localTs: number): BookDelta[] {
    const start = reqUint(d.sequenceStart, 'sequenceStart', instrument);
    const end = reqUint(d.sequenceEnd, 'sequenceEnd', instrument);
    if (end < start) throw invalidField(`sequenceEnd ${end} < sequenceStart ${start}`, instrument);
    const changes = d.changes;
    if (!isObject(changes)) throw invalidField('changes must be an object', instrument);
    const bySeq = new Map<number, { bids: WireLevel[]; asks: WireLevel[] }>();
    for (const side of ['bids', 'asks'] as const) {
      const list = changes[side];
      if (!Array.isArray(list)) throw invalidField(`changes.${side} must be an array`, instrument);
      for (const c of list) {
        if (!Array.isArray(c) || c.length < 3)
          throw invalidField('change must be [price, size, sequence]', instrument);
        const seq = reqUint(c[2], 'change sequence', instrument);
        if (seq < start || seq > end)
          throw invalidField(`change sequence ${seq} outside ${start}..${end}`, instrument);
        let g = bySeq.get(seq);
        if (!g) bySeq.set(seq, (g = { bids: [], asks: [] }));
        if (c[0] !== '0') g[side].push([c[0], c[1]] as unknown as WireLevel); // price "0": sequence only
      }
    }
    const ts = optTime(d.time, 'time', 'ms', instrument);
    const out: BookDelta[] = [];
    let next = start;
    const emit = (upTo: number, bids: WireLevel[], asks: WireLevel[]): void => {
      out.push({
        type: 'book_delta',
        instrument,
        exchangeTs: ts,
        localTs,
        firstSequence: next,
        sequence: upTo,
        prevSequence: NaN,
        bids,
        asks,
      });
      next = upTo + 1;
    };
    for (const seq of [...bySeq.keys()].sort((a, b) => a - b)) {
      const g = bySeq.get(seq)!;
      emit(seq, g.bids, g.asks);
    }
    if (next <= end) emit(end, [], []);
    return out;
  }

  private futuresIncrement(d: Json, instrument: string, localTs: number): BookDelta {
    const seq = reqUint(d.sequence, 'sequence', instrument);
    const change = reqString(d.change, 'change', instrument).split(',');
    if (change.length !== 3) throw invalidField('change must be "price,side,size"', instrument);
    const [price, side, size] = change as [string, string, string];
    const level = [[price, size] as unknown as WireLevel];
    const buy = side === 'buy';
    if (!buy && side !== 'sell')
      throw invalidField(`change side must be buy or sell, got ${side}`, instrument);
    return {
      type: 'book_delta',
      instrument,
      exchangeTs: optTime(d.timestamp, 'timestamp', 'ms', instrument),
      localTs,
      firstSequence: seq,
      sequence: seq,
      prevSequence: NaN,
      bids: buy ? level : [],
      asks: buy ? [] : level,
    };
  }

  private trade(d: Json, instrument: string, nsTime: unknown, localTs: number): Trade {
    const id = d.tradeId;
    if (typeof id !== 'string' && typeof id !== 'number') throw invalidField('tradeId missing', instrument);
    return {
      type: 'trade',
      instrument,
      exchangeTs: optTime(nsTime, 'time', 'ns', instrument),
      localTs,
      id: String(id),
      price: reqString(d.price, 'price', instrument),
      size: exactAmount(d.size, 'size', instrument),
      side: takerSide(d.side, 'side', instrument),
    };
  }
}

/**
 * A REST order book as a snapshot: `{"code":"200000","data":{"sequence","time"|"ts","bids":[[p, s]],
 * "asks"}}`. Spot sends strings; futures sends sizes as JSON integers (quoted before parsing, exact).
 * depthLimit: 100 when both sides hold at most 100 levels (the public `level2_100` answer), 0 for a
 * longer, full book (`/api/v3/market/orderbook/level2`, futures `/api/v1/level2/snapshot`, the 2021
 * recordings' `/api/v2/market/orderbook/level2`).
 * @throws {MalformedFrameError} on a malformed body or a code other than 200000
 */
export function parseKucoinSnapshot(body: string, instrument: string, localTs: number): BookSnapshot {
  const o = parseJson(quoteArrayNumbers(body));
  if (!isObject(o) || o.code !== '200000' || !isObject(o.data))
    throw new MalformedFrameError(
      'unsupported',
      `KuCoin order book error ${String(isObject(o) ? o.code : '?')}: ${String(isObject(o) ? o.msg : '')}`,
      instrument,
    );
  const d = o.data;
  if (!Array.isArray(d.bids) || !Array.isArray(d.asks))
    throw invalidField('bids/asks must be arrays', instrument);
  const full = d.bids.length > 100 || d.asks.length > 100;
  return {
    type: 'book_snapshot',
    instrument,
    exchangeTs:
      d.time !== undefined
        ? optTime(d.time, 'time', 'ms', instrument)
        : optTime(d.ts, 'ts', 'ns', instrument),
    localTs,
    sequence: reqUint(d.sequence, 'sequence', instrument),
    bids: d.bids as WireLevel[],
    asks: d.asks as WireLevel[],
    depthLimit: full ? 0 : 100,
  };
}
