/**
 * Bitstamp wire protocol for the exchange simulator (src/sim): WebSocket v2 channels and REST order-book
 * snapshots.
 *
 * Follows: Bitstamp "WebSocket API v2" (`{"event":"bts:subscribe","data":{"channel":"diff_order_book_btcusd"}}`
 * answered by `{"event":"bts:subscription_succeeded","channel":...,"data":{}}`, `bts:unsubscribe` by
 * `bts:unsubscription_succeeded`, `bts:heartbeat` answered with `{"event":"bts:heartbeat","channel":"",
 * "data":{"status":"success"}}`) and REST "Order book" (`GET /api/v2/order_book/{pair}/`, body
 * `{"timestamp","microtimestamp","bids","asks"}`).
 *
 * Topics are the channel names (`diff_order_book_btcusd`, `live_trades_btcusd`). Venue-side book: the
 * recorded REST snapshot of each pair plus every recorded diff, applied lazily with the venue's own
 * parser and sync rule; a snapshot served at any moment stands at the `microtimestamp` of the last diff
 * the simulator has sent, so the client drops exactly the diffs it already covers.
 */
import type { VenueId } from '../../core/model.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimHttpResult, SimProtocol } from '../types.ts';
import { parseBitstampSnapshot } from '../../feeds/bitstamp/parser.ts';
import { bitstampSnapshotSymbol } from '../../feeds/bitstamp/descriptor.ts';
import { corruptOneLevel, StreamSimProtocol } from './stream-sim.ts';

const CHANNEL = /"channel":"((diff_order_book|live_trades|order_book)_([a-z0-9]+))"/;

/**
 * Bitstamp simulator protocol: the stream base keeps the venue-side books from the recorded diffs; the
 * recorded REST snapshots seed them, and snapshots are served over REST (none in-stream).
 */
export class BitstampSimProtocol extends StreamSimProtocol {
  /** Pairs whose recorded snapshot the timeline has passed. */
  private readonly reached = new Set<string>();
  private readonly recorded = new Map<string, string>();

  preload(frames: readonly RecordedFrame[]): void {
    for (const f of frames) {
      const pair = this.snapshotSymbol(f);
      if (pair !== null && !this.recorded.has(pair)) this.recorded.set(pair, f.text);
    }
  }

  override reset(): void {
    super.reset();
    this.reached.clear();
  }

  override observe(frame: RecordedFrame): void {
    const pair = this.snapshotSymbol(frame);
    if (pair === null) {
      super.observe(frame);
      return;
    }
    const s = this.state(pair);
    this.materialize(s);
    try {
      s.book.onSnapshot(parseBitstampSnapshot(frame.text, s.book.instrument, frame.localTs));
      this.reached.add(pair);
    } catch {
      // A malformed recorded snapshot is ignored: the pair waits for a usable one.
    }
  }

  protected bookSymbolOfTopic(): string | null {
    return null; // Bitstamp sends no book on subscribe: clients fetch it over REST
  }

  protected snapshotFrames(): string[] {
    return [];
  }

  route(text: string): FrameRoute | null {
    const m = CHANNEL.exec(text);
    if (m === null) return text.includes('"bts:heartbeat"') ? { topic: null, depth: false } : null;
    if (text.includes('"event":"bts:')) return null; // the recorder's subscription acks: not replayed
    return { topic: m[1]!, symbol: m[3]!, depth: m[2] === 'diff_order_book' };
  }

  open(url: URL): SessionOpen {
    const path = url.pathname.replace(/\/$/, '');
    if (path !== '') return { ok: false, status: 404, message: `unknown path ${url.pathname}` };
    return { ok: true, topics: [] };
  }

  onMessage(text: string): ClientMessageResult {
    let m: { event?: unknown; data?: { channel?: unknown } };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return {
        replies: ['{"event":"bts:error","channel":"","data":{"code":null,"message":"Bad request."}}'],
      };
    }
    if (m?.event === 'bts:heartbeat')
      return { replies: ['{"event":"bts:heartbeat","channel":"","data":{"status":"success"}}'] };
    const channel = typeof m?.data?.channel === 'string' ? m.data.channel : '';
    const ok = /^(diff_order_book|live_trades|order_book)_[a-z0-9]+$/.test(channel);
    if ((m?.event === 'bts:subscribe' || m?.event === 'bts:unsubscribe') && ok) {
      const sub = m.event === 'bts:subscribe';
      const reply = JSON.stringify({
        event: sub ? 'bts:subscription_succeeded' : 'bts:unsubscription_succeeded',
        channel,
        data: {},
      });
      return sub ? { subscribe: [channel], replies: [reply] } : { unsubscribe: [channel], replies: [reply] };
    }
    return {
      replies: [
        JSON.stringify({ event: 'bts:error', channel, data: { code: null, message: 'Incorrect channel.' } }),
      ],
    };
  }

  override http(url: URL, early: boolean): SimHttpResult {
    const pair = bitstampSnapshotSymbol(url.pathname);
    if (pair === null) return null;
    const s = this.states.get(pair);
    const recorded = this.recorded.get(pair);
    if (s === undefined || !this.reached.has(pair)) {
      if (recorded === undefined && s === undefined)
        return { status: 404, body: '{"status":"error","reason":"Invalid currency pair."}' };
      if (early && recorded !== undefined) return { status: 200, body: recorded, symbol: pair };
      return { wait: pair };
    }
    this.materialize(s);
    const b = s.book;
    if (b.state !== 'live' && b.state !== 'stale') return { wait: pair };
    const top = b.book.topStrings(1_000_000);
    const us = b.health.sequence;
    return {
      status: 200,
      body: `{"timestamp":"${Math.floor(us / 1e6)}","microtimestamp":"${us}","bids":${JSON.stringify(top.bids)},"asks":${JSON.stringify(top.asks)}}`,
      symbol: pair,
    };
  }

  override snapshotSymbol(frame: RecordedFrame): string | null {
    if (frame.kind !== 'rest' || frame.url === undefined) return null;
    return bitstampSnapshotSymbol(frame.url);
  }

  corruptLevel(text: string, pick: () => number): string | null {
    let o: { data?: { bids?: unknown[]; asks?: unknown[] } };
    try {
      o = JSON.parse(text) as typeof o;
    } catch {
      return null;
    }
    const d = o?.data;
    if (!d) return null;
    return corruptOneLevel([d.bids as unknown[], d.asks as unknown[]], pick) ? JSON.stringify(o) : null;
  }
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createBitstampSimProtocol(venue: VenueId): SimProtocol {
  return new BitstampSimProtocol(venue);
}
