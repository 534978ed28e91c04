/**
 * Binance wire protocol for the exchange simulator (src/sim): combined streams and REST depth snapshots.
 *
 * Follows: Binance Spot API "WebSocket Streams" (combined streams `/stream?streams=<a>/<b>`, envelope
 * `{"stream":"<name>","data":{...}}`, live SUBSCRIBE/UNSUBSCRIBE `{"method","params","id"}` answered by
 * `{"result":null,"id":N}`), Binance Derivatives "Websocket Market Streams" (same, 200 streams per
 * connection), and "Market Data endpoints / Order Book" (`GET /api/v3/depth`, `/fapi/v1/depth`,
 * `/dapi/v1/depth`, `symbol` + `limit`, body `{"lastUpdateId","E","T","bids","asks"}`; spot has no E/T).
 *
 * Venue-side book: every recorded diff is kept per symbol and applied lazily (when a snapshot is asked
 * for) to an InstrumentBook with the venue's own sync rule, starting from the recording's REST
 * snapshot. A snapshot served at any moment therefore stands at `lastUpdateId` = the last `u` the
 * simulator has sent, as Binance's own would. Topics are normalized so that the update-speed suffix does
 * not matter (`btcusdt@depth@0ms` and `btcusdt@depth@100ms` are both `btcusdt@depth`): a recording taken
 * at one speed serves a client asking for another.
 */
import { InstrumentBook } from '../../book/instrument-book.ts';
import type { VenueId } from '../../core/model.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimHttpResult, SimProtocol } from '../types.ts';
import { venue as venueAdapter } from '../../feeds/registry.ts';
import { parseBinanceSnapshot } from '../../feeds/binance/snapshot.ts';
import { BinanceParser } from '../../feeds/binance/parser.ts';
import { DOC_EXAMPLES, binanceMarkPriceFrame } from './funding-frames.ts';

const DEPTH_PATHS: Record<string, string> = {
  binance: '/api/v3/depth',
  'binance-usdm': '/fapi/v1/depth',
  'binance-coinm': '/dapi/v1/depth',
  'binance-us': '/api/v3/depth',
};

/** Futures accept only these `limit` values (Derivatives "Order Book"); spot accepts 1..5000. */
const FUTURES_LIMITS = new Set([5, 10, 20, 50, 100, 500, 1000]);

/**
 * Normalize a Binance stream name to a topic: lowercase symbol, update-speed suffix removed
 * (`BTCUSDT@depth@100ms` → `btcusdt@depth`, `btcusdt@bookTicker` unchanged).
 */
export function binanceTopic(stream: string): string {
  const parts = stream.split('@');
  if (parts.length === 3 && /^\d+ms$/.test(parts[2]!)) parts.pop();
  parts[0] = parts[0]!.toLowerCase();
  return parts.join('@');
}

interface SymbolState {
  /** Recorded depth frames not yet applied to `book`. */
  pending: string[];
  book: InstrumentBook;
  /** True once the timeline has passed this symbol's recorded snapshot. */
  reached: boolean;
  lastEventTs: number;
}

/** Binance simulator protocol for one market (spot, USD-M or COIN-M). */
export class BinanceSimProtocol implements SimProtocol {
  private readonly parser: BinanceParser;
  private readonly states = new Map<string, SymbolState>();
  private readonly recorded = new Map<string, string>();
  /** Symbols of URL-less, instrument-less recorded snapshots, learnt in `preload`. */
  private readonly inferred = new Map<RecordedFrame, string>();
  private readonly depthPath: string;
  private readonly futures: boolean;
  private readonly maxStreams: number;
  /** Local time of the last observed recorded frame: the venue clock served funding frames carry. */
  private clock = NaN;
  /** The timeline's first local time (preload): the clock before any frame is observed. */
  private startClock = NaN;

  /** @throws {Error} when `venue` is not a Binance market */
  constructor(readonly venue: VenueId) {
    const path = DEPTH_PATHS[venue];
    if (path === undefined) throw new Error(`not a Binance market: "${venue}"`);
    this.depthPath = path;
    this.futures = venue === 'binance-usdm' || venue === 'binance-coinm';
    this.maxStreams = this.futures ? 200 : 1024;
    this.parser = new BinanceParser(venue);
  }

  private state(symbol: string): SymbolState {
    let s = this.states.get(symbol);
    if (!s) {
      s = {
        pending: [],
        book: new InstrumentBook(`${this.venue}:${symbol}`, venueAdapter(this.venue).sync),
        reached: false,
        lastEventTs: NaN,
      };
      this.states.set(symbol, s);
    }
    return s;
  }

  /**
   * Learn each symbol's first recorded snapshot, and the symbol of snapshots recorded without URL or
   * instrument (hftbacktest): the single symbol of the depth frames on the same connection.
   */
  preload(frames: readonly RecordedFrame[]): void {
    this.startClock = frames[0]?.localTs ?? NaN;
    const seen = new Map<string, Set<string>>();
    const unresolved: RecordedFrame[] = [];
    for (const f of frames) {
      const conn = f.connection ?? '';
      if (f.kind === 'ws') {
        const r = this.route(f.text);
        if (r?.depth && r.symbol !== undefined) {
          let set = seen.get(conn);
          if (!set) seen.set(conn, (set = new Set()));
          set.add(r.symbol);
        }
        continue;
      }
      if (!f.text.startsWith('{"lastUpdateId"')) continue;
      if (this.snapshotSymbol(f) === null) unresolved.push(f);
    }
    for (const f of unresolved) {
      const set = seen.get(f.connection ?? '');
      if (set?.size === 1) this.inferred.set(f, set.values().next().value!);
    }
    for (const f of frames) {
      const sym = this.snapshotSymbol(f);
      if (sym !== null && !this.recorded.has(sym)) this.recorded.set(sym, f.text);
    }
  }

  reset(): void {
    this.states.clear();
    this.clock = NaN;
  }

  /**
   * Futures `<symbol>@markPrice[@1s]` subscriptions get one `markPriceUpdate` right away (no recording
   * holds the stream; Binance pushes it every 1 s / 3 s): the documented example's rate, mark and index
   * (funding-frames.ts DOC_EXAMPLES.binance: documentation values, not the symbol's), at the recorded
   * clock, next funding the next 8 h settlement.
   */
  onSubscribed(topics: readonly string[]): readonly string[] {
    if (!this.futures) return [];
    const now = Number.isFinite(this.clock)
      ? this.clock
      : Number.isFinite(this.startClock)
        ? this.startClock
        : Date.now();
    const out: string[] = [];
    for (const t of topics) {
      const at = t.indexOf('@markPrice');
      if (at <= 0) continue;
      out.push(binanceMarkPriceFrame(t, t.slice(0, at).toUpperCase(), DOC_EXAMPLES.binance, now));
    }
    return out;
  }

  observe(frame: RecordedFrame): void {
    this.clock = frame.localTs;
    if (frame.kind === 'rest') {
      const sym = this.snapshotSymbol(frame);
      if (sym === null) return;
      const s = this.state(sym);
      this.materialize(s);
      try {
        s.book.onSnapshot(parseBinanceSnapshot(frame.text, s.book.instrument, frame.localTs, 0));
        s.reached = true;
      } catch {
        // A malformed recorded snapshot is ignored: the symbol keeps waiting for a usable one.
      }
      return;
    }
    const r = this.route(frame.text);
    if (r === null || !r.depth || r.symbol === undefined) return;
    const s = this.state(r.symbol);
    s.pending.push(frame.text);
    if (s.pending.length >= 50_000) this.materialize(s);
  }

  /** Apply the recorded diffs kept since the last call to the symbol's venue-side book. */
  private materialize(s: SymbolState): void {
    const pending = s.pending;
    if (pending.length === 0) return;
    s.pending = [];
    for (const text of pending) {
      let events;
      try {
        events = this.parser.parse(text, 0);
      } catch {
        continue; // a malformed recorded frame: Binance's own book would not have it either
      }
      for (const e of events) {
        if (e.type !== 'book_delta') continue;
        s.book.onDelta(e);
        s.lastEventTs = e.exchangeTs;
      }
    }
  }

  route(text: string): FrameRoute | null {
    let stream: string | undefined;
    if (text.startsWith('{"stream":"')) {
      const end = text.indexOf('"', 11);
      if (end > 11) stream = text.slice(11, end);
    } else {
      try {
        const o = JSON.parse(text) as { stream?: unknown };
        if (typeof o?.stream === 'string') stream = o.stream;
      } catch {
        return null;
      }
    }
    if (stream === undefined) return null;
    const topic = binanceTopic(stream);
    const at = topic.indexOf('@');
    if (at <= 0) return null;
    return {
      topic,
      symbol: topic.slice(0, at).toUpperCase(),
      depth: topic.slice(at + 1) === 'depth',
    };
  }

  open(url: URL): SessionOpen {
    if (url.pathname !== '/stream' && url.pathname !== '/stream/')
      return { ok: false, status: 404, message: `unknown path ${url.pathname}; use /stream?streams=` };
    const streams = url.searchParams.get('streams');
    const topics = streams
      ? streams
          .split('/')
          .filter((s) => s.length > 0)
          .map(binanceTopic)
      : [];
    if (topics.length > this.maxStreams)
      return { ok: false, status: 400, message: `too many streams (${topics.length} > ${this.maxStreams})` };
    return { ok: true, topics };
  }

  onMessage(text: string): ClientMessageResult {
    let m: { method?: unknown; params?: unknown; id?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return { replies: ['{"error":{"code":3,"msg":"Invalid JSON"}}'] };
    }
    if (m === null || typeof m !== 'object')
      return { replies: ['{"error":{"code":3,"msg":"Invalid JSON"}}'] };
    const id = typeof m.id === 'number' || typeof m.id === 'string' ? m.id : null;
    const params = Array.isArray(m.params)
      ? m.params.filter((p): p is string => typeof p === 'string')
      : null;
    const ok = JSON.stringify({ result: null, id });
    if (m.method === 'SUBSCRIBE' && params) return { subscribe: params.map(binanceTopic), replies: [ok] };
    if (m.method === 'UNSUBSCRIBE' && params) return { unsubscribe: params.map(binanceTopic), replies: [ok] };
    return { replies: [JSON.stringify({ error: { code: 2, msg: 'Invalid request: unknown method' }, id })] };
  }

  http(url: URL, early: boolean): SimHttpResult {
    if (url.pathname !== this.depthPath) return null;
    const symbol = url.searchParams.get('symbol');
    if (!symbol)
      return {
        status: 400,
        body: `{"code":-1102,"msg":"Mandatory parameter 'symbol' was not sent, was empty/null, or malformed."}`,
      };
    const limitText = url.searchParams.get('limit');
    const limit = limitText === null ? (this.futures ? 500 : 100) : Number(limitText);
    const limitOk = this.futures
      ? FUTURES_LIMITS.has(limit)
      : Number.isInteger(limit) && limit >= 1 && limit <= 5000;
    if (!limitOk)
      return { status: 400, body: `{"code":-1100,"msg":"Illegal characters found in parameter 'limit'."}` };
    const s = this.states.get(symbol);
    const recorded = this.recorded.get(symbol);
    if (!s?.reached) {
      if (recorded === undefined && s === undefined)
        return { status: 400, body: '{"code":-1121,"msg":"Invalid symbol."}' };
      if (early && recorded !== undefined) return { status: 200, body: recorded, symbol };
      return { wait: symbol };
    }
    this.materialize(s);
    const b = s.book;
    if (b.state !== 'live' && b.state !== 'stale') return { wait: symbol };
    const top = b.book.topStrings(limit);
    const head = this.futures
      ? `{"lastUpdateId":${b.health.sequence},"E":${s.lastEventTs},"T":${s.lastEventTs},`
      : `{"lastUpdateId":${b.health.sequence},`;
    return {
      status: 200,
      body: `${head}"bids":${JSON.stringify(top.bids)},"asks":${JSON.stringify(top.asks)}}`,
      symbol,
    };
  }

  snapshotSymbol(frame: RecordedFrame): string | null {
    if (frame.kind !== 'rest' || !frame.text.startsWith('{"lastUpdateId"')) return null;
    if (frame.instrument !== undefined) {
      const i = frame.instrument.indexOf(':');
      return i >= 0 ? frame.instrument.slice(i + 1) : frame.instrument;
    }
    if (frame.url !== undefined) {
      const m = /[?&]symbol=([^&]+)/.exec(frame.url);
      if (m) return decodeURIComponent(m[1]!);
    }
    return this.inferred.get(frame) ?? null;
  }

  corruptLevel(text: string, pick: () => number): string | null {
    let o: { data?: { b?: unknown; a?: unknown } };
    try {
      o = JSON.parse(text) as typeof o;
    } catch {
      return null;
    }
    const d = o?.data;
    if (!d) return null;
    const sides = (['b', 'a'] as const).filter((k) => Array.isArray(d[k]) && (d[k] as unknown[]).length > 0);
    if (sides.length === 0) return null;
    const side = d[sides[Math.floor(pick() * sides.length)]!] as unknown[][];
    const level = side[Math.floor(pick() * side.length)]!;
    const how = Math.floor(pick() * 4);
    if (how === 0) level[1] = '-' + String(level[1]);
    else if (how === 1) level[1] = 'abc';
    else if (how === 2) level[1] = Number(level[1]);
    else level[0] = null;
    return JSON.stringify(o);
  }
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createBinanceSimProtocol(venue: VenueId): SimProtocol {
  return new BinanceSimProtocol(venue);
}
