/**
 * OKX v5 public WebSocket protocol for the exchange simulator (src/sim).
 *
 * Follows: OKX API v5 docs, "WebSocket > Overview" (path `/ws/v5/public`; text `ping` answered by
 * `pong`), "Subscribe"/"Unsubscribe" (`{"op","args":[{channel, instId}]}` answered per arg by
 * `{"event":"subscribe"|"unsubscribe","arg":{...},"connId"}`; errors `{"event":"error","code","msg"}`) and
 * "Order book channel" (after a subscribe the venue pushes `action: snapshot` with the whole book and its
 * checksum, then updates).
 *
 * Topics are `<channel>:<instId>` (`books:BTC-USDT`, `trades:BTC-USDT`). The snapshot sent on subscribe is
 * built from the venue-side book (see stream-sim.ts) with its CRC32 checksum and, when the recording has
 * them, `seqId` = the last `seqId` sent (`prevSeqId` -1), so the recorded updates that follow chain onto it.
 */
import { DOC_EXAMPLES, okxFundingRateFrame } from './funding-frames.ts';
import type { VenueId } from '../../core/model.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimProtocol } from '../types.ts';
import { okxChecksum } from '../../feeds/okx/checksum.ts';
import { OKX_BOOK_DEPTH } from '../../feeds/okx/parser.ts';
import { corruptOneLevel, StreamSimProtocol, type SimBookState } from './stream-sim.ts';

const ARG = /^\{"arg":\{"channel":"([^"]+)","instId":"([^"]+)"\}/;

/** OKX simulator protocol. */
export class OkxSimProtocol extends StreamSimProtocol {
  /** Book channel each symbol was recorded on (`books`, `books-l2-tbt`...). */
  private readonly bookChannel = new Map<string, string>();

  route(text: string): FrameRoute | null {
    let channel: string;
    let instId: string;
    const m = ARG.exec(text);
    if (m) {
      channel = m[1]!;
      instId = m[2]!;
    } else {
      let o: { arg?: { channel?: unknown; instId?: unknown }; event?: unknown };
      try {
        o = JSON.parse(text) as typeof o;
      } catch {
        return null;
      }
      if (typeof o?.arg?.channel !== 'string' || typeof o.arg.instId !== 'string' || o.event !== undefined)
        return null; // acks and errors of the recorder's own requests are not replayed
      channel = o.arg.channel;
      instId = o.arg.instId;
    }
    const depth = OKX_BOOK_DEPTH[channel] !== undefined;
    if (depth) this.bookChannel.set(instId, channel);
    return { topic: `${channel}:${instId}`, symbol: instId, depth };
  }

  open(url: URL): SessionOpen {
    if (url.pathname.replace(/\/$/, '') !== '/ws/v5/public')
      return { ok: false, status: 404, message: `unknown path ${url.pathname}; use /ws/v5/public` };
    return { ok: true, topics: [] };
  }

  onMessage(text: string): ClientMessageResult {
    if (text === 'ping') return { replies: ['pong'] };
    let m: { op?: unknown; args?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return { replies: ['{"event":"error","code":"60012","msg":"Invalid request"}'] };
    }
    if ((m?.op !== 'subscribe' && m?.op !== 'unsubscribe') || !Array.isArray(m.args))
      return { replies: ['{"event":"error","code":"60012","msg":"Invalid request"}'] };
    const topics: string[] = [];
    const replies: string[] = [];
    for (const a of m.args as { channel?: unknown; instId?: unknown }[]) {
      if (typeof a?.channel !== 'string' || typeof a.instId !== 'string') {
        replies.push('{"event":"error","code":"60018","msg":"Wrong URL or channel doesn\'t exist"}');
        continue;
      }
      topics.push(`${a.channel}:${a.instId}`);
      replies.push(
        JSON.stringify({ event: m.op, arg: { channel: a.channel, instId: a.instId }, connId: 'sim' }),
      );
    }
    return m.op === 'subscribe' ? { subscribe: topics, replies } : { unsubscribe: topics, replies };
  }

  /**
   * `funding-rate:<instId>` gets one push right away: the OKX documentation example's rate
   * (funding-frames.ts DOC_EXAMPLES.okx: documentation values, not market data), next settlement the
   * next 8 h mark of the recorded clock.
   */
  protected override fundingFrames(topic: string, nowMs: number): string[] {
    if (!topic.startsWith('funding-rate:')) return [];
    return [okxFundingRateFrame(topic.slice(13), DOC_EXAMPLES.okx, nowMs)];
  }

  protected bookSymbolOfTopic(topic: string): string | null {
    const i = topic.indexOf(':');
    return i > 0 && OKX_BOOK_DEPTH[topic.slice(0, i)] !== undefined ? topic.slice(i + 1) : null;
  }

  protected snapshotFrames(s: SimBookState, topic: string): string[] {
    const channel = topic.slice(0, topic.indexOf(':'));
    // A client asking for another channel than the recorded one still gets the recorded book's levels.
    const depth = OKX_BOOK_DEPTH[channel] ?? 400;
    const top = s.book.book.topStrings(depth);
    const lv = (l: [string, string]) => [l[0], l[1], '0', '1'];
    const seq = s.book.health.sequence;
    const data: Record<string, unknown> = {
      asks: top.asks.map(lv),
      bids: top.bids.map(lv),
      ts: String(Number.isNaN(s.lastEventTs) ? 0 : s.lastEventTs),
      checksum: okxChecksum.compute(s.book.book),
    };
    if (!Number.isNaN(seq)) Object.assign(data, { prevSeqId: -1, seqId: seq });
    return [JSON.stringify({ arg: { channel, instId: s.symbol }, action: 'snapshot', data: [data] })];
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
export function createOkxSimProtocol(venue: VenueId): SimProtocol {
  return new OkxSimProtocol(venue);
}
