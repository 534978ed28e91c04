/**
 * Binance venue descriptors: spot, USD-M futures, COIN-M futures.
 * Follows: Binance Spot API docs ("WebSocket Streams": combined streams `/stream?streams=`, 1024 streams
 * per connection, ping every 20 s; "How to manage a local order book correctly"; REST "Order Book",
 * weight by limit) and Binance Derivatives docs (USD-M `fstream.binance.com`, COIN-M `dstream.binance.com`,
 * 200 streams per connection, `pu` continuity).
 */
import { binanceFuturesRule, binanceSpotRule } from '../../book/sync-rule.ts';
import type { VenueAdapter } from '../types.ts';
import { BinanceParser } from './parser.ts';
import { parseBinanceSnapshot } from './snapshot.ts';
import { binanceReference } from './instruments.ts';
import { isPerpetualSymbol } from '../funding.ts';

/** Levels requested per REST snapshot. */
export const BINANCE_SNAPSHOT_LIMIT = 1000;

interface BinanceMarket {
  id: 'binance' | 'binance-usdm' | 'binance-coinm' | 'binance-us';
  name: string;
  wsUrl: string;
  restUrl: string;
  depthPath: string;
  depthStream: string;
  tradeStream: string;
  maxStreams: number;
  weightPerMinute: number;
  snapshotWeight: number;
  futures: boolean;
}

/**
 * The streams of one symbol: depth, trade, bookTicker, and on futures perpetuals the mark price stream
 * (`<symbol>@markPrice@1s`, funding rate and mark/index price: Binance Derivatives "Mark Price Stream";
 * parsed by funding.ts).
 */
function symbolStreams(m: BinanceMarket, symbol: string): string[] {
  const l = symbol.toLowerCase();
  const streams = [`${l}@${m.depthStream}`, `${l}@${m.tradeStream}`, `${l}@bookTicker`];
  if (m.futures && isPerpetualSymbol(m.id, symbol)) streams.push(`${l}@markPrice@1s`);
  return streams;
}

function makeBinance(m: BinanceMarket): VenueAdapter {
  const streamsPerSymbol = m.futures ? 4 : 3; // depth, trade, bookTicker (+ markPrice on futures)
  return {
    id: m.id,
    name: m.name,
    docs: [
      m.futures
        ? 'Binance Derivatives: Websocket Market Streams, Diff. Book Depth Streams, Mark Price Stream; How to manage a local order book correctly'
        : 'Binance Spot API: WebSocket Streams, Diff. Depth Stream; How to manage a local order book correctly',
      m.futures
        ? 'Binance Derivatives: Market Data Endpoints, Order Book'
        : 'Binance Spot API: Market Data endpoints, Order Book',
    ],
    sync: {
      rule: m.futures ? binanceFuturesRule : binanceSpotRule,
      snapshotSource: 'rest',
      coverage: 'snapshot',
    },
    ws: {
      url: m.wsUrl,
      maxSymbolsPerConnection: Math.floor(m.maxStreams / streamsPerSymbol),
      pingIntervalMs: 20_000,
      staleAfterMs: 10_000,
    },
    rest: { url: m.restUrl, weightPerMinute: m.weightPerMinute },
    createParser: () => new BinanceParser(m.id),
    subscribe(wsBase, symbols) {
      const streams = symbols.flatMap((s) => symbolStreams(m, s));
      return { url: `${wsBase.replace(/\/$/, '')}/stream?streams=${streams.join('/')}`, messages: [] };
    },
    unsubscribe(symbols) {
      const params = symbols.flatMap((s) => symbolStreams(m, s));
      return [JSON.stringify({ method: 'UNSUBSCRIBE', params, id: Date.now() })];
    },
    snapshotRequest(restBase, symbol) {
      return {
        url: `${restBase.replace(/\/$/, '')}${m.depthPath}?symbol=${encodeURIComponent(symbol)}&limit=${BINANCE_SNAPSHOT_LIMIT}`,
        weight: m.snapshotWeight,
      };
    },
    parseSnapshot: (body, instrument, localTs) =>
      parseBinanceSnapshot(body, instrument, localTs, BINANCE_SNAPSHOT_LIMIT),
    pingMessage: () => null,
    reference: binanceReference(m.id),
  };
}

/** Binance spot. */
export const binanceSpot = makeBinance({
  id: 'binance',
  name: 'Binance',
  wsUrl: 'wss://stream.binance.com:9443',
  restUrl: 'https://api.binance.com',
  depthPath: '/api/v3/depth',
  depthStream: 'depth@100ms',
  tradeStream: 'trade',
  maxStreams: 1024,
  weightPerMinute: 6000,
  snapshotWeight: 50,
  futures: false,
});

/**
 * Binance.US spot: the Binance spot protocol on its own hosts (Binance.US API docs, "WebSocket Streams",
 * "Order Book"); a separate market, so its own venue id (the 2021-04 single-file capture).
 */
export const binanceUs = makeBinance({
  id: 'binance-us',
  name: 'Binance.US',
  wsUrl: 'wss://stream.binance.us:9443',
  restUrl: 'https://api.binance.us',
  depthPath: '/api/v3/depth',
  depthStream: 'depth@100ms',
  tradeStream: 'trade',
  maxStreams: 1024,
  weightPerMinute: 1200,
  snapshotWeight: 50,
  futures: false,
});

/** Binance USD-M futures. */
export const binanceUsdm = makeBinance({
  id: 'binance-usdm',
  name: 'Binance USD-M',
  wsUrl: 'wss://fstream.binance.com',
  restUrl: 'https://fapi.binance.com',
  depthPath: '/fapi/v1/depth',
  depthStream: 'depth@0ms',
  tradeStream: 'trade',
  maxStreams: 200,
  weightPerMinute: 2400,
  snapshotWeight: 20,
  futures: true,
});

/** Binance COIN-M futures. */
export const binanceCoinm = makeBinance({
  id: 'binance-coinm',
  name: 'Binance COIN-M',
  wsUrl: 'wss://dstream.binance.com',
  restUrl: 'https://dapi.binance.com',
  depthPath: '/dapi/v1/depth',
  depthStream: 'depth@0ms',
  tradeStream: 'trade',
  maxStreams: 200,
  weightPerMinute: 2400,
  snapshotWeight: 20,
  futures: true,
});
