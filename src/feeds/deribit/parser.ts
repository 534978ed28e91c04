/**
 * Deribit API v2 WebSocket frame parser (JSON-RPC 2.0 over WebSocket).
 *
 * Follows: Deribit API v2 docs, "Notifications" (a notification is a JSON-RPC request without `id`:
 * `{"jsonrpc":"2.0","method":"subscription","params":{"channel","data"}}`), subscription channels
 * "book.{instrument_name}.{interval}" (the first notification is the full book, `type: "snapshot"`, then
 * `type: "change"` notifications; levels are `[action, price, amount]` with action `new`|`change`|`delete`;
 * every notification has `change_id`, every one but the first `prev_change_id`, equal to the previous
 * notification's `change_id` when nothing was missed) and "trades.{instrument_name}.{interval}" (`price`,
 * `amount`, `direction` buy|sell = the taker's side, `trade_id`, `trade_seq`, `timestamp` ms), and
 * "public/subscribe", "public/test", "public/set_heartbeat" (responses carry the request `id`; the
 * server's `heartbeat` notifications with `type: "test_request"` want a `public/test` call back).
 * The `.raw` interval of the 2021 recordings has the same shape as today's `.100ms`.
 *
 * Field rules:
 * - instrument `deribit:<instrument_name>` (`BTC-PERPETUAL`, `BTC-24SEP21-40000-P`).
 * - snapshot → BookSnapshot, sequence `change_id`, full book (depthLimit 0).
 * - change → BookDelta, firstSequence = sequence = `change_id`, prevSequence = `prev_change_id` (the
 *   book's prev-sequence rule checks the chain); a `delete` level becomes size "0".
 * - Prices and amounts are JSON numbers on the wire: their exact text is kept (quoted before JSON.parse,
 *   src/feeds/fields.ts; an exponent form expanded). Amount units: USD for inverse futures/perpetuals, the coin for options and
 *   linear contracts (the instrument spec says which; see instruments.ts).
 * - `ticker.*` and other channels the recordings carry give no book or trade events (ignored).
 */
import { MalformedFrameError, invalidField } from '../../core/errors.ts';
import type { BookDelta, BookSnapshot, MarketEvent, Trade, WireLevel } from '../../core/model.ts';
import type { FeedParser } from '../types.ts';
import {
  expandExponent,
  isObject,
  optInt,
  optTime,
  parseJson,
  parseJsonKeepingDecimals,
  quoteArrayNumbers,
  reqNonEmpty,
  reqUint,
  takerSide,
  type Json,
} from '../fields.ts';

const parseTrades = parseJsonKeepingDecimals(['price', 'amount']);

/** `deribit:<instrument_name>`. */
export function deribitInstrument(name: string): string {
  return `deribit:${name}`;
}

/**
 * Deribit levels `[action, price, amount]` → wire levels `[price, size]` (size "0" for `delete`).
 * Price and amount are passed on unchecked: the book validates them (a bad level resyncs the book).
 * @throws {MalformedFrameError} `invalid_field` when the list or an action is not Deribit's
 */
function levels(v: unknown, name: string, instrument: string): WireLevel[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw invalidField(`${name} must be an array of levels`, instrument);
  const out: WireLevel[] = [];
  for (const l of v) {
    if (!Array.isArray(l) || l.length < 3)
      throw invalidField(`${name} level must be [action, price, amount]`, instrument);
    const action = l[0];
    if (action === 'delete') out.push([expandExponent(l[1]) as string, '0']);
    else if (action === 'new' || action === 'change')
      out.push([expandExponent(l[1]) as string, expandExponent(l[2]) as string]);
    else throw invalidField(`${name} level action must be new, change or delete`, instrument);
  }
  return out;
}

/** Parser for one Deribit connection. Stateless. */
export class DeribitParser implements FeedParser {
  parse(text: string, localTs: number): readonly MarketEvent[] {
    const isBook = text.includes('"channel":"book.');
    const isTrades = !isBook && text.includes('"channel":"trades.');
    const msg = isBook ? parseJson(quoteArrayNumbers(text)) : isTrades ? parseTrades(text) : parseJson(text);
    if (!isObject(msg)) throw new MalformedFrameError('invalid_field', 'frame must be a JSON object');
    if (msg.method !== 'subscription') {
      if (isObject(msg.error))
        throw new MalformedFrameError(
          'unsupported',
          `Deribit error ${String(msg.error.code)}: ${String(msg.error.message)}`,
        );
      // Responses to our requests (subscribe, test) and the server's heartbeat notifications.
      if ('result' in msg || msg.method === 'heartbeat') return [];
      throw new MalformedFrameError('invalid_field', 'frame is neither a notification nor a response');
    }
    const params = msg.params;
    if (!isObject(params) || typeof params.channel !== 'string')
      throw new MalformedFrameError('invalid_field', 'subscription without params.channel');
    const channel = params.channel;
    if (channel.startsWith('book.')) return [this.book(params.data, channel, localTs)];
    if (channel.startsWith('trades.')) return this.trades(params.data, channel, localTs);
    if (channel.startsWith('ticker.') || channel.startsWith('deribit_price_index.')) return [];
    throw new MalformedFrameError('unknown_stream', `unsupported Deribit channel ${JSON.stringify(channel)}`);
  }

  private book(data: unknown, channel: string, localTs: number): BookSnapshot | BookDelta {
    const name = channel.split('.')[1] ?? '';
    if (!isObject(data)) throw invalidField('book data must be an object', deribitInstrument(name));
    const instrument = deribitInstrument(reqNonEmpty(data.instrument_name, 'instrument_name'));
    const changeId = reqUint(data.change_id, 'change_id', instrument);
    const exchangeTs = optTime(data.timestamp, 'timestamp', 'ms', instrument);
    const bids = levels(data.bids, 'bids', instrument);
    const asks = levels(data.asks, 'asks', instrument);
    if (data.type === 'snapshot')
      return {
        type: 'book_snapshot',
        instrument,
        exchangeTs,
        localTs,
        sequence: changeId,
        bids,
        asks,
        depthLimit: 0,
      };
    if (data.type !== 'change')
      throw invalidField(
        `book type must be snapshot or change (grouped book channels are not supported), got ${JSON.stringify(data.type)}`,
        instrument,
      );
    const prev = optInt(data.prev_change_id, 'prev_change_id', instrument);
    return {
      type: 'book_delta',
      instrument,
      exchangeTs,
      localTs,
      firstSequence: changeId,
      sequence: changeId,
      // A change without prev_change_id cannot be chained: -1 never equals a change_id, so it is a gap.
      prevSequence: Number.isNaN(prev) ? -1 : prev,
      bids,
      asks,
    };
  }

  private trades(data: unknown, channel: string, localTs: number): Trade[] {
    const fallback = deribitInstrument(channel.split('.')[1] ?? '');
    if (!Array.isArray(data)) throw invalidField('trades data must be an array', fallback);
    return data.map((t: unknown): Trade => {
      if (!isObject(t)) throw invalidField('trade must be an object', fallback);
      const instrument =
        typeof t.instrument_name === 'string' ? deribitInstrument(t.instrument_name) : fallback;
      return tradeOf(t, instrument, localTs);
    });
  }
}

function tradeOf(t: Json, instrument: string, localTs: number): Trade {
  if (typeof t.price !== 'string' || typeof t.amount !== 'string')
    throw invalidField('trade must have numeric price and amount', instrument);
  return {
    type: 'trade',
    instrument,
    exchangeTs: optTime(t.timestamp, 'timestamp', 'ms', instrument),
    localTs,
    id: String(t.trade_id ?? ''),
    price: expandExponent(t.price) as string,
    size: expandExponent(t.amount) as string,
    side: takerSide(t.direction, 'direction', instrument),
  };
}
