/**
 * Bitget public WebSocket API v2 for the exchange simulator (src/sim), spot (`bitget`) and USDT-M
 * futures (`bitget-futures`).
 *
 * Follows: Bitget API v2 docs, "Common > WebSocket API" (path `/v2/ws/public`; text `ping` answered by
 * `pong`; `{"op":"subscribe"|"unsubscribe","args":[{instType, channel, instId}]}` acknowledged per arg
 * with `{"event":"subscribe","arg":{...}}`, errors `{"event":"error","code","msg"}`), "Depth Channel" /
 * "Order Book Channel" (after a subscribe: `action` snapshot with the whole book, its CRC32 checksum and
 * `seq`, then updates) and "Trade Channel" (v2 trade objects `{ts, price, size, side, tradeId}`).
 *
 * Recordings predate v2 (2022 captures speak v1: `instType` `sp`/`mc`, no `seq`, trades as arrays), so
 * `wire` rewrites each recorded push into v2 as it plays: `instType` `SPOT`/`USDT-FUTURES`, a `seq`
 * numbered per book (+1 a push, from 1,000,000), trades as objects with ids numbered per instrument,
 * the recorded checksum and `ts` kept (a rewrite never changes the levels, so the checksum still holds).
 * Frames of the other market (a folder holding both connections) route nowhere. Topics are
 * `<channel>:<instId>`; the snapshot a subscriber gets is the venue-side book (stream-sim.ts) with its
 * checksum and the `seq` of the last push, so the recorded updates that follow chain onto it.
 */
import type { VenueId } from '../../core/model.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimProtocol } from '../types.ts';
import { bitgetChecksum } from '../../feeds/bitget/checksum.ts';
import { BITGET_BOOK_DEPTH, BITGET_MARKETS } from '../../feeds/bitget/parser.ts';
import { corruptOneLevel, StreamSimProtocol, type SimBookState } from './stream-sim.ts';

const ARG =
  /^\{"action":"(snapshot|update)","arg":\{"instType":"([^"]+)","channel":"([^"]+)","instId":"([^"]+)"\}/;
/** First `seq` of a book in the simulator (any positive start works: clients compare, never assume). */
const SEQ_START = 1_000_000;

type Push = {
  action?: unknown;
  arg?: { instType?: unknown; channel?: unknown; instId?: unknown };
  data?: unknown;
};

/** Bitget v2 simulator protocol for one market. */
export class BitgetSimProtocol extends StreamSimProtocol {
  private readonly instType: string;
  private readonly seq = new Map<string, number>();
  private readonly tradeIds = new Map<string, number>();

  /** @throws {Error} when `venue` is not a Bitget market */
  constructor(venue: VenueId) {
    super(venue);
    if (venue !== 'bitget' && venue !== 'bitget-futures') throw new Error(`not a Bitget market: "${venue}"`);
    this.instType = venue === 'bitget' ? 'SPOT' : 'USDT-FUTURES';
  }

  override reset(): void {
    super.reset();
    this.seq.clear();
    this.tradeIds.clear();
  }

  /** A recorded v1 push as v2 (see module doc); v2 frames and everything else unchanged. */
  wire(frame: RecordedFrame): string {
    const text = frame.text;
    if (frame.kind !== 'ws') return text;
    const m = ARG.exec(text);
    if (!m || m[2] === this.instType || BITGET_MARKETS[m[2]!] !== this.venue) return text;
    let o: Push;
    try {
      o = JSON.parse(text) as Push;
    } catch {
      return text;
    }
    const [, action, , channel, instId] = m as unknown as [string, string, string, string, string];
    const data = Array.isArray(o.data) ? (o.data as unknown[]) : [];
    let out: unknown[] = data;
    let ts: unknown = undefined;
    if (BITGET_BOOK_DEPTH[channel] !== undefined) {
      out = data.map((d) => {
        const n =
          action === 'snapshot'
            ? (this.seq.get(instId) ?? SEQ_START)
            : (this.seq.get(instId) ?? SEQ_START) + 1;
        this.seq.set(instId, n);
        const dd = d as Record<string, unknown>;
        ts ??= dd.ts;
        return { asks: dd.asks, bids: dd.bids, checksum: dd.checksum, seq: n, ts: dd.ts };
      });
    } else if (channel === 'trade') {
      out = data.map((t) => {
        if (!Array.isArray(t)) return t;
        const id = (this.tradeIds.get(instId) ?? 0) + 1;
        this.tradeIds.set(instId, id);
        ts ??= t[0];
        return { ts: t[0], price: t[1], size: t[2], side: t[3], tradeId: String(id) };
      });
    }
    const push: Record<string, unknown> = {
      action,
      arg: { instType: this.instType, channel, instId },
      data: out,
    };
    if (typeof ts === 'string' && /^\d+$/.test(ts)) push.ts = Number(ts);
    return JSON.stringify(push);
  }

  route(text: string): FrameRoute | null {
    let instType: string;
    let channel: string;
    let instId: string;
    const m = ARG.exec(text);
    if (m) [, , instType, channel, instId] = m as unknown as [string, string, string, string, string];
    else {
      let o: Push & { event?: unknown };
      try {
        o = JSON.parse(text) as typeof o;
      } catch {
        return null;
      }
      const a = o?.arg;
      if (o.event !== undefined || typeof a?.channel !== 'string' || typeof a.instId !== 'string')
        return null;
      instType = String(a.instType);
      channel = a.channel;
      instId = a.instId;
    }
    if (BITGET_MARKETS[instType] !== this.venue) return null; // the other market's connection
    return { topic: `${channel}:${instId}`, symbol: instId, depth: BITGET_BOOK_DEPTH[channel] !== undefined };
  }

  open(url: URL): SessionOpen {
    if (url.pathname.replace(/\/$/, '') !== '/v2/ws/public')
      return { ok: false, status: 404, message: `unknown path ${url.pathname}; use /v2/ws/public` };
    return { ok: true, topics: [] };
  }

  onMessage(text: string): ClientMessageResult {
    if (text === 'ping') return { replies: ['pong'] };
    let m: { op?: unknown; args?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return { replies: ['{"event":"error","code":"30012","msg":"Invalid request"}'] };
    }
    if ((m?.op !== 'subscribe' && m?.op !== 'unsubscribe') || !Array.isArray(m.args))
      return { replies: ['{"event":"error","code":"30012","msg":"Invalid request"}'] };
    const topics: string[] = [];
    const replies: string[] = [];
    for (const a of m.args as { instType?: unknown; channel?: unknown; instId?: unknown }[]) {
      if (a?.instType !== this.instType || typeof a.channel !== 'string' || typeof a.instId !== 'string') {
        replies.push(
          JSON.stringify({
            event: 'error',
            arg: a,
            code: 30001,
            msg: `instType ${String(a?.instType)} doesn't exist`,
          }),
        );
        continue;
      }
      topics.push(`${a.channel}:${a.instId}`);
      replies.push(
        JSON.stringify({ event: m.op, arg: { instType: a.instType, channel: a.channel, instId: a.instId } }),
      );
    }
    return m.op === 'subscribe' ? { subscribe: topics, replies } : { unsubscribe: topics, replies };
  }

  protected bookSymbolOfTopic(topic: string): string | null {
    const i = topic.indexOf(':');
    return i > 0 && topic.slice(0, i) === 'books' ? topic.slice(i + 1) : null;
  }

  protected snapshotFrames(s: SimBookState, _topic: string): string[] {
    const top = s.book.book.topStrings(Number.MAX_SAFE_INTEGER);
    const ts = Number.isNaN(s.lastEventTs) ? 0 : s.lastEventTs;
    const seq = s.book.health.sequence;
    return [
      JSON.stringify({
        action: 'snapshot',
        arg: { instType: this.instType, channel: 'books', instId: s.symbol },
        data: [
          {
            asks: top.asks,
            bids: top.bids,
            checksum: bitgetChecksum.compute(s.book.book),
            seq: Number.isNaN(seq) ? SEQ_START : seq,
            ts: String(ts),
          },
        ],
        ts,
      }),
    ];
  }

  corruptLevel(text: string, pick: () => number): string | null {
    let o: { data?: { asks?: unknown[]; bids?: unknown[] }[] };
    try {
      o = JSON.parse(text) as typeof o;
    } catch {
      return null;
    }
    const d = Array.isArray(o?.data) ? o.data[0] : undefined;
    if (!d) return null;
    return corruptOneLevel([d.bids as unknown[], d.asks as unknown[]], pick) ? JSON.stringify(o) : null;
  }
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createBitgetSimProtocol(venue: VenueId): SimProtocol {
  return new BitgetSimProtocol(venue);
}
