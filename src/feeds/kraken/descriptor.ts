/**
 * Kraken spot venue descriptor (WebSocket v2 for live use).
 *
 * Follows: Kraken API docs, "Spot WebSocket API v2" (public URL `wss://ws.kraken.com/v2`; requests
 * `{"method":"subscribe","params":{"channel":"book","symbol":[...],"depth":N,"snapshot":true}}` with depth
 * 10|25|100|500|1000; `instrument` channel for price/qty precision; `trade` channel; `{"method":"ping"}`;
 * a heartbeat every second while subscribed) and the guide "Spot Websockets (v2) Book Checksum" (truncate
 * the book to the subscribed depth after each update; CRC32 over the top 10 levels). The book has no
 * sequence numbers: integrity comes from the checksum on every update; a mismatch is resynced by
 * unsubscribing and subscribing the symbol's book again (a fresh snapshot follows).
 */
import { unsequencedRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';
import { krakenChecksum } from './checksum.ts';
import { KrakenParser } from './parser.ts';
import { krakenReference } from './instruments.ts';

/** Book depths Kraken accepts on the v2 `book` channel. */
export type KrakenDepth = 10 | 25 | 100 | 500 | 1000;

/**
 * Build a Kraken spot descriptor for one subscribed book depth. The default, 1000, matches the v1
 * recordings (`book-1000`) so replay truncates exactly as the venue did.
 */
export function makeKraken(depth: KrakenDepth = 1000): VenueAdapter {
  const req = (method: 'subscribe' | 'unsubscribe', channel: string, symbols: readonly string[]): string => {
    const params: Record<string, unknown> = { channel, symbol: [...symbols] };
    if (channel === 'book')
      Object.assign(params, { depth }, method === 'subscribe' ? { snapshot: true } : {});
    if (channel === 'trade' && method === 'subscribe') params.snapshot = false;
    return JSON.stringify({ method, params });
  };
  return {
    id: 'kraken',
    name: 'Kraken',
    docs: [
      'Kraken Spot WebSocket API v2: book, trade, instrument channels; ping',
      'Kraken guides: Spot Websockets (v2) Book Checksum; Spot Websockets (v1) Book Checksum (recordings)',
      'Kraken Spot REST: Get Tradable Asset Pairs (AssetPairs)',
    ],
    sync: {
      rule: unsequencedRule,
      checksum: krakenChecksum,
      snapshotSource: 'stream',
      coverage: 'sliding',
      maxDepth: depth,
    },
    ws: {
      url: 'wss://ws.kraken.com',
      maxSymbolsPerConnection: 100,
      pingIntervalMs: 30_000,
      staleAfterMs: 30_000,
    },
    createParser: () => new KrakenParser(),
    subscribe(wsBase, symbols) {
      return {
        url: `${wsBase.replace(/\/$/, '')}/v2`,
        // The instrument snapshot comes first so precisions are known before the first book snapshot.
        messages: [
          JSON.stringify({ method: 'subscribe', params: { channel: 'instrument', snapshot: true } }),
          req('subscribe', 'book', symbols),
          req('subscribe', 'trade', symbols),
        ],
      };
    },
    unsubscribe: (symbols) => [req('unsubscribe', 'book', symbols), req('unsubscribe', 'trade', symbols)],
    resubscribe: (symbol) => [req('unsubscribe', 'book', [symbol]), req('subscribe', 'book', [symbol])],
    pingMessage: () => JSON.stringify({ method: 'ping' }),
    reference: krakenReference,
  };
}

/** Kraken spot, depth 1000. */
export const kraken = makeKraken(1000);
