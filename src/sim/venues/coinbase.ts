/**
 * Coinbase WebSocket protocol for the exchange simulator (src/sim): serves the legacy Exchange feed of
 * the 2021 recordings (and routes Advanced Trade frames) to Advanced Trade or Exchange clients.
 *
 * Follows: Coinbase "Exchange WebSocket Feed" (subscribe `{"type":"subscribe","product_ids":[...],
 * "channels":[...]}` answered by `{"type":"subscriptions","channels":[{name, product_ids}]}`; `level2`
 * starts with a `snapshot` of the whole book, then `l2update`; `matches`) and "Advanced Trade WebSocket"
 * (subscribe `{"type":"subscribe","product_ids":[...],"channel":"level2"|"market_trades"|"heartbeats"}`).
 *
 * Topics: `level2:<product>` (snapshot, l2update, Advanced Trade l2_data), `matches:<product>` (match,
 * last_match, market_trades), `ticker:<product>`. Advanced Trade `market_trades` maps to `matches`.
 * The snapshot sent on subscribe is a legacy `snapshot` message built from the venue-side book; acks are
 * legacy `subscriptions` messages (no `sequence_num`).
 *
 * Limitation: Advanced Trade frames carry the recorder's connection-wide `sequence_num`; a client that
 * subscribes to fewer products than the recorder sees jumps in it, which its parser (correctly) treats
 * as lost messages. Serving Advanced Trade recordings faithfully would need per-session renumbering.
 */
import type { VenueId } from '../../core/model.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimProtocol } from '../types.ts';
import { corruptOneLevel, StreamSimProtocol, type SimBookState } from './stream-sim.ts';
import { wireTable } from '../../feeds/fields.ts';

const LEGACY_HEAD = /^\{"type":"([a-z_0-9]+)","product_id":"([^"]+)"/;

const TOPIC_OF_TYPE: Readonly<Record<string, string>> = wireTable({
  snapshot: 'level2',
  l2update: 'level2',
  match: 'matches',
  last_match: 'matches',
  ticker: 'ticker',
});

/** Client channel names → topic prefixes (Advanced Trade `market_trades` is the `matches` stream). */
const TOPIC_OF_CHANNEL: Readonly<Record<string, string>> = wireTable({
  level2: 'level2',
  l2_data: 'level2',
  market_trades: 'matches',
  matches: 'matches',
  ticker: 'ticker',
});

/** Coinbase simulator protocol. */
export class CoinbaseSimProtocol extends StreamSimProtocol {
  route(text: string): FrameRoute | null {
    const m = LEGACY_HEAD.exec(text);
    let type: string | undefined = m?.[1];
    let product: string | undefined = m?.[2];
    let channel: string | undefined;
    if (type === undefined) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return null;
      }
      if (o === null || typeof o !== 'object') return null;
      if (typeof o.channel === 'string') {
        channel = o.channel;
        if (channel === 'heartbeats') return { topic: null, depth: false };
        const e = Array.isArray(o.events) ? (o.events[0] as Record<string, unknown> | undefined) : undefined;
        const t = Array.isArray(e?.trades) ? (e.trades[0] as Record<string, unknown> | undefined) : undefined;
        const p = e?.product_id ?? t?.product_id;
        if (typeof p === 'string') product = p;
      } else {
        if (typeof o.type === 'string') type = o.type;
        if (typeof o.product_id === 'string') product = o.product_id;
      }
    }
    const prefix =
      channel !== undefined
        ? TOPIC_OF_CHANNEL[channel]
        : type !== undefined
          ? TOPIC_OF_TYPE[type]
          : undefined;
    if (prefix === undefined || product === undefined) return null; // subscriptions acks etc.: not replayed
    return { topic: `${prefix}:${product}`, symbol: product, depth: prefix === 'level2' };
  }

  open(_url: URL): SessionOpen {
    return { ok: true, topics: [] };
  }

  onMessage(text: string): ClientMessageResult {
    let m: { type?: unknown; product_ids?: unknown; channel?: unknown; channels?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return { replies: ['{"type":"error","message":"Failed to parse request"}'] };
    }
    if (m?.type !== 'subscribe' && m?.type !== 'unsubscribe')
      return { replies: ['{"type":"error","message":"Unsupported request type"}'] };
    const products = Array.isArray(m.product_ids)
      ? m.product_ids.filter((p): p is string => typeof p === 'string')
      : [];
    const channels =
      typeof m.channel === 'string'
        ? [m.channel]
        : Array.isArray(m.channels)
          ? m.channels.filter((c): c is string => typeof c === 'string')
          : [];
    const topics: string[] = [];
    for (const c of channels) {
      if (c === 'heartbeats' || c === 'heartbeat') continue;
      const prefix = TOPIC_OF_CHANNEL[c];
      if (prefix === undefined)
        return { replies: [JSON.stringify({ type: 'error', message: `${c} is not a valid channel` })] };
      for (const p of products) topics.push(`${prefix}:${p}`);
    }
    const reply = JSON.stringify({
      type: 'subscriptions',
      channels: channels.map((name) => ({ name, product_ids: products })),
    });
    return m.type === 'subscribe'
      ? { subscribe: topics, replies: [reply] }
      : { unsubscribe: topics, replies: [reply] };
  }

  protected bookSymbolOfTopic(topic: string): string | null {
    return topic.startsWith('level2:') ? topic.slice(7) : null;
  }

  protected snapshotFrames(s: SimBookState): string[] {
    const top = s.book.book.topStrings(1_000_000);
    return [JSON.stringify({ type: 'snapshot', product_id: s.symbol, bids: top.bids, asks: top.asks })];
  }

  corruptLevel(text: string, pick: () => number): string | null {
    let o: { changes?: unknown[][]; bids?: unknown[]; asks?: unknown[] };
    try {
      o = JSON.parse(text) as typeof o;
    } catch {
      return null;
    }
    if (o === null || typeof o !== 'object') return null;
    if (Array.isArray(o.changes) && o.changes.length > 0) {
      // l2update changes are [side, price, size]: corrupt the size (index 2) or the price.
      const c = o.changes[Math.floor(pick() * o.changes.length)]!;
      const how = Math.floor(pick() * 3);
      if (how === 0) c[2] = '-' + String(c[2]);
      else if (how === 1) c[2] = 'abc';
      else c[1] = null;
      return JSON.stringify(o);
    }
    return corruptOneLevel([o.bids as unknown[], o.asks as unknown[]], pick) ? JSON.stringify(o) : null;
  }
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createCoinbaseSimProtocol(venue: VenueId): SimProtocol {
  return new CoinbaseSimProtocol(venue);
}
