/**
 * Bitget venue descriptors: spot (`bitget`) and USDT-M futures (`bitget-futures`), WebSocket API v2.
 *
 * Follows: Bitget API v2 docs, "Common > WebSocket API" (public URL `wss://ws.bitget.com/v2/ws/public`;
 * send text `ping` every 30 s, expect `pong`; at most 1000 channel subscriptions per connection, fewer
 * than 50 recommended; 10 messages per second), "Spot > WebSocket > Public > Depth Channel" and
 * "Futures > WebSocket > Public > Order Book Channel" (`{"op":"subscribe","args":[{instType, channel,
 * instId}]}`; `books`: a full snapshot after subscribing, then updates; CRC32 checksum of the top 25
 * levels and `seq` on every push; a client whose checksum fails re-subscribes to get a new snapshot),
 * "Trade Channel", and the instrument lists "Spot > Market > Get Symbol Info" and "Futures > Market >
 * Get Contract Config". Snapshots arrive in-stream; a resync unsubscribes and subscribes the book.
 */
import type { VenueAdapter } from '../types.ts';
import { bitgetChecksum, bitgetSequenceRule } from './checksum.ts';
import { BitgetParser } from './parser.ts';
import { bitgetFuturesReference, bitgetSpotReference } from './instruments.ts';

/** Symbols per connection: 2 channels each (books, trade), under Bitget's recommended 50 channels. */
const SYMBOLS_PER_CONNECTION = 24;
/** Args per subscribe request (one request counts as one of the 10 messages a second). */
const ARGS_PER_REQUEST = 48;

/** Build a Bitget descriptor for one market. */
export function makeBitget(market: 'spot' | 'usdt-futures'): VenueAdapter {
  const spot = market === 'spot';
  const instType = spot ? 'SPOT' : 'USDT-FUTURES';
  const args = (symbols: readonly string[], channels: readonly string[]) =>
    symbols.flatMap((instId) => channels.map((channel) => ({ instType, channel, instId })));
  const ops = (op: 'subscribe' | 'unsubscribe', all: readonly object[]): string[] => {
    const out: string[] = [];
    for (let i = 0; i < all.length; i += ARGS_PER_REQUEST)
      out.push(JSON.stringify({ op, args: all.slice(i, i + ARGS_PER_REQUEST) }));
    return out;
  };
  return {
    id: spot ? 'bitget' : 'bitget-futures',
    name: spot ? 'Bitget' : 'Bitget USDT-M Futures',
    docs: [
      'Bitget API v2: Common > WebSocket API (connect, ping/pong, limits)',
      spot
        ? 'Bitget API v2: Spot > WebSocket > Public > Depth Channel (Checksum, seq); Trade Channel'
        : 'Bitget API v2: Futures > WebSocket > Public > Order Book Channel (Checksum, seq); Public Trade Channel',
      spot
        ? 'Bitget API v2: Spot > Market > Get Symbol Info'
        : 'Bitget API v2: Futures > Market > Get Contract Config',
    ],
    sync: {
      rule: bitgetSequenceRule,
      checksum: bitgetChecksum,
      snapshotSource: 'stream',
      coverage: 'sliding',
    },
    ws: {
      url: 'wss://ws.bitget.com',
      maxSymbolsPerConnection: SYMBOLS_PER_CONNECTION,
      pingIntervalMs: 25_000,
      staleAfterMs: 30_000,
    },
    rest: { url: 'https://api.bitget.com', weightPerMinute: 1200 },
    createParser: () => new BitgetParser(),
    subscribe(wsBase, symbols) {
      return {
        url: `${wsBase.replace(/\/$/, '')}/v2/ws/public`,
        messages: ops('subscribe', args(symbols, ['books', 'trade'])),
      };
    },
    unsubscribe: (symbols) => ops('unsubscribe', args(symbols, ['books', 'trade'])),
    resubscribe: (symbol) => [
      ...ops('unsubscribe', args([symbol], ['books'])),
      ...ops('subscribe', args([symbol], ['books'])),
    ],
    pingMessage: () => 'ping',
    reference: spot ? bitgetSpotReference : bitgetFuturesReference,
  };
}

/** Bitget spot. */
export const bitget = makeBitget('spot');
/** Bitget USDT-M perpetual futures. */
export const bitgetFutures = makeBitget('usdt-futures');
