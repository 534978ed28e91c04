/**
 * Coinbase venue descriptor (Advanced Trade public market data).
 *
 * Follows: Coinbase Developer Platform docs, "Advanced Trade WebSocket > Overview" (market data endpoint
 * `wss://advanced-trade-ws.coinbase.com`; one channel per subscribe message
 * `{"type":"subscribe","product_ids":[...],"channel":"level2"}`; `sequence_num` per connection),
 * "Channels > Level2" (snapshot then updates in-stream; full book, no checksum), "Channels > Market
 * Trades" and "Channels > Heartbeats" (subscribing keeps quiet connections open). A book that loses
 * continuity (a jump in the connection's `sequence_num`, see parser.ts) or crosses is resynced by
 * unsubscribing and subscribing its product's `level2` again, which brings a fresh snapshot.
 */
import { prevSequenceRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';
import { CoinbaseParser } from './parser.ts';
import { coinbaseReference } from './instruments.ts';

const msg = (type: 'subscribe' | 'unsubscribe', channel: string, products: readonly string[]): string =>
  JSON.stringify({ type, product_ids: [...products], channel });

/** Coinbase Advanced Trade. */
export const coinbase: VenueAdapter = {
  id: 'coinbase',
  name: 'Coinbase',
  docs: [
    'Coinbase Advanced Trade WebSocket: Overview (sequence numbers), Channels > Level2, Market Trades, Heartbeats',
    'Coinbase Exchange WebSocket Feed: Channels > level2, matches (legacy recordings)',
    'Coinbase Advanced Trade REST: List Public Products',
  ],
  sync: {
    rule: prevSequenceRule,
    snapshotSource: 'stream',
    coverage: 'snapshot',
  },
  ws: {
    url: 'wss://advanced-trade-ws.coinbase.com',
    maxSymbolsPerConnection: 50,
    pingIntervalMs: 30_000,
    staleAfterMs: 30_000,
  },
  createParser: () => new CoinbaseParser(),
  subscribe(wsBase, symbols) {
    return {
      url: wsBase,
      messages: [
        JSON.stringify({ type: 'subscribe', channel: 'heartbeats' }),
        msg('subscribe', 'level2', symbols),
        msg('subscribe', 'market_trades', symbols),
      ],
    };
  },
  unsubscribe: (symbols) => [
    msg('unsubscribe', 'level2', symbols),
    msg('unsubscribe', 'market_trades', symbols),
  ],
  resubscribe: (symbol) => [msg('unsubscribe', 'level2', [symbol]), msg('subscribe', 'level2', [symbol])],
  pingMessage: () => null,
  reference: coinbaseReference,
};
