/**
 * Hyperliquid WebSocket protocol for the exchange simulator (src/sim).
 *
 * Follows: Hyperliquid API docs, "WebSocket" (path `/ws`; `{"method":"subscribe"|"unsubscribe",
 * "subscription":{"type","coin"}}` answered by `{"channel":"subscriptionResponse","data":{"method",
 * "subscription"}}`; `{"method":"ping"}` → `{"channel":"pong"}`; an unusable request by
 * `{"channel":"error","data":"..."}`) and "Subscriptions" (`l2Book`: the whole book each block, and the
 * current book right after subscribing).
 *
 * Topics are `<type>:<coin>` (`l2Book:BTC`, `trades:BTC`). The venue side keeps each coin's latest
 * recorded `l2Book` message, sent as it is to a client that (re)subscribes: every message is a full book,
 * so that is the snapshot.
 */
import { DOC_EXAMPLES, hyperliquidAssetCtxFrame } from './funding-frames.ts';
import type { VenueId } from '../../core/model.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimHttpResult, SimProtocol } from '../types.ts';
import { isObject, parseObject } from '../../feeds/fields.ts';

const CHANNEL = /^\{"channel":"(l2Book|trades)","data":\[?\{"coin":"([^"]+)"/;

/** Hyperliquid simulator protocol. */
export class HyperliquidSimProtocol implements SimProtocol {
  /** Latest recorded `l2Book` frame per coin. */
  private readonly latest = new Map<string, string>();

  constructor(readonly venue: VenueId) {}

  reset(): void {
    this.latest.clear();
  }

  route(text: string): FrameRoute | null {
    const m = CHANNEL.exec(text);
    if (!m) return null; // subscription responses, pongs
    return { topic: `${m[1]}:${m[2]}`, symbol: m[2]!, depth: m[1] === 'l2Book' };
  }

  observe(frame: RecordedFrame): void {
    if (frame.kind !== 'ws') return;
    const r = this.route(frame.text);
    if (r?.depth && r.symbol !== undefined) this.latest.set(r.symbol, frame.text);
  }

  open(url: URL): SessionOpen {
    if (url.pathname.replace(/\/$/, '') !== '/ws')
      return { ok: false, status: 404, message: `unknown path ${url.pathname}; use /ws` };
    return { ok: true, topics: [] };
  }

  onMessage(text: string): ClientMessageResult {
    let m;
    try {
      m = parseObject(text);
    } catch {
      return { replies: ['{"channel":"error","data":"Invalid JSON"}'] };
    }
    if (m.method === 'ping') return { replies: ['{"channel":"pong"}'] };
    const sub = m.subscription;
    if (
      (m.method !== 'subscribe' && m.method !== 'unsubscribe') ||
      !isObject(sub) ||
      typeof sub.type !== 'string' ||
      typeof sub.coin !== 'string'
    )
      return { replies: [JSON.stringify({ channel: 'error', data: `Invalid subscription ${text}` })] };
    const topic = `${sub.type}:${sub.coin}`;
    const replies = [
      JSON.stringify({ channel: 'subscriptionResponse', data: { method: m.method, subscription: sub } }),
    ];
    return m.method === 'subscribe' ? { subscribe: [topic], replies } : { unsubscribe: [topic], replies };
  }

  /**
   * `l2Book:<coin>` gets the coin's latest recorded book; `activeAssetCtx:<coin>` one perps context
   * with the documentation's values (funding-frames.ts DOC_EXAMPLES.hyperliquid: not market data).
   */
  onSubscribed(topics: readonly string[]): readonly string[] {
    const out: string[] = [];
    for (const t of topics) {
      if (t.startsWith('activeAssetCtx:'))
        out.push(hyperliquidAssetCtxFrame(t.slice(15), DOC_EXAMPLES.hyperliquid));
      if (!t.startsWith('l2Book:')) continue;
      const text = this.latest.get(t.slice(7));
      if (text !== undefined) out.push(text);
    }
    return out;
  }

  http(_url: URL, _early: boolean): SimHttpResult {
    return null;
  }

  snapshotSymbol(_frame: RecordedFrame): string | null {
    return null;
  }

  corruptLevel(text: string, pick: () => number): string | null {
    let o;
    try {
      o = parseObject(text);
    } catch {
      return null;
    }
    const levels = isObject(o.data) && Array.isArray(o.data.levels) ? o.data.levels : [];
    const lists = levels.filter((l): l is Record<string, unknown>[] => Array.isArray(l) && l.length > 0);
    if (lists.length === 0) return null;
    const list = lists[Math.floor(pick() * lists.length)]!;
    const level = list[Math.floor(pick() * list.length)]!;
    const how = Math.floor(pick() * 3);
    if (how === 0) level.sz = '-' + String(level.sz);
    else if (how === 1) level.sz = 'abc';
    else level.px = null;
    return JSON.stringify(o);
  }
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createHyperliquidSimProtocol(venue: VenueId): SimProtocol {
  return new HyperliquidSimProtocol(venue);
}
