/**
 * Kraken Futures (Kraken Derivatives) venue descriptor.
 *
 * Follows: Kraken Futures docs, "WebSocket API v1" (URL `wss://futures.kraken.com/ws/v1`; `{"event":
 * "subscribe"|"unsubscribe","feed":"book"|"trade","product_ids":[...]}`; "send a ping at least every 60
 * seconds to keep the connection open": WebSocket ping frames here), "Public feeds > Book" (one
 * `book_snapshot` per product after subscribing, then `book` updates whose `seq` increases by one per
 * product) and "Trade", and "REST API v3 > Instruments" for the reference.
 *
 * Resync: a missing `seq` (consecutive rule) unsubscribes and subscribes the product's `book` feed; the
 * venue then sends a new `book_snapshot`.
 */
import { perpetualSymbols } from '../funding.ts';
import { consecutiveRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';
import { KrakenFuturesParser } from './parser.ts';
import { krakenFuturesReference } from './instruments.ts';

/** The `ticker` feed request for the perpetuals among `symbols` (none when there is none). */
function tickerRequests(event: 'subscribe' | 'unsubscribe', symbols: readonly string[]): string[] {
  const perps = perpetualSymbols('kraken-futures', symbols);
  return perps.length > 0 ? [request(event, 'ticker', perps)] : [];
}

function request(event: 'subscribe' | 'unsubscribe', feed: string, symbols: readonly string[]): string {
  return JSON.stringify({ event, feed, product_ids: symbols });
}

/** Kraken Futures. */
export const krakenFutures: VenueAdapter = {
  id: 'kraken-futures',
  name: 'Kraken Futures',
  docs: [
    'Kraken Futures: WebSocket API v1 (subscriptions, ping every 60 s)',
    'Kraken Futures: WebSocket API v1 > Public feeds > Book (book_snapshot, book, seq); Trade',
    'Kraken Futures: REST API v3 > Instruments',
  ],
  sync: {
    rule: consecutiveRule,
    snapshotSource: 'stream',
    coverage: 'snapshot',
  },
  ws: {
    url: 'wss://futures.kraken.com',
    maxSymbolsPerConnection: 50,
    pingIntervalMs: 30_000,
    staleAfterMs: 60_000,
  },
  // Public REST (instrument list); Kraken Futures "Rate limits": 500 cost units per 10 s on derivatives.
  rest: { url: 'https://futures.kraken.com', weightPerMinute: 3000 },
  createParser: () => new KrakenFuturesParser(),
  subscribe(wsBase, symbols) {
    return {
      url: `${wsBase.replace(/\/$/, '')}/ws/v1`,
      messages: [
        request('subscribe', 'book', symbols),
        request('subscribe', 'trade', symbols),
        // Perpetuals also get the `ticker` feed for funding (funding.ts).
        ...tickerRequests('subscribe', symbols),
      ],
    };
  },
  unsubscribe: (symbols) => [
    request('unsubscribe', 'book', symbols),
    request('unsubscribe', 'trade', symbols),
    ...tickerRequests('unsubscribe', symbols),
  ],
  resubscribe: (symbol) => [request('unsubscribe', 'book', [symbol]), request('subscribe', 'book', [symbol])],
  pingMessage: () => null,
  reference: krakenFuturesReference,
};
