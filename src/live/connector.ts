/**
 * Live WebSocket connector, generic over a VenueAdapter (src/feeds/types.ts).
 *
 * - Symbols are split over connections of at most `adapter.ws.maxSymbolsPerConnection`.
 * - Each connection reconnects with exponential back-off and full jitter (src/util/backoff.ts: delay
 *   uniform in [0, min(max, base·2^attempt)], per the AWS Architecture Blog "Exponential Backoff And Jitter"),
 *   resubscribes, and on every disconnect puts all its books into `resyncing` (`book.startResync`): frames
 *   missed while away make them untrustworthy.
 * - Keep-alive: WebSocket ping frames every `pingIntervalMs`, or the adapter's `pingMessage()` text.
 * - Venues with per-connection endpoints (`adapter.negotiate`, KuCoin's token) are asked for one before
 *   every (re)connect; a failed request counts as a failed connection attempt (back-off, retry).
 * - Stale detection: no inbound frame or pong for `staleAfterMs` → books `markStale`, the socket is
 *   terminated and reopened; a single book without an update for that long is marked `stale`.
 * - Every frame goes to `engine.handleFrame(venue, parser, text, Date.now())`.
 * - Snapshots: for `snapshotSource: 'rest'` venues the connector answers the engine's
 *   `onSnapshotNeeded` with a REST GET (`adapter.snapshotRequest`, global `fetch`) under a weight
 *   limiter (rest-limiter.ts), then `engine.handleEvent(adapter.parseSnapshot(...))`; a failure calls
 *   `book.snapshotFailed()` and retries with back-off. For `stream` venues it sends `adapter.resubscribe`.
 * - Optional recording of every WebSocket frame and REST body with its local receive time.
 *
 * Wiring: the Engine takes `onSnapshotNeeded` at construction, before any connector exists; pass
 * `router.handle` of a `SnapshotRouter` and `router.add(connector)` afterwards.
 */
import WebSocket from 'ws';
import { MalformedFrameError } from '../core/errors.ts';
import { instrumentId, splitInstrumentId, type InstrumentId } from '../core/model.ts';
import type { InstrumentBook } from '../book/instrument-book.ts';
import type { MarketEvent } from '../core/model.ts';
import type { BookState } from '../book/health.ts';
import type { RecordedFrame } from '../recording/types.ts';
import { RestLimiter } from './rest-limiter.ts';
import { Backoff, type BackoffPolicy } from '../util/backoff.ts';
import type { FeedParser, VenueAdapter } from '../feeds/types.ts';

/**
 * Where the connector delivers what it receives: the pipeline Engine (src/pipeline/engine.ts) satisfies
 * it; the connector sits below the pipeline and knows only this.
 */
export interface FrameSink {
  /** The verified books by instrument id (read and resynced by the connector). */
  readonly books: ReadonlyMap<InstrumentId, InstrumentBook>;
  /** Parse and process one raw frame (never throws for bad input). */
  handleFrame(venue: string, parser: FeedParser, text: string, localTs: number): void;
  /** Process one normalized event (a REST snapshot). */
  handleEvent(e: MarketEvent): void;
  /** Count a frame (or REST body) dropped before it reached a book. */
  countDrop(venue: string, e: unknown): void;
  /** Report a book state change the connector made (log hook, stages, `health` publication). */
  stateChanged(b: InstrumentBook, previous: BookState, localTs: number): void;
}

/** pino-compatible logger subset: `(fields, message)`. */
export interface ConnectorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Where recorded frames go (e.g. a recording/ `RecordingWriter`). */
export interface FrameRecorder {
  write(frame: RecordedFrame): void;
}

/** Back-off bounds, ms (the jitter policy is util/backoff.ts's full jitter). */
export interface BackoffOptions {
  /** First delay cap (default 500). */
  baseMs?: number;
  /** Largest delay cap (default 30 000). */
  maxMs?: number;
}

/** Connector options. */
export interface ConnectorOptions {
  adapter: VenueAdapter;
  engine: FrameSink;
  /** Venue symbols as the venue spells them (`BTCUSDT`, `BTC-USDT`). */
  symbols?: readonly string[];
  /** WebSocket base URL (default `adapter.ws.url`; the simulator's `wsUrl` in tests). */
  wsUrl?: string;
  /** REST base URL (default `adapter.rest.url`; the simulator's `restUrl` in tests). */
  restUrl?: string;
  logger?: ConnectorLogger;
  recorder?: FrameRecorder;
  reconnect?: BackoffOptions;
  /** Back-off between failed snapshot attempts of one instrument. */
  snapshotRetry?: BackoffOptions;
  /** Override `adapter.ws.staleAfterMs` / `pingIntervalMs` / `maxSymbolsPerConnection`. */
  staleAfterMs?: number;
  pingIntervalMs?: number;
  maxSymbolsPerConnection?: number;
  /** Abort a snapshot GET (or give up waiting for an in-stream snapshot) after this long, ms (default 10 000). */
  snapshotTimeoutMs?: number;
  /** Uniform [0,1) source for jitter (default Math.random). */
  random?: () => number;
  /** Shared REST limiter (default: one per connector from `adapter.rest.weightPerMinute`). */
  limiter?: RestLimiter;
  /** Called after each snapshot attempt (applied to the engine, or failed). */
  onSnapshot?: (instrument: InstrumentId, ok: boolean) => void;
}

/** Connector counters (monotonic). */
export interface ConnectorStats {
  frames: number;
  /** Bytes of WebSocket frames received. */
  bytes: number;
  /** Closes announced as the stream starting over (`expectRestart`: the demo's replay loop). */
  restarts: number;
  /** Successful opens, and reconnects scheduled after a close. */
  connects: number;
  reconnects: number;
  disconnects: number;
  /** Connections terminated by stale detection. */
  staleReconnects: number;
  pings: number;
  restRequests: number;
  restWeight: number;
  restFailures: number;
  /** Snapshots handed to the engine. */
  snapshots: number;
  /** Resubscribe messages sent for stream-snapshot venues. */
  resubscribes: number;
  /** Exceptions thrown by the engine or recorder while handling a frame (bugs; never propagated). */
  handlerErrors: number;
}

const silent: ConnectorLogger = { info() {}, warn() {}, error() {} };

interface Connection {
  readonly id: string;
  readonly symbols: Set<string>;
  ws: WebSocket | null;
  parser: FeedParser | null;
  open: boolean;
  /** Bumped on every (re)open: results of requests made on an older socket are discarded. */
  generation: number;
  /** Reconnect delays; reset when the connection delivers a frame. */
  readonly backoff: Backoff;
  everOpened: boolean;
  lastInbound: number;
  timers: NodeJS.Timeout[];
  reconnectTimer: NodeJS.Timeout | null;
  /** `adapter.negotiate` in flight, and its answer for the next open (venues with per-connection endpoints). */
  negotiating: boolean;
  /** The last socket error of this connection (`getaddrinfo ENOTFOUND …`), shown on its books. */
  lastError?: string;
  negotiated: { wsBase: string; pingIntervalMs?: number } | null;
  /** Ping interval of the open socket (the negotiated one, else the configured one). */
  pingIntervalMs: number;
  /** Set by `expectRestart`: the next close is the venue's stream starting over, not a fault. */
  restartReason?: string;
}

/** Live connections for one venue. */
export class Connector {
  readonly stats: ConnectorStats = {
    frames: 0,
    bytes: 0,
    connects: 0,
    reconnects: 0,
    restarts: 0,
    disconnects: 0,
    staleReconnects: 0,
    pings: 0,
    restRequests: 0,
    restWeight: 0,
    restFailures: 0,
    snapshots: 0,
    resubscribes: 0,
    handlerErrors: 0,
  };
  readonly limiter: RestLimiter | null;
  private readonly adapter: VenueAdapter;
  private readonly engine: FrameSink;
  private readonly log: ConnectorLogger;
  private readonly wsBase: string;
  private readonly restBase: string;
  private readonly staleAfterMs: number;
  private readonly pingIntervalMs: number;
  private readonly perConnection: number;
  private readonly snapshotTimeoutMs: number;
  private readonly random: () => number;
  private readonly urlBased: boolean;
  private readonly conns: Connection[] = [];
  /** Snapshot retry delays per instrument (deleted on success). */
  private readonly snapshotBackoff = new Map<InstrumentId, Backoff>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private nextId = 1;
  private started = false;
  private stopped = false;

  /** @throws {Error} when the adapter is a `rest` venue without snapshotRequest/parseSnapshot/rest */
  constructor(private readonly opts: ConnectorOptions) {
    const a = opts.adapter;
    this.adapter = a;
    this.engine = opts.engine;
    this.log = opts.logger ?? silent;
    this.wsBase = opts.wsUrl ?? a.ws.url;
    this.restBase = opts.restUrl ?? a.rest?.url ?? '';
    this.staleAfterMs = opts.staleAfterMs ?? a.ws.staleAfterMs;
    this.pingIntervalMs = opts.pingIntervalMs ?? a.ws.pingIntervalMs;
    this.perConnection = Math.max(1, opts.maxSymbolsPerConnection ?? a.ws.maxSymbolsPerConnection);
    this.snapshotTimeoutMs = opts.snapshotTimeoutMs ?? 10_000;
    this.random = opts.random ?? Math.random;
    if (a.sync.snapshotSource === 'rest' && (!a.snapshotRequest || !a.parseSnapshot || !a.rest))
      throw new Error(
        `venue ${a.id} syncs from REST snapshots but its adapter has no snapshotRequest/parseSnapshot/rest`,
      );
    this.limiter =
      opts.limiter ?? (a.rest ? new RestLimiter({ weightPerMinute: a.rest.weightPerMinute }) : null);
    // A venue whose connection URL names the symbols subscribes by URL (Binance combined streams);
    // otherwise by messages on a fixed URL (OKX, Kraken...), which allows adding symbols live.
    this.urlBased = a.subscribe(this.wsBase, ['A']).url !== a.subscribe(this.wsBase, ['B']).url;
    this.place(opts.symbols ?? []);
  }

  /** The back-off policy of one use from its options and defaults (full jitter, injectable random). */
  private policy(o: BackoffOptions | undefined, baseMs: number, maxMs: number): BackoffPolicy {
    return { baseMs: o?.baseMs ?? baseMs, maxMs: o?.maxMs ?? maxMs, random: this.random };
  }

  /** Venue symbols currently subscribed, over all connections. */
  get symbols(): string[] {
    return this.conns.flatMap((c) => [...c.symbols]);
  }

  /** Number of connections and how many are open. */
  get connections(): { total: number; open: number } {
    return { total: this.conns.length, open: this.conns.filter((c) => c.open).length };
  }

  /** The venue id of this connector (e.g. `binance-usdm`). */
  get venue(): string {
    return this.adapter.id;
  }

  /** True when `instrument` belongs to this connector's venue and subscribed symbols. */
  owns(instrument: InstrumentId): boolean {
    const { venue, symbol } = splitInstrumentId(instrument);
    return venue === this.adapter.id && this.connectionOf(symbol) !== undefined;
  }

  /**
   * Open every connection. Idempotent.
   * @throws {SyntaxError} when the WebSocket URL built from `wsUrl` is invalid
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const c of this.conns) this.open(c);
  }

  /**
   * Announce that the venue's stream is about to start over from its beginning (the demo's simulator
   * looping its recording, app/simulator.ts): the next close of each open connection puts its books
   * through `restart` (state `syncing`, reason `replay_restart`, counted in `restarts`) instead of a
   * reconnect resync, so integrity counters count only faults. Only the process that drives the replay
   * can know this; a real venue's disconnect is always a resync.
   * @param reason the detail shown on the books (e.g. `replay-loop`)
   */
  expectRestart(reason: string): void {
    for (const c of this.conns) if (c.open) c.restartReason = reason;
  }

  /** Close every connection and stop retrying. A stopped connector cannot be started again. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    await Promise.all(this.conns.map((c) => this.shut(c)));
  }

  /** Subscribe more symbols at run time (new connections for URL-subscribed venues). */
  addSymbols(symbols: readonly string[]): void {
    const fresh = [...new Set(symbols)].filter((s) => this.connectionOf(s) === undefined);
    if (fresh.length === 0) return;
    for (const s of fresh) {
      const b = this.engine.books.get(instrumentId(this.adapter.id, s));
      // A book left from an earlier subscription must not look live with a gap of missed updates.
      if (b) this.change(b, () => b.startResync('resubscribed', 'resubscribed', Date.now()));
    }
    const before = new Set(this.conns);
    const touched = this.place(fresh);
    for (const c of touched) {
      if (!this.started || this.stopped) continue;
      const added = fresh.filter((s) => c.symbols.has(s));
      if (!before.has(c) || this.urlBased) {
        if (!c.ws) this.open(c);
      } else if (c.open && c.ws) {
        // Message-subscribed venue: subscribe on the live socket (a reconnect includes them anyway).
        for (const m of this.adapter.subscribe(this.wsBase, added).messages) c.ws.send(m);
      }
      this.log.info({ venue: this.adapter.id, connection: c.id, symbols: added }, 'symbols added');
    }
  }

  /** Unsubscribe symbols at run time; their books are marked `invalid` (reason `unsubscribed`). */
  removeSymbols(symbols: readonly string[]): void {
    const now = Date.now();
    for (const c of [...this.conns]) {
      const gone = symbols.filter((s) => c.symbols.has(s));
      if (gone.length === 0) continue;
      for (const s of gone) c.symbols.delete(s);
      if (c.symbols.size === 0) {
        void this.shut(c);
        this.conns.splice(this.conns.indexOf(c), 1);
      } else if (c.open && c.ws) {
        const msgs = this.adapter.unsubscribe?.(gone);
        if (msgs) for (const m of msgs) c.ws.send(m);
        // Without unsubscribe messages, reconnect with the smaller set (the URL names the symbols).
        else c.ws.terminate();
      }
      for (const s of gone) {
        const b = this.engine.books.get(instrumentId(this.adapter.id, s));
        if (b) this.change(b, () => b.setState('invalid', 'unsubscribed', 'unsubscribed', now));
      }
      this.log.info({ venue: this.adapter.id, connection: c.id, symbols: gone }, 'symbols removed');
    }
  }

  /**
   * The engine's `onSnapshotNeeded` for this connector's instruments: fetch a REST snapshot or send a
   * resubscribe. Instruments it does not own, or whose connection is down, get `snapshotFailed()` (asked
   * again on their next frame).
   */
  onSnapshotNeeded(instrument: InstrumentId, book: InstrumentBook): void {
    const { symbol } = splitInstrumentId(instrument);
    const c = this.connectionOf(symbol);
    if (!c || !c.open || !c.ws || this.stopped) {
      book.snapshotFailed();
      return;
    }
    if (this.adapter.sync.snapshotSource === 'stream') {
      const msgs = this.adapter.resubscribe?.(symbol) ?? [];
      for (const m of msgs) c.ws.send(m);
      this.stats.resubscribes++;
      this.log.info({ venue: this.adapter.id, connection: c.id, instrument }, 'resubscribed for snapshot');
      const t = setTimeout(() => {
        this.retryTimers.delete(t);
        if (book.snapshotWanted) book.snapshotFailed();
      }, this.snapshotTimeoutMs);
      this.retryTimers.add(t);
      return;
    }
    void this.fetchSnapshot(c, c.generation, symbol, instrument, book);
  }

  // ---- connections ----

  /** Put symbols into connections with room, creating connections as needed. @returns connections touched */
  private place(symbols: readonly string[]): Set<Connection> {
    const touched = new Set<Connection>();
    for (const s of symbols) {
      if (this.connectionOf(s)) continue;
      // URL-subscribed venues cannot grow a live connection: new symbols after start get a new one.
      let c = this.conns.find(
        (x) => x.symbols.size < this.perConnection && (!this.urlBased || !this.started || touched.has(x)),
      );
      if (!c) {
        c = {
          id: `${this.adapter.id}#${this.nextId++}`,
          symbols: new Set(),
          ws: null,
          parser: null,
          open: false,
          generation: 0,
          backoff: new Backoff(this.policy(this.opts.reconnect, 500, 30_000)),
          everOpened: false,
          lastInbound: 0,
          timers: [],
          reconnectTimer: null,
          negotiating: false,
          negotiated: null,
          pingIntervalMs: this.pingIntervalMs,
        };
        this.conns.push(c);
      }
      c.symbols.add(s);
      touched.add(c);
    }
    return touched;
  }

  private connectionOf(symbol: string): Connection | undefined {
    for (const c of this.conns) if (c.symbols.has(symbol)) return c;
    return undefined;
  }

  private open(c: Connection): void {
    if (this.stopped || c.ws || c.symbols.size === 0) return;
    c.reconnectTimer = null;
    if (this.adapter.negotiate && c.negotiated === null) {
      void this.negotiate(c);
      return;
    }
    const base = c.negotiated?.wsBase ?? this.wsBase;
    c.pingIntervalMs = this.opts.pingIntervalMs ?? c.negotiated?.pingIntervalMs ?? this.pingIntervalMs;
    c.negotiated = null; // a reconnect negotiates again (tokens are per connection)
    const { url, messages } = this.adapter.subscribe(base, [...c.symbols]);
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
    c.ws = ws;
    c.generation++;
    c.parser = this.adapter.createParser();
    const venue = this.adapter.id;
    ws.on('open', () => {
      if (c.ws !== ws) return;
      c.open = true;
      c.lastInbound = Date.now();
      this.stats.connects++;
      for (const m of messages) ws.send(m);
      this.log.info(
        { venue, connection: c.id, symbols: c.symbols.size, attempt: c.backoff.attempt },
        c.everOpened ? 'reconnected and resubscribed' : 'connected',
      );
      c.everOpened = true;
      this.startTimers(c, ws);
    });
    ws.on('message', (data: Buffer) => {
      if (c.ws !== ws) return;
      const now = Date.now();
      c.lastInbound = now;
      c.backoff.reset();
      const text = data.toString('utf8'); // Binance/OKX send text; a binary frame is decoded the same way
      this.stats.frames++;
      this.stats.bytes += data.length;
      try {
        this.opts.recorder?.write({ localTs: now, kind: 'ws', venue, connection: c.id, text });
        this.engine.handleFrame(venue, c.parser!, text, now);
      } catch (err) {
        this.stats.handlerErrors++;
        this.log.error({ venue, connection: c.id, err: String(err) }, 'frame handler threw');
      }
    });
    ws.on('pong', () => {
      if (c.ws === ws) c.lastInbound = Date.now();
    });
    ws.on('error', (err) => {
      if (c.ws !== ws) return;
      c.lastError = err.message;
      this.log.warn({ venue, connection: c.id, err: err.message }, 'connection error');
    });
    ws.on('close', (code, reason) => {
      if (c.ws !== ws) return;
      this.closed(c, `close ${code}${reason.length > 0 ? ` ${reason.toString()}` : ''}`);
    });
  }

  /** Ask the venue for this connection's endpoint (adapter.negotiate), then open; a failure reconnects later. */
  private async negotiate(c: Connection): Promise<void> {
    if (c.negotiating) return;
    c.negotiating = true;
    try {
      const n = await this.adapter.negotiate!(this.restBase);
      c.negotiating = false;
      if (this.stopped || c.ws) return;
      c.negotiated = n;
      this.open(c);
    } catch (err) {
      c.negotiating = false;
      this.stats.restFailures++;
      if (!this.stopped) this.closed(c, `negotiate failed: ${String(err)}`);
    }
  }

  private startTimers(c: Connection, ws: WebSocket): void {
    const ping = setInterval(() => {
      if (c.ws !== ws || ws.readyState !== WebSocket.OPEN) return;
      const msg = this.adapter.pingMessage?.() ?? null;
      if (msg !== null) ws.send(msg);
      else ws.ping();
      this.stats.pings++;
    }, c.pingIntervalMs);
    const checkEvery = Math.max(10, Math.min(1000, this.staleAfterMs / 4));
    const stale = setInterval(() => this.checkStale(c, ws), checkEvery);
    c.timers.push(ping, stale);
  }

  private checkStale(c: Connection, ws: WebSocket): void {
    if (c.ws !== ws) return;
    const now = Date.now();
    const venue = this.adapter.id;
    if (now - c.lastInbound > this.staleAfterMs) {
      const silentMs = now - c.lastInbound;
      this.log.warn({ venue, connection: c.id, silentMs }, 'stale connection: no frame, reconnecting');
      for (const s of c.symbols) {
        const b = this.engine.books.get(instrumentId(venue, s));
        if (b) this.change(b, () => b.markStale('stale_feed', `stale: no frame for ${silentMs} ms`, now));
      }
      this.stats.staleReconnects++;
      ws.terminate();
      return;
    }
    for (const s of c.symbols) {
      const b = this.engine.books.get(instrumentId(venue, s));
      if (b && b.state === 'live' && now - b.health.lastUpdateLocalTs > this.staleAfterMs) {
        this.change(b, () =>
          b.markStale('stale_book', `stale: no update for ${now - b.health.lastUpdateLocalTs} ms`, now),
        );
        this.log.warn({ venue, connection: c.id, instrument: b.instrument }, 'book stale');
      }
    }
  }

  /**
   * Apply a connector-driven state change (resync on disconnect, stale) and, when the state moved, report
   * it through the engine like an event-driven change (log hook, stages, `health` on the bus).
   */
  private change(b: InstrumentBook, apply: () => void): void {
    const before = b.state;
    apply();
    if (b.state !== before) this.engine.stateChanged(b, before, Date.now());
  }

  private clearTimers(c: Connection): void {
    for (const t of c.timers) clearInterval(t);
    c.timers = [];
  }

  /** A socket closed: resync its books, schedule a reconnect. */
  private closed(c: Connection, reason: string): void {
    const wasOpen = c.open;
    c.open = false;
    c.ws = null;
    this.clearTimers(c);
    const now = Date.now();
    if (wasOpen) this.stats.disconnects++;
    // Books only advance while the socket is open; a failed reconnect attempt finds them resyncing already.
    const restart = wasOpen ? c.restartReason : undefined;
    c.restartReason = undefined;
    if (restart !== undefined) this.stats.restarts++;
    if (wasOpen)
      for (const s of c.symbols) {
        const b = this.engine.books.get(instrumentId(this.adapter.id, s));
        if (b && b.state !== 'connecting')
          this.change(b, () =>
            restart !== undefined
              ? b.restart('replay_restart', `restarted: ${restart}`, now)
              : b.startResync('reconnect', `reconnect: ${reason}`, now),
          );
      }
    if (this.stopped) return;
    const delay = c.backoff.next();
    // A connection that never opened: its books (listed from the start) say why they are not live yet.
    if (!wasOpen)
      for (const s of c.symbols) {
        const b = this.engine.books.get(instrumentId(this.adapter.id, s));
        if (b && b.state === 'connecting')
          b.setState(
            'connecting',
            'reconnect',
            `connect failed: ${c.lastError ?? reason}; retry in ${Math.round(delay / 1000)} s`,
            now,
          );
      }
    this.stats.reconnects++;
    this.log.warn(
      { venue: this.adapter.id, connection: c.id, reason, retryInMs: delay, attempt: c.backoff.attempt },
      wasOpen ? 'disconnected' : 'connect failed',
    );
    c.reconnectTimer = setTimeout(() => this.open(c), delay);
  }

  private async shut(c: Connection): Promise<void> {
    if (c.reconnectTimer) clearTimeout(c.reconnectTimer);
    c.reconnectTimer = null;
    this.clearTimers(c);
    const ws = c.ws;
    c.ws = null;
    c.open = false;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        ws.terminate();
        resolve();
      }, 1000);
      ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'stop');
    });
  }

  // ---- REST snapshots ----

  private async fetchSnapshot(
    c: Connection,
    generation: number,
    symbol: string,
    instrument: InstrumentId,
    book: InstrumentBook,
  ): Promise<void> {
    const venue = this.adapter.id;
    const req = this.adapter.snapshotRequest!(this.restBase, symbol);
    let ok = false;
    try {
      await this.limiter?.acquire(req.weight);
      if (c.generation !== generation || !c.open || this.stopped) {
        book.snapshotFailed(); // the next frame on the new connection asks again
        return;
      }
      this.stats.restRequests++;
      this.stats.restWeight += req.weight;
      const res = await fetch(req.url, { signal: AbortSignal.timeout(this.snapshotTimeoutMs) });
      this.limiter?.report(res.status, res.headers.get('retry-after'));
      const body = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${body.slice(0, 120)}`);
      const now = Date.now();
      this.opts.recorder?.write({ localTs: now, kind: 'rest', venue, url: req.url, instrument, text: body });
      if (c.generation !== generation || !c.open || this.stopped) {
        book.snapshotFailed();
        return;
      }
      let snap;
      try {
        snap = this.adapter.parseSnapshot!(body, instrument, now);
      } catch (e) {
        this.engine.countDrop(venue, e);
        throw e;
      }
      this.stats.snapshots++;
      this.snapshotBackoff.delete(instrument);
      this.engine.handleEvent(snap);
      ok = true;
      this.log.info(
        { venue, instrument, sequence: snap.sequence, state: book.state, weight: req.weight },
        'snapshot fetched',
      );
    } catch (err) {
      this.stats.restFailures++;
      book.snapshotFailed();
      let b = this.snapshotBackoff.get(instrument);
      if (!b)
        this.snapshotBackoff.set(
          instrument,
          (b = new Backoff(this.policy(this.opts.snapshotRetry, 500, 30_000))),
        );
      const delay = b.next();
      const msg = err instanceof MalformedFrameError ? `${err.code}: ${err.message}` : String(err);
      this.log.warn({ venue, instrument, err: msg, retryInMs: delay }, 'snapshot failed');
      if (!this.stopped) {
        const t = setTimeout(() => {
          this.retryTimers.delete(t);
          if (!this.stopped && book.takeSnapshotRequest()) this.onSnapshotNeeded(instrument, book);
        }, delay);
        this.retryTimers.add(t);
      }
    } finally {
      this.opts.onSnapshot?.(instrument, ok);
    }
  }
}

/**
 * Routes the Engine's `onSnapshotNeeded` to the connector owning the instrument:
 * `new Engine({ ..., onSnapshotNeeded: router.handle })`, then `router.add(connector)`.
 */
export class SnapshotRouter {
  private readonly connectors: Connector[] = [];

  /** Register a connector. */
  add(c: Connector): void {
    this.connectors.push(c);
  }

  /** The callback for EngineOptions.onSnapshotNeeded. */
  readonly handle = (instrument: InstrumentId, book: InstrumentBook): void => {
    for (const c of this.connectors)
      if (c.owns(instrument)) {
        c.onSnapshotNeeded(instrument, book);
        return;
      }
    book.snapshotFailed();
  };
}
