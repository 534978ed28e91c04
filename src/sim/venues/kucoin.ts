/**
 * KuCoin WebSocket + REST for the exchange simulator (src/sim), spot (`kucoin`) and futures
 * (`kucoin-futures`).
 *
 * Follows: KuCoin API docs (docs-new), "WebSocket > Get Public Token" (`POST /api/v1/bullet-public` →
 * `{"code":"200000","data":{"token","instanceServers":[{"endpoint","encrypt","protocol":"websocket",
 * "pingInterval":18000,"pingTimeout":10000}]}}`; the socket is opened at `<endpoint>?token=...` and greets
 * with `{"id","type":"welcome"}`; `{"id","type":"ping"}` → `{"id","type":"pong"}`), "Subscribe"
 * (`{"id","type":"subscribe"|"unsubscribe","topic":"/market/level2:A,B","response":true}` → `{"id",
 * "type":"ack"}`; bad requests → `{"id","type":"error","code":400,"data":...}`), and the order books:
 * spot "Get Part OrderBook" (`GET /api/v1/market/orderbook/level2_20|level2_100?symbol=` → `{"code":
 * "200000","data":{"time","sequence","bids":[[p,s]],"asks"}}`), futures "Get Full OrderBook"
 * (`GET /api/v1/level2/snapshot?symbol=` → `{"code":"200000","data":{"symbol","sequence","asks":[[p,
 * size as an integer]],"bids","ts" (ns)}}`). Served books come from the venue-side book (rest-sim.ts)
 * at the last sequence sent.
 *
 * Topics are one symbol each (`/market/level2:BTC-USDT`); a subscribe listing several symbols adds one
 * topic per symbol. The spot recording (2021) speaks today's increment format (it lacks only `time`):
 * frames go out as recorded. KuCoin futures has no recording here: {@link kucoinFuturesTimeline} builds
 * a deterministic timeline from the documented messages (see its docstring) for tests and demos.
 */
import type { VenueId } from '../../core/model.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimProtocol } from '../types.ts';
import { mulberry32 } from '../faults.ts';
import { RestSimProtocol, restError, type RestBookState, type RestRoute } from './rest-sim.ts';
import { corruptOneLevel } from './stream-sim.ts';

const TOPIC = /"topic":"(\/(?:market|contractMarket)\/[A-Za-z0-9]+):([^"]+)"/;
const DEPTH_CHANNELS = new Set(['/market/level2', '/contractMarket/level2']);

/** KuCoin simulator protocol for one market. */
export class KucoinSimProtocol extends RestSimProtocol {
  private readonly spot: boolean;
  private readonly tokens = new Set<string>();
  private nextToken = 1;
  protected readonly routes: readonly RestRoute[];

  /** @throws {Error} when `venue` is not a KuCoin market */
  constructor(venue: VenueId) {
    super(venue);
    if (venue !== 'kucoin' && venue !== 'kucoin-futures') throw new Error(`not a KuCoin market: "${venue}"`);
    this.spot = venue === 'kucoin';
    const book = (limit: number) => (url: URL, early: boolean) => this.orderBook(url, early, limit);
    this.routes = [
      { method: 'POST', path: '/api/v1/bullet-public', handle: (url) => this.bullet(url) },
      ...(this.spot
        ? [
            { method: 'GET', path: '/api/v1/market/orderbook/level2_100', handle: book(100) },
            { method: 'GET', path: '/api/v1/market/orderbook/level2_20', handle: book(20) },
          ]
        : [{ method: 'GET', path: '/api/v1/level2/snapshot', handle: book(Number.MAX_SAFE_INTEGER) }]),
    ];
  }

  private bullet(url: URL) {
    const token = `sim-token-${this.nextToken++}`;
    this.tokens.add(token);
    return {
      status: 200,
      body: JSON.stringify({
        code: '200000',
        data: {
          token,
          instanceServers: [
            {
              endpoint: `ws://${url.host}/`,
              encrypt: false,
              protocol: 'websocket',
              pingInterval: 18000,
              pingTimeout: 10000,
            },
          ],
        },
      }),
    };
  }

  private orderBook(url: URL, early: boolean, limit: number) {
    const symbol = url.searchParams.get('symbol');
    if (!symbol) return restError(400, { code: '400100', msg: 'symbol is required' });
    return this.serveSnapshot(
      symbol,
      early,
      (s) => this.render(s, limit),
      restError(400, { code: '400100', msg: 'Unsupported trading pair.' }),
    );
  }

  private render(s: RestBookState, limit: number): string {
    const top = s.book.book.topStrings(limit);
    const ms = Number.isNaN(s.lastEventTs) ? 0 : s.lastEventTs;
    const seq = s.book.health.sequence;
    if (this.spot)
      return JSON.stringify({
        code: '200000',
        data: { time: ms, sequence: String(seq), bids: top.bids, asks: top.asks },
      });
    const lv = (l: [string, string]) =>
      `[${JSON.stringify(l[0])},${/^\d+$/.test(l[1]) ? l[1] : JSON.stringify(l[1])}]`;
    return `{"code":"200000","data":{"symbol":${JSON.stringify(s.symbol)},"sequence":${seq},"asks":[${top.asks.map(lv).join(',')}],"bids":[${top.bids.map(lv).join(',')}],"ts":${ms}000000}}`;
  }

  protected recordedSnapshotSymbol(frame: RecordedFrame): string | null {
    if (!frame.url || !/\/(orderbook\/level2[^?]*|level2\/snapshot)\?/.test(frame.url)) return null;
    return new URLSearchParams(frame.url.slice(frame.url.indexOf('?') + 1)).get('symbol');
  }

  route(text: string): FrameRoute | null {
    if (!text.includes('"type":"message"')) return null; // welcome/ack/pong of the recorder's own session
    const m = TOPIC.exec(text);
    if (!m) return null;
    const [, channel, symbol] = m as unknown as [string, string, string];
    if (channel.startsWith('/market/') !== this.spot) return null;
    return { topic: `${channel}:${symbol}`, symbol, depth: DEPTH_CHANNELS.has(channel) };
  }

  open(url: URL): SessionOpen {
    const token = url.searchParams.get('token');
    if (token === null || !this.tokens.has(token))
      return {
        ok: false,
        status: 401,
        message: 'token is missing or unknown: get one from POST /api/v1/bullet-public',
      };
    return { ok: true, topics: [] };
  }

  onOpen(): readonly string[] {
    return [JSON.stringify({ id: `sim${this.nextToken}`, type: 'welcome' })];
  }

  onMessage(text: string): ClientMessageResult {
    let m: { id?: unknown; type?: unknown; topic?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return { replies: [JSON.stringify({ type: 'error', code: 400, data: 'Bad Request' })] };
    }
    const id = typeof m?.id === 'string' || typeof m?.id === 'number' ? m.id : '';
    if (m.type === 'ping') return { replies: [JSON.stringify({ id, type: 'pong' })] };
    const topic = typeof m.topic === 'string' ? m.topic : '';
    const colon = topic.indexOf(':');
    const channel = colon > 0 ? topic.slice(0, colon) : '';
    if (
      (m.type !== 'subscribe' && m.type !== 'unsubscribe') ||
      channel.startsWith(this.spot ? '/market/' : '/contractMarket/') === false
    )
      return {
        replies: [JSON.stringify({ id, type: 'error', code: 404, data: `topic ${topic} is not found` })],
      };
    const topics = topic
      .slice(colon + 1)
      .split(',')
      .filter((s) => s.length > 0)
      .map((s) => `${channel}:${s}`);
    const ack = JSON.stringify({ id, type: 'ack' });
    return m.type === 'subscribe'
      ? { subscribe: topics, replies: [ack] }
      : { unsubscribe: topics, replies: [ack] };
  }

  corruptLevel(text: string, pick: () => number): string | null {
    let o: { data?: { changes?: { asks?: unknown[]; bids?: unknown[] }; change?: unknown } };
    try {
      o = JSON.parse(text) as typeof o;
    } catch {
      return null;
    }
    const d = o?.data;
    if (!d) return null;
    if (typeof d.change === 'string') {
      const [p, side] = d.change.split(',');
      d.change = `${p},${side},${pick() < 0.5 ? '-5' : 'abc'}`;
      return JSON.stringify(o);
    }
    const c = d.changes;
    return c && corruptOneLevel([c.bids as unknown[], c.asks as unknown[]], pick) ? JSON.stringify(o) : null;
  }
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createKucoinSimProtocol(venue: VenueId): SimProtocol {
  return new KucoinSimProtocol(venue);
}

/** Options of {@link kucoinFuturesTimeline}. */
export interface KucoinFuturesTimelineOptions {
  /** Contracts with their mid price and tick (default XBTUSDTM at 90,000.05 / 0.1, ETHUSDTM 3,000.005 / 0.01). */
  contracts?: readonly { symbol: string; mid: number; tick: number }[];
  /** Increments per contract (default 400). */
  increments?: number;
  /** Start time, ms since epoch UTC (default 2026-01-01T00:00:00Z). */
  startMs?: number;
  seed?: number;
}

/**
 * A deterministic KuCoin futures timeline made from the documented messages only (there is no recorded
 * KuCoin futures capture): per contract, increments `{"topic":"/contractMarket/level2:<sym>","type":
 * "message","subject":"level2","sn","data":{"sequence","change":"<price>,<buy|sell>,<size>","timestamp"}}`
 * every 10-30 ms with sequences +1, trades `/contractMarket/execution:<sym>` (subject `match`, size in
 * lots, `ts` ns), and one REST snapshot (`/api/v1/level2/snapshot?symbol=`, body as documented) taken
 * after the 10th increment, so a few increments precede it (and are dropped as already covered, per the
 * procedure). Changes keep bids below the mid and asks above it (the book never crosses); size 0 deletes.
 * The snapshot is the exact book after the increments up to its sequence.
 */
export function kucoinFuturesTimeline(opts: KucoinFuturesTimelineOptions = {}): RecordedFrame[] {
  const contracts = opts.contracts ?? [
    { symbol: 'XBTUSDTM', mid: 90_000.05, tick: 0.1 },
    { symbol: 'ETHUSDTM', mid: 3_000.005, tick: 0.01 },
  ];
  const rnd = mulberry32(opts.seed ?? 7);
  const start = opts.startMs ?? Date.UTC(2026, 0, 1);
  const n = opts.increments ?? 400;
  const frames: RecordedFrame[] = [];
  const conn = 'KUCOIN_FUTURES.ws.1';
  contracts.forEach((c, ci) => {
    const decimals = Math.round(-Math.log10(c.tick));
    const px = (k: number, side: 'buy' | 'sell') =>
      (side === 'buy' ? c.mid - (k - 0.5) * c.tick : c.mid + (k - 0.5) * c.tick).toFixed(decimals);
    const book = { buy: new Map<string, number>(), sell: new Map<string, number>() };
    for (let k = 1; k <= 30; k++) {
      book.buy.set(px(k, 'buy'), 1 + Math.floor(rnd() * 500));
      book.sell.set(px(k, 'sell'), 1 + Math.floor(rnd() * 500));
    }
    let seq = 1_700_000_000_000 + ci * 1_000_000;
    let t = start + ci * 3;
    let tradeId = seq;
    for (let i = 1; i <= n; i++) {
      t += 10 + Math.floor(rnd() * 20);
      const side = rnd() < 0.5 ? 'buy' : 'sell';
      const price = px(1 + Math.floor(rnd() * 40), side);
      const size = rnd() < 0.25 ? 0 : 1 + Math.floor(rnd() * 800);
      if (size === 0) book[side].delete(price);
      else book[side].set(price, size);
      seq++;
      const msg = {
        topic: `/contractMarket/level2:${c.symbol}`,
        type: 'message',
        subject: 'level2',
        sn: seq,
        data: { sequence: seq, change: `${price},${side},${size}`, timestamp: t },
      };
      frames.push({
        localTs: t + 2,
        kind: 'ws',
        connection: conn,
        venue: 'kucoin-futures',
        text: JSON.stringify(msg),
      });
      if (i % 25 === 0) {
        const taker = rnd() < 0.5 ? 'buy' : 'sell';
        const trade = {
          topic: `/contractMarket/execution:${c.symbol}`,
          type: 'message',
          subject: 'match',
          sn: seq,
          data: {
            symbol: c.symbol,
            sequence: seq,
            side: taker,
            size: 1 + Math.floor(rnd() * 20),
            price: px(1, taker === 'buy' ? 'sell' : 'buy'),
            takerOrderId: `t${i}`,
            makerOrderId: `m${i}`,
            tradeId: String(++tradeId),
            ts: t * 1_000_000,
          },
        };
        frames.push({
          localTs: t + 2.5,
          kind: 'ws',
          connection: conn,
          venue: 'kucoin-futures',
          text: JSON.stringify(trade),
        });
      }
      if (i === 10) {
        const side = (s: 'buy' | 'sell') =>
          [...book[s]]
            .sort((a, b) => (s === 'buy' ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])))
            .map(([p, q]) => `[${JSON.stringify(p)},${q}]`)
            .join(',');
        frames.push({
          localTs: t + 40,
          kind: 'rest',
          connection: 'KUCOIN_FUTURES.http.0',
          venue: 'kucoin-futures',
          url: `https://api-futures.kucoin.com/api/v1/level2/snapshot?symbol=${c.symbol}`,
          text: `{"code":"200000","data":{"symbol":"${c.symbol}","sequence":${seq},"asks":[${side('sell')}],"bids":[${side('buy')}],"ts":${t}000000}}`,
        });
      }
    }
  });
  return frames.sort((a, b) => a.localTs - b.localTs);
}
