/**
 * Coinbase Exchange ("Pro") WebSocket feed parser: the legacy protocol of the coinbase-2021-04
 * recordings.
 *
 * Follows: Coinbase "Exchange WebSocket Feed > Channels": `level2` (`snapshot` with `bids`/`asks`
 * `[price, size]`, `l2update` with `changes: [[buy|sell, price, size]]`, `time` RFC 3339), `matches`
 * (`match`/`last_match` whose `side` is the MAKER's side, so the taker is the opposite side), `ticker`,
 * `heartbeat`, `subscriptions`.
 *
 * `level2` carries no sequence: the parser numbers each product's messages itself (snapshot 0, then 1,
 * 2, ...), so the chain the descriptor's `prevSequenceRule` checks is always continuous and integrity
 * rests on the book never crossing. A delta for a product with no snapshot yet has prevSequence NaN (a
 * gap until its snapshot). `last_match` (the trade before the subscription), `ticker`, `heartbeat` and
 * `subscriptions` are ignored (no events). An Advanced Trade message (`channel`: parser-advanced.ts) is a
 * typed `unsupported` error here.
 *
 * Field rules: instrument `coinbase:<product_id>`; exchangeTs from `time`; prices and sizes are the wire
 * strings.
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { MarketEvent, WireLevel } from '../../core/model.ts';
import { levelList, optIsoTime, parseObject, reqNonEmpty, reqString, takerSide } from '../fields.ts';
import type { Json } from '../fields.ts';
import type { FeedParser } from '../types.ts';

/** Parser for one Coinbase Exchange connection (stateful: per-product message numbers). */
export class CoinbaseLegacyParser implements FeedParser {
  /** Per product: the number of its last level2 message (absent before its snapshot). */
  private readonly chain = new Map<string, number>();

  parse(text: string, localTs: number): readonly MarketEvent[] {
    const msg = parseObject(text);
    if (typeof msg.channel === 'string')
      throw new MalformedFrameError(
        'unsupported',
        'Coinbase Advanced Trade message on a legacy Exchange connection',
      );
    switch (msg.type) {
      case 'error':
        throw new MalformedFrameError(
          'unsupported',
          `Coinbase error: ${String(msg.message)} ${String(msg.reason ?? '')}`,
        );
      case 'snapshot': {
        const [product, instrument] = this.productOf(msg);
        const bids = levelList(msg.bids, 'snapshot bids', instrument);
        const asks = levelList(msg.asks, 'snapshot asks', instrument);
        this.chain.set(product, 0);
        return [
          {
            type: 'book_snapshot',
            instrument,
            exchangeTs: optIsoTime(msg.time, 'time', instrument),
            localTs,
            sequence: 0,
            bids,
            asks,
            depthLimit: 0,
          },
        ];
      }
      case 'l2update': {
        const [product, instrument] = this.productOf(msg);
        if (!Array.isArray(msg.changes)) throw invalidField('l2update changes must be an array', instrument);
        const bids: WireLevel[] = [];
        const asks: WireLevel[] = [];
        for (const c of msg.changes) {
          if (!Array.isArray(c))
            throw invalidField('l2update change must be [side, price, size]', instrument);
          const level: WireLevel = [
            reqString(c[1], 'l2update price', instrument),
            reqString(c[2], 'l2update size', instrument),
          ];
          if (c[0] === 'buy') bids.push(level);
          else if (c[0] === 'sell') asks.push(level);
          else throw invalidField(`l2update side must be buy or sell`, instrument);
        }
        const prev = this.chain.get(product);
        const seq = prev === undefined ? NaN : prev + 1;
        if (prev !== undefined) this.chain.set(product, seq);
        return [
          {
            type: 'book_delta',
            instrument,
            exchangeTs: optIsoTime(msg.time, 'time', instrument),
            localTs,
            firstSequence: seq,
            sequence: seq,
            prevSequence: prev ?? NaN,
            bids,
            asks,
          },
        ];
      }
      case 'match': {
        const [, instrument] = this.productOf(msg);
        // `side` is the maker order's side: a sell maker was lifted by a buying taker.
        const maker = takerSide(msg.side, 'match side', instrument);
        return [
          {
            type: 'trade',
            instrument,
            exchangeTs: optIsoTime(msg.time, 'time', instrument),
            localTs,
            id: String(msg.trade_id ?? ''),
            price: reqString(msg.price, 'match price', instrument),
            size: reqString(msg.size, 'match size', instrument),
            side: maker === 'sell' ? 'buy' : 'sell',
          },
        ];
      }
      case 'last_match':
      case 'ticker':
      case 'subscriptions':
      case 'heartbeat':
        return [];
      default:
        throw new MalformedFrameError(
          'unknown_stream',
          `unsupported Coinbase message type ${JSON.stringify(msg.type ?? null)}`,
        );
    }
  }

  /** `[product_id, instrument id]` of a message. */
  private productOf(msg: Json): [string, string] {
    const product = reqNonEmpty(msg.product_id, 'product_id');
    return [product, `coinbase:${product}`];
  }
}
