/**
 * One replay session: a recording played through the whole product pipeline (books, analytics,
 * consolidation, alerts, history) on recorded time, steered by play/pause/step/speed/seek/loop.
 *
 * - Opening: the recording is read once through a bare book pipeline (no analytics) to learn its time
 *   range, instruments and gaps/resyncs (timeline marks), and to take a **book checkpoint** every
 *   `checkpointEveryMs` of recorded time (every book's whole state: {@link BookCheckpoint}, with the
 *   count of frames read so far and the bytes read from disk then). At most `maxCheckpoints` are kept:
 *   past that, every other one is dropped and the period doubles.
 * - Playing: frames go through a full pipeline ({@link Replay.apply}) paced by their local time at
 *   `speed`× (or as fast as possible with `max`), on the session's own bus; what it publishes is
 *   forwarded to the server's bus (the API's WebSocket channels) while the session is not catching up.
 * - Seeking to `t`: when `t` is ahead of the position and no checkpoint lies between, the session
 *   fast-forwards; otherwise it builds a fresh pipeline, restores the books of the nearest checkpoint at
 *   or before `t`, skips the frames before it (their parsers still see ws frames, see {@link Replay.skim};
 *   gzip files cannot be entered mid-stream, so the reader decompresses up to the checkpoint without
 *   processing) and applies the frames up to `t` unpaced. The books are then exactly those of an
 *   uninterrupted run at `t` (same sequence, level for level); rolling analytics restart at the
 *   checkpoint. LOBSTER pairs produce snapshots in-stream on request, so their frame sequence depends on
 *   processing: they rebuild from the start.
 * - History: metric samples, trades, alerts, analytics events, book snapshots (every 10 s of recorded
 *   time) and heatmap runs go to the store only for recorded time beyond the furthest point played so
 *   far, so seeking back and playing again writes nothing twice.
 * - The replay clock ({@link ReplaySessionCore.position}): the local time of the last frame played; it
 *   drives candles, metric timestamps and alert windows (all computed from the frames' times).
 */
import type { Bus } from '../core/bus.ts';
import type { OutputTopics } from '../alerts/topics.ts';
import { InProcessBus } from '../bus/in-process.ts';
import type { BookCheckpoint } from '../book/instrument-book.ts';
import type { RecordedFrame } from '../recording/types.ts';
import { openRecording, type Recording } from '../recording/open.ts';
import type { InstrumentCatalog } from '../core/instrument.ts';
import type { HistoryStore } from '../store/types.ts';
import { AlertEngine } from '../alerts/engine.ts';
import type { AlertsConfig } from '../alerts/schema.ts';
import { connectAlerts } from '../alerts/wire.ts';
import { startBookHistory, type BookHistory } from '../app/book-history.ts';
import { startEventHistory } from '../app/event-history.ts';
import type { PipelineOptions } from '../app/pipeline.ts';
import type { ReplayMark, ReplaySpeed } from '../contract/replay.ts';
import type { ReplaySessionView } from '../api/replay-routes.ts';
import { ApiError } from '../api/contract-routes.ts';
import { Replay, recordingReference } from './replay.ts';

/** What a session needs from the server it runs in. */
export interface SessionContext {
  /** The server's bus: what the session publishes is forwarded there (API WebSocket channels). */
  bus: Bus<OutputTopics>;
  /** History store (shared by every session). */
  store: HistoryStore;
  /** Pipeline settings (metrics, analytics, consolidation groups); venues/bus/instruments are the session's. */
  engine?: Omit<PipelineOptions, 'venues' | 'bus' | 'instruments' | 'onSnapshotNeeded' | 'onStateChange'>;
  /** Alert rules evaluated per session on recorded time (absent: no alerts). */
  alerts?: AlertsConfig;
  /** Recorded time between book checkpoints, ms (default 10,000). */
  checkpointEveryMs?: number;
  /** Most checkpoints kept (default 400). */
  maxCheckpoints?: number;
  /** Venue of files whose format does not tell it. */
  venue?: string;
  /** Book snapshots into the history store: period (ms of recorded time) and depth. */
  bookSnapshots?: { intervalMs: number; depth: number };
}

/** A book checkpoint of the whole recording at one point. */
interface Checkpoint {
  /** Local time of the last frame applied before it. */
  ts: number;
  /** Frames read from the recording before it. */
  index: number;
  /** Bytes read from disk then (compressed bytes for gzip). */
  bytesRead: number;
  books: BookCheckpoint[];
  frames: Record<string, number>;
  dropped: string;
}

const MARK_LIMIT = 2_000;

/** The whole state of a pipeline of the session (rebuilt on every seek back). */
interface Run {
  replay: Replay;
  recording: Recording;
  it: AsyncIterator<RecordedFrame>;
  /** Frames read from `it`. */
  read: number;
  /** A frame read but not yet applied. */
  next: RecordedFrame | null;
  done: boolean;
  stop: () => void;
  history: BookHistory | null;
}

/** Validated control request (contract: ReplayControlBody). */
export type ControlRequest = {
  state?: 'paused' | 'playing' | undefined;
  speed?: ReplaySpeed | undefined;
  loop?: boolean | undefined;
  seekTo?: number | undefined;
};

const now = (): number => performance.now();

/** One replay session (see the module docstring). Create with {@link ReplaySessionCore.open}. */
export class ReplaySessionCore {
  state: 'paused' | 'playing' | 'ended' = 'paused';
  speed: ReplaySpeed = 1;
  loop = false;
  /** Recorded time of the first and last frame. */
  start = NaN;
  end = NaN;
  /** Local time of the last frame played (NaN before the first). */
  position = NaN;
  /** Frames played since the start or the last seek. */
  frames = 0;
  /** Instruments of the recording's books. */
  instruments: string[] = [];
  /** Why the session ended early (a read or processing failure), null otherwise. */
  error: string | null = null;
  /** Gaps, resyncs and alerts on the timeline (recorded time), in time order per kind. */
  readonly marks: ReplayMark[] = [];
  private totalFrames = 0;
  private checkpoints: Checkpoint[] = [];
  private run: Run | null = null;
  /** Furthest recorded time played: history is written only beyond it. */
  private frontier = -Infinity;
  /** While catching up (seek), nothing is forwarded to the server's bus. */
  private muted = false;
  /** Pacing anchor: wall time ↔ recorded time. */
  private anchorWall = 0;
  private anchorRec = NaN;
  private wake: (() => void) | null = null;
  private queue: { run: () => Promise<void>; cancel: () => void }[] = [];
  private closed = false;
  private loopDone: Promise<void> | null = null;
  private lastEmit = 0;
  private readonly listeners = new Set<(s: ReplaySessionView) => void>();
  private catalog: InstrumentCatalog | null = null;
  private lobster = false;

  private constructor(
    readonly id: string,
    /** The recordings as shown (relative to the recordings folder, or as given on the command line). */
    readonly files: readonly string[],
    private readonly paths: readonly string[],
    private readonly ctx: SessionContext,
  ) {}

  /**
   * Open the recordings, index them (time range, instruments, checkpoints, marks) and start the
   * session's driver (paused unless `play`).
   * @throws {RecordingError} when a file cannot be read; {ApiError} 400 for an empty recording
   */
  static async open(
    id: string,
    files: readonly string[],
    paths: readonly string[],
    ctx: SessionContext,
    opts: { speed?: ReplaySpeed; loop?: boolean; play?: boolean } = {},
  ): Promise<ReplaySessionCore> {
    const s = new ReplaySessionCore(id, files, paths, ctx);
    s.speed = opts.speed ?? 1;
    s.loop = opts.loop ?? false;
    await s.index();
    s.run = await s.build(null);
    s.state = opts.play ? 'playing' : 'paused';
    s.loopDone = s.drive();
    return s;
  }

  /** The pipeline now playing (its engine, analytics and consolidation answer the API). */
  get replay(): Replay {
    return this.run!.replay;
  }

  /** Number of book checkpoints. */
  get checkpointCount(): number {
    return this.checkpoints.length;
  }

  /** The session as the contract shows it. */
  view(): ReplaySessionView {
    const span = this.end - this.start;
    const pos = Number.isFinite(this.position) ? this.position : null;
    return {
      id: this.id,
      files: [...this.files],
      state: this.state,
      speed: this.speed,
      loop: this.loop,
      start: this.start,
      end: this.end,
      position: pos,
      progress: pos === null || !(span > 0) ? 0 : Math.min(1, Math.max(0, (pos - this.start) / span)),
      frames: this.frames,
      totalFrames: this.totalFrames,
      checkpoints: this.checkpoints.length,
      instruments: [...this.instruments],
      error: this.error,
    };
  }

  /** Listen to state changes and (while playing) positions, at most every 200 ms. @returns unsubscribe */
  onUpdate(l: (s: ReplaySessionView) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /**
   * Apply controls in the order seek, speed, loop, state (contract: ReplayControlBody).
   * @returns once applied (a seek has rebuilt the books)
   */
  async control(c: ControlRequest): Promise<void> {
    await this.exec(async () => {
      if (c.seekTo !== undefined) await this.seek(c.seekTo);
      if (c.speed !== undefined) {
        this.speed = c.speed;
        this.reanchor();
      }
      if (c.loop !== undefined) this.loop = c.loop;
      if (c.state === 'playing') {
        if (this.state === 'ended') await this.seek(this.start, true);
        this.state = 'playing';
        this.reanchor();
      } else if (c.state === 'paused' && this.state === 'playing') this.state = 'paused';
    });
    this.emit(true);
  }

  /**
   * Play `n` frames of a paused session unpaced.
   * @throws {ApiError} 409 when the session is playing
   */
  async step(n: number): Promise<void> {
    if (this.state === 'playing') throw new ApiError(409, `session ${this.id} is playing: pause it first`);
    await this.exec(async () => {
      for (let i = 0; i < n; i++) {
        const f = await this.peek();
        if (!f) {
          this.state = 'ended';
          break;
        }
        this.applyNext();
      }
    });
    this.emit(true);
  }

  /** Stop the driver and release the recording (history written so far stays). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.poke();
    await this.loopDone;
    this.teardown(this.run);
    this.run = null;
    this.listeners.clear();
  }

  // ---- driver -------------------------------------------------------------------------------------

  /** Run `fn` inside the driver (between two frames), and wait for it. */
  private exec(fn: () => Promise<void>): Promise<void> {
    return new Promise<void>((res, rej) => {
      if (this.closed) return rej(new ApiError(409, `session ${this.id} is closed`));
      this.queue.push({
        run: () => fn().then(res, rej),
        cancel: () => rej(new ApiError(409, `session ${this.id} is closed`)),
      });
      this.poke();
    });
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Wait for a poke, or `ms` (Infinity: only a poke). */
  private sleep(ms: number): Promise<void> {
    return new Promise((res) => {
      const t = Number.isFinite(ms) ? setTimeout(() => this.poke(), ms) : null;
      this.wake = () => {
        if (t) clearTimeout(t);
        res();
      };
    });
  }

  private reanchor(): void {
    this.anchorWall = now();
    this.anchorRec = this.position;
  }

  /**
   * The driver loop, guarded: a failure while playing (a file that cannot be read any more, a bug) ends
   * the session with its message in `error` instead of stopping it silently; controls still work
   * (a seek or play rebuilds from a checkpoint).
   */
  private async drive(): Promise<void> {
    while (!this.closed) {
      try {
        await this.driveLoop();
      } catch (e) {
        this.error = e instanceof Error ? e.message : String(e);
        this.state = 'ended';
        this.muted = false;
        this.emit(true);
      }
    }
    // Controls that arrived while closing are answered (not applied).
    for (const c of this.queue.splice(0)) c.cancel();
  }

  private async driveLoop(): Promise<void> {
    let sinceYield = 0;
    while (!this.closed) {
      if (this.queue.length > 0) {
        const q = this.queue;
        this.queue = [];
        for (const c of q) await c.run();
        continue;
      }
      if (this.state !== 'playing') {
        await this.sleep(Infinity);
        continue;
      }
      const f = await this.peek();
      if (!f) {
        if (this.loop) {
          await this.seek(this.start, true);
          this.reanchor();
          continue;
        }
        // As at the end of `depthwatch replay`: a book still resyncing can get no snapshot any more.
        this.run!.replay.end(this.position);
        this.state = 'ended';
        this.emit(true);
        continue;
      }
      if (this.speed !== 'max') {
        if (!Number.isFinite(this.anchorRec)) {
          this.anchorRec = f.localTs;
          this.anchorWall = now();
        }
        const due = this.anchorWall + (f.localTs - this.anchorRec) / this.speed;
        const wait = due - now();
        if (wait >= 1) {
          await this.sleep(wait);
          continue; // a control may have arrived; re-check everything
        }
      }
      this.applyNext();
      if (++sinceYield >= (this.speed === 'max' ? 500 : 2000)) {
        sinceYield = 0;
        await new Promise<void>((r) => setImmediate(r));
      }
      this.emit(false);
    }
  }

  /** The next frame (read ahead, not applied), or null at the end. */
  private async peek(): Promise<RecordedFrame | null> {
    const r = this.run!;
    if (r.next) return r.next;
    if (r.done) return null;
    const n = await r.it.next();
    if (n.done) {
      r.done = true;
      return null;
    }
    r.read++;
    r.next = n.value;
    return n.value;
  }

  /** Apply the frame read ahead through the full pipeline. */
  private applyNext(): void {
    const r = this.run!;
    const f = r.next!;
    r.next = null;
    this.fresh = f.localTs > this.frontier;
    r.replay.apply(f);
    this.position = f.localTs;
    if (this.fresh) this.frontier = f.localTs;
    this.frames++;
    this.afterFrame?.(f.localTs);
  }

  /** Whether the frame being applied is beyond the furthest point played (history is written). */
  private fresh = false;
  /** Per-frame hook of the current run (book snapshots on recorded time). */
  private afterFrame: ((ts: number) => void) | null = null;

  /**
   * Move to recorded time `t` (clamped to [start, end]): books as an uninterrupted run has them after
   * the last frame at or before `t`.
   * @param rewind rebuild even when `t` is the position (loop, replay after the end)
   */
  private async seek(t: number, rewind = false): Promise<void> {
    const target = Math.min(this.end, Math.max(this.start, t));
    const cp = this.nearestCheckpoint(target);
    const played = Number.isFinite(this.position);
    const forward = !rewind && played && target >= this.position && !(cp !== null && cp.ts > this.position);
    const untouched = !played && this.run!.read === 0 && cp === null;
    if (!forward && !untouched) {
      const old = this.run;
      this.run = await this.build(cp);
      this.teardown(old);
      this.position = cp ? cp.ts : NaN;
    }
    this.muted = true;
    try {
      let n = 0;
      for (;;) {
        const f = await this.peek();
        if (!f || f.localTs > target) break;
        this.applyNext();
        if (++n % 2000 === 0) await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.muted = false;
    }
    this.frames = 0;
    if (this.state === 'ended') this.state = 'paused';
    this.reanchor();
    this.republish();
  }

  private nearestCheckpoint(t: number): Checkpoint | null {
    let best: Checkpoint | null = null;
    for (const c of this.checkpoints) {
      if (c.ts <= t) best = c;
      else break;
    }
    return best;
  }

  /** After a seek: publish the current book, health and metrics of every instrument on the server's bus. */
  private republish(): void {
    const r = this.run!.replay;
    const bus = this.ctx.bus;
    for (const b of r.engine.books.values()) {
      bus.publish('health', b.health);
      const m = r.analytics?.latest.get(b.instrument);
      if (m) bus.publish('metrics', m);
    }
  }

  // ---- pipelines ----------------------------------------------------------------------------------

  /** Open the recording afresh and build a pipeline, restored to `cp` (or at the start). */
  private async build(cp: Checkpoint | null): Promise<Run> {
    const recording = await openRecording([...this.paths], this.ctx.venue ? { venue: this.ctx.venue } : {});
    const local = new InProcessBus<OutputTopics>();
    const bus = this.forwarding(local);
    const replay = new Replay(recording, {
      bus,
      ...(this.ctx.venue ? { venue: this.ctx.venue } : {}),
      engine: { ...this.ctx.engine, ...(this.catalog ? { instruments: this.catalog } : {}) },
    });
    // Every instrument of the recording is known (and listed by the API) from the start.
    for (const id of this.instruments) replay.engine.book(id);
    const offs: (() => void)[] = [];
    const store = this.ctx.store;
    offs.push(
      local.subscribe('metrics.sample', (s) => {
        if (this.fresh) store.appendMetrics([s]);
      }),
      local.subscribe('trade', (t) => {
        if (this.fresh) store.appendTrades([t]);
      }),
      local.subscribe('alert', (a) => {
        if (this.fresh) {
          store.appendAlerts?.([a]);
          this.mark({ ts: a.ts, kind: 'alert', instrument: a.instrument, detail: a.message });
        }
      }),
    );
    const gated = {
      appendAnalyticsEvents: store.appendAnalyticsEvents
        ? (rows: Parameters<NonNullable<HistoryStore['appendAnalyticsEvents']>>[0]) => {
            if (this.fresh) store.appendAnalyticsEvents!(rows);
          }
        : undefined,
    };
    offs.push(startEventHistory(local, gated as Pick<HistoryStore, 'appendAnalyticsEvents'>));
    if (this.ctx.alerts) {
      const alerts = new AlertEngine(this.ctx.alerts, (a) => bus.publish('alert', a));
      offs.push(connectAlerts(local, alerts));
    }
    const snaps = this.ctx.bookSnapshots ?? { intervalMs: 10_000, depth: 50 };
    let clock = NaN;
    let nextSnap = -Infinity;
    const history: BookHistory = startBookHistory({
      engine: replay.engine,
      analytics: replay.analytics,
      store: {
        appendBookSnapshots: (rows) => {
          if (this.fresh) store.appendBookSnapshots?.(rows);
        },
        appendHeatmapRuns: (rows) => {
          if (this.fresh) store.appendHeatmapRuns?.(rows);
        },
      },
      intervalMs: snaps.intervalMs,
      depth: snaps.depth,
      now: () => clock,
      timers: false,
    });
    const h = history;
    this.afterFrame = (ts) => {
      if (ts < clock) return;
      clock = ts;
      if (ts >= nextSnap) {
        h.attachHeatmaps();
        h.snapshot();
        nextSnap = (Math.floor(ts / snaps.intervalMs) + 1) * snaps.intervalMs;
      }
    };
    const run: Run = {
      replay,
      recording,
      it: recording[Symbol.asyncIterator](),
      read: 0,
      next: null,
      done: false,
      stop: () => {
        for (const off of offs) off();
      },
      history,
    };
    if (cp) {
      // Skip to the checkpoint: parsers see the ws frames, books are not touched.
      while (run.read < cp.index) {
        const n = await run.it.next();
        if (n.done) {
          run.done = true;
          break;
        }
        run.read++;
        replay.skim(n.value);
        if (run.read % 5000 === 0) await new Promise<void>((r) => setImmediate(r));
      }
      this.muted = true;
      try {
        this.restore(replay, cp);
      } finally {
        this.muted = false;
      }
    }
    return run;
  }

  /** Put a checkpoint's books into a fresh pipeline (the stages see each book as a snapshot). */
  private restore(replay: Replay, cp: Checkpoint): void {
    const e = replay.engine;
    for (const c of cp.books) {
      if (c.hasSnapshot && c.bids.length + c.asks.length > 0)
        e.handleEvent({
          type: 'book_snapshot',
          instrument: c.instrument,
          exchangeTs:
            c.health.lastUpdateLocalTs - (Number.isFinite(c.health.latencyMs) ? c.health.latencyMs : 0),
          localTs: c.health.lastUpdateLocalTs,
          sequence: c.health.sequence,
          bids: c.bids,
          asks: c.asks,
          depthLimit: 0,
        });
      e.book(c.instrument).restore(c);
    }
    for (const k of Object.keys(e.frames)) delete e.frames[k];
    Object.assign(e.frames, cp.frames);
    const dropped = JSON.parse(cp.dropped) as typeof e.dropped;
    for (const k of Object.keys(e.dropped)) delete e.dropped[k];
    Object.assign(e.dropped, dropped);
  }

  private teardown(r: Run | null): void {
    if (!r) return;
    r.stop();
    void r.it.return?.();
  }

  /** A bus that publishes on `local` and, unless the session is catching up, on the server's bus. */
  private forwarding(local: InProcessBus<OutputTopics>): Bus<OutputTopics> {
    const shared = this.ctx.bus;
    return {
      publish: (topic, payload) => {
        local.publish(topic, payload);
        if (!this.muted) shared.publish(topic, payload);
      },
      subscribe: (topic, handler) => local.subscribe(topic, handler),
      hasSubscribers: (topic) =>
        local.hasSubscribers(topic) || (!this.muted && (shared.hasSubscribers?.(topic) ?? true)),
      close: async () => {},
    } as Bus<OutputTopics>;
  }

  /**
   * The index pass: every frame through a bare book pipeline, for the time range, the instruments, the
   * gap/resync marks and the book checkpoints.
   */
  private async index(): Promise<void> {
    const recording = await openRecording([...this.paths], this.ctx.venue ? { venue: this.ctx.venue } : {});
    this.lobster = recording.files.some((f) => f.format === 'lobster');
    this.catalog = (await recordingReference(recording)).catalog;
    let every = this.ctx.checkpointEveryMs ?? 10_000;
    const max = this.ctx.maxCheckpoints ?? 400;
    const replay = new Replay(recording, {
      ...(this.ctx.venue ? { venue: this.ctx.venue } : {}),
      engine: {
        computeMetrics: false,
        onStateChange: (b, previous) => {
          const st = b.health.state;
          const ts = b.health.since;
          if (st === 'resyncing' || st === 'invalid')
            this.mark({ ts, kind: 'gap', instrument: b.instrument, detail: b.health.reason ?? st });
          else if (st === 'live' && (previous === 'resyncing' || previous === 'invalid'))
            this.mark({ ts, kind: 'resync', instrument: b.instrument, detail: `${previous} -> live` });
        },
      },
    });
    let read = 0;
    let first = NaN;
    let last = NaN;
    let nextCp = -Infinity;
    for await (const f of recording) {
      replay.apply(f);
      read++;
      if (Number.isNaN(first)) first = f.localTs;
      if (!(f.localTs < last)) last = f.localTs;
      if (!this.lobster && f.localTs >= nextCp) {
        if (Number.isFinite(nextCp) || read > 1)
          this.takeCheckpoint(replay, f.localTs, read, recording.bytesRead);
        nextCp = (Math.floor(f.localTs / every) + 1) * every;
        if (this.checkpoints.length > max) {
          this.checkpoints = this.checkpoints.filter((_, i) => i % 2 === 1);
          every *= 2;
        }
      }
      if (read % 2000 === 0) await new Promise<void>((r) => setImmediate(r));
    }
    if (read === 0) throw new ApiError(400, `no frames in ${this.files.join(', ')}`);
    this.totalFrames = read;
    this.start = first;
    this.end = last;
    this.instruments = [...replay.engine.books.keys()].sort();
  }

  private takeCheckpoint(replay: Replay, ts: number, index: number, bytesRead: number): void {
    const e = replay.engine;
    this.checkpoints.push({
      ts,
      index,
      bytesRead,
      books: [...e.books.values()].map((b) => b.checkpoint()),
      frames: { ...e.frames },
      dropped: JSON.stringify(e.dropped),
    });
  }

  private mark(m: ReplayMark): void {
    if (this.marks.length >= MARK_LIMIT) return;
    this.marks.push(m);
  }

  private emit(force: boolean): void {
    if (this.muted) return;
    const t = now();
    if (!force && t - this.lastEmit < 200) return;
    this.lastEmit = t;
    const v = this.view();
    for (const l of this.listeners) l(v);
  }
}
