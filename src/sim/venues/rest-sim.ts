/**
 * Shared base of the simulator protocols (src/sim/types.ts `SimProtocol`) of venues that sync from a
 * REST depth snapshot plus a WebSocket diff stream (Gate.io, KuCoin; Bitstamp-like venues can reuse it),
 * and a small REST router for the other endpoints such venues need (KuCoin's `POST /api/v1/bullet-public`
 * token, instrument lists).
 *
 * Venue-side books: every recorded diff frame is kept per symbol and applied lazily (when a snapshot is
 * asked for) to an InstrumentBook with the venue's own parser and sync rules, starting from the
 * recording's REST snapshot (`adapter.parseSnapshot`). A snapshot served at any moment therefore stands
 * at the last update id the simulator has sent, as the venue's own would; before the timeline reaches a
 * symbol's recorded snapshot, a request gets the recorded body itself (`early`) or waits (`{ wait }`,
 * the simulator's hold mode). This is the Binance protocol's model (venues/binance.ts), made generic.
 *
 * A venue supplies:
 * - `route` / `open` / `onMessage` / `corruptLevel` (its WebSocket protocol);
 * - `recordedSnapshotSymbol(frame)`: the symbol of a recorded REST depth snapshot (null otherwise);
 * - `routes`: its REST endpoints as {@link RestRoute}s (method, path, handler); depth endpoints call
 *   {@link RestSimProtocol.serveSnapshot} with a function that renders the venue's body from the book.
 */
import { InstrumentBook } from '../../book/instrument-book.ts';
import type { VenueId } from '../../core/model.ts';
import type { RecordedFrame } from '../../recording/types.ts';
import type { FeedParser, VenueAdapter } from '../../feeds/types.ts';
import { venue as venueAdapter } from '../../feeds/registry.ts';
import type {
  ClientMessageResult,
  FrameRoute,
  SessionOpen,
  SimHttpResult,
  SimProtocol,
  SimSession,
} from '../types.ts';

/** The venue-side state of one symbol. */
export interface RestBookState {
  readonly symbol: string;
  /** Recorded diff frames not yet applied to `book`. */
  pending: string[];
  readonly book: InstrumentBook;
  /** True once the timeline has passed this symbol's recorded snapshot. */
  reached: boolean;
  /** Exchange time of the last applied event, ms since epoch UTC (NaN before any). */
  lastEventTs: number;
}

/**
 * One REST endpoint of a simulated venue.
 * - `method`: HTTP method (`GET`, `POST`); `path`: exact path or a pattern on the path.
 * - `handle(url, early)`: the answer (see SimHttpResult); `early` as in SimProtocol.http.
 */
export interface RestRoute {
  readonly method: string;
  readonly path: string | RegExp;
  handle(url: URL, early: boolean): SimHttpResult;
}

/** A JSON error answer with a status (venues' own error bodies). */
export function restError(status: number, body: object): SimHttpResult {
  return { status, body: JSON.stringify(body) };
}

/** Base class: venue-side books from a REST snapshot + recorded diffs, REST routes. */
export abstract class RestSimProtocol implements SimProtocol {
  protected readonly states = new Map<string, RestBookState>();
  /** The first recorded snapshot body per symbol (served early, before the timeline reaches it). */
  protected readonly recorded = new Map<string, string>();
  protected readonly adapter: VenueAdapter;
  private parser: FeedParser;

  constructor(readonly venue: VenueId) {
    this.adapter = venueAdapter(venue);
    this.parser = this.adapter.createParser();
  }

  /** HTTP methods the routes use (see SimProtocol.httpMethods). */
  get httpMethods(): readonly string[] {
    return [...new Set(this.routes.map((r) => r.method))];
  }

  /** The venue's REST endpoints. */
  protected abstract readonly routes: readonly RestRoute[];
  abstract route(text: string): FrameRoute | null;
  abstract open(url: URL): SessionOpen;
  abstract onMessage(text: string, session?: SimSession): ClientMessageResult;
  abstract corruptLevel(text: string, pick: () => number): string | null;
  /** The symbol of a recorded REST depth snapshot, or null when the frame is not one. */
  protected abstract recordedSnapshotSymbol(frame: RecordedFrame): string | null;

  /** The venue-side state of a symbol, created on first use. */
  protected state(symbol: string): RestBookState {
    let s = this.states.get(symbol);
    if (!s) {
      s = {
        symbol,
        pending: [],
        book: new InstrumentBook(`${this.venue}:${symbol}`, this.adapter.sync),
        reached: false,
        lastEventTs: NaN,
      };
      this.states.set(symbol, s);
    }
    return s;
  }

  preload(frames: readonly RecordedFrame[]): void {
    for (const f of frames) {
      const sym = this.snapshotSymbol(f);
      if (sym !== null && !this.recorded.has(sym)) this.recorded.set(sym, f.text);
    }
  }

  reset(): void {
    this.states.clear();
    this.parser = this.adapter.createParser();
  }

  snapshotSymbol(frame: RecordedFrame): string | null {
    return frame.kind === 'rest' ? this.recordedSnapshotSymbol(frame) : null;
  }

  observe(frame: RecordedFrame): void {
    if (frame.kind === 'rest') {
      const sym = this.snapshotSymbol(frame);
      if (sym === null) return;
      const s = this.state(sym);
      this.materialize(s);
      try {
        const snap = this.adapter.parseSnapshot!(frame.text, s.book.instrument, frame.localTs);
        s.book.onSnapshot(snap);
        s.reached = true;
      } catch {
        // A malformed recorded snapshot is ignored: the symbol keeps waiting for a usable one.
      }
      return;
    }
    if (frame.kind !== 'ws') return;
    const r = this.route(frame.text);
    if (r === null || !r.depth || r.symbol === undefined) return;
    const s = this.state(r.symbol);
    s.pending.push(frame.text);
    if (s.pending.length >= 50_000) this.materialize(s);
  }

  /** Apply the recorded diff frames kept since the last call to the symbol's venue-side book. */
  protected materialize(s: RestBookState): void {
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
        if (e.type !== 'book_delta' || e.instrument !== s.book.instrument) continue;
        s.book.onDelta(e);
        if (!Number.isNaN(e.exchangeTs)) s.lastEventTs = e.exchangeTs;
      }
    }
  }

  http(url: URL, early: boolean, method = 'GET'): SimHttpResult {
    for (const r of this.routes) {
      if (r.method !== method) continue;
      if (typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname))
        return r.handle(url, early);
    }
    return null;
  }

  /**
   * Answer a depth snapshot request for `symbol`: the recorded body before the timeline reaches the
   * recorded snapshot (when `early`) or `{ wait }`; afterwards `render(state)` of the live venue-side
   * book; `unknown` when the symbol has neither (the venue's "invalid symbol" answer).
   */
  protected serveSnapshot(
    symbol: string,
    early: boolean,
    render: (s: RestBookState) => string,
    unknown: SimHttpResult,
  ): SimHttpResult {
    const s = this.states.get(symbol);
    const recorded = this.recorded.get(symbol);
    if (!s?.reached) {
      if (recorded === undefined && s === undefined) return unknown;
      if (early && recorded !== undefined) return { status: 200, body: recorded, symbol };
      return { wait: symbol };
    }
    this.materialize(s);
    if (s.book.state !== 'live' && s.book.state !== 'stale') return { wait: symbol };
    return { status: 200, body: render(s), symbol };
  }
}
