/**
 * Bybit v5 venue descriptor (USDT/USDC linear contracts on the public `linear` endpoint).
 *
 * Follows: Bybit API v5 docs, "WebSocket Stream > Connect" (public URL
 * `wss://stream.bybit.com/v5/public/linear`; `{"op":"subscribe","args":[topics]}`, at most 10 args per
 * request; send `{"op":"ping"}` every 20 s), "Public > Orderbook" (linear depths 1, 50, 200, 500; snapshot
 * then deltas in-stream; `u` update id, contiguous per topic; `u == 1` = fresh snapshot after a service
 * restart) and "Public > Trade". A gap in `u` is resynced by unsubscribing and subscribing the topic
 * (the venue then sends a new snapshot).
 */
import { isPerpetualSymbol } from '../funding.ts';
import type { SyncRule } from '../../book/sync-rule.ts';
import { consecutiveRule, declaredUnsequenced } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';
import { BybitParser } from './parser.ts';
import { bybitReference } from './instruments.ts';

/** Orderbook depths on Bybit's linear endpoint. */
export type BybitDepth = 1 | 50 | 200 | 500;

/** Topics per subscribe request (Bybit "Connect": args limit). */
const ARGS_PER_REQUEST = 10;

/**
 * Bybit continuity: v5 `u` must be the previous `u` + 1 (consecutiveRule). Deltas of the v1
 * `orderBookL2_25` feed (old recordings, parser-v1.ts) have no per-book sequence and are declared
 * unsequenced by that parser; any other delta without a sequence is a gap.
 */
export const bybitSequenceRule: SyncRule = declaredUnsequenced('bybit-u', consecutiveRule);

/** Build a Bybit linear descriptor for one orderbook depth (default 500, as in the v5 sample data). */
export function makeBybit(depth: BybitDepth = 500): VenueAdapter {
  const topics = (symbols: readonly string[]): string[] =>
    symbols.flatMap((s) => [
      `orderbook.${depth}.${s}`,
      `publicTrade.${s}`,
      // Perpetuals also get "Public > Ticker" for funding (funding.ts).
      ...(isPerpetualSymbol('bybit-linear', s) ? [`tickers.${s}`] : []),
    ]);
  const ops = (op: 'subscribe' | 'unsubscribe', args: readonly string[]): string[] => {
    const out: string[] = [];
    for (let i = 0; i < args.length; i += ARGS_PER_REQUEST)
      out.push(JSON.stringify({ op, args: args.slice(i, i + ARGS_PER_REQUEST) }));
    return out;
  };
  return {
    id: 'bybit-linear',
    name: 'Bybit linear (USDT/USDC perpetuals and futures)',
    docs: [
      'Bybit API v5: WebSocket Stream > Connect (ping, subscribe limits)',
      'Bybit API v5: WebSocket Stream > Public > Orderbook; Public > Trade; Public > Ticker',
      'Bybit API v5: Market > Get Instruments Info',
    ],
    sync: {
      rule: bybitSequenceRule,
      snapshotSource: 'stream',
      coverage: 'sliding',
      maxDepth: depth,
    },
    ws: {
      url: 'wss://stream.bybit.com',
      maxSymbolsPerConnection: 100,
      pingIntervalMs: 20_000,
      staleAfterMs: 30_000,
    },
    createParser: () => new BybitParser('bybit-linear'),
    subscribe(wsBase, symbols) {
      return {
        url: `${wsBase.replace(/\/$/, '')}/v5/public/linear`,
        messages: ops('subscribe', topics(symbols)),
      };
    },
    unsubscribe: (symbols) => ops('unsubscribe', topics(symbols)),
    resubscribe: (symbol) => [
      ...ops('unsubscribe', [`orderbook.${depth}.${symbol}`]),
      ...ops('subscribe', [`orderbook.${depth}.${symbol}`]),
    ],
    pingMessage: () => JSON.stringify({ op: 'ping' }),
    reference: bybitReference,
  };
}

/** Bybit linear, 500 levels (venue id `bybit-linear`; `bybit` is its alias, see feeds/registry.ts). */
export const bybit = makeBybit(500);
