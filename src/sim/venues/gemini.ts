/**
 * Gemini market data v2 protocol for the exchange simulator (src/sim).
 *
 * Follows: Gemini "Market Data Version 2" (path `/v2/marketdata`; `{"type":"subscribe"|"unsubscribe",
 * "subscriptions":[{"name":"l2","symbols":[...]}]}`; each subscribed symbol first gets one `l2_updates`
 * message with its whole book and `trades`/`auction_events` lists, then `l2_updates` changes and
 * `trade` messages; heartbeats to every client).
 *
 * Topics: `l2:<SYMBOL>` (book and trades, as the `l2` subscription brings both). The whole-book message
 * sent on subscribe is built from the venue-side book (recorded first message + updates).
 */
import type { VenueId } from '../../core/model.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimProtocol } from '../types.ts';
import { StreamSimProtocol, type SimBookState } from './stream-sim.ts';

const HEAD = /^\{"type":"(l2_updates|trade)","symbol":"([A-Za-z0-9]+)"/;

/** Gemini simulator protocol. */
export class GeminiSimProtocol extends StreamSimProtocol {
  route(text: string): FrameRoute | null {
    let m = HEAD.exec(text);
    if (m === null) {
      let o: { type?: unknown; symbol?: unknown };
      try {
        o = JSON.parse(text) as typeof o;
      } catch {
        return null;
      }
      if (o?.type === 'heartbeat') return { topic: null, depth: false };
      if ((o?.type !== 'l2_updates' && o?.type !== 'trade') || typeof o.symbol !== 'string') return null;
      m = ['', o.type, o.symbol] as unknown as RegExpExecArray;
    }
    return { topic: `l2:${m[2]}`, symbol: m[2]!, depth: m[1] === 'l2_updates' };
  }

  open(url: URL): SessionOpen {
    if (url.pathname.replace(/\/$/, '') !== '/v2/marketdata')
      return { ok: false, status: 404, message: `unknown path ${url.pathname}; use /v2/marketdata` };
    return { ok: true, topics: [] };
  }

  onMessage(text: string): ClientMessageResult {
    let m: { type?: unknown; subscriptions?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return { replies: ['{"result":"error","reason":"InvalidJson","message":"Malformed JSON"}'] };
    }
    if ((m?.type !== 'subscribe' && m?.type !== 'unsubscribe') || !Array.isArray(m.subscriptions))
      return { replies: ['{"result":"error","reason":"InvalidRequest","message":"Unknown request type"}'] };
    const topics: string[] = [];
    for (const s of m.subscriptions as { name?: unknown; symbols?: unknown }[]) {
      if (s?.name !== 'l2')
        return {
          replies: [
            JSON.stringify({ result: 'error', reason: 'InvalidSubscription', message: String(s?.name) }),
          ],
        };
      for (const sym of Array.isArray(s.symbols) ? s.symbols : [])
        if (typeof sym === 'string') topics.push(`l2:${sym.toUpperCase()}`);
    }
    return m.type === 'subscribe' ? { subscribe: topics } : { unsubscribe: topics };
  }

  protected bookSymbolOfTopic(topic: string): string | null {
    return topic.startsWith('l2:') ? topic.slice(3) : null;
  }

  protected snapshotFrames(s: SimBookState): string[] {
    const top = s.book.book.topStrings(1_000_000);
    const changes = [...top.bids.map(([p, q]) => ['buy', p, q]), ...top.asks.map(([p, q]) => ['sell', p, q])];
    return [
      JSON.stringify({ type: 'l2_updates', symbol: s.symbol, changes, trades: [], auction_events: [] }),
    ];
  }

  corruptLevel(text: string, pick: () => number): string | null {
    let o: { changes?: unknown[][] };
    try {
      o = JSON.parse(text) as typeof o;
    } catch {
      return null;
    }
    if (!Array.isArray(o?.changes) || o.changes.length === 0) return null;
    const c = o.changes[Math.floor(pick() * o.changes.length)]!;
    const how = Math.floor(pick() * 3);
    if (how === 0) c[2] = '-' + String(c[2]);
    else if (how === 1) c[2] = 'abc';
    else c[1] = null;
    return JSON.stringify(o);
  }
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createGeminiSimProtocol(venue: VenueId): SimProtocol {
  return new GeminiSimProtocol(venue);
}
