/**
 * Hyperliquid venue descriptor (perpetuals; the public WebSocket API).
 *
 * Follows: Hyperliquid API docs, "WebSocket" (URL `wss://api.hyperliquid.xyz/ws`; `{"method":
 * "subscribe"|"unsubscribe","subscription":{"type":"l2Book"|"trades","coin"}}`; at most 1000
 * subscriptions per IP), "WebSocket > Heartbeats" (the server closes a connection that sent nothing for
 * 60 s: send `{"method":"ping"}`, answered `{"channel":"pong"}`) and "Subscriptions" (`l2Book`: each
 * message is the whole book at a block time; `trades`).
 *
 * There are no deltas and no sequence numbers: every `l2Book` replaces the book (unsequenced rule, no
 * deltas to chain), and its `time` must increase (`snapshotOrder: 'increasing'`: a duplicate or older
 * book is dropped as stale). A book that loses integrity (crossed, malformed) is resynced by
 * resubscribing, which makes the venue send the current book at once; the next push would heal it too.
 */
import { isPerpetualSymbol } from '../funding.ts';
import { unsequencedRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';
import { HyperliquidParser } from './parser.ts';
import { hyperliquidReference } from './instruments.ts';

function request(method: 'subscribe' | 'unsubscribe', type: string, coin: string): string {
  return JSON.stringify({ method, subscription: { type, coin } });
}

/** Hyperliquid. */
export const hyperliquid: VenueAdapter = {
  id: 'hyperliquid',
  name: 'Hyperliquid',
  docs: [
    'Hyperliquid API: WebSocket (subscriptions, limits); WebSocket > Heartbeats',
    'Hyperliquid API: WebSocket > Subscriptions (l2Book WsBook, trades WsTrade)',
    'Hyperliquid API: Info endpoint > Perpetuals > meta; Tick and lot size',
  ],
  sync: {
    rule: unsequencedRule,
    snapshotSource: 'stream',
    coverage: 'sliding',
    snapshotOrder: 'increasing',
  },
  ws: {
    url: 'wss://api.hyperliquid.xyz',
    maxSymbolsPerConnection: 100,
    pingIntervalMs: 30_000,
    // Books are pushed every block (~0.5 s): 10 s without one is a stalled feed.
    staleAfterMs: 10_000,
  },
  rest: { url: 'https://api.hyperliquid.xyz', weightPerMinute: 1200 },
  createParser: () => new HyperliquidParser(),
  subscribe(wsBase, symbols) {
    return {
      url: `${wsBase.replace(/\/$/, '')}/ws`,
      messages: symbols.flatMap((c) => [
        request('subscribe', 'l2Book', c),
        request('subscribe', 'trades', c),
        // Perpetual coins also get `activeAssetCtx` for funding (funding.ts).
        ...(isPerpetualSymbol('hyperliquid', c) ? [request('subscribe', 'activeAssetCtx', c)] : []),
      ]),
    };
  },
  unsubscribe: (symbols) =>
    symbols.flatMap((c) => [
      request('unsubscribe', 'l2Book', c),
      request('unsubscribe', 'trades', c),
      ...(isPerpetualSymbol('hyperliquid', c) ? [request('unsubscribe', 'activeAssetCtx', c)] : []),
    ]),
  resubscribe: (coin) => [request('unsubscribe', 'l2Book', coin), request('subscribe', 'l2Book', coin)],
  pingMessage: () => JSON.stringify({ method: 'ping' }),
  reference: hyperliquidReference,
};
