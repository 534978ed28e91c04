/**
 * KuCoin venue descriptors: spot (`kucoin`) and futures (`kucoin-futures`).
 *
 * Follows: KuCoin API docs (docs-new), "WebSocket > Get Public Token" (`POST /api/v1/bullet-public` on
 * `https://api.kucoin.com` / `https://api-futures.kucoin.com` → `{"code":"200000","data":{"token",
 * "instanceServers":[{"endpoint","pingInterval","pingTimeout","protocol":"websocket"}]}}`; connect to
 * `<endpoint>?token=<token>&connectId=<id>`, expect `welcome`; send `{"id","type":"ping"}` every
 * `pingInterval` ms, answered by `pong`; a fresh token for every connection), "Subscribe"
 * (`{"id","type":"subscribe","topic":"/market/level2:BTC-USDT,ETH-USDT","privateChannel":false,
 * "response":true}`, at most 100 symbols a topic), and the local order book procedures of "Orderbook -
 * Increment" (spot and futures): subscribe, cache the increments, fetch the REST order book (spot
 * `GET /api/v1/market/orderbook/level2_100?symbol=`, futures `GET /api/v1/level2/snapshot?symbol=`),
 * play back the cached increments whose sequence is above the snapshot's, then keep each increment
 * contiguous with the last (spot `sequenceStart` = last `sequenceEnd` + 1, futures `sequence` + 1);
 * any break: fetch the order book again. With increments split per change sequence (parser.ts) this is
 * the U/u range rule of sync-rule.ts binanceSpotRule, reused under KuCoin's name.
 */
import type { SyncRule } from '../../book/sync-rule.ts';
import { binanceSpotRule } from '../../book/sync-rule.ts';
import { MalformedFrameError } from '../../core/errors.ts';
import type { VenueAdapter } from '../types.ts';
import { isObject, parseJson } from '../fields.ts';
import { KucoinParser, parseKucoinSnapshot } from './parser.ts';
import { kucoinFuturesReference, kucoinSpotReference } from './instruments.ts';

/** KuCoin continuity (see module doc). */
export const kucoinSequenceRule: SyncRule = { ...binanceSpotRule, name: 'kucoin-sequence' };

/** Symbols a topic may list (KuCoin "Subscribe": 100). */
const SYMBOLS_PER_TOPIC = 100;

/**
 * The WebSocket endpoint from a `bullet-public` answer: `<endpoint>?token=...&connectId=...` and the
 * server's ping interval.
 * @throws {MalformedFrameError} on a body that is not a successful token answer
 */
export function parseBullet(body: string, connectId: string): { wsBase: string; pingIntervalMs?: number } {
  const o = parseJson(body);
  const d = isObject(o) && o.code === '200000' && isObject(o.data) ? o.data : null;
  const servers = d && Array.isArray(d.instanceServers) ? d.instanceServers : [];
  const s = servers.find((x) => isObject(x) && typeof x.endpoint === 'string');
  if (!d || typeof d.token !== 'string' || !isObject(s))
    throw new MalformedFrameError(
      'invalid_field',
      `KuCoin bullet-public answer without token/endpoint: ${body.slice(0, 120)}`,
    );
  const sep = String(s.endpoint).includes('?') ? '&' : '?';
  const wsBase = `${String(s.endpoint)}${sep}token=${encodeURIComponent(d.token)}&connectId=${encodeURIComponent(connectId)}`;
  return typeof s.pingInterval === 'number' && s.pingInterval > 0
    ? { wsBase, pingIntervalMs: s.pingInterval }
    : { wsBase };
}

/** Build a KuCoin descriptor for one market. */
export function makeKucoin(market: 'spot' | 'futures'): VenueAdapter {
  const spot = market === 'spot';
  const rest = spot ? 'https://api.kucoin.com' : 'https://api-futures.kucoin.com';
  const topics = (symbols: readonly string[]): string[] => {
    const out: string[] = [];
    for (let i = 0; i < symbols.length; i += SYMBOLS_PER_TOPIC) {
      const list = symbols.slice(i, i + SYMBOLS_PER_TOPIC).join(',');
      out.push(spot ? `/market/level2:${list}` : `/contractMarket/level2:${list}`);
      out.push(spot ? `/market/match:${list}` : `/contractMarket/execution:${list}`);
    }
    return out;
  };
  let id = 0;
  const op = (type: 'subscribe' | 'unsubscribe', topic: string): string =>
    JSON.stringify({ id: String(++id), type, topic, privateChannel: false, response: true });
  let connects = 0;
  return {
    id: spot ? 'kucoin' : 'kucoin-futures',
    name: spot ? 'KuCoin' : 'KuCoin Futures',
    docs: [
      'KuCoin API: WebSocket > Get Public Token (bullet-public), Ping, Subscribe',
      spot
        ? 'KuCoin API: Spot > Public Channels > Orderbook - Increment (local order book procedure); Match Execution Data'
        : 'KuCoin API: Futures > Public Channels > Orderbook - Increment (local order book procedure); Trade',
      spot
        ? 'KuCoin API: Spot > Market Data > Get Part OrderBook (level2_100); Get All Symbols'
        : 'KuCoin API: Futures > Market Data > Get Full OrderBook (level2/snapshot); Get All Symbols (contracts/active)',
    ],
    sync: { rule: kucoinSequenceRule, snapshotSource: 'rest', coverage: 'snapshot' },
    ws: {
      url: spot ? 'wss://ws-api-spot.kucoin.com' : 'wss://ws-api-futures.kucoin.com',
      maxSymbolsPerConnection: SYMBOLS_PER_TOPIC,
      pingIntervalMs: 18_000,
      staleAfterMs: 30_000,
    },
    rest: { url: rest, weightPerMinute: 1200 },
    createParser: () => new KucoinParser(),
    subscribe: (wsBase, symbols) => ({
      url: wsBase,
      messages: topics(symbols).map((t) => op('subscribe', t)),
    }),
    unsubscribe: (symbols) => topics(symbols).map((t) => op('unsubscribe', t)),
    async negotiate(restBase) {
      const res = await fetch(`${restBase.replace(/\/$/, '')}/api/v1/bullet-public`, {
        method: 'POST',
        signal: AbortSignal.timeout(10_000),
      });
      const body = await res.text();
      if (!res.ok) throw new Error(`bullet-public HTTP ${res.status}: ${body.slice(0, 120)}`);
      return parseBullet(body, `depthwatch-${Date.now()}-${++connects}`);
    },
    snapshotRequest: (restBase, symbol) => ({
      url: `${restBase.replace(/\/$/, '')}${spot ? '/api/v1/market/orderbook/level2_100' : '/api/v1/level2/snapshot'}?symbol=${encodeURIComponent(symbol)}`,
      weight: spot ? 2 : 3,
    }),
    parseSnapshot: parseKucoinSnapshot,
    pingMessage: () => JSON.stringify({ id: String(Date.now()), type: 'ping' }),
    reference: spot ? kucoinSpotReference : kucoinFuturesReference,
  };
}

/** KuCoin spot. */
export const kucoin = makeKucoin('spot');
/** KuCoin futures (USDT- and coin-margined contracts on one endpoint). */
export const kucoinFutures = makeKucoin('futures');
