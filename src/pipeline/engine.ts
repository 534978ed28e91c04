/**
 * The core pipeline, pure (no I/O): raw frames → normalized events → verified books → bus. Live
 * connectors, replay and the simulator-fed tests all push frames through `handleFrame`, so every path
 * runs the same code. What happens after a book changes (metrics, stateful analytics) is a
 * {@link PipelineStage} handed in by the composition (src/analytics/stage.ts), so this layer imports
 * nothing above it.
 */
import { MalformedFrameError, type DropCode } from '../core/errors.ts';
import type { Bus } from '../core/bus.ts';
import type {
  BookDelta,
  BookSnapshot,
  Funding,
  InstrumentId,
  MarketEvent,
  Trade,
  VenueId,
} from '../core/model.ts';
import { splitInstrumentId } from '../core/model.ts';
import type { BookState } from '../book/health.ts';
import { InstrumentBook, type BookOutcome, type BookSyncOptions } from '../book/instrument-book.ts';
import type { FeedParser } from '../feeds/types.ts';
import type { BookView, PipelineTopics } from './topics.ts';
import { RECORDED_CLOCK_LIMIT_MS, wallClockMs, type LatencyObserver } from './latency.ts';
import { FundingBoard } from './funding-board.ts';

/**
 * Work that follows the books, called synchronously in event order (e.g. metrics and analytics). A
 * stage must not throw for market data: it is on the hot path of every update.
 */
export interface PipelineStage {
  /**
   * After a delta or snapshot changed `b` (its health already updated). Times in ms since epoch UTC.
   * `update` is the event that did it: a delta applied as it is (`applied`), or a snapshot (or a
   * venue snapshot-delta) that replaced the book, buffered deltas spliced on (`snapshot`).
   */
  onBook(b: InstrumentBook, exchangeTs: number, localTs: number, update: BookUpdate): void;
  /** After a trade of an instrument the engine knows (before it is published on the bus). */
  onTrade(t: Trade): void;
  /**
   * After a funding event became its instrument's latest in the engine's FundingBoard (an out-of-order
   * one is not passed on). Optional: stages without funding logic leave it out.
   */
  onFunding?(f: Funding): void;
  /** After `b` changed state (from `previous`), at local time `localTs`. */
  onState(b: InstrumentBook, previous: BookState, localTs: number): void;
  /** Emit whatever is pending (end of replay, shutdown). */
  flush?(): void;
}

/** The event behind a book change, as stages see it (PipelineStage.onBook). */
export interface BookUpdate {
  readonly event: BookSnapshot | BookDelta;
  readonly outcome: 'applied' | 'snapshot';
}

/** Engine options. */
export interface EngineOptions {
  /** Each venue's book sync settings by venue id (feeds/registry.ts `venueSync`). */
  sync: ReadonlyMap<VenueId, BookSyncOptions>;
  bus: Bus<PipelineTopics>;
  /** Levels per side published on the `book` topic (default 20). */
  publishDepth?: number;
  /** Stages run after the books, in order (e.g. the analytics stage); none for a bare book pipeline. */
  stages?: readonly PipelineStage[];
  /** Called when an instrument needs a snapshot (REST fetch or resubscribe), once per need. */
  onSnapshotNeeded?: (instrument: InstrumentId, book: InstrumentBook) => void;
  /** Called on every state change of an instrument's book (for the one-line-per-change log). */
  onStateChange?: (book: InstrumentBook, previous: BookState) => void;
  /**
   * Latency observer (pipeline/latency.ts): exchange→receive of every book event and trade, and
   * receive→applied of every book event that changed a book. None: nothing is measured.
   */
  latency?: LatencyObserver;
  /** Clock for the latency steps, ms since epoch UTC (default: high-resolution wall clock). */
  clock?: () => number;
  /** The board funding events go to (default: a fresh one); `engine.funding` either way. */
  funding?: FundingBoard;
}

/** Frames dropped per venue and reason, plus per instrument in InstrumentBook counters. */
export type DropCounters = Record<string, Partial<Record<DropCode, number>>>;

/** Frames → events → verified books, one owner of every book (not thread-safe). */
export class Engine {
  readonly books = new Map<InstrumentId, InstrumentBook>();
  /** Dropped frames by venue then reason code. */
  readonly dropped: DropCounters = {};
  /** Total frames handled, by venue. */
  readonly frames: Record<string, number> = {};
  /**
   * Latest funding state per perpetual (pipeline/funding-board.ts), from the venues' funding channels.
   * Funding events never create or touch a book.
   */
  readonly funding: FundingBoard;
  private readonly publishDepth: number;
  private readonly stages: readonly PipelineStage[];
  private readonly latency: LatencyObserver | null;
  private readonly clock: () => number;
  /** Venue of each book, for the per-venue latency labels. */
  private readonly venueOf = new Map<InstrumentId, VenueId>();

  constructor(private readonly opts: EngineOptions) {
    this.publishDepth = opts.publishDepth ?? 20;
    this.stages = opts.stages ?? [];
    this.latency = opts.latency ?? null;
    this.clock = opts.clock ?? wallClockMs;
    this.funding = opts.funding ?? new FundingBoard();
  }

  /**
   * The verified book of an instrument, created (state `connecting`) on first use.
   * @throws {MalformedFrameError} code `unknown_instrument` when its venue has no sync settings
   */
  book(instrument: InstrumentId): InstrumentBook {
    let b = this.books.get(instrument);
    if (b) return b;
    const { venue } = splitInstrumentId(instrument);
    const sync = this.opts.sync.get(venue);
    if (!sync) throw new MalformedFrameError('unknown_instrument', `no venue adapter for ${instrument}`);
    b = new InstrumentBook(instrument, sync);
    this.books.set(instrument, b);
    this.venueOf.set(instrument, venue);
    return b;
  }

  /**
   * Parse and process one raw frame. Never throws for bad input: a malformed frame is dropped and
   * counted (per venue and reason, and per instrument when the parser could tell which).
   */
  handleFrame(venue: VenueId, parser: FeedParser, text: string, localTs: number): void {
    this.frames[venue] = (this.frames[venue] ?? 0) + 1;
    let events: readonly MarketEvent[];
    try {
      events = parser.parse(text, localTs);
    } catch (e) {
      this.countDrop(venue, e);
      return;
    }
    for (let i = 0; i < events.length; i++) this.handleEvent(events[i]!);
  }

  /** Count a frame dropped before it reached a book. */
  countDrop(venue: VenueId, e: unknown): void {
    const code: DropCode = e instanceof MalformedFrameError ? e.code : 'malformed_json';
    const v = (this.dropped[venue] ??= {});
    v[code] = (v[code] ?? 0) + 1;
    const inst = (e as { instrument?: unknown }).instrument;
    if (typeof inst === 'string') this.books.get(inst)?.countDropped();
  }

  /** Process one normalized event. */
  handleEvent(e: MarketEvent): void {
    if (e.type === 'funding') {
      this.handleFunding(e);
      return;
    }
    let b: InstrumentBook;
    try {
      b = this.book(e.instrument);
    } catch (err) {
      this.countDrop(splitInstrumentId(e.instrument).venue, err);
      return;
    }
    const before = b.health.state;
    let outcome: BookOutcome | null = null;
    switch (e.type) {
      case 'book_delta':
        outcome = b.onDelta(e);
        break;
      case 'book_snapshot':
        outcome = b.onSnapshot(e);
        break;
      case 'trade':
        b.health.counters.frames++;
        b.health.counters.trades++;
        for (let i = 0; i < this.stages.length; i++) this.stages[i]!.onTrade(e);
        this.opts.bus.publish('trade', e);
        break;
      case 'bbo':
        b.onBbo(e);
        break;
    }
    if (b.health.state !== before) this.stateChanged(b, before, e.localTs);
    if (b.snapshotWanted && this.opts.onSnapshotNeeded && b.takeSnapshotRequest()) {
      this.opts.onSnapshotNeeded(b.instrument, b);
    }
    const changed = outcome === 'applied' || outcome === 'snapshot';
    if (this.latency && e.type !== 'bbo') this.measure(b.instrument, e.exchangeTs, e.localTs, changed);
    if (outcome === 'applied' || outcome === 'snapshot')
      this.afterBookChange(b, e.exchangeTs, e.localTs, { event: e as BookSnapshot | BookDelta, outcome });
  }

  /**
   * A funding event: into the FundingBoard, then (when it became the latest) to the stages and on the
   * bus topic `funding`. Its venue must be known (sync settings), like a book event's; else it is
   * dropped and counted `unknown_instrument`.
   */
  private handleFunding(f: Funding): void {
    const { venue } = splitInstrumentId(f.instrument);
    if (!this.opts.sync.has(venue)) {
      this.countDrop(
        venue,
        new MalformedFrameError('unknown_instrument', `no venue adapter for ${f.instrument}`),
      );
      return;
    }
    if (!this.funding.update(f)) return;
    for (let i = 0; i < this.stages.length; i++) this.stages[i]!.onFunding?.(f);
    this.opts.bus.publish('funding', f);
  }

  /** Exchange→receive of an event, and receive→applied when it changed a book (pipeline/latency.ts). */
  private measure(instrument: InstrumentId, exchangeTs: number, localTs: number, applied: boolean): void {
    const venue = this.venueOf.get(instrument)!;
    const lat = this.latency!;
    if (exchangeTs > 0) {
      const d = localTs - exchangeTs;
      if (d > -RECORDED_CLOCK_LIMIT_MS && d < RECORDED_CLOCK_LIMIT_MS)
        lat.observe('exchange_receive', venue, d);
      else lat.notApplicable?.(venue);
    }
    if (applied) lat.observe('receive_applied', venue, this.clock() - localTs);
  }

  /**
   * Report a state change made outside `handleEvent` (a connector's reconnect resync, stale marking):
   * the same log hook, stages and `health` publication as an event-driven change.
   */
  stateChanged(b: InstrumentBook, previous: BookState, localTs: number): void {
    this.opts.onStateChange?.(b, previous);
    for (let i = 0; i < this.stages.length; i++) this.stages[i]!.onState(b, previous, localTs);
    this.opts.bus.publish('health', b.health);
  }

  private afterBookChange(b: InstrumentBook, exchangeTs: number, localTs: number, update: BookUpdate): void {
    const bus = this.opts.bus;
    // The top-of-book view allocates 2 × depth level arrays: build it only when someone listens (the
    // WebSocket hub, while a client watches books); the Redis cache, replay, soak and benchmarks read
    // the books themselves or not at all.
    if (bus.hasSubscribers?.('book') ?? true) {
      const top = b.book.top(this.publishDepth);
      const view: BookView = {
        instrument: b.instrument,
        exchangeTs,
        localTs,
        sequence: b.health.sequence,
        state: b.health.state,
        bids: top.bids,
        asks: top.asks,
      };
      bus.publish('book', view);
    }
    for (let i = 0; i < this.stages.length; i++) this.stages[i]!.onBook(b, exchangeTs, localTs, update);
  }

  /** Emit what the stages hold back (end of replay, shutdown). */
  flush(): void {
    for (const s of this.stages) s.flush?.();
  }
}
