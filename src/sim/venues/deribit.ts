/**
 * Deribit API v2 WebSocket protocol (JSON-RPC 2.0) for the exchange simulator (src/sim).
 *
 * Follows: Deribit API v2 docs, "JSON-RPC over WebSocket" (path `/ws/api/v2`; every request
 * `{"jsonrpc":"2.0","id","method","params"}` gets a response with the same `id` and a `result`, or an
 * `error` `{code, message}`: -32601 for an unknown method, -32602 for bad params), "public/subscribe" /
 * "public/unsubscribe" (`result` = the channels now (un)subscribed), "public/test" (`result.version`),
 * "public/set_heartbeat" (`result: "ok"`), and "book.{instrument_name}.{interval}" (after a subscribe
 * the first notification is the full book, `type: "snapshot"`, with `change_id`; later changes chain
 * by `prev_change_id`).
 *
 * Topics are `<kind>.<instrument_name>` (`book.BTC-PERPETUAL`, `trades.BTC-PERPETUAL`): the interval is
 * dropped, so a client subscribing today's public `.100ms` gets the recording's `.raw` notifications
 * (same shape). The snapshot sent on subscribe is built from the venue-side book (stream-sim.ts) with
 * `change_id` = the last recorded `change_id`, so the recorded changes that follow chain onto it; its
 * prices and amounts are written as JSON numbers, as Deribit does.
 */
import type { VenueId } from '../../core/model.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimProtocol } from '../types.ts';
import { parseJson, quoteArrayNumbers } from '../../feeds/fields.ts';
import { StreamSimProtocol, type SimBookState } from './stream-sim.ts';

const CHANNEL = /"channel":"(book|trades|ticker)\.([^".]+)\./;

/** Version the simulator reports to `public/test`. */
const VERSION = '1.2.26';

/** Deribit simulator protocol. */
export class DeribitSimProtocol extends StreamSimProtocol {
  route(text: string): FrameRoute | null {
    if (!text.includes('"method":"subscription"')) return null; // responses to the recorder's requests
    const m = CHANNEL.exec(text);
    if (!m) return null;
    return { topic: `${m[1]}.${m[2]}`, symbol: m[2]!, depth: m[1] === 'book' };
  }

  open(url: URL): SessionOpen {
    if (url.pathname.replace(/\/$/, '') !== '/ws/api/v2')
      return { ok: false, status: 404, message: `unknown path ${url.pathname}; use /ws/api/v2` };
    return { ok: true, topics: [] };
  }

  onMessage(text: string): ClientMessageResult {
    let m: { id?: unknown; method?: unknown; params?: { channels?: unknown } };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return { replies: [rpcError(null, -32700, 'parse_error')] };
    }
    const id = typeof m?.id === 'number' || typeof m?.id === 'string' ? m.id : null;
    switch (m?.method) {
      case 'public/test':
        return { replies: [rpcResult(id, { version: VERSION })] };
      case 'public/set_heartbeat':
        return { replies: [rpcResult(id, 'ok')] };
      case 'public/subscribe':
      case 'public/unsubscribe': {
        const channels = m.params?.channels;
        if (!Array.isArray(channels) || !channels.every((c) => typeof c === 'string'))
          return { replies: [rpcError(id, -32602, 'Invalid params')] };
        const topics = (channels as string[]).map((c) => c.split('.').slice(0, 2).join('.'));
        const reply = rpcResult(id, channels);
        return m.method === 'public/subscribe'
          ? { subscribe: topics, replies: [reply] }
          : { unsubscribe: topics, replies: [reply] };
      }
      default:
        return { replies: [rpcError(id, -32601, 'Method not found')] };
    }
  }

  protected bookSymbolOfTopic(topic: string): string | null {
    return topic.startsWith('book.') ? topic.slice(5) : null;
  }

  protected snapshotFrames(s: SimBookState): string[] {
    const top = s.book.book.topStrings(Number.MAX_SAFE_INTEGER);
    const side = (levels: [string, string][]) => `[${levels.map(([p, q]) => `["new",${p},${q}]`).join(',')}]`;
    const ts = Number.isNaN(s.lastEventTs) ? 0 : s.lastEventTs;
    return [
      `{"jsonrpc":"2.0","method":"subscription","params":{"channel":"book.${s.symbol}.100ms","data":` +
        `{"type":"snapshot","timestamp":${ts},"instrument_name":${JSON.stringify(s.symbol)},` +
        `"change_id":${s.book.health.sequence},"bids":${side(top.bids)},"asks":${side(top.asks)}}}}`,
    ];
  }

  corruptLevel(text: string, pick: () => number): string | null {
    let o: { params?: { data?: { bids?: unknown[]; asks?: unknown[] } } };
    try {
      o = parseJson(quoteArrayNumbers(text)) as typeof o;
    } catch {
      return null;
    }
    const d = o?.params?.data;
    const lists = [d?.bids, d?.asks].filter((l): l is unknown[][] => Array.isArray(l) && l.length > 0);
    if (lists.length === 0) return null;
    const list = lists[Math.floor(pick() * lists.length)]!;
    const level = list[Math.floor(pick() * list.length)]!;
    const how = Math.floor(pick() * 3);
    // [action, price, amount]: a delete's amount is ignored, so corrupt its price instead.
    if (level[0] === 'delete' || how === 0) level[1] = null;
    else if (how === 1) level[2] = '-' + String(level[2]);
    else level[2] = 'abc';
    return JSON.stringify(o);
  }
}

function rpcResult(id: unknown, result: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', id, result, testnet: false });
}

function rpcError(id: unknown, code: number, message: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error: { code, message }, testnet: false });
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createDeribitSimProtocol(venue: VenueId): SimProtocol {
  return new DeribitSimProtocol(venue);
}
