/**
 * OKX v5 venue descriptor (spot, swaps, futures on one public endpoint).
 *
 * Follows: OKX API v5 docs, "WebSocket > Overview" (public URL `wss://ws.okx.com:8443/ws/v5/public`;
 * connections without traffic for 30 s are closed, so send text `ping` more often and expect `pong`),
 * "WebSocket > Subscribe/Unsubscribe" (`{"op":"subscribe","args":[{channel, instId}]}`), and
 * "Order book channel" (snapshots arrive in-stream; `books` keeps the client at 400 levels per side; CRC32
 * checksum on every push; `seqId`/`prevSeqId` continuity). A book that fails its checksum or sequence is
 * resynced by unsubscribing and subscribing that instrument again (OKX "Checksum": "re-subscribe").
 */
import type { VenueAdapter } from '../types.ts';
import { okxChecksum, okxSequenceRule } from './checksum.ts';
import { OKX_BOOK_DEPTH, OkxParser } from './parser.ts';
import { okxReference } from './instruments.ts';
import { isPerpetualSymbol } from '../funding.ts';

/** Book channels the descriptor can subscribe (the `*-l2-tbt` ones need a VIP login on OKX). */
export type OkxBookChannel = 'books' | 'books-l2-tbt' | 'books50-l2-tbt';

/** Most `args` per subscribe request, keeping each request well under OKX's 64 KB frame limit. */
const ARGS_PER_REQUEST = 100;

/** Build an OKX descriptor for one book channel (default `books`, 400 levels). */
export function makeOkx(channel: OkxBookChannel = 'books'): VenueAdapter {
  const args = (symbols: readonly string[]): { channel: string; instId: string }[] =>
    symbols.flatMap((s) => [
      { channel, instId: s },
      { channel: 'trades', instId: s },
      // Perpetual swaps also get "Funding rate channel" (funding.ts).
      ...(isPerpetualSymbol('okx', s) ? [{ channel: 'funding-rate', instId: s }] : []),
    ]);
  const ops = (op: 'subscribe' | 'unsubscribe', symbols: readonly string[]): string[] => {
    const all = args(symbols);
    const out: string[] = [];
    for (let i = 0; i < all.length; i += ARGS_PER_REQUEST)
      out.push(JSON.stringify({ op, args: all.slice(i, i + ARGS_PER_REQUEST) }));
    return out;
  };
  return {
    id: 'okx',
    name: 'OKX',
    docs: [
      'OKX API v5: WebSocket > Overview (connect, ping/pong), Subscribe, Unsubscribe',
      'OKX API v5: WebSocket > Order book channel (Checksum, Sequence ID, Merging update data into snapshot)',
      'OKX API v5: WebSocket > Trades channel',
      'OKX API v5: Public Data > WebSocket > Funding rate channel',
      'OKX API v5: Public Data > Get instruments',
    ],
    sync: {
      rule: okxSequenceRule,
      checksum: okxChecksum,
      snapshotSource: 'stream',
      coverage: 'sliding',
      maxDepth: OKX_BOOK_DEPTH[channel]!,
    },
    ws: {
      url: 'wss://ws.okx.com:8443',
      maxSymbolsPerConnection: 100,
      pingIntervalMs: 20_000,
      staleAfterMs: 30_000,
    },
    createParser: () => new OkxParser('okx'),
    subscribe(wsBase, symbols) {
      return { url: `${wsBase.replace(/\/$/, '')}/ws/v5/public`, messages: ops('subscribe', symbols) };
    },
    unsubscribe: (symbols) => ops('unsubscribe', symbols),
    resubscribe(symbol) {
      const arg = [{ channel, instId: symbol }];
      return [
        JSON.stringify({ op: 'unsubscribe', args: arg }),
        JSON.stringify({ op: 'subscribe', args: arg }),
      ];
    },
    pingMessage: () => 'ping',
    reference: okxReference,
  };
}

/** OKX with the public 400-level `books` channel. */
export const okx = makeOkx('books');
