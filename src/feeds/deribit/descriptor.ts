/**
 * Deribit venue descriptor (futures, perpetuals and options on one JSON-RPC WebSocket endpoint).
 *
 * Follows: Deribit API v2 docs, "JSON-RPC over WebSocket" (URL `wss://www.deribit.com/ws/api/v2`;
 * requests `{"jsonrpc":"2.0","id","method","params"}`), "public/subscribe" / "public/unsubscribe"
 * (`params.channels`), "public/test" (keep-alive: the connection is closed after a period without
 * traffic), "book.{instrument_name}.{interval}" (interval `100ms` for public clients; `raw` needs an
 * authorised connection today; snapshot then changes chained by `prev_change_id` = previous
 * `change_id`: "if it does not match, the client must resubscribe to get a new snapshot"),
 * "trades.{instrument_name}.{interval}" and "public/get_instruments".
 *
 * Resync: unsubscribe and subscribe the instrument's book channel; Deribit then sends a new snapshot.
 */
import { prevSequenceRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';
import { DeribitParser } from './parser.ts';
import { deribitReference } from './instruments.ts';

/** Book/trade notification interval for public (unauthorised) connections. */
export const DERIBIT_INTERVAL = '100ms';

/** Channels per subscribe request (keeps each request small; Deribit accepts long lists). */
const CHANNELS_PER_REQUEST = 100;

let requestId = 0;

function rpc(method: string, params: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: '2.0', id: ++requestId, method, params });
}

function channels(symbols: readonly string[], kinds: readonly string[]): string[] {
  return symbols.flatMap((s) => kinds.map((k) => `${k}.${s}.${DERIBIT_INTERVAL}`));
}

function requests(method: string, all: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < all.length; i += CHANNELS_PER_REQUEST)
    out.push(rpc(method, { channels: all.slice(i, i + CHANNELS_PER_REQUEST) }));
  return out;
}

/** Deribit (every instrument kind). */
export const deribit: VenueAdapter = {
  id: 'deribit',
  name: 'Deribit',
  docs: [
    'Deribit API v2: JSON-RPC over WebSocket; Notifications; public/subscribe, public/unsubscribe, public/test',
    'Deribit API v2: Subscriptions > book.{instrument_name}.{interval} (change_id, prev_change_id)',
    'Deribit API v2: Subscriptions > trades.{instrument_name}.{interval}',
    'Deribit API v2: Market data > public/get_instruments',
  ],
  sync: {
    rule: prevSequenceRule,
    snapshotSource: 'stream',
    coverage: 'snapshot',
  },
  ws: {
    url: 'wss://www.deribit.com',
    maxSymbolsPerConnection: 100,
    pingIntervalMs: 15_000,
    staleAfterMs: 60_000,
  },
  // Public REST (instrument list); Deribit "Rate limits": non-matching-engine requests refill 20 credits/s.
  rest: { url: 'https://www.deribit.com', weightPerMinute: 1200 },
  createParser: () => new DeribitParser(),
  subscribe(wsBase, symbols) {
    return {
      url: `${wsBase.replace(/\/$/, '')}/ws/api/v2`,
      messages: requests('public/subscribe', channels(symbols, ['book', 'trades'])),
    };
  },
  unsubscribe: (symbols) => requests('public/unsubscribe', channels(symbols, ['book', 'trades'])),
  resubscribe: (symbol) => [
    ...requests('public/unsubscribe', channels([symbol], ['book'])),
    ...requests('public/subscribe', channels([symbol], ['book'])),
  ],
  pingMessage: () => rpc('public/test', {}),
  reference: deribitReference,
};
