/**
 * BitMEX realtime WebSocket protocol for the exchange simulator (src/sim).
 *
 * Follows: BitMEX API docs, "WebSocket API" (path `/realtime`, optionally `?subscribe=topic,topic`;
 * `{"op":"subscribe"|"unsubscribe","args":[...]}` answered per topic by `{"success":true,"subscribe":
 * topic,"request":{...}}`; an unusable request by `{"status":400,"error":...,"request":...}`; text `ping`
 * → `pong`) and "Subscriptions > orderBookL2" (on subscribe a `partial` with every level of the symbol:
 * `keys` symbol/id/side, rows `{symbol, id, side, size, price, timestamp}`; then insert/update/delete
 * rows keyed by `id`).
 *
 * Topics are `<table>:<symbol>` (`orderBookL2:XBTUSD`, `trade:XBTUSD`). The venue side keeps each
 * symbol's levels by id from the recorded partial and changes (the ids later recorded rows refer to), so
 * a (re)subscribe gets a `partial` of exactly those levels, in today's row shape (with `timestamp`); the
 * recorded changes that follow then apply to it. Prices and sizes are JSON numbers, as BitMEX sends them.
 */
import type { VenueId } from '../../core/model.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimHttpResult, SimProtocol } from '../types.ts';
import { isObject, parseJsonKeepingDecimals } from '../../feeds/fields.ts';
import { BITMEX_BOOK_TABLES } from '../../feeds/bitmex/parser.ts';

const TABLE = /^\{"table":"([A-Za-z0-9_]+)","action":"([a-z]+)"/;
const SYMBOL = /"symbol":"([^"]+)"/;
const FILTER = /"filter":\{"symbol":"([^"]+)"/;
const parseFrame = parseJsonKeepingDecimals(['size', 'price']);

interface Level {
  side: string;
  /** Wire texts of the JSON numbers. */
  price: string;
  size: string;
}

interface SymbolBook {
  /** A partial has been seen (the levels are known). */
  live: boolean;
  readonly levels: Map<number, Level>;
  /** Time of the latest change (ISO): the row's `timestamp`, else the frame's receive time. */
  timestamp: string;
}

/** BitMEX simulator protocol. */
export class BitmexSimProtocol implements SimProtocol {
  private readonly books = new Map<string, SymbolBook>();

  constructor(readonly venue: VenueId) {}

  reset(): void {
    this.books.clear();
  }

  route(text: string): FrameRoute | null {
    const m = TABLE.exec(text);
    if (!m) return null; // welcome, acks of the recorder's requests
    const table = m[1]!;
    // A partial names its symbol in `filter` (its data may be empty, and its `types` come first);
    // other actions carry only rows, each with its symbol.
    const sym = (m[2] === 'partial' ? FILTER : SYMBOL).exec(text)?.[1];
    if (sym === undefined) return null;
    return { topic: `${table}:${sym}`, symbol: sym, depth: table in BITMEX_BOOK_TABLES };
  }

  observe(frame: RecordedFrame): void {
    if (frame.kind !== 'ws') return;
    const r = this.route(frame.text);
    if (!r?.depth || r.symbol === undefined) return;
    let o: Record<string, unknown>;
    try {
      o = parseFrame(frame.text);
    } catch {
      return;
    }
    if (!Array.isArray(o.data)) return;
    if (o.action === 'partial') {
      const b = this.book(r.symbol);
      b.levels.clear();
      b.live = true;
    }
    const recvTime = new Date(frame.localTs).toISOString();
    for (const row of o.data) {
      if (!isObject(row) || typeof row.symbol !== 'string' || typeof row.id !== 'number') continue;
      const b = this.book(row.symbol);
      b.timestamp = typeof row.timestamp === 'string' ? row.timestamp : recvTime;
      if (o.action === 'delete') b.levels.delete(row.id);
      else if (o.action === 'update') {
        const l = b.levels.get(row.id);
        if (l && typeof row.size === 'string') l.size = row.size;
      } else if (
        typeof row.side === 'string' &&
        typeof row.price === 'string' &&
        typeof row.size === 'string'
      )
        b.levels.set(row.id, { side: row.side, price: row.price, size: row.size });
    }
  }

  private book(symbol: string): SymbolBook {
    let b = this.books.get(symbol);
    if (!b) this.books.set(symbol, (b = { live: false, levels: new Map(), timestamp: '' }));
    return b;
  }

  open(url: URL): SessionOpen {
    if (url.pathname.replace(/\/$/, '') !== '/realtime')
      return { ok: false, status: 404, message: `unknown path ${url.pathname}; use /realtime` };
    const q = url.searchParams.get('subscribe');
    return { ok: true, topics: q ? q.split(',').filter((t) => t.includes(':')) : [] };
  }

  onMessage(text: string): ClientMessageResult {
    if (text === 'ping') return { replies: ['pong'] };
    let m: { op?: unknown; args?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return { replies: [JSON.stringify({ status: 400, error: 'Unable to parse request.', meta: {} })] };
    }
    const args = m?.args;
    if (
      (m?.op !== 'subscribe' && m?.op !== 'unsubscribe') ||
      !Array.isArray(args) ||
      !args.every((a) => typeof a === 'string' && a.includes(':'))
    )
      return {
        replies: [
          JSON.stringify({ status: 400, error: 'Unknown or expired command.', meta: {}, request: m }),
        ],
      };
    const topics = args as string[];
    const replies = topics.map((t) => JSON.stringify({ success: true, [m.op as string]: t, request: m }));
    return m.op === 'subscribe' ? { subscribe: topics, replies } : { unsubscribe: topics, replies };
  }

  onSubscribed(topics: readonly string[]): readonly string[] {
    const out: string[] = [];
    for (const t of topics) {
      const i = t.indexOf(':');
      const table = t.slice(0, i);
      if (!(table in BITMEX_BOOK_TABLES)) continue;
      const symbol = t.slice(i + 1);
      const b = this.books.get(symbol);
      if (!b?.live) continue;
      out.push(partialFrame(table, symbol, b));
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
    let o: Record<string, unknown>;
    try {
      o = parseFrame(text);
    } catch {
      return null;
    }
    const rows = Array.isArray(o.data) ? o.data.filter(isObject) : [];
    if (rows.length === 0) return null;
    const row = rows[Math.floor(pick() * rows.length)]!;
    const how = Math.floor(pick() * 3);
    // A delete has no size: its id gets the wrong type (a row the client cannot key: a gap). Never
    // another valid id: BitMEX has no checksum, so a plausible wrong id could go unnoticed.
    if (o.action === 'delete' || how === 0) row.id = String(row.id);
    else if (how === 1) row.size = '-' + String(row.size);
    else row.size = 'abc';
    return JSON.stringify(o);
  }
}

/** A `partial` of the symbol's held levels: sells then buys, each by price descending (BitMEX order). */
function partialFrame(table: string, symbol: string, b: SymbolBook): string {
  const rows = [...b.levels].sort(([, x], [, y]) =>
    x.side === y.side ? Number(y.price) - Number(x.price) : x.side === 'Sell' ? -1 : 1,
  );
  const ts = JSON.stringify(b.timestamp || new Date(0).toISOString());
  const sym = JSON.stringify(symbol);
  const data = rows
    .map(
      ([id, l]) =>
        `{"symbol":${sym},"id":${id},"side":${JSON.stringify(l.side)},"size":${l.size},"price":${l.price},"timestamp":${ts}}`,
    )
    .join(',');
  return (
    `{"table":${JSON.stringify(table)},"action":"partial","keys":["symbol","id","side"],` +
    `"types":{"symbol":"symbol","id":"long","side":"symbol","size":"long","price":"float","timestamp":"timestamp"},` +
    `"filter":{"symbol":${sym}},"data":[${data}]}`
  );
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createBitmexSimProtocol(venue: VenueId): SimProtocol {
  return new BitmexSimProtocol(venue);
}
