/**
 * Gate.io v4 WebSocket + REST for the exchange simulator (src/sim), spot (`gateio`) and USDT futures
 * (`gateio-futures`).
 *
 * Follows: Gate.io "Spot WebSocket v4" / "Futures WebSocket v4" (paths `/ws/v4/` and `/v4/ws/usdt`;
 * requests `{"time","channel","event":"subscribe"|"unsubscribe","payload"}` answered by
 * `{"time","time_ms","channel","event","error":null,"result":{"status":"success"}}`; `spot.ping` →
 * `spot.pong`), and APIv4 "Spot > Retrieve order book" (`GET /api/v4/spot/order_book?currency_pair=&
 * limit=&with_id=true` → `{"id","current","update","asks":[[p,s]],"bids":[[p,s]]}`) / "Futures > Futures
 * order book" (`GET /api/v4/futures/usdt/order_book?contract=&limit=&with_id=true`, levels `{"p","s"}`,
 * times in seconds). The recordings speak today's `order_book_update` protocol: frames go out as
 * recorded. Served snapshots come from the venue-side book (rest-sim.ts) at the last `u` sent.
 *
 * Topics are `<channel>:<pair>` (`spot.order_book_update:BTC_USDT`, `futures.trades:BTC_USDT`).
 *
 * Book channel: one per simulator instance. `order_book_update` (default) serves the recordings as they
 * are. `obu` ("Order Book V2", {@link createGateioObuSimProtocol}) rewrites every recorded update into an
 * `obu` incremental (`{"channel":"spot.obu","event":"update","result":{"t","s":"ob.<pair>.400","U","u",
 * "b","a"}}`, same ids and levels) and answers a subscribe with the full book (`full: true`, `u` = its id)
 * from the venue-side book. Before the timeline has passed a pair's recorded REST snapshot there is no
 * book to send (the recorded snapshot itself may stand inside an update's `U`..`u`, which a real full
 * book never does): the subscribe is acknowledged and nothing follows, so the client's snapshot timeout
 * resubscribes, as against the venue. A subscribe to the other book channel gets Gate.io's error answer.
 */
import type { VenueId } from '../../core/model.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimProtocol } from '../types.ts';
import { RestSimProtocol, restError, type RestBookState, type RestRoute } from './rest-sim.ts';
import { corruptOneLevel } from './stream-sim.ts';
import {
  gateioFundingFromContracts,
  gateioTickersFrame,
  isGateioContractsUrl,
  type SimFundingValues,
} from './funding-frames.ts';

/** Largest `limit` the simulated order-book endpoints accept. */
const MAX_LIMIT = 1000;
const SUBSCRIBABLE = new Set(['order_book_update', 'trades', 'book_ticker', 'tickers', 'candlesticks']);

/** Level of the `obu` streams the simulator serves (`ob.<pair>.400`). */
const OBU_LEVEL = 400;

/** Gate.io simulator protocol for one market and book channel. */
export class GateioSimProtocol extends RestSimProtocol {
  private readonly market: 'spot' | 'futures';
  protected readonly routes: readonly RestRoute[];
  /** Funding values per contract from a recorded contracts reference body (futures; see onSubscribed). */
  private funding = new Map<string, SimFundingValues>();
  /** Local time of the last observed recorded frame: the venue clock of served ticker frames. */
  private clock = NaN;
  /** The timeline's first local time (preload): the clock before any frame is observed. */
  private startClock = NaN;

  /** @throws {Error} when `venue` is not a Gate.io market */
  constructor(
    venue: VenueId,
    private readonly book: 'order_book_update' | 'obu' = 'order_book_update',
  ) {
    super(venue);
    if (venue !== 'gateio' && venue !== 'gateio-futures') throw new Error(`not a Gate.io market: "${venue}"`);
    this.market = venue === 'gateio' ? 'spot' : 'futures';
    const spot = this.market === 'spot';
    this.routes = [
      {
        method: 'GET',
        path: spot ? '/api/v4/spot/order_book' : '/api/v4/futures/usdt/order_book',
        handle: (url, early) => this.orderBook(url, early),
      },
    ];
  }

  private orderBook(url: URL, early: boolean) {
    const key = this.market === 'spot' ? 'currency_pair' : 'contract';
    const symbol = url.searchParams.get(key);
    if (!symbol)
      return restError(400, {
        label: 'MISSING_REQUIRED_PARAM',
        message: `Missing required parameter: ${key}`,
      });
    const limit = Number(url.searchParams.get('limit') ?? '10');
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return restError(400, {
        label: 'INVALID_PARAM_VALUE',
        message: `invalid limit ${String(url.searchParams.get('limit'))}`,
      });
    const withId = url.searchParams.get('with_id') === 'true';
    return this.serveSnapshot(
      symbol,
      early,
      (s) => this.render(s, limit, withId),
      restError(400, { label: 'INVALID_CURRENCY_PAIR', message: `Invalid currency pair ${symbol}` }),
    );
  }

  private render(s: RestBookState, limit: number, withId: boolean): string {
    const top = s.book.book.topStrings(limit);
    const ms = Number.isNaN(s.lastEventTs) ? 0 : s.lastEventTs;
    const head = withId ? `"id":${s.book.health.sequence},` : '';
    if (this.market === 'spot')
      return `{${head}"current":${ms},"update":${ms},"asks":${JSON.stringify(top.asks)},"bids":${JSON.stringify(top.bids)}}`;
    const lv = (l: [string, string]) => ({ p: l[0], s: /^\d+$/.test(l[1]) ? Number(l[1]) : l[1] });
    return `{${head}"current":${ms / 1000},"update":${ms / 1000},"asks":${JSON.stringify(top.asks.map(lv))},"bids":${JSON.stringify(top.bids.map(lv))}}`;
  }

  protected recordedSnapshotSymbol(frame: RecordedFrame): string | null {
    if (!frame.url || !/\/order_book\?/.test(frame.url)) return null;
    const q = new URLSearchParams(frame.url.slice(frame.url.indexOf('?') + 1));
    return q.get(this.market === 'spot' ? 'currency_pair' : 'contract');
  }

  /** In `obu` mode, a recorded `order_book_update` as an `obu` incremental (see module doc). */
  wire(frame: RecordedFrame): string {
    const text = frame.text;
    if (this.book !== 'obu' || frame.kind !== 'ws' || !text.includes(`"${this.market}.order_book_update"`))
      return text;
    let o: { time?: unknown; time_ms?: unknown; event?: unknown; result?: Record<string, unknown> };
    try {
      o = JSON.parse(text) as typeof o;
    } catch {
      return text;
    }
    const r = o?.result;
    if (o.event !== 'update' || !r || typeof r.s !== 'string') return text;
    return JSON.stringify({
      time: o.time,
      time_ms: o.time_ms,
      channel: `${this.market}.obu`,
      event: 'update',
      result: { t: r.t, s: `ob.${r.s}.${OBU_LEVEL}`, U: r.U, u: r.u, b: r.b, a: r.a },
    });
  }

  override preload(frames: readonly RecordedFrame[]): void {
    super.preload(frames);
    this.startClock = frames[0]?.localTs ?? NaN;
    for (const f of frames)
      if (f.kind === 'rest' && this.market === 'futures' && isGateioContractsUrl(f.url))
        this.funding = gateioFundingFromContracts(f.text);
  }

  override observe(frame: RecordedFrame): void {
    this.clock = frame.localTs;
    super.observe(frame);
  }

  override reset(): void {
    super.reset();
    this.clock = NaN;
  }

  /**
   * Futures `futures.tickers` subscriptions get one ticker update per contract right away, with the
   * contract's funding rate, indicative rate, mark and index price from the recorded contracts
   * reference body (real venue values of the recording's moment: funding-frames.ts); a contract the
   * body does not list gets no frame. Then, in `obu` mode, the full book of each subscribed `obu`
   * stream (see module doc).
   */
  onSubscribed(topics: readonly string[]): readonly string[] {
    const out: string[] = [];
    const now = Number.isFinite(this.clock)
      ? this.clock
      : Number.isFinite(this.startClock)
        ? this.startClock
        : Date.now();
    for (const t of topics) {
      if (!t.startsWith('futures.tickers:')) continue;
      const contract = t.slice(t.indexOf(':') + 1);
      const v = this.funding.get(contract);
      if (v) out.push(gateioTickersFrame(contract, v, now));
    }
    if (this.book !== 'obu') return out;
    for (const t of topics) {
      if (!t.startsWith(`${this.market}.obu:`)) continue;
      const symbol = t.slice(t.indexOf(':') + 1);
      const r = this.serveSnapshot(symbol, false, (s) => this.render(s, OBU_LEVEL, true), null);
      if (r === null || 'wait' in r || r.status !== 200) continue;
      let snap;
      try {
        snap = this.adapter.parseSnapshot!(r.body, `${this.venue}:${symbol}`, 0);
      } catch {
        continue;
      }
      const ms = Number.isNaN(snap.exchangeTs) ? 0 : snap.exchangeTs;
      const lv = (l: readonly unknown[]) =>
        this.market === 'spot'
          ? [l[0], l[1]]
          : { p: l[0], s: /^\d+$/.test(String(l[1])) ? Number(l[1]) : l[1] };
      out.push(
        JSON.stringify({
          time: Math.floor(ms / 1000),
          time_ms: ms,
          channel: `${this.market}.obu`,
          event: 'update',
          result: {
            t: ms,
            full: true,
            s: `ob.${symbol}.${OBU_LEVEL}`,
            u: snap.sequence,
            b: snap.bids.slice(0, OBU_LEVEL).map(lv),
            a: snap.asks.slice(0, OBU_LEVEL).map(lv),
          },
        }),
      );
    }
    return out;
  }

  route(text: string): FrameRoute | null {
    let o: { channel?: unknown; event?: unknown; result?: unknown };
    try {
      o = JSON.parse(text) as typeof o;
    } catch {
      return null;
    }
    if (typeof o?.channel !== 'string' || o.event !== 'update') return null; // acks of the recorder's requests
    const [market, name] = o.channel.split('.', 2) as [string, string | undefined];
    if (market !== this.market || name === undefined) return null;
    const r = Array.isArray(o.result) ? (o.result[0] as unknown) : o.result;
    if (r === null || typeof r !== 'object') return null;
    const x = r as Record<string, unknown>;
    const sym =
      name === 'trades'
        ? this.market === 'spot'
          ? x.currency_pair
          : x.contract
        : name === 'candlesticks'
          ? x.n
          : (x.s ?? x.currency_pair ?? x.contract);
    if (typeof sym !== 'string') return null;
    const symbol =
      name === 'candlesticks'
        ? sym.replace(/^[^_]+_/, '')
        : name === 'obu'
          ? sym.replace(/^ob\.(.+)\.\d+$/, '$1')
          : sym;
    return { topic: `${o.channel}:${symbol}`, symbol, depth: name === 'order_book_update' || name === 'obu' };
  }

  open(url: URL): SessionOpen {
    const path = this.market === 'spot' ? '/ws/v4/' : '/v4/ws/usdt';
    if (url.pathname.replace(/\/$/, '') !== path.replace(/\/$/, ''))
      return { ok: false, status: 404, message: `unknown path ${url.pathname}; use ${path}` };
    return { ok: true, topics: [] };
  }

  onMessage(text: string): ClientMessageResult {
    const now = Date.now();
    const answer = (channel: string, event: string, extra: object) =>
      JSON.stringify({ time: Math.floor(now / 1000), time_ms: now, channel, event, ...extra });
    let m: { channel?: unknown; event?: unknown; payload?: unknown; id?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return {
        replies: [
          answer('', '', { error: { code: 1, message: 'Invalid request body format' }, result: null }),
        ],
      };
    }
    const channel = typeof m?.channel === 'string' ? m.channel : '';
    if (channel === `${this.market}.ping`)
      return { replies: [answer(`${this.market}.pong`, '', { result: null })] };
    const [market, name] = channel.split('.', 2);
    const event = m.event;
    const payload = Array.isArray(m.payload)
      ? m.payload.filter((p): p is string => typeof p === 'string')
      : null;
    if (
      market !== this.market ||
      name === undefined ||
      !(SUBSCRIBABLE.has(name) || name === this.book) ||
      (name === 'order_book_update' && this.book === 'obu') ||
      (event !== 'subscribe' && event !== 'unsubscribe') ||
      payload === null ||
      payload.length === 0
    )
      return {
        replies: [
          answer(channel, String(event), {
            error: { code: 2, message: 'Invalid argument provided' },
            result: { status: 'fail' },
          }),
        ],
      };
    // order_book_update / candlesticks name one pair (first / last payload item); others list pairs.
    const pairs =
      name === 'obu'
        ? payload.map((p) => p.replace(/^ob\.(.+)\.\d+$/, '$1')).slice(0, 1)
        : name === 'order_book_update'
          ? [payload[0]!]
          : name === 'candlesticks'
            ? [payload[payload.length - 1]!]
            : payload;
    const topics = pairs.map((p) => `${channel}:${p}`);
    const reply = answer(channel, event, { error: null, result: { status: 'success' } });
    return event === 'subscribe'
      ? { subscribe: topics, replies: [reply] }
      : { unsubscribe: topics, replies: [reply] };
  }

  corruptLevel(text: string, pick: () => number): string | null {
    let o: { result?: { a?: unknown[]; b?: unknown[] } };
    try {
      o = JSON.parse(text) as typeof o;
    } catch {
      return null;
    }
    const r = o?.result;
    if (!r) return null;
    const lists = [r.b, r.a].filter((l): l is unknown[] => Array.isArray(l) && l.length > 0);
    if (lists.length === 0) return null;
    if (Array.isArray(lists[0]![0]))
      return corruptOneLevel(lists as unknown[][], pick) ? JSON.stringify(o) : null;
    const list = lists[Math.floor(pick() * lists.length)]!;
    const level = list[Math.floor(pick() * list.length)] as Record<string, unknown>;
    const how = Math.floor(pick() * 3);
    if (how === 0) level.s = -1 - Number(level.s);
    else if (how === 1) level.s = 'abc';
    else level.p = null;
    return JSON.stringify(o);
  }
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts): the `order_book_update` channel. */
export function createGateioSimProtocol(venue: VenueId): SimProtocol {
  return new GateioSimProtocol(venue);
}

/** A Gate.io simulator serving the `obu` ("Order Book V2") channel from the same recordings. */
export function createGateioObuSimProtocol(venue: VenueId): SimProtocol {
  return new GateioSimProtocol(venue, 'obu');
}
