/**
 * The replay driver: recording → venue parser → Engine (the same pure pipeline the live connector uses)
 * → bus.
 *
 * - `ws` frames go through `engine.handleFrame` with one parser per (venue, connection), created by the
 *   venue adapter (`adapter.createParser()`).
 * - `event` frames (imported, already-normalized data: Tardis CSV, LOBSTER pairs) go to
 *   `engine.handleEvent` as they are; their `tardis-<exchange>` venues get adapters from
 *   `tardisVenueAdapter` (unsequenced books), the `lobster` venue from `lobsterVenueAdapter` (sequence =
 *   message line, coverage and depth oracle carried by each delta), unless the `venues` option has them.
 * - `rest` frames become snapshots with `adapter.parseSnapshot(body, instrument, localTs)`. The instrument
 *   is, in order: the frame's own `instrument` (native recordings); the symbol the venue adapter reads
 *   from the URL (`adapter.snapshotSymbol`, e.g. Bitstamp `/order_book/btcusd/`) or else the
 *   `symbol`-like query parameter of the request URL (`...depth?symbol=BUSDTRY&limit=1000`, cryptofeed); the single instrument seen in the
 *   book frames of the same connection, or else of the same venue (hftbacktest files hold one symbol).
 *   A snapshot that arrives before any book frame names its instrument waits for the first one. A REST
 *   body whose URL names no instrument (e.g. a products list) is not a snapshot: it is counted in
 *   `restIgnored`. A snapshot that precedes diffs is fine; diffs that precede their snapshot are buffered
 *   by the InstrumentBook (Binance "How to manage a local order book correctly").
 * - Reference data (contract sizes, ticks): the catalog passed as `engine.instruments`, filled by
 *   {@link recordingReference} from the recording's metadata files before the replay is built (the
 *   consolidated groups take their members' specs at construction); reference bodies inside the stream
 *   (`adapter.reference.matches` on a `rest` frame's URL: single-file captures, depthwatch recordings of a
 *   live session) are added to it as they come, and counted in `referenceBodies`.
 * - Nothing can fetch a new snapshot during a replay, so a book that lost integrity and saw no later
 *   snapshot ends `invalid` (reason says so) rather than `resyncing` forever. Recordings with an
 *   in-stream snapshot source (LOBSTER: the next orderbook row) are asked for one
 *   (`recording.requestSnapshot`) whenever the engine needs it.
 * - Speed: `max` (as fast as possible) or N (pace frames by their local timestamps at N× real time);
 *   `pause()` / `resume()` at any time; optional time range [from, to] (ms since epoch UTC) on the frames'
 *   local time: frames before `from` are a warm-up (applied unpaced so the books are correct at `from`),
 *   the replay stops at the first frame after `to`.
 */
import { MalformedFrameError } from '../core/errors.ts';
import type { InstrumentId, VenueId } from '../core/model.ts';
import type { Bus } from '../core/bus.ts';
import type { Engine } from '../pipeline/engine.ts';
import type { AnalyticsStage } from '../analytics/stage.ts';
import type { ConsolidationStage } from '../analytics/consolidated/stage.ts';
import type { OutputTopics } from '../alerts/topics.ts';
import { InProcessBus } from '../bus/in-process.ts';
import { createPipeline, type PipelineOptions } from '../app/pipeline.ts';
import type { FeedParser, VenueAdapter } from '../feeds/types.ts';
import { venues as registryVenues } from '../feeds/registry.ts';
import type { RecordedFrame } from '../recording/types.ts';
import { RecordingError } from '../recording/lines.ts';
import type { Recording } from '../recording/open.ts';
import { tardisVenueAdapter } from '../feeds/tardis/descriptor.ts';
import { InstrumentCatalog } from '../core/instrument.ts';
import {
  loadRecordedReference,
  loadReferenceFrame,
  metadataFiles,
  readMetadataFrames,
  type ReferenceLoadCounts,
} from '../recording/reference.ts';
import { lobsterVenueAdapter } from '../feeds/lobster/descriptor.ts';

/** Replay speed: `max`, or a positive multiple of real time (1 = as recorded). */
export type ReplaySpeed = 'max' | number;

/** Progress of a replay. */
export interface ReplayProgress {
  /** Frames handed to the engine so far (warm-up included). */
  frames: number;
  /** Bytes read from the recording files so far, and their total size (compressed bytes for gzip). */
  bytesRead: number;
  totalBytes: number;
  /** Local time of the last frame, ms since epoch UTC (NaN before the first). */
  localTs: number;
  /** True on the final call. */
  done: boolean;
}

/** Options of a replay. */
export interface ReplayOptions {
  /** Venue for frames whose recording does not tell it. */
  venue?: VenueId;
  /** Default `max`. */
  speed?: ReplaySpeed;
  /** Start of the time range, ms since epoch UTC (frames before it are a warm-up). */
  from?: number;
  /** End of the time range, ms since epoch UTC (inclusive). */
  to?: number;
  /** Bus the engine publishes on (default: a fresh InProcessBus). */
  bus?: Bus<OutputTopics>;
  /** Venue adapters (default: feeds/registry.ts). */
  venues?: ReadonlyMap<VenueId, VenueAdapter>;
  /** Pipeline options (metrics config, analytics, publish depth, computeMetrics, state hook...). */
  engine?: Omit<PipelineOptions, 'venues' | 'bus'>;
  /** Called every `progressEvery` frames (and at least every 0.5 s of a paced replay) and once at the end. */
  onProgress?: (p: ReplayProgress) => void;
  /** Frames between progress calls (default 2000). */
  progressEvery?: number;
}

/** What a replay did, besides the engine's own counters. */
export interface ReplayResult {
  /** Frames handed to the engine (ws and rest; warm-up included). */
  frames: number;
  /** Of which before `from`. */
  warmupFrames: number;
  /** REST frames turned into snapshots. */
  snapshots: number;
  /** REST frames that are not snapshots (URL names no instrument, or the venue has no REST snapshots). */
  restIgnored: number;
  /** REST frames whose instrument could never be told (no URL symbol, several instruments seen). */
  restUnresolved: number;
  /** REST frames that were reference bodies (instrument lists) in the stream, added to the catalog. */
  referenceBodies: number;
  /** Frames of a venue with no adapter (counted in engine.dropped too, as `unknown_instrument`). */
  unknownVenueFrames: number;
  /** True when stopped early by stop(). */
  stopped: boolean;
}

/** Query parameters that name the instrument of a REST request, across venues. */
const SYMBOL_PARAMS = [
  'symbol',
  'instId',
  'instrument_name',
  'product_id',
  'currency_pair',
  'contract',
  'pair',
];

/**
 * The venue symbol a REST URL is for (`...depth?symbol=BUSDTRY&limit=1000` → `BUSDTRY`), or null.
 */
export function symbolFromUrl(url: string): string | null {
  const q = url.indexOf('?');
  if (q === -1) return null;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const k of SYMBOL_PARAMS) {
    const v = params.get(k);
    if (v) return v;
  }
  return null;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** One replay run over an opened recording. Create, optionally subscribe to `bus`, then `await run()`. */
export class Replay {
  readonly engine: Engine;
  /** The analytics stage (latest metrics, per-instrument analytics); null when metrics are off. */
  readonly analytics: AnalyticsStage | null;
  /** Consolidated groups and watchlist (null without groups). */
  readonly consolidation: ConsolidationStage | null;
  readonly bus: Bus<OutputTopics>;
  /** The instrument specs the analytics follow (the `engine.instruments` option, or an empty catalog). */
  readonly instruments: InstrumentCatalog;
  /** In-stream reference bodies loaded, per venue. */
  readonly referenceCounts = new Map<VenueId, ReferenceLoadCounts>();
  readonly result: ReplayResult = {
    frames: 0,
    warmupFrames: 0,
    snapshots: 0,
    restIgnored: 0,
    restUnresolved: 0,
    referenceBodies: 0,
    unknownVenueFrames: 0,
    stopped: false,
  };
  private readonly adapters: ReadonlyMap<VenueId, VenueAdapter>;
  private readonly parsers = new Map<string, FeedParser>();
  /** Book instruments seen per `venue|connection` and per venue. */
  private readonly seenByConn = new Map<string, Set<InstrumentId>>();
  private readonly seenByVenue = new Map<VenueId, Set<InstrumentId>>();
  /** REST frames waiting for their instrument, per `venue|connection`. */
  private readonly pending = new Map<string, RecordedFrame[]>();
  private pausedAt: number | null = null;
  private resumeWaiters: (() => void)[] = [];
  private stopRequested = false;
  private readonly speed: ReplaySpeed;

  /**
   * @throws {RecordingError} `usage` when a file's venue is unknown and no `venue` option is given, when a
   *   venue has no adapter, or when `speed` is not `max` or a positive number
   */
  constructor(
    private readonly recording: Recording,
    private readonly opts: ReplayOptions = {},
  ) {
    const imported = recording.files.filter(
      (f) => (f.format === 'tardis' || f.format === 'lobster') && f.venue !== undefined,
    );
    const base = opts.venues ?? registryVenues;
    const importedAdapter = (f: (typeof imported)[number]): VenueAdapter =>
      f.format === 'lobster' ? lobsterVenueAdapter() : tardisVenueAdapter(f.venue!);
    this.adapters = imported.some((f) => !base.has(f.venue!))
      ? new Map([...imported.map((f) => [f.venue!, importedAdapter(f)] as const), ...base])
      : base;
    this.bus = opts.bus ?? new InProcessBus<OutputTopics>();
    const asked = opts.engine?.onSnapshotNeeded;
    const p = createPipeline({
      ...opts.engine,
      venues: this.adapters,
      bus: this.bus,
      // Recordings that carry their own snapshot source (LOBSTER orderbook rows) serve resyncs in-stream.
      onSnapshotNeeded: (instrument, book) => {
        recording.requestSnapshot(instrument);
        asked?.(instrument, book);
      },
    });
    this.engine = p.engine;
    this.instruments = p.instruments;
    this.analytics = p.analytics;
    this.consolidation = p.consolidation;
    this.speed = opts.speed ?? 'max';
    if (
      this.speed !== 'max' &&
      !(typeof this.speed === 'number' && this.speed > 0 && Number.isFinite(this.speed))
    )
      throw new RecordingError(
        'usage',
        `speed must be "max" or a positive number, got ${String(this.speed)}`,
      );
    for (const f of recording.files) {
      const v = f.venue ?? opts.venue;
      if (v === undefined)
        throw new RecordingError('usage', `cannot tell the venue of ${f.path}; give it (--venue ID)`);
      if (!this.adapters.has(v))
        throw new RecordingError(
          'usage',
          `no venue adapter for "${v}" (${f.path}); known: ${[...this.adapters.keys()].join(', ')}`,
        );
    }
  }

  /** Pause pacing/processing after the current frame (no-op when paused). */
  pause(): void {
    if (this.pausedAt === null) this.pausedAt = performance.now();
  }

  /** Resume after pause() (no-op when running). Paced replays keep their pace from where they paused. */
  resume(): void {
    if (this.pausedAt === null) return;
    this.pausedAt = null;
    const w = this.resumeWaiters;
    this.resumeWaiters = [];
    for (const r of w) r();
  }

  /** True while paused. */
  get paused(): boolean {
    return this.pausedAt !== null;
  }

  /** Stop after the current frame; run() then resolves with `stopped: true`. */
  stop(): void {
    this.stopRequested = true;
    this.resume();
  }

  /**
   * Replay the whole recording (or the range) through the engine.
   * @returns the replay counters; per-instrument results are in `engine.books` / `analytics.latest`
   */
  async run(): Promise<ReplayResult> {
    const { from, to, onProgress } = this.opts;
    const every = Math.max(1, this.opts.progressEvery ?? 2000);
    const paced = this.speed !== 'max';
    const speed = paced ? (this.speed as number) : 1;
    let wallStart = NaN;
    let recStart = NaN;
    let lastTs = NaN;
    let lastReport = performance.now();
    const r = this.result;
    for await (const f of this.recording) {
      if (to !== undefined && f.localTs > to) break;
      if (this.pausedAt !== null) {
        const t0 = this.pausedAt;
        await new Promise<void>((res) => this.resumeWaiters.push(res));
        wallStart += performance.now() - t0;
      }
      if (this.stopRequested) {
        r.stopped = true;
        break;
      }
      const warm = from !== undefined && f.localTs < from;
      if (warm) r.warmupFrames++;
      else if (paced) {
        if (Number.isNaN(recStart)) {
          recStart = f.localTs;
          wallStart = performance.now();
        }
        const due = wallStart + (f.localTs - recStart) / speed;
        const wait = due - performance.now();
        if (wait >= 1) await sleep(wait);
      }
      this.handle(f);
      r.frames++;
      lastTs = f.localTs;
      if (r.frames % every === 0) {
        onProgress?.(this.progress(lastTs, false));
        lastReport = performance.now();
        if (!paced) await tick(); // let pause()/stop() callers and I/O run
      } else if (paced && onProgress && performance.now() - lastReport >= 500) {
        // Slow paced replays still report about twice a second.
        onProgress(this.progress(lastTs, false));
        lastReport = performance.now();
      }
    }
    for (const list of this.pending.values()) r.restUnresolved += list.length;
    this.pending.clear();
    this.finish(lastTs);
    this.engine.flush();
    onProgress?.(this.progress(lastTs, true));
    return r;
  }

  /**
   * Hand one frame of the recording to the engine, as run() does (for drivers that read and pace the
   * recording themselves, such as replay sessions). Counted in `result.frames`.
   */
  apply(f: RecordedFrame): void {
    this.handle(f);
    this.result.frames++;
  }

  /**
   * Give a `ws` frame to its connection's parser only, discarding the events (other frames: nothing).
   * Skipping to a book checkpoint this way leaves the parsers that keep state across frames (channel or
   * order-id maps) and the instruments seen per connection as a full run would, without touching the
   * books. A malformed frame is ignored here (the full run counted it).
   */
  skim(f: RecordedFrame): void {
    if (f.kind !== 'ws') return;
    const venue = f.venue ?? this.opts.venue!;
    const adapter = this.adapters.get(venue);
    if (!adapter) return;
    const key = `${venue}|${f.connection ?? ''}`;
    let p = this.parsers.get(key);
    if (!p) {
      p = this.observe(adapter.createParser(), venue, key);
      this.parsers.set(key, p);
    }
    try {
      p.parse(f.text, f.localTs);
    } catch (e) {
      if (!(e instanceof MalformedFrameError)) throw e;
    }
  }

  /**
   * End of a driven replay (after the last apply()): books still resyncing become `invalid`, stages
   * flush. run() does this itself.
   */
  end(ts: number): void {
    this.pending.clear();
    this.finish(ts);
    this.engine.flush();
  }

  private progress(localTs: number, done: boolean): ReplayProgress {
    return {
      frames: this.result.frames,
      bytesRead: this.recording.bytesRead,
      totalBytes: this.recording.totalBytes,
      localTs,
      done,
    };
  }

  /** Books that lost integrity and got no later snapshot cannot resync in a replay: mark them invalid. */
  private finish(ts: number): void {
    for (const b of this.engine.books.values()) {
      if (b.state === 'resyncing') {
        const prev = b.state;
        b.setState(
          'invalid',
          // The integrity failure that started the resync stays the reason; the detail says the replay ended.
          b.health.reasonCode ?? 'replay_ended',
          `replay ended before a fresh snapshot (${b.health.reason ?? 'resync'})`,
          ts,
        );
        this.engine.stateChanged(b, prev, ts);
      }
    }
  }

  private handle(f: RecordedFrame): void {
    const venue = f.venue ?? this.opts.venue!;
    const adapter = this.adapters.get(venue);
    if (!adapter) {
      this.result.unknownVenueFrames++;
      this.engine.countDrop(venue, new MalformedFrameError('unknown_instrument', `no adapter for ${venue}`));
      return;
    }
    if (f.kind === 'event') {
      const e = this.engine;
      e.frames[venue] = (e.frames[venue] ?? 0) + 1;
      if (f.event) e.handleEvent(f.event);
      else e.countDrop(venue, new MalformedFrameError('invalid_field', 'event frame without an event'));
      return;
    }
    const key = `${venue}|${f.connection ?? ''}`;
    if (f.kind === 'ws') {
      let p = this.parsers.get(key);
      if (!p) {
        p = this.observe(adapter.createParser(), venue, key);
        this.parsers.set(key, p);
      }
      this.engine.handleFrame(venue, p, f.text, f.localTs);
      return;
    }
    this.handleRest(f, venue, adapter, key);
  }

  private handleRest(f: RecordedFrame, venue: VenueId, adapter: VenueAdapter, key: string): void {
    const asVenue = f.venue === undefined ? { ...f, venue } : f;
    if (loadReferenceFrame(asVenue, this.adapters, this.instruments, this.referenceCounts)) {
      this.result.referenceBodies++;
      return;
    }
    if (!adapter.parseSnapshot) {
      this.result.restIgnored++;
      return;
    }
    let instrument: InstrumentId | null;
    if (f.instrument) instrument = f.instrument.includes(':') ? f.instrument : `${venue}:${f.instrument}`;
    else if (f.url) {
      const s = adapter.snapshotSymbol ? adapter.snapshotSymbol(f.url) : symbolFromUrl(f.url);
      if (s === null) {
        this.result.restIgnored++;
        return;
      }
      instrument = `${venue}:${s}`;
    } else instrument = this.single(this.seenByConn.get(key)) ?? this.single(this.seenByVenue.get(venue));
    if (instrument === null) {
      const list = this.pending.get(key);
      if (list) list.push(f);
      else this.pending.set(key, [f]);
      return;
    }
    this.applySnapshot(f, venue, adapter, instrument);
  }

  private applySnapshot(
    f: RecordedFrame,
    venue: VenueId,
    adapter: VenueAdapter,
    instrument: InstrumentId,
  ): void {
    const e = this.engine;
    e.frames[venue] = (e.frames[venue] ?? 0) + 1;
    let snap;
    try {
      snap = adapter.parseSnapshot!(f.text, instrument, f.localTs);
    } catch (err) {
      if (err instanceof MalformedFrameError)
        (err as MalformedFrameError & { instrument?: string }).instrument ??= instrument;
      e.book(instrument); // so the drop is counted against the instrument
      e.countDrop(venue, err);
      return;
    }
    this.result.snapshots++;
    e.handleEvent(snap);
  }

  private single(s: Set<InstrumentId> | undefined): InstrumentId | null {
    if (!s || s.size !== 1) return null;
    return s.values().next().value!;
  }

  /** Wrap a parser to learn which book instruments each connection carries (for URL-less snapshots). */
  private observe(inner: FeedParser, venue: VenueId, key: string): FeedParser {
    let conn = this.seenByConn.get(key);
    if (!conn) this.seenByConn.set(key, (conn = new Set()));
    let ven = this.seenByVenue.get(venue);
    if (!ven) this.seenByVenue.set(venue, (ven = new Set()));
    const c = conn;
    const v = ven;
    return {
      parse: (text, localTs) => {
        const events = inner.parse(text, localTs);
        for (let i = 0; i < events.length; i++) {
          const ev = events[i]!;
          if (ev.type !== 'book_delta' && ev.type !== 'book_snapshot') continue;
          if (!c.has(ev.instrument)) {
            c.add(ev.instrument);
            v.add(ev.instrument);
          }
          const waiting = this.pending.get(key);
          if (waiting && c.size === 1) {
            // The snapshot was received before this frame: apply it first.
            this.pending.delete(key);
            const adapter = this.adapters.get(venue)!;
            for (const w of waiting) this.applySnapshot(w, venue, adapter, ev.instrument);
          }
        }
        return events;
      },
    };
  }
}

/**
 * The reference data a recording carries (its cryptofeed `X.0` metadata files: given, in a given
 * directory, or next to a given stream file), parsed by each venue's `reference` into a catalog
 * (`source: 'recording'`). Pass the catalog as `engine.instruments` of the Replay.
 * @returns the catalog and what was loaded per venue
 */
export async function recordingReference(
  recording: Pick<Recording, 'files' | 'ignored'>,
  adapters: ReadonlyMap<VenueId, VenueAdapter> = registryVenues,
  catalog: InstrumentCatalog = new InstrumentCatalog(),
): Promise<{ catalog: InstrumentCatalog; counts: Map<VenueId, ReferenceLoadCounts> }> {
  const frames = await readMetadataFrames(await metadataFiles(recording.files, recording.ignored));
  return { catalog, counts: loadRecordedReference(frames, adapters, catalog) };
}
