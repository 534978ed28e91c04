/**
 * Bybit public WebSocket protocol for the exchange simulator (src/sim): v5 and the v1 `orderBookL2_25`
 * feed of the 2021 recordings.
 *
 * Follows: Bybit API v5 docs, "WebSocket Stream > Connect" (paths `/v5/public/{linear,spot,inverse,
 * option}`; `{"op":"subscribe","args":[topics],"req_id"}` answered by `{"success":true,"ret_msg":"",
 * "conn_id","req_id","op":"subscribe"}`; `{"op":"ping"}` answered by `ret_msg: "pong"`) and "Public >
 * Orderbook" (a snapshot is pushed after each subscribe, then deltas; `u` continues from the snapshot's).
 * v1 follows Bybit's legacy "WebSocket Data" docs (paths `/realtime`, `/realtime_public`;
 * `orderBookL2_25` snapshot rows `{price, symbol, id, side, size}`).
 *
 * Topics are normalized so that any book depth or protocol version of a symbol is one topic:
 * `orderbook.{depth}.{symbol}` and `orderBookL2_25.{symbol}` → `book:{symbol}`; `publicTrade.{symbol}` and
 * `trade.{symbol}` → `trade:{symbol}`; `tickers.{symbol}` → `tickers:{symbol}` (served: funding-frames.ts). The snapshot sent on subscribe is built from the venue-side book in
 * the recorded format (v5: `u` = the last `u` sent).
 */
import { DOC_EXAMPLES, bybitTickerFrame } from './funding-frames.ts';
import type { VenueId } from '../../core/model.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimProtocol } from '../types.ts';
import { corruptOneLevel, StreamSimProtocol, type SimBookState } from './stream-sim.ts';

const TOPIC = /^\{"topic":"([^"]+)"/;

/** Normalized topic of a Bybit topic name, and whether it is a book topic; null when unknown. */
export function bybitTopic(name: string): { topic: string; symbol: string; depth: boolean } | null {
  const parts = name.split('.');
  const symbol = parts[parts.length - 1]!;
  if (parts.length < 2 || symbol.length === 0) return null;
  if (parts[0] === 'orderbook' || parts[0] === 'orderBookL2_25' || parts[0] === 'orderBook_200')
    return { topic: `book:${symbol}`, symbol, depth: true };
  if (parts[0] === 'publicTrade' || parts[0] === 'trade')
    return { topic: `trade:${symbol}`, symbol, depth: false };
  if (parts[0] === 'tickers') return { topic: `tickers:${symbol}`, symbol, depth: false };
  return null;
}

const OPEN_PATHS = new Set([
  '/v5/public/linear',
  '/v5/public/spot',
  '/v5/public/inverse',
  '/v5/public/option',
  '/realtime',
  '/realtime_public',
]);

/** Bybit simulator protocol. */
export class BybitSimProtocol extends StreamSimProtocol {
  protected override formatOf(text: string): string {
    const name = TOPIC.exec(text)?.[1] ?? '';
    return name.startsWith('orderbook.') ? `v5:${name.split('.')[1]}` : 'v1';
  }

  route(text: string): FrameRoute | null {
    let name = TOPIC.exec(text)?.[1];
    if (name === undefined) {
      try {
        const o = JSON.parse(text) as { topic?: unknown };
        if (typeof o?.topic === 'string') name = o.topic;
      } catch {
        return null;
      }
    }
    return name === undefined ? null : bybitTopic(name); // acks of the recorder's requests: not replayed
  }

  open(url: URL): SessionOpen {
    const path = url.pathname.replace(/\/$/, '');
    if (!OPEN_PATHS.has(path)) return { ok: false, status: 404, message: `unknown path ${url.pathname}` };
    return { ok: true, topics: [] };
  }

  onMessage(text: string): ClientMessageResult {
    let m: { op?: unknown; args?: unknown; req_id?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return { replies: ['{"success":false,"ret_msg":"Invalid JSON","conn_id":"sim"}'] };
    }
    const reqId = typeof m?.req_id === 'string' ? { req_id: m.req_id } : {};
    if (m?.op === 'ping')
      return {
        replies: [JSON.stringify({ success: true, ret_msg: 'pong', conn_id: 'sim', ...reqId, op: 'ping' })],
      };
    if ((m?.op !== 'subscribe' && m?.op !== 'unsubscribe') || !Array.isArray(m.args))
      return {
        replies: [JSON.stringify({ success: false, ret_msg: 'Invalid request', conn_id: 'sim', ...reqId })],
      };
    const topics: string[] = [];
    for (const a of m.args) {
      const t = typeof a === 'string' ? bybitTopic(a) : null;
      if (t === null)
        return {
          replies: [
            JSON.stringify({
              success: false,
              ret_msg: `error:handler not found,topic:${String(a)}`,
              conn_id: 'sim',
              ...reqId,
              op: m.op,
            }),
          ],
        };
      topics.push(t.topic);
    }
    const reply = JSON.stringify({ success: true, ret_msg: '', conn_id: 'sim', ...reqId, op: m.op });
    return m.op === 'subscribe'
      ? { subscribe: topics, replies: [reply] }
      : { unsubscribe: topics, replies: [reply] };
  }

  /**
   * `tickers.{symbol}` gets one ticker snapshot right away: the Bybit documentation example's funding
   * rate, mark and index (funding-frames.ts DOC_EXAMPLES.bybit: documentation values, not market
   * data), next funding the next 8 h mark of the recorded clock.
   */
  protected override fundingFrames(topic: string, nowMs: number): string[] {
    if (!topic.startsWith('tickers:')) return [];
    return [bybitTickerFrame(topic.slice(8), DOC_EXAMPLES.bybit, nowMs)];
  }

  protected bookSymbolOfTopic(topic: string): string | null {
    return topic.startsWith('book:') ? topic.slice(5) : null;
  }

  protected snapshotFrames(s: SimBookState): string[] {
    const ts = Number.isNaN(s.lastEventTs) ? 0 : s.lastEventTs;
    if (s.format.startsWith('v5:')) {
      const depth = Number(s.format.slice(3));
      const top = s.book.book.topStrings(depth);
      return [
        JSON.stringify({
          topic: `orderbook.${depth}.${s.symbol}`,
          type: 'snapshot',
          ts,
          data: { s: s.symbol, b: top.bids, a: top.asks, u: s.book.health.sequence, seq: 0 },
          cts: ts,
        }),
      ];
    }
    // v1: rows with the recorded numeric size text (Bybit's legacy feed sends sizes as JSON numbers).
    const top = s.book.book.topStrings(25);
    const row = (side: 'Buy' | 'Sell') => (l: [string, string]) =>
      `{"price":${JSON.stringify(l[0])},"symbol":${JSON.stringify(s.symbol)},"id":"${l[0].replace('.', '')}","side":"${side}","size":${l[1]}}`;
    const rows = [...top.bids.map(row('Buy')), ...top.asks.map(row('Sell'))];
    return [`{"topic":"orderBookL2_25.${s.symbol}","type":"snapshot","data":[${rows.join(',')}]}`];
  }

  corruptLevel(text: string, pick: () => number): string | null {
    let o: { data?: { b?: unknown[]; a?: unknown[]; update?: unknown[]; insert?: unknown[] } };
    try {
      o = JSON.parse(text) as typeof o;
    } catch {
      return null;
    }
    const d = o?.data;
    if (!d || typeof d !== 'object') return null;
    if (Array.isArray(d.b) || Array.isArray(d.a))
      return corruptOneLevel([d.b as unknown[], d.a as unknown[]], pick) ? JSON.stringify(o) : null;
    const rows = [
      ...((d.update ?? []) as Record<string, unknown>[]),
      ...((d.insert ?? []) as Record<string, unknown>[]),
    ];
    if (rows.length === 0) return null;
    const r = rows[Math.floor(pick() * rows.length)]!;
    const how = Math.floor(pick() * 3);
    if (how === 0) r.size = -Number(r.size);
    else if (how === 1) r.size = 'abc';
    else r.price = null;
    return JSON.stringify(o);
  }
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createBybitSimProtocol(venue: VenueId): SimProtocol {
  return new BybitSimProtocol(venue);
}
