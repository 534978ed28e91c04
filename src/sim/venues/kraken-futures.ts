/**
 * Kraken Futures WebSocket v1 protocol for the exchange simulator (src/sim).
 *
 * Follows: Kraken Futures docs, "WebSocket API v1" (path `/ws/v1`; on connect the server sends
 * `{"event":"info","version":1}`; `{"event":"subscribe"|"unsubscribe","feed","product_ids"}` answered per
 * product by `{"event":"subscribed"|"unsubscribed","feed","product_ids":[id]}`, an unusable request by
 * `{"event":"error","message":"Invalid request"}`) and "Public feeds > Book" (after subscribing `book`,
 * one `book_snapshot` per product with `seq`, then `book` updates with `seq` + 1, + 2, ...).
 *
 * Topics are `<feed>:<PRODUCT_ID>` (`book:PI_XBTUSD`, `trade:PI_XBTUSD`; `book_snapshot` frames go to the
 * `book` topic, `trade_snapshot` to `trade`). Product ids are upper-cased, as the feed spells them. The
 * snapshot sent on subscribe is built from the venue-side book (stream-sim.ts) with `seq` = the last
 * recorded `seq`, so the next recorded update (`seq` + 1) continues it; numbers are written as JSON
 * numbers, as Kraken Futures does.
 */
import { DOC_EXAMPLES, krakenFuturesTickerFrame } from './funding-frames.ts';
import type { VenueId } from '../../core/model.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimProtocol } from '../types.ts';
import { parseJsonKeepingDecimals } from '../../feeds/fields.ts';
import { StreamSimProtocol, type SimBookState } from './stream-sim.ts';

const FEED = /^\{"feed":"([a-z_]+)","product_id":"([^"]+)"/;
const parseFrame = parseJsonKeepingDecimals(['price', 'qty']);

/** The topic feed of a recorded feed name (snapshots go with their feed). */
function topicFeed(feed: string): string {
  return feed === 'book_snapshot' ? 'book' : feed === 'trade_snapshot' ? 'trade' : feed;
}

/** Kraken Futures simulator protocol. */
export class KrakenFuturesSimProtocol extends StreamSimProtocol {
  route(text: string): FrameRoute | null {
    let feed: string;
    let product: string;
    const m = FEED.exec(text);
    if (m) {
      feed = m[1]!;
      product = m[2]!;
    } else {
      let o: { feed?: unknown; product_id?: unknown; event?: unknown };
      try {
        o = JSON.parse(text) as typeof o;
      } catch {
        return null;
      }
      if (typeof o?.feed !== 'string' || typeof o.product_id !== 'string' || o.event !== undefined)
        return null;
      feed = o.feed;
      product = o.product_id;
    }
    const t = topicFeed(feed);
    return { topic: `${t}:${product.toUpperCase()}`, symbol: product.toUpperCase(), depth: t === 'book' };
  }

  open(url: URL): SessionOpen {
    if (url.pathname.replace(/\/$/, '') !== '/ws/v1')
      return { ok: false, status: 404, message: `unknown path ${url.pathname}; use /ws/v1` };
    return { ok: true, topics: [] };
  }

  onMessage(text: string): ClientMessageResult {
    const invalid = { replies: ['{"event":"error","message":"Invalid request"}'] };
    let m: { event?: unknown; feed?: unknown; product_ids?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return invalid;
    }
    if (
      (m?.event !== 'subscribe' && m?.event !== 'unsubscribe') ||
      typeof m.feed !== 'string' ||
      !Array.isArray(m.product_ids) ||
      !m.product_ids.every((p) => typeof p === 'string')
    )
      return invalid;
    const feed = m.feed;
    const ids = (m.product_ids as string[]).map((p) => p.toUpperCase());
    const done = m.event === 'subscribe' ? 'subscribed' : 'unsubscribed';
    const replies = ids.map((p) => JSON.stringify({ event: done, feed, product_ids: [p] }));
    const topics = ids.map((p) => `${feed}:${p}`);
    return m.event === 'subscribe' ? { subscribe: topics, replies } : { unsubscribe: topics, replies };
  }

  /**
   * `ticker:<product>` of a perpetual gets one ticker right away: the Kraken Futures documentation
   * example's relative funding rate, mark and index (funding-frames.ts DOC_EXAMPLES.krakenFutures:
   * documentation values, not market data), next funding the next whole hour of the recorded clock.
   */
  protected override fundingFrames(topic: string, nowMs: number): string[] {
    if (!topic.startsWith('ticker:') || !/^P[IF]_/.test(topic.slice(7))) return [];
    return [krakenFuturesTickerFrame(topic.slice(7), DOC_EXAMPLES.krakenFutures, nowMs)];
  }

  protected bookSymbolOfTopic(topic: string): string | null {
    return topic.startsWith('book:') ? topic.slice(5) : null;
  }

  protected snapshotFrames(s: SimBookState): string[] {
    const top = s.book.book.topStrings(Number.MAX_SAFE_INTEGER);
    const side = (levels: [string, string][]) =>
      `[${levels.map(([p, q]) => `{"price":${p},"qty":${q}}`).join(',')}]`;
    const ts = Number.isNaN(s.lastEventTs) ? 0 : s.lastEventTs;
    return [
      `{"feed":"book_snapshot","product_id":${JSON.stringify(s.symbol)},"timestamp":${ts},` +
        `"seq":${s.book.health.sequence},"tickSize":null,"bids":${side(top.bids)},"asks":${side(top.asks)}}`,
    ];
  }

  corruptLevel(text: string, pick: () => number): string | null {
    let o: Record<string, unknown>;
    try {
      o = parseFrame(text);
    } catch {
      return null;
    }
    let level: Record<string, unknown> = o;
    if (o.feed === 'book_snapshot') {
      const lists = [o.bids, o.asks].filter(
        (l): l is Record<string, unknown>[] => Array.isArray(l) && l.length > 0,
      );
      if (lists.length === 0) return null;
      const list = lists[Math.floor(pick() * lists.length)]!;
      level = list[Math.floor(pick() * list.length)]!;
    } else if (o.feed !== 'book') return null;
    const how = Math.floor(pick() * 3);
    if (how === 0) level.qty = '-' + String(level.qty);
    else if (how === 1) level.qty = 'abc';
    else level.price = null;
    return JSON.stringify(o);
  }
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createKrakenFuturesSimProtocol(venue: VenueId): SimProtocol {
  return new KrakenFuturesSimProtocol(venue);
}
