/**
 * BitMEX venue descriptor (perpetuals, futures and spot on one realtime endpoint).
 *
 * Follows: BitMEX API docs, "WebSocket API" (URL `wss://ws.bitmex.com/realtime`; `{"op":"subscribe",
 * "args":["orderBookL2:XBTUSD","trade:XBTUSD"]}`, `unsubscribe` likewise; "send `ping` if no message was
 * received within 5 seconds and expect `pong`"; at most 40 requests per minute per connection on
 * connect), "Subscriptions > orderBookL2" (full-depth L2 keyed by id: partial then insert/update/delete;
 * an update for an unknown id means the client is out of sync and must resubscribe) and "trade", and
 * "Instrument > Get active instruments" for the reference.
 *
 * BitMEX has no sequence numbers or checksums: the id map kept by the parser is the integrity check
 * (parser.ts), turned into the prev-sequence rule's `gap`. Resync: unsubscribe and subscribe the symbol's
 * `orderBookL2` (BitMEX then sends a new `partial`). The book sees every level (full depth), so its
 * coverage is unbounded.
 */
import { prevSequenceRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';
import { BitmexParser } from './parser.ts';
import { bitmexReference } from './instruments.ts';

/** Topics per request. */
const ARGS_PER_REQUEST = 20;

function ops(op: 'subscribe' | 'unsubscribe', args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += ARGS_PER_REQUEST)
    out.push(JSON.stringify({ op, args: args.slice(i, i + ARGS_PER_REQUEST) }));
  return out;
}

function topics(symbols: readonly string[]): string[] {
  return symbols.flatMap((s) => [`orderBookL2:${s}`, `trade:${s}`]);
}

/** BitMEX. */
export const bitmex: VenueAdapter = {
  id: 'bitmex',
  name: 'BitMEX',
  docs: [
    'BitMEX API: WebSocket API (connect, subscribe, ping/pong, limits)',
    'BitMEX API: WebSocket Subscriptions > orderBookL2 (partial, insert, update, delete by id); trade',
    'BitMEX API: REST Instrument > Get active instruments; Contract value (multiplier, isInverse)',
  ],
  sync: {
    rule: prevSequenceRule,
    snapshotSource: 'stream',
    coverage: 'snapshot',
  },
  ws: {
    url: 'wss://ws.bitmex.com',
    maxSymbolsPerConnection: 50,
    pingIntervalMs: 5_000,
    staleAfterMs: 30_000,
  },
  rest: { url: 'https://www.bitmex.com', weightPerMinute: 120 },
  createParser: () => new BitmexParser(),
  subscribe(wsBase, symbols) {
    return { url: `${wsBase.replace(/\/$/, '')}/realtime`, messages: ops('subscribe', topics(symbols)) };
  },
  unsubscribe: (symbols) => ops('unsubscribe', topics(symbols)),
  resubscribe: (symbol) => [
    ...ops('unsubscribe', [`orderBookL2:${symbol}`]),
    ...ops('subscribe', [`orderBookL2:${symbol}`]),
  ],
  pingMessage: () => 'ping',
  reference: bitmexReference,
};
