/**
 * Bitfinex venue descriptor (trading pairs, P0 books).
 *
 * Follows: Bitfinex API docs, "WebSocket > General" (public `wss://api-pub.bitfinex.com/ws/2`; at most
 * 30 channel subscriptions per connection; `{"event":"ping","cid":N}` → `pong`), "Configuration"
 * (`{"event":"conf","flags":65536+131072}` asks for per-connection sequence numbers and book
 * checksums), "Books" (`{"event":"subscribe","channel":"book","symbol":"tBTCUSD","prec":"P0",
 * "freq":"F0","len":"100"}`: a snapshot, then level updates), "Trades", "Unsubscribe"
 * (`{"event":"unsubscribe","chanId":N}`, by channel id only) and "WebSocket Checksum" (verify on every
 * `cs` message; on a mismatch, unsubscribe and subscribe the book again for a fresh snapshot).
 *
 * Integrity: the connection sequence and the per-book chain (parser.ts), the checksum after every book
 * change (checksum.ts), and the book never crossing. A book resync unsubscribes its channel id, which the
 * parsers report from the `subscribed` events (a symbol's channels live on one connection).
 */
import { prevSequenceRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';
import { bitfinexChecksum } from './checksum.ts';
import { BITFINEX_OB_CHECKSUM, BITFINEX_SEQ_ALL, BitfinexParser } from './parser.ts';
import { bitfinexReference } from './instruments.ts';

/** Levels per side of the subscribed P0 book (`len`). */
export const BITFINEX_BOOK_LEN = 100;

const book = (symbol: string): string =>
  JSON.stringify({
    event: 'subscribe',
    channel: 'book',
    symbol,
    prec: 'P0',
    freq: 'F0',
    len: String(BITFINEX_BOOK_LEN),
  });
const trades = (symbol: string): string => JSON.stringify({ event: 'subscribe', channel: 'trades', symbol });

/** Build a Bitfinex descriptor (its own channel → channel id table, filled by its parsers' `subscribed` events). */
export function makeBitfinex(): VenueAdapter {
  const channelIds = new Map<string, number>();
  const note = (channel: string, symbol: string, chanId: number | null): void => {
    if (chanId === null) channelIds.delete(`${channel}:${symbol}`);
    else channelIds.set(`${channel}:${symbol}`, chanId);
  };
  const unsubscribeFrom = (channel: string, symbol: string): string[] => {
    const id = channelIds.get(`${channel}:${symbol}`);
    return id === undefined ? [] : [JSON.stringify({ event: 'unsubscribe', chanId: id })];
  };
  return {
    id: 'bitfinex',
    name: 'Bitfinex',
    docs: [
      'Bitfinex WebSocket v2: General, Configuration (conf flags), Books, Trades, Unsubscribe',
      'Bitfinex: WebSocket Checksum',
      'Bitfinex REST Public: Configs (pub:list:pair:exchange, pub:list:pair:futures)',
    ],
    sync: {
      rule: prevSequenceRule,
      checksum: bitfinexChecksum,
      snapshotSource: 'stream',
      coverage: 'sliding',
      maxDepth: BITFINEX_BOOK_LEN,
    },
    ws: {
      url: 'wss://api-pub.bitfinex.com',
      maxSymbolsPerConnection: 15,
      pingIntervalMs: 20_000,
      staleAfterMs: 30_000,
    },
    rest: { url: 'https://api-pub.bitfinex.com', weightPerMinute: 90 },
    createParser: () => new BitfinexParser(note),
    subscribe: (wsBase, symbols) => ({
      url: `${wsBase.replace(/\/$/, '')}/ws/2`,
      messages: [
        JSON.stringify({ event: 'conf', flags: BITFINEX_SEQ_ALL + BITFINEX_OB_CHECKSUM }),
        ...symbols.flatMap((s) => [book(s), trades(s)]),
      ],
    }),
    unsubscribe: (symbols) =>
      symbols.flatMap((s) => [...unsubscribeFrom('book', s), ...unsubscribeFrom('trades', s)]),
    resubscribe: (symbol) => [...unsubscribeFrom('book', symbol), book(symbol)],
    pingMessage: () => JSON.stringify({ event: 'ping', cid: Date.now() % 1_000_000 }),
    reference: bitfinexReference,
  };
}

/** Bitfinex trading pairs, P0 books of 100 levels. */
export const bitfinex = makeBitfinex();
