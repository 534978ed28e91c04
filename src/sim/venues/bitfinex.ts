/**
 * Bitfinex WebSocket v2 protocol for the exchange simulator (src/sim), today's protocol from the 2021
 * recordings.
 *
 * Follows: Bitfinex API docs, "WebSocket > General" (path `/ws/2`; `{"event":"ping","cid"}` → `pong`),
 * "Configuration" (`{"event":"conf","flags":N}` → `{"event":"conf","status":"OK","flags":N}`; SEQ_ALL
 * 65536: every channel message ends with the connection's own sequence number; OB_CHECKSUM 131072:
 * `[CHAN_ID,"cs",CHECKSUM]` after every book change), "Books"/"Trades" (`subscribe` → `subscribed`
 * with a channel id, then the snapshot; `{"event":"unsubscribe","chanId"}` → `unsubscribed`) and
 * "WebSocket Checksum".
 *
 * Topics are `<channel>:<symbol>` (`book:tBTCUSD`, `trades:tBTCUSD`); channel ids are the recorded ones
 * (learnt in `preload`), new ones for symbols the recording never subscribed. Venue-side books (L2, the
 * recorded P0 messages applied eagerly) give the snapshot on subscribe and the checksum after each
 * recorded update. Per connection (`outgoing`): the recorder's sequence numbers are replaced by the
 * client's own count when it asked for SEQ_ALL (dropped otherwise), and a `cs` message follows every
 * book update when it asked for checksums. A frame lost to a fault is never numbered (the venue never
 * sent it); the next checksum then shows the loss on that book alone.
 */
import { L2Book } from '../../book/l2-book.ts';
import type { VenueId } from '../../core/model.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import type {
  ClientMessageResult,
  FrameRoute,
  SessionOpen,
  SimHttpResult,
  SimProtocol,
  SimSession,
} from '../types.ts';
import { quoteArrayNumbers } from '../../feeds/fields.ts';
import { BITFINEX_OB_CHECKSUM, BITFINEX_SEQ_ALL, bitfinexLevels } from '../../feeds/bitfinex/parser.ts';
import { bitfinexChecksum } from '../../feeds/bitfinex/checksum.ts';

interface Chan {
  channel: string;
  symbol: string;
}

interface BookState {
  book: L2Book;
  /** Order count per price (wire text) of the book's levels, for snapshots in P0 form. */
  counts: Map<string, string>;
  /** Checksum after the last recorded book message observed. */
  checksum: number;
  live: boolean;
}

interface Conn {
  flags: number;
  seq: number;
  /** Channel ids this connection subscribed → topic. */
  chans: Map<number, string>;
}

const HEAD = /^\[(\d+),/;

/** Bitfinex simulator protocol. */
export class BitfinexSimProtocol implements SimProtocol {
  private readonly chans = new Map<number, Chan>();
  private readonly byTopic = new Map<string, number>();
  private readonly books = new Map<string, BookState>();
  private readonly conns = new Map<number, Conn>();
  private nextChanId = 900_000;

  constructor(readonly venue: VenueId) {}

  preload(frames: readonly RecordedFrame[]): void {
    for (const f of frames) {
      if (f.kind !== 'ws' || !f.text.startsWith('{"event":"subscribed"')) continue;
      let o: { channel?: unknown; chanId?: unknown; symbol?: unknown };
      try {
        o = JSON.parse(f.text) as typeof o;
      } catch {
        continue;
      }
      if (typeof o.channel !== 'string' || typeof o.chanId !== 'number' || typeof o.symbol !== 'string')
        continue;
      this.chans.set(o.chanId, { channel: o.channel, symbol: o.symbol });
      this.byTopic.set(`${o.channel}:${o.symbol}`, o.chanId);
    }
  }

  reset(): void {
    this.books.clear();
  }

  private bookState(symbol: string): BookState {
    let b = this.books.get(symbol);
    if (!b) this.books.set(symbol, (b = { book: new L2Book(), counts: new Map(), checksum: 0, live: false }));
    return b;
  }

  observe(frame: RecordedFrame): void {
    if (frame.kind !== 'ws') return;
    const r = this.route(frame.text);
    if (r === null || !r.depth || r.symbol === undefined) return;
    let msg: unknown[];
    try {
      msg = JSON.parse(quoteArrayNumbers(frame.text)) as unknown[];
    } catch {
      return;
    }
    const body = msg[1];
    if (!Array.isArray(body)) return;
    const s = this.bookState(r.symbol);
    const whole = body.length === 0 || Array.isArray(body[0]);
    const entries = (whole ? body : [body]) as unknown[][];
    try {
      const { bids, asks } = bitfinexLevels(entries);
      if (whole) {
        s.book.applySnapshot(bids, asks);
        s.counts.clear();
        s.live = true;
      } else s.book.applyDelta(bids, asks);
    } catch {
      return; // a malformed recorded message: the venue's own book would not have it either
    }
    for (const e of entries) {
      if (e[1] === '0') s.counts.delete(String(e[0]));
      else s.counts.set(String(e[0]), String(e[1]));
    }
    s.checksum = bitfinexChecksum.compute(s.book);
  }

  route(text: string): FrameRoute | null {
    const m = HEAD.exec(text);
    if (m === null) return null; // the recorder's events (info, conf, subscribed): not replayed
    const c = this.chans.get(Number(m[1]));
    if (c === undefined) return null;
    const hb = text.startsWith(`[${m[1]},"hb"`);
    return { topic: `${c.channel}:${c.symbol}`, symbol: c.symbol, depth: c.channel === 'book' && !hb };
  }

  open(url: URL): SessionOpen {
    if (url.pathname.replace(/\/$/, '') !== '/ws/2')
      return { ok: false, status: 404, message: `unknown path ${url.pathname}; use /ws/2` };
    return { ok: true, topics: [] };
  }

  private conn(session: SimSession | undefined): Conn {
    const id = session?.id ?? 0;
    let c = this.conns.get(id);
    if (!c) this.conns.set(id, (c = { flags: 0, seq: 0, chans: new Map() }));
    return c;
  }

  closed(session: SimSession): void {
    this.conns.delete(session.id);
  }

  onMessage(text: string, session?: SimSession): ClientMessageResult {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { replies: ['{"event":"error","msg":"invalid JSON","code":10000}'] };
    }
    const c = this.conn(session);
    switch (m?.event) {
      case 'conf':
        c.flags = typeof m.flags === 'number' ? m.flags : 0;
        return { replies: [JSON.stringify({ event: 'conf', status: 'OK', flags: c.flags })] };
      case 'ping':
        return { replies: [JSON.stringify({ event: 'pong', ts: Date.now(), cid: m.cid })] };
      case 'subscribe': {
        const channel = m.channel;
        const symbol =
          typeof m.symbol === 'string' ? m.symbol : typeof m.pair === 'string' ? `t${m.pair}` : '';
        if ((channel !== 'book' && channel !== 'trades' && channel !== 'ticker') || symbol === '')
          return { replies: [JSON.stringify({ event: 'error', msg: 'subscribe: invalid', code: 10300 })] };
        if (channel === 'book' && m.prec !== undefined && m.prec !== 'P0')
          return {
            replies: [JSON.stringify({ event: 'error', msg: 'subscribe: invalid prec', code: 10300 })],
          };
        const topic = `${channel}:${symbol}`;
        let chanId = this.byTopic.get(topic);
        if (chanId === undefined) {
          chanId = this.nextChanId++;
          this.chans.set(chanId, { channel, symbol });
          this.byTopic.set(topic, chanId);
        }
        if (c.chans.has(chanId))
          return { replies: [JSON.stringify({ event: 'error', msg: 'subscribe: dup', code: 10301 })] };
        c.chans.set(chanId, topic);
        const ack: Record<string, unknown> = { event: 'subscribed', channel, chanId, symbol };
        if (channel === 'book') Object.assign(ack, { prec: 'P0', freq: 'F0', len: String(m.len ?? '25') });
        ack.pair = symbol.slice(1);
        return { subscribe: [topic], replies: [JSON.stringify(ack)] };
      }
      case 'unsubscribe': {
        const chanId = typeof m.chanId === 'number' ? m.chanId : NaN;
        const topic = c.chans.get(chanId);
        if (topic === undefined)
          return { replies: [JSON.stringify({ event: 'error', msg: 'unsubscribe: invalid', code: 10400 })] };
        c.chans.delete(chanId);
        return {
          unsubscribe: [topic],
          replies: [JSON.stringify({ event: 'unsubscribed', status: 'OK', chanId })],
        };
      }
      default:
        return { replies: [JSON.stringify({ event: 'error', msg: 'unknown event', code: 10000 })] };
    }
  }

  /** A whole P0 book message (recorded form, sequence 0 as a placeholder) and its checksum message. */
  onSubscribed(topics: readonly string[]): readonly string[] {
    const out: string[] = [];
    for (const t of topics) {
      if (!t.startsWith('book:')) continue;
      const symbol = t.slice(5);
      const s = this.books.get(symbol);
      const chanId = this.byTopic.get(t);
      if (!s?.live || chanId === undefined) continue;
      const top = s.book.topStrings(1_000_000);
      const lv = (p: string, size: string, sign: string): string =>
        `[${p},${s.counts.get(p) ?? '1'},${sign}${size}]`;
      const entries = [...top.bids.map(([p, q]) => lv(p, q, '')), ...top.asks.map(([p, q]) => lv(p, q, '-'))];
      out.push(`[${chanId},[${entries.join(',')}],0]`, `[${chanId},"cs",${s.checksum},0]`);
    }
    return out;
  }

  outgoing(text: string, session: SimSession): string | readonly string[] {
    const m = HEAD.exec(text);
    if (m === null) return text; // events go out as they are
    const c = this.conn(session);
    const isCs = text.startsWith(`[${m[1]},"cs"`);
    if (isCs && !(c.flags & BITFINEX_OB_CHECKSUM)) return [];
    const frames = [text];
    const route = isCs ? null : this.route(text);
    if (route?.depth && c.flags & BITFINEX_OB_CHECKSUM) {
      const s = this.books.get(route.symbol!);
      if (s?.live) frames.push(`[${m[1]},"cs",${s.checksum},0]`);
    }
    return frames.map((f) => {
      const body = f.slice(0, f.lastIndexOf(','));
      return c.flags & BITFINEX_SEQ_ALL ? `${body},${++c.seq}]` : `${body}]`;
    });
  }

  http(_url: URL, _early: boolean): SimHttpResult {
    return null;
  }

  snapshotSymbol(_frame: RecordedFrame): string | null {
    return null;
  }

  corruptLevel(text: string, pick: () => number): string | null {
    const m = /^\[(\d+),\[(-?[\d.e-]+),(\d+),(-?[\d.e-]+)\],(\d+)\]$/.exec(text);
    if (m === null) return null;
    const how = Math.floor(pick() * 3);
    const [, id, p, n, a, seq] = m;
    if (how === 0) return `[${id},[${p},${n},"abc"],${seq}]`;
    if (how === 1) return `[${id},[null,${n},${a}],${seq}]`;
    return `[${id},[${p},0,${a}5],${seq}]`; // a delete whose AMOUNT is neither 1 nor -1
  }
}

/** Factory for the simulator's protocol registry (src/sim/protocols.ts). */
export function createBitfinexSimProtocol(venue: VenueId): SimProtocol {
  return new BitfinexSimProtocol(venue);
}
