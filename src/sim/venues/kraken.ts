/**
 * Kraken spot WebSocket protocol for the exchange simulator (src/sim): serves v1 recordings (and v2 ones)
 * to v2 or v1 clients.
 *
 * Follows: Kraken API docs, "Spot WebSocket API v2" (path `/v2`; `{"method":"subscribe","params":
 * {"channel","symbol":[...],"depth"},"req_id"}` answered per symbol by `{"method":"subscribe","result":
 * {...},"success":true,"time_in","time_out"}`; `{"method":"ping"}` → `{"method":"pong"}`; a `book`
 * snapshot follows each subscribe), "Spot WebSocket API v1" (`{"event":"subscribe","pair":[...],
 * "subscription":{"name","depth"}}` answered by `subscriptionStatus`; `{"event":"ping"}` → `pong`; channel
 * messages `[channelID, payload..., channelName, pair]`), and the v1/v2 book checksum guides.
 *
 * Topics are `<channel>:<symbol>` with `book-N` → `book` (`book:XBT/USD`, `trade:XBT/USD`); symbols are
 * matched as spelled (v1 recordings use v1 names such as `XBT/USD`). Heartbeats go to every client. The
 * snapshot sent on subscribe is built from the venue-side book in the recorded format (v1 `as`/`bs`
 * strings, or v2 JSON numbers with the book's checksum).
 */
import type { VenueId } from '../../core/model.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimProtocol } from '../types.ts';
import { corruptOneLevel, StreamSimProtocol, type SimBookState } from './stream-sim.ts';
import { krakenChecksum } from '../../feeds/kraken/checksum.ts';

const V1_TAIL = /,"([^"]+)","([^"]+)"\]$/;
const V2_HEAD = /^\{"channel":"([^"]+)"/;

function channelTopic(channel: string, symbol: string): FrameRoute {
  const book = channel === 'book' || channel.startsWith('book-');
  return { topic: `${book ? 'book' : channel}:${symbol}`, symbol, depth: book };
}

/** Kraken simulator protocol. */
export class KrakenSimProtocol extends StreamSimProtocol {
  protected override formatOf(text: string): string {
    if (text.startsWith('[')) return `v1:${V1_TAIL.exec(text)?.[1] ?? 'book-1000'}`;
    return 'v2';
  }

  route(text: string): FrameRoute | null {
    if (text.startsWith('[')) {
      const m = V1_TAIL.exec(text);
      return m ? channelTopic(m[1]!, m[2]!) : null;
    }
    if (text === '{"event":"heartbeat"}') return { topic: null, depth: false };
    const channel = V2_HEAD.exec(text)?.[1];
    if (channel === 'heartbeat') return { topic: null, depth: false };
    if (channel !== 'book' && channel !== 'trade') return null; // acks, status of the recorder: not replayed
    try {
      const o = JSON.parse(text) as { data?: { symbol?: unknown }[] };
      const sym = Array.isArray(o.data) ? o.data[0]?.symbol : undefined;
      return typeof sym === 'string' ? channelTopic(channel, sym) : null;
    } catch {
      return null;
    }
  }

  open(url: URL): SessionOpen {
    const path = url.pathname.replace(/\/$/, '');
    if (path !== '' && path !== '/v2')
      return { ok: false, status: 404, message: `unknown path ${url.pathname}` };
    return { ok: true, topics: [] };
  }

  onMessage(text: string): ClientMessageResult {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { replies: ['{"error":"Malformed request","method":"","success":false}'] };
    }
    if (m === null || typeof m !== 'object')
      return { replies: ['{"error":"Malformed request","success":false}'] };
    const now = new Date().toISOString();
    if (m.method === 'ping')
      return { replies: [JSON.stringify({ method: 'pong', time_in: now, time_out: now })] };
    if (m.event === 'ping') return { replies: ['{"event":"pong"}'] };
    if (m.method === 'subscribe' || m.method === 'unsubscribe') {
      const params = (m.params ?? {}) as { channel?: unknown; symbol?: unknown; depth?: unknown };
      const channel = typeof params.channel === 'string' ? params.channel : '';
      const symbols = Array.isArray(params.symbol)
        ? params.symbol.filter((s): s is string => typeof s === 'string')
        : [];
      const topics = symbols.length > 0 ? symbols.map((s) => channelTopic(channel, s).topic!) : [channel];
      const replies = (symbols.length > 0 ? symbols : [undefined]).map((s) =>
        JSON.stringify({
          method: m.method,
          result: {
            channel,
            ...(s !== undefined ? { symbol: s } : {}),
            ...(channel === 'book' ? { depth: params.depth ?? 10 } : {}),
          },
          success: true,
          time_in: now,
          time_out: now,
        }),
      );
      return m.method === 'subscribe' ? { subscribe: topics, replies } : { unsubscribe: topics, replies };
    }
    if (m.event === 'subscribe' || m.event === 'unsubscribe') {
      const sub = (m.subscription ?? {}) as { name?: unknown; depth?: unknown };
      const name = typeof sub.name === 'string' ? sub.name : '';
      const pairs = Array.isArray(m.pair) ? m.pair.filter((s): s is string => typeof s === 'string') : [];
      const topics = pairs.map((p) => channelTopic(name, p).topic!);
      const status = m.event === 'subscribe' ? 'subscribed' : 'unsubscribed';
      const replies = pairs.map((p) =>
        JSON.stringify({
          channelName: name === 'book' ? `book-${String(sub.depth ?? 10)}` : name,
          event: 'subscriptionStatus',
          pair: p,
          status,
          subscription: sub,
        }),
      );
      return m.event === 'subscribe' ? { subscribe: topics, replies } : { unsubscribe: topics, replies };
    }
    return { replies: [JSON.stringify({ error: 'Unsupported request', success: false })] };
  }

  protected bookSymbolOfTopic(topic: string): string | null {
    return topic.startsWith('book:') ? topic.slice(5) : null;
  }

  protected snapshotFrames(s: SimBookState): string[] {
    const top = s.book.book.topStrings(1_000_000);
    if (s.format.startsWith('v1:')) {
      const ts = (Number.isNaN(s.lastEventTs) ? 0 : s.lastEventTs / 1000).toFixed(6);
      const lv = (l: [string, string]) => [l[0], l[1], ts];
      return [
        JSON.stringify([0, { as: top.asks.map(lv), bs: top.bids.map(lv) }, s.format.slice(3), s.symbol]),
      ];
    }
    // v2: prices and quantities go out as JSON numbers with their exact wire digits.
    const lv = (l: [string, string]) => `{"price":${l[0]},"qty":${l[1]}}`;
    return [
      `{"channel":"book","type":"snapshot","data":[{"symbol":${JSON.stringify(s.symbol)},"bids":[${top.bids.map(lv).join(',')}],"asks":[${top.asks.map(lv).join(',')}],"checksum":${krakenChecksum.compute(s.book.book)}}]}`,
    ];
  }

  corruptLevel(text: string, pick: () => number): string | null {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      return null;
    }
    if (!Array.isArray(o)) return null; // v2 levels are objects; only v1 frames are corrupted
    const lists: unknown[][] = [];
    for (const p of o.slice(1, -2)) {
      if (p === null || typeof p !== 'object') continue;
      for (const k of ['a', 'b', 'as', 'bs']) {
        const v = (p as Record<string, unknown>)[k];
        if (Array.isArray(v)) lists.push(v);
      }
    }
    return corruptOneLevel(lists, pick) ? JSON.stringify(o) : null;
  }
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createKrakenSimProtocol(venue: VenueId): SimProtocol {
  return new KrakenSimProtocol(venue);
}
