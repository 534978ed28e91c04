/**
 * Shared base of the simulator protocols (src/sim/types.ts `SimProtocol`) of venues whose book snapshots
 * arrive in-stream (OKX, Kraken, Bybit, Coinbase): the venue-side book per symbol is rebuilt from the
 * recorded frames with the venue's own parser and sync rules, and a client that subscribes gets a fresh
 * snapshot built from it (`onSubscribed`), as the venue sends one after each subscribe. There are no REST
 * snapshots (`http` answers null, `snapshotSymbol` null).
 *
 * A venue supplies: routing of recorded frames to topics (`route`), the client protocol (`open`,
 * `onMessage`), the book topic of a symbol, the snapshot frame text, and level corruption.
 */
import { InstrumentBook } from '../../book/instrument-book.ts';
import type { VenueId } from '../../core/model.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import type { ClientMessageResult, FrameRoute, SessionOpen, SimHttpResult, SimProtocol } from '../types.ts';
import type { FeedParser } from '../../feeds/types.ts';
import { venue as venueAdapter } from '../../feeds/registry.ts';

/** The venue-side state of one symbol. */
export interface SimBookState {
  readonly symbol: string;
  /** Recorded book frames not yet applied to `book`. */
  pending: string[];
  readonly book: InstrumentBook;
  /** Exchange time of the last applied book event, ms since epoch UTC (NaN before any). */
  lastEventTs: number;
  /** Free per-venue data about the recorded format (e.g. Kraken v1 vs v2, Bybit topic). */
  format: string;
}

/** Base class: venue-side books from the recording, snapshots on subscribe. */
export abstract class StreamSimProtocol implements SimProtocol {
  protected readonly states = new Map<string, SimBookState>();
  private parser: FeedParser;

  constructor(readonly venue: VenueId) {
    this.parser = venueAdapter(venue).createParser();
  }

  abstract route(text: string): FrameRoute | null;
  abstract open(url: URL): SessionOpen;
  abstract onMessage(text: string): ClientMessageResult;
  abstract corruptLevel(text: string, pick: () => number): string | null;
  /** The symbol whose book a subscribed topic asks for, or null for non-book topics. */
  protected abstract bookSymbolOfTopic(topic: string): string | null;
  /** The snapshot frame(s) a client gets for a live venue-side book, in the recorded format. */
  protected abstract snapshotFrames(s: SimBookState, topic: string): string[];
  /** The recorded-format tag of a book frame (stored in `SimBookState.format`). */
  protected formatOf(_text: string): string {
    return '';
  }

  /** The venue-side state of a symbol, created on first use. */
  protected state(symbol: string): SimBookState {
    let s = this.states.get(symbol);
    if (!s) {
      s = {
        symbol,
        pending: [],
        book: new InstrumentBook(`${this.venue}:${symbol}`, venueAdapter(this.venue).sync),
        lastEventTs: NaN,
        format: '',
      };
      this.states.set(symbol, s);
    }
    return s;
  }

  /** Local time of the last observed recorded frame: the venue clock of served funding frames. */
  protected clock = NaN;

  reset(): void {
    this.states.clear();
    this.parser = venueAdapter(this.venue).createParser();
    this.clock = NaN;
  }

  /**
   * Frames a subscription to `topic` gets besides a book snapshot: funding channels the recordings do
   * not hold (funding-frames.ts); none by default.
   * @param nowMs the simulator's recorded clock (wall clock before any frame was observed)
   */
  protected fundingFrames(_topic: string, _nowMs: number): string[] {
    return [];
  }

  observe(frame: RecordedFrame): void {
    this.clock = frame.localTs;
    if (frame.kind !== 'ws') return;
    const r = this.route(frame.text);
    if (r === null || !r.depth || r.symbol === undefined) return;
    const s = this.state(r.symbol);
    s.format = this.formatOf(frame.text);
    s.pending.push(frame.text);
    if (s.pending.length >= 50_000) this.materialize(s);
  }

  /** Apply the recorded book frames kept since the last call to the symbol's venue-side book. */
  protected materialize(s: SimBookState): void {
    const pending = s.pending;
    if (pending.length === 0) return;
    s.pending = [];
    for (const text of pending) {
      let events;
      try {
        events = this.parser.parse(text, 0);
      } catch {
        continue; // a malformed recorded frame: the venue's own book would not have it either
      }
      for (const e of events) {
        if (e.type === 'book_delta') s.book.onDelta(e);
        else if (e.type === 'book_snapshot') s.book.onSnapshot(e);
        else continue;
        if (!Number.isNaN(e.exchangeTs)) s.lastEventTs = e.exchangeTs;
      }
    }
  }

  onSubscribed(topics: readonly string[]): readonly string[] {
    const out: string[] = [];
    const now = Number.isFinite(this.clock) ? this.clock : Date.now();
    for (const t of topics) out.push(...this.fundingFrames(t, now));
    for (const t of topics) {
      const sym = this.bookSymbolOfTopic(t);
      if (sym === null) continue;
      const s = this.states.get(sym);
      if (!s) continue;
      this.materialize(s);
      if (s.book.state !== 'live' && s.book.state !== 'stale') continue;
      out.push(...this.snapshotFrames(s, t));
    }
    return out;
  }

  http(_url: URL, _early: boolean): SimHttpResult {
    return null;
  }

  snapshotSymbol(_frame: RecordedFrame): string | null {
    return null;
  }
}

/**
 * Corrupt one `[price, size, ...]` level found in `levelLists` (arrays of levels inside a parsed frame):
 * negative size, non-numeric size, numeric (not string) size, or null price. Mutates in place.
 * @returns false when there is no level to corrupt
 */
export function corruptOneLevel(levelLists: unknown[][], pick: () => number): boolean {
  const lists = levelLists.filter((l) => Array.isArray(l) && l.length > 0 && Array.isArray(l[0]));
  if (lists.length === 0) return false;
  const list = lists[Math.floor(pick() * lists.length)]!;
  const level = list[Math.floor(pick() * list.length)] as unknown[];
  const how = Math.floor(pick() * 4);
  if (how === 0) level[1] = '-' + String(level[1]);
  else if (how === 1) level[1] = 'abc';
  else if (how === 2) level[1] = Number(level[1]);
  else level[0] = null;
  return true;
}
