/**
 * Gemini venue descriptor (spot; market data v2).
 *
 * Follows: Gemini "Market Data Version 2" (`wss://api.gemini.com/v2/marketdata`; one connection carries
 * many symbols; subscribe/unsubscribe `{"type":"subscribe"|"unsubscribe","subscriptions":[{"name":"l2",
 * "symbols":[...]}]}`; the `l2` subscription brings the book (the first `l2_updates` is the whole book)
 * and the `trade` messages; heartbeats every 5 s) and REST "Symbol Details". The book has no sequence
 * numbers and no checksum (parser.ts says what the chain does and does not prove); a book that crosses
 * or receives a malformed level is resynced by unsubscribing and subscribing its symbol, which brings a
 * fresh whole book.
 */
import { prevSequenceRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';
import { GeminiParser } from './parser.ts';
import { geminiReference } from './instruments.ts';

const msg = (type: 'subscribe' | 'unsubscribe', symbols: readonly string[]): string =>
  JSON.stringify({ type, subscriptions: [{ name: 'l2', symbols: [...symbols] }] });

/** Gemini spot, market data v2. */
export const gemini: VenueAdapter = {
  id: 'gemini',
  name: 'Gemini',
  docs: [
    'Gemini Market Data Version 2: l2 subscription (l2_updates, trade), heartbeat',
    'Gemini REST: Symbols, Symbol Details',
  ],
  sync: { rule: prevSequenceRule, snapshotSource: 'stream', coverage: 'snapshot' },
  ws: {
    url: 'wss://api.gemini.com',
    maxSymbolsPerConnection: 100,
    pingIntervalMs: 30_000,
    staleAfterMs: 30_000,
  },
  rest: { url: 'https://api.gemini.com', weightPerMinute: 120 },
  createParser: () => new GeminiParser(),
  subscribe: (wsBase, symbols) => ({
    url: `${wsBase.replace(/\/$/, '')}/v2/marketdata`,
    messages: [msg('subscribe', symbols)],
  }),
  unsubscribe: (symbols) => [msg('unsubscribe', symbols)],
  resubscribe: (symbol) => [msg('unsubscribe', [symbol]), msg('subscribe', [symbol])],
  pingMessage: () => null,
  reference: geminiReference,
};
