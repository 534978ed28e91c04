/**
 * Gate.io v4 venue descriptors: spot (`gateio`) and USDT-settled perpetual futures (`gateio-futures`).
 *
 * Follows: Gate.io "Spot WebSocket v4" / "Futures WebSocket v4": URLs `wss://api.gateio.ws/ws/v4/` and
 * `wss://fx-ws.gateio.ws/v4/ws/usdt`; requests `{"time": <s>, "channel", "event": "subscribe"|
 * "unsubscribe", "payload"}`; application ping `{"time","channel":"spot.ping"}` (`futures.ping`).
 *
 * Two ways to keep a book, both implemented:
 * - `order_book_update` (default; what the recordings hold), "How to maintain local order book": cache
 *   the updates, fetch `GET /api/v4/spot/order_book?currency_pair=&limit=100&with_id=true` (futures:
 *   `/api/v4/futures/usdt/order_book?contract=...`), drop updates with `u < id + 1`, the first applied one
 *   has `U <= id + 1 <= u`, every later one `U == previous u + 1`; anything else: fetch a new snapshot.
 *   That is Binance spot's procedure exactly, so the rule is the same (sync-rule.ts binanceSpotRule).
 * - `obu` ("Order Book V2", `spot.obu` / `futures.obu`, payload `ob.<pair>.<level>`, level 400 or 50, one
 *   stream per request): the first message is the full book (`full: true`, id `u`); each update must have
 *   `U == local id + 1`, otherwise unsubscribe and subscribe again for a fresh full book. Snapshots in-stream.
 * Trades (`trades`) and the venue's BBO (`book_ticker`, with the update id `u`: an oracle) ride along.
 */
import type { SyncRule } from '../../book/sync-rule.ts';
import { binanceSpotRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';
import { GateioParser, parseGateioSnapshot } from './parser.ts';
import { gateioFuturesReference, gateioSpotReference } from './instruments.ts';

/** Levels asked for in a REST snapshot. */
export const GATEIO_SNAPSHOT_LIMIT = 100;
/** Depth of the `obu` stream the descriptor subscribes. */
export const GATEIO_OBU_LEVEL = 400;

/** `order_book_update` continuity: Gate.io's U/u procedure (identical to Binance spot's). */
export const gateioUpdateRule: SyncRule = { ...binanceSpotRule, name: 'gateio-U-u' };

/** `obu` continuity: each update's `U` is the local id + 1; an update at or below it is stale. */
export const gateioObuRule: SyncRule = {
  name: 'gateio-obu',
  first(s, d) {
    if (d.firstSequence === s + 1) return 'apply';
    return d.sequence <= s ? 'stale' : 'gap';
  },
  next(prev, d) {
    if (d.firstSequence === prev.sequence + 1) return 'apply';
    return d.sequence <= prev.sequence ? 'stale' : 'gap';
  },
};

/** Build a Gate.io descriptor for one market and book channel. */
export function makeGateio(
  market: 'spot' | 'futures',
  book: 'order_book_update' | 'obu' = 'order_book_update',
): VenueAdapter {
  const spot = market === 'spot';
  const obu = book === 'obu';
  const req = (event: string, channel: string, payload: string[]): string =>
    JSON.stringify({ time: Math.floor(Date.now() / 1000), channel: `${market}.${channel}`, event, payload });
  const bookReqs = (event: string, symbols: readonly string[]): string[] =>
    symbols.map((s) =>
      obu
        ? req(event, 'obu', [`ob.${s}.${GATEIO_OBU_LEVEL}`])
        : req(event, 'order_book_update', [s, '100ms']),
    );
  const all = (event: string, symbols: readonly string[]): string[] => [
    ...bookReqs(event, symbols),
    req(event, 'trades', [...symbols]),
    req(event, 'book_ticker', [...symbols]),
    // Futures (perpetual contracts only on this API) also get "Tickers API" for funding (funding.ts).
    ...(spot ? [] : [req(event, 'tickers', [...symbols])]),
  ];
  const restPath = spot
    ? '/api/v4/spot/order_book?currency_pair='
    : '/api/v4/futures/usdt/order_book?contract=';
  return {
    id: spot ? 'gateio' : 'gateio-futures',
    name: spot ? 'Gate.io' : 'Gate.io USDT Perpetual Futures',
    docs: [
      `Gate.io ${spot ? 'Spot' : 'Futures'} WebSocket v4: API Overview (requests, ping/pong)`,
      obu
        ? `Gate.io ${spot ? 'Spot' : 'Futures'} WebSocket v4: Order Book V2 (${market}.obu), Maintain local order book`
        : `Gate.io ${spot ? 'Spot' : 'Futures'} WebSocket v4: Changed order book levels (${market}.order_book_update), How to maintain local order book`,
      `Gate.io ${spot ? 'Spot' : 'Futures'} WebSocket v4: Public trades channel; Best bid or ask price (book_ticker)${spot ? '' : '; Tickers API (funding)'}`,
      spot
        ? 'Gate.io APIv4: Spot > Retrieve order book; List all currency pairs supported'
        : 'Gate.io APIv4: Futures > Futures order book; List all futures contracts',
    ],
    sync: obu
      ? { rule: gateioObuRule, snapshotSource: 'stream', coverage: 'sliding', maxDepth: GATEIO_OBU_LEVEL }
      : { rule: gateioUpdateRule, snapshotSource: 'rest', coverage: 'snapshot' },
    ws: {
      url: spot ? 'wss://api.gateio.ws' : 'wss://fx-ws.gateio.ws',
      maxSymbolsPerConnection: 50,
      pingIntervalMs: 10_000,
      staleAfterMs: 30_000,
    },
    rest: { url: 'https://api.gateio.ws', weightPerMinute: 1200 },
    createParser: () => new GateioParser(),
    subscribe(wsBase, symbols) {
      return {
        url: `${wsBase.replace(/\/$/, '')}${spot ? '/ws/v4/' : '/v4/ws/usdt'}`,
        messages: all('subscribe', symbols),
      };
    },
    unsubscribe: (symbols) => all('unsubscribe', symbols),
    ...(obu
      ? {
          resubscribe: (symbol: string) => [
            ...bookReqs('unsubscribe', [symbol]),
            ...bookReqs('subscribe', [symbol]),
          ],
        }
      : {
          snapshotRequest: (restBase: string, symbol: string) => ({
            url: `${restBase.replace(/\/$/, '')}${restPath}${encodeURIComponent(symbol)}&limit=${GATEIO_SNAPSHOT_LIMIT}&with_id=true`,
            weight: 1,
          }),
          parseSnapshot: (body: string, instrument: string, localTs: number) =>
            parseGateioSnapshot(body, instrument, localTs, GATEIO_SNAPSHOT_LIMIT),
        }),
    pingMessage: () => JSON.stringify({ time: Math.floor(Date.now() / 1000), channel: `${market}.ping` }),
    reference: spot ? gateioSpotReference : gateioFuturesReference,
  };
}

/** Gate.io spot, `order_book_update` + REST snapshots. */
export const gateio = makeGateio('spot');
/** Gate.io USDT perpetual futures, `order_book_update` + REST snapshots. */
export const gateioFutures = makeGateio('futures');
