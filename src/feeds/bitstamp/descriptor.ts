/**
 * Bitstamp venue descriptor (spot).
 *
 * Follows: Bitstamp "WebSocket API v2" (`wss://ws.bitstamp.net`; subscribe
 * `{"event":"bts:subscribe","data":{"channel":"diff_order_book_btcusd"}}`, unsubscribe with
 * `bts:unsubscribe`; `{"event":"bts:heartbeat"}` keeps the connection alive; channels
 * `diff_order_book_{pair}` and `live_trades_{pair}`) and Bitstamp REST API "Order book"
 * (`GET /api/v2/order_book/{pair}/`, the whole book with its `microtimestamp`; 8000 requests per
 * 10 minutes). Sync: buffer the diffs, fetch the REST book, drop the diffs not newer than its
 * `microtimestamp`, apply the rest (`bitstampRule`). Bitstamp sends neither update ids nor checksums:
 * a lost diff cannot be seen on the wire; an out-of-order one (older than the last applied) is a gap,
 * and a crossed book or a malformed level resyncs the instrument from a fresh REST snapshot.
 */
import type { SyncRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';
import { BitstampParser, parseBitstampSnapshot } from './parser.ts';
import { bitstampReference } from './instruments.ts';

/**
 * Bitstamp continuity by `microtimestamp` (sequence): after a snapshot at `s`, diffs with
 * microtimestamp <= s are already in it (stale), later ones apply; then each diff must be newer than the
 * last applied one: an equal microtimestamp is the same diff again (stale), an older one means the
 * stream went out of order (gap).
 */
export const bitstampRule: SyncRule = {
  name: 'bitstamp-microtimestamp',
  first: (s, d) => (d.sequence > s ? 'apply' : 'stale'),
  next: (prev, d) => (d.sequence > prev.sequence ? 'apply' : d.sequence === prev.sequence ? 'stale' : 'gap'),
};

const sub = (event: 'bts:subscribe' | 'bts:unsubscribe', channel: string): string =>
  JSON.stringify({ event, data: { channel } });

/** The venue symbol a REST order-book URL is for (`.../api/v2/order_book/btcusd/` → `btcusd`), or null. */
export function bitstampSnapshotSymbol(url: string): string | null {
  return /\/api\/v2\/order_book\/([a-z0-9]+)\/?(?:\?|$)/.exec(url)?.[1] ?? null;
}

/** Bitstamp spot. */
export const bitstamp: VenueAdapter = {
  id: 'bitstamp',
  name: 'Bitstamp',
  docs: [
    'Bitstamp WebSocket API v2: diff_order_book, live_trades, bts:subscribe, bts:heartbeat',
    'Bitstamp REST API: Order book (/api/v2/order_book/{pair}/), Trading pairs info',
  ],
  sync: { rule: bitstampRule, snapshotSource: 'rest', coverage: 'snapshot' },
  ws: {
    url: 'wss://ws.bitstamp.net',
    maxSymbolsPerConnection: 100,
    pingIntervalMs: 10_000,
    staleAfterMs: 60_000,
  },
  rest: { url: 'https://www.bitstamp.net', weightPerMinute: 800 },
  createParser: () => new BitstampParser(),
  subscribe(wsBase, symbols) {
    return {
      url: wsBase,
      messages: symbols.flatMap((s) => [
        sub('bts:subscribe', `diff_order_book_${s}`),
        sub('bts:subscribe', `live_trades_${s}`),
      ]),
    };
  },
  unsubscribe: (symbols) =>
    symbols.flatMap((s) => [
      sub('bts:unsubscribe', `diff_order_book_${s}`),
      sub('bts:unsubscribe', `live_trades_${s}`),
    ]),
  snapshotRequest: (restBase, symbol) => ({
    url: `${restBase.replace(/\/$/, '')}/api/v2/order_book/${encodeURIComponent(symbol)}/`,
    weight: 1,
  }),
  parseSnapshot: (body, instrument, localTs) => parseBitstampSnapshot(body, instrument, localTs),
  snapshotSymbol: bitstampSnapshotSymbol,
  pingMessage: () => JSON.stringify({ event: 'bts:heartbeat' }),
  reference: bitstampReference,
};
