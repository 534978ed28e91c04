/**
 * Fault-injection soak: every frame of a real recording goes, in lockstep, to a clean reference engine
 * and (through a fault injector) to the engine under test. Whenever the engine under test says a book is
 * `live` at the same sequence as the reference, the two books must be equal: a difference is an
 * **undetected divergence**, the one number that must stay 0. Snapshots requested by the engine under
 * test are served from the reference book at that moment (as the venue's REST endpoint would: top
 * `snapshotDepth` levels, `lastUpdateId` = last applied update), after a random delay in frames.
 *
 * Pure: no I/O, deterministic for a seed (mulberry32), so a failing seed reproduces exactly.
 */
import type { BookSnapshot, InstrumentId, VenueId, WireLevel } from '../core/model.ts';
import { Engine } from '../pipeline/engine.ts';
import { InProcessBus } from '../bus/in-process.ts';
import { venues, venue as venueOf, venueSync } from '../feeds/registry.ts';
import type { FeedParser } from '../feeds/types.ts';
import type { InstrumentBook } from '../book/instrument-book.ts';
import type { RecordedFrame } from '../recording/types.ts';
import { symbolFromUrl } from '../replay/replay.ts';
import { mulberry32 } from '../util/prng.ts';

/** Faults applied to book frames (depth diffs), each with its probability per book frame. */
export type SoakFault =
  | 'drop'
  | 'duplicate'
  | 'reorder'
  | 'truncate'
  | 'corrupt_field'
  | 'corrupt_size'
  | 'disconnect'
  | 'silent_corruption';

export const SOAK_FAULTS: readonly SoakFault[] = [
  'drop',
  'duplicate',
  'reorder',
  'truncate',
  'corrupt_field',
  'corrupt_size',
  'disconnect',
  'silent_corruption',
];

/** Soak options. */
export interface SoakOptions {
  /**
   * Probability per book frame of each fault (default 0.001 each; disconnect 0.0002;
   * silent_corruption 0: a valid-looking wrong size that no sequence check can see — used to prove the
   * soak's comparison finds what the engine cannot).
   */
  rates?: Partial<Record<SoakFault, number>>;
  seed?: number;
  /** Snapshot delay: uniform in [1, maxSnapshotDelayFrames] frames after the request (default 50). */
  maxSnapshotDelayFrames?: number;
  /** Levels per side in a served snapshot (Binance REST limit 1000). */
  snapshotDepth?: number;
  /** Levels per side compared at every live step (default 20); the whole book at each checkpoint. */
  compareDepth?: number;
  /** Full-book comparison every N frames (default 10,000). */
  checkpointEvery?: number;
}

/** Soak outcome over all passes. */
export interface SoakResult {
  frames: number;
  bookFrames: number;
  injected: Record<SoakFault, number>;
  /** Integrity events the engine under test raised (its counters summed over instruments). */
  detected: {
    gaps: number;
    dropped: number;
    checksumFailures: number;
    crossedBooks: number;
    oracleMismatches: number;
  };
  resyncs: number;
  /** Time from leaving `live` to being `live` again, in recording ms. */
  recoveryMs: number[];
  /** Frames the engine under test never received (dropped, or lost to a disconnect). */
  framesLost: number;
  /** Live-step comparisons and full-book checkpoint comparisons made. */
  comparisons: number;
  checkpoints: number;
  /** Live books that differed from the reference: must be 0. */
  undetectedDivergences: number;
  /** First few divergences, for debugging. */
  divergenceSamples: string[];
  /** Books still not live at the end of the run (each must have a pending snapshot). */
  notLiveAtEnd: number;
}

/** An empty result to accumulate passes into. */
export function emptySoakResult(): SoakResult {
  return {
    frames: 0,
    bookFrames: 0,
    injected: Object.fromEntries(SOAK_FAULTS.map((k) => [k, 0])) as Record<SoakFault, number>,
    detected: { gaps: 0, dropped: 0, checksumFailures: 0, crossedBooks: 0, oracleMismatches: 0 },
    resyncs: 0,
    recoveryMs: [],
    framesLost: 0,
    comparisons: 0,
    checkpoints: 0,
    undetectedDivergences: 0,
    divergenceSamples: [],
    notLiveAtEnd: 0,
  };
}

const DEPTH_HINT = /"(e)":"depthUpdate"|"(action)":"(?:update|snapshot)"/;

/** True for frames that carry book data (the frames faults are applied to). */
function isBookFrame(text: string): boolean {
  return DEPTH_HINT.test(text);
}

/** Frame router for one engine: a parser per connection, REST bodies turned into snapshots. */
class Feeder {
  private readonly parsers = new Map<string, FeedParser>();
  private readonly lastInstrument = new Map<string, InstrumentId>();

  constructor(
    readonly engine: Engine,
    private readonly venue: VenueId,
  ) {}

  feed(f: RecordedFrame, text = f.text): void {
    const conn = f.connection ?? '';
    const adapter = venueOf(this.venue);
    if (f.kind === 'ws') {
      let p = this.parsers.get(conn);
      if (!p) this.parsers.set(conn, (p = adapter.createParser()));
      const m = /"s":"([A-Za-z0-9_]+)"/.exec(text);
      if (m && text.includes('depthUpdate')) this.lastInstrument.set(conn, `${this.venue}:${m[1]}`);
      this.engine.handleFrame(this.venue, p, text, f.localTs);
      return;
    }
    const sym = f.url ? symbolFromUrl(f.url) : null;
    const instrument = f.instrument ?? (sym ? `${this.venue}:${sym}` : this.lastInstrument.get(conn));
    if (!instrument || !adapter.parseSnapshot) return;
    try {
      this.engine.handleEvent(adapter.parseSnapshot(text, instrument, f.localTs));
    } catch (e) {
      this.engine.countDrop(this.venue, e);
    }
  }
}

/** A snapshot of the reference book as the venue's REST endpoint would serve it. */
function snapshotOf(ref: InstrumentBook, depth: number, localTs: number): BookSnapshot {
  const top = ref.book.topStrings(depth);
  return {
    type: 'book_snapshot',
    instrument: ref.instrument,
    exchangeTs: NaN,
    localTs,
    sequence: ref.health.sequence,
    bids: top.bids as WireLevel[],
    asks: top.asks as WireLevel[],
    depthLimit: depth,
  };
}

/**
 * Compare the best `n` levels of the test book with the reference, within the test book's coverage
 * (a book rebuilt from a depth-limited snapshot does not know levels beyond it; neither does the venue's
 * client). n = Infinity compares the whole covered book.
 * @returns a description of the first difference, or null when equal
 */
function sameBook(test: InstrumentBook, ref: InstrumentBook, n: number): string | null {
  const cov = test.health.coverage;
  for (const side of ['bids', 'asks'] as const) {
    const x = test.book[side];
    const y = ref.book[side];
    const bound = side === 'bids' ? cov.bidFloor : cov.askCeiling;
    const inside = (p: number): boolean => Number.isNaN(bound) || (side === 'bids' ? p >= bound : p <= bound);
    const m = Math.min(n, Math.max(x.length, y.length));
    for (let i = 0; i < m; i++) {
      const px = x.price(i);
      const py = y.price(i);
      const xin = i < x.length && inside(px);
      const yin = i < y.length && inside(py);
      if (!xin && !yin) break;
      if (xin !== yin || px !== py || x.size(i) !== y.size(i))
        return `${side}[${i}] test ${xin ? `${px}@${x.size(i)}` : 'none'} vs reference ${yin ? `${py}@${y.size(i)}` : 'none'}`;
    }
  }
  return null;
}

/**
 * Run one soak pass over `frames` of `venue` and add its figures into `into`.
 * @returns `into`
 */
export function soakPass(
  venue: VenueId,
  frames: readonly RecordedFrame[],
  opts: SoakOptions,
  into: SoakResult,
): SoakResult {
  const rates: Record<SoakFault, number> = {
    drop: 0.001,
    duplicate: 0.001,
    reorder: 0.001,
    truncate: 0.001,
    corrupt_field: 0.001,
    corrupt_size: 0.001,
    disconnect: 0.0002,
    silent_corruption: 0,
    ...opts.rates,
  };
  const rng = mulberry32(opts.seed ?? 1);
  const maxDelay = opts.maxSnapshotDelayFrames ?? 50;
  const depth = opts.snapshotDepth ?? 1000;
  const compareDepth = opts.compareDepth ?? 20;
  const checkpointEvery = opts.checkpointEvery ?? 10_000;

  const refEngine = new Engine({ sync: venueSync(venues), bus: new InProcessBus() });
  const pending = new Map<InstrumentId, number>(); // instrument → frame index the snapshot is due at
  let index = 0;
  const leftLiveAt = new Map<InstrumentId, number>();
  const testEngine = new Engine({
    sync: venueSync(venues),
    bus: new InProcessBus(),
    onSnapshotNeeded: (id) => pending.set(id, index + 1 + Math.floor(rng() * maxDelay)),
    onStateChange: (b, previous) => {
      if (previous === 'live' && b.health.state !== 'live') leftLiveAt.set(b.instrument, b.health.since);
      if (b.health.state === 'live') {
        const t = leftLiveAt.get(b.instrument);
        if (t !== undefined) {
          into.recoveryMs.push(b.health.since - t);
          leftLiveAt.delete(b.instrument);
        }
      }
    },
  });
  const ref = new Feeder(refEngine, venue);
  const test = new Feeder(testEngine, venue);
  let held: RecordedFrame | null = null;
  let lostUntil = -1;

  const compare = (full: boolean): void => {
    for (const [id, tb] of testEngine.books) {
      const rb = refEngine.books.get(id);
      if (!rb || tb.health.state !== 'live' || rb.health.state !== 'live') continue;
      if (tb.health.sequence !== rb.health.sequence) continue;
      if (full) into.checkpoints++;
      else into.comparisons++;
      const diff = sameBook(tb, rb, full ? Infinity : compareDepth);
      if (diff !== null) {
        into.undetectedDivergences++;
        if (into.divergenceSamples.length < 5)
          into.divergenceSamples.push(`${id} at frame ${index} seq ${tb.health.sequence}: ${diff}`);
        // Count each divergence episode once: make the test book resync from the reference.
        tb.startResync('manual', 'soak: divergence found', frames[index]?.localTs ?? 0);
        pending.set(id, index + 1);
      }
    }
  };

  for (index = 0; index < frames.length; index++) {
    const f = frames[index]!;
    into.frames++;
    ref.feed(f);
    const book = f.kind === 'ws' && isBookFrame(f.text);
    if (index <= lostUntil) {
      into.framesLost++;
    } else if (!book) {
      test.feed(f);
    } else {
      into.bookFrames++;
      const r = rng();
      let acc = 0;
      let fault: SoakFault | null = null;
      for (const k of SOAK_FAULTS) {
        acc += rates[k];
        if (r < acc) {
          fault = k;
          break;
        }
      }
      if (fault) into.injected[fault]++;
      switch (fault) {
        case null:
          test.feed(f);
          break;
        case 'drop':
          into.framesLost++;
          break;
        case 'duplicate':
          test.feed(f);
          test.feed(f);
          break;
        case 'reorder':
          if (held === null) held = f;
          else test.feed(f);
          break;
        case 'truncate':
          test.feed(f, f.text.slice(0, Math.floor(rng() * f.text.length)));
          into.framesLost++;
          break;
        case 'corrupt_field':
          // A sequence id turned into a string: the parser must reject the frame.
          test.feed(f, f.text.replace(/"u":(\d+)/, '"u":"$1"'));
          into.framesLost++;
          break;
        case 'corrupt_size':
          // A negative size: the book must refuse the whole delta, never half-apply it.
          test.feed(f, f.text.replace(/\["([0-9.]+)","([0-9.]+)"\]/, '["$1","-$2"]'));
          into.framesLost++;
          break;
        case 'silent_corruption':
          // A size changed to another valid decimal: undetectable by design (Binance sends no checksum).
          // The last bid of a Binance diff is its highest, near the top of book: inside coverage.
          test.feed(f, f.text.replace(/\["([0-9.]+)","([0-9.]+)"\]\],"a"/, '["$1","777.777"]],"a"'));
          break;
        case 'disconnect': {
          // The connection drops: frames until the reconnect are lost, then every book resyncs.
          lostUntil = index + 5 + Math.floor(rng() * 200);
          into.framesLost++;
          for (const b of testEngine.books.values()) b.startResync('reconnect', 'soak: reconnect', f.localTs);
          for (const b of testEngine.books.values())
            if (b.takeSnapshotRequest())
              pending.set(b.instrument, lostUntil + 1 + Math.floor(rng() * maxDelay));
          break;
        }
      }
      if (held !== null && fault !== 'reorder') {
        test.feed(held);
        held = null;
      }
    }
    if (pending.size > 0) {
      for (const [id, due] of pending) {
        if (due > index) continue;
        pending.delete(id);
        const rb = refEngine.books.get(id);
        const tb = testEngine.books.get(id);
        if (!rb || !tb || rb.health.state !== 'live') {
          tb?.snapshotFailed();
          if (tb) pending.set(id, index + 1 + Math.floor(rng() * maxDelay));
          continue;
        }
        testEngine.handleEvent(snapshotOf(rb, depth, f.localTs));
      }
    }
    compare(false);
    if (index % checkpointEvery === 0) compare(true);
  }
  if (held !== null) test.feed(held);
  compare(true);
  for (const b of testEngine.books.values()) {
    const c = b.health.counters;
    into.detected.gaps += c.gaps;
    into.detected.dropped += c.dropped;
    into.detected.checksumFailures += c.checksumFailures;
    into.detected.crossedBooks += c.crossedBooks;
    into.detected.oracleMismatches += c.oracleChecked - c.oracleMatched;
    into.resyncs += c.resyncs;
    if (b.health.state !== 'live') into.notLiveAtEnd++;
  }
  for (const v of Object.values(testEngine.dropped))
    for (const n of Object.values(v)) into.detected.dropped += n ?? 0;
  return into;
}
