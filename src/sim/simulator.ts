/**
 * Local exchange simulator: a loopback HTTP + WebSocket server (`ws`) that replays a recording in a
 * venue's wire protocol, at `max` speed or paced on the recording's local timestamps (1×, N×), with
 * deterministic fault injection.
 *
 * Model: one shared timeline per simulator, like a real venue. Every recorded frame is observed by the
 * protocol (venue-side books advance even when a frame is lost in transit), then sent, byte for byte, to
 * the clients subscribed to its topic. A client that connects late gets frames from then on and must
 * sync through a snapshot, exactly as on the venue. At `max` speed the timeline waits while no client is
 * subscribed and applies backpressure (waits for each socket's `bufferedAmount` to drain) so a consumer on
 * loopback never falls behind by more than the high-water mark.
 *
 * Venue specifics live in a `SimProtocol` (src/sim/types.ts); see src/sim/protocols.ts for the registry.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep, setImmediate as tick } from 'node:timers/promises';
import { WebSocket, WebSocketServer } from 'ws';
import type { RecordedFrame } from '../recording/types.ts';
import {
  FAULT_KINDS,
  corruptChecksumText,
  mulberry32,
  newFaultCounters,
  type FaultConfig,
  type FaultKind,
} from './faults.ts';
import type { FrameRoute, SimHttpResponse, SimProtocol } from './types.ts';

/**
 * How the timeline behaves at a recorded REST snapshot (hftbacktest and cryptofeed captures fetched
 * their snapshot at that moment):
 * - `off`: the timeline never waits; requests before the snapshot is reached get the recorded snapshot.
 * - `served`: the timeline waits (up to `holdTimeoutMs`) until a client has been served that symbol's
 *   snapshot at that point; requests before it are held until the point is reached. Makes max-speed
 *   runs reproduce the recorder's sync point.
 * - `ack`: like `served`, then also waits for `ack(symbol)` (a test says the client applied it), so the
 *   client's book goes live at exactly the recorded point.
 */
export type SnapshotHold = 'off' | 'served' | 'ack';

/** Simulator options. */
export interface SimulatorOptions {
  /** The venue protocol (fresh instance, see src/sim/protocols.ts). */
  protocol: SimProtocol;
  /** The recording, any order (sorted stably by `localTs` here). Multiple files: concatenate. */
  frames: readonly RecordedFrame[];
  /** Listen address (default 127.0.0.1) and port (default 0: a free port). */
  host?: string;
  port?: number;
  /** `max` (default) or a factor on the recording's local timestamps (1 = real time, 10 = 10×). */
  speed?: 'max' | number;
  faults?: FaultConfig;
  /** Restart from the beginning at the end; every client is disconnected and venue state reset. */
  loop?: boolean;
  /** See SnapshotHold (default `off`). */
  hold?: SnapshotHold;
  /** Longest wait at a recorded snapshot, ms (default 5000). */
  holdTimeoutMs?: number;
  /** Pause sending while a socket has more than this many bytes queued (default 1 MiB). */
  highWaterMarkBytes?: number;
  /**
   * Recorded REST bodies served verbatim at any time (not part of the timeline): the venue's reference
   * data a recording carries (cryptofeed `X.0` instrument lists, recording/reference.ts), so a live
   * client's reference load works over loopback. A GET is answered by the body recorded for the same
   * path and query, else by the only body recorded for that path; REST faults apply as to snapshots.
   */
  reference?: readonly RecordedFrame[];
  /**
   * Serve each recorded instrument `count` times under distinct symbols (scale tests): every frame is
   * played once per copy, copy 0 as recorded and copy k renamed by `rename(text, k)` (the REST URL of a
   * recorded snapshot too). The protocol sees each copy as its own instrument (own venue-side book).
   * Copies are synthetic load built from real frames, and labelled so by their symbols.
   */
  clones?: SimClones;
}

/** See SimulatorOptions.clones. */
export interface SimClones {
  /** Copies of each instrument (1 = the recording as it is). */
  readonly count: number;
  /** The frame text (or snapshot URL) of copy `copy` (1..count-1): the symbols renamed. */
  rename(text: string, copy: number): string;
}

/** Running counters of a simulator. */
export interface SimulatorStats {
  /** Frames written to client sockets (a frame sent to two clients counts twice). */
  framesSent: number;
  bytesSent: number;
  /** Index of the timeline frame being processed. */
  position: number;
  /** Timeline length. */
  frames: number;
  /** Completed passes over the recording (with `loop`). */
  loops: number;
  /** WebSocket connections accepted / refused, and closed for any reason. */
  connections: number;
  refused: number;
  closed: number;
  /** Recorded frames the protocol could not route (sent to nobody). */
  unroutable: number;
  /** Raw frames pushed through `inject()`. */
  injected: number;
  httpRequests: number;
  /** GETs answered from `reference` bodies. */
  referenceServed: number;
  snapshotsServed: number;
  /** Snapshot requests answered 503 because no snapshot could be served yet. */
  snapshotsUnavailable: number;
  /** Times the timeline waited at a recorded snapshot, and how many of those waits timed out. */
  holds: number;
  holdTimeouts: number;
  /**
   * Paced play only: how late the latest frame went out against the recording's schedule, ms (0 when
   * on time). Grows when clients (or the simulator itself) cannot keep the recorded pace.
   */
  behindMs: number;
}

interface Session {
  readonly id: number;
  readonly ws: WebSocket;
  readonly topics: Set<string>;
}

interface Waiter {
  url: URL;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

/** A running simulator. Create with `Simulator.start()`; stop with `close()`. */
export class Simulator {
  /** Faults injected so far, by kind. */
  readonly faults: Record<FaultKind, number> = newFaultCounters();
  readonly stats: SimulatorStats;
  /** `ws://host:port` (append the venue's path, e.g. `/stream?streams=...`). */
  wsUrl = '';
  /** `http://host:port` (REST base URL). */
  restUrl = '';
  /**
   * Called at the end of each pass with `loop`, just before the sessions are closed for the next one
   * (the venue "restarts"): the process consuming the feed can tell the disconnect is the replay
   * starting over, not a fault (app/simulator.ts linkReplayLoops). @param passes completed passes
   */
  onLoop: ((passes: number) => void) | null = null;
  /** Resolves when the timeline has played to the end (never with `loop`) or the simulator closed. */
  readonly finished: Promise<void>;

  private readonly protocol: SimProtocol;
  private readonly frames: RecordedFrame[];
  private readonly speed: 'max' | number;
  private readonly cfg: FaultConfig;
  private readonly hold: SnapshotHold;
  private readonly loop: boolean;
  private readonly holdTimeoutMs: number;
  private readonly hwm: number;
  private readonly depthRng: () => number;
  private readonly frameRng: () => number;
  private readonly restRng: () => number;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  private nextSessionId = 1;
  private closed = false;
  private stalled = false;
  private failNext: number;
  private readonly depthCount = new Map<string, number>();
  private readonly dropNth = new Set<string>();
  private readonly corruptChecksumNth = new Set<string>();
  private readonly corruptNth = new Set<string>();
  private readonly disconnectAt: Set<number>;
  private readonly stallAt: Map<number, number>;
  private readonly held = new Map<string, string>();
  private readonly copies: number;
  private readonly clones: SimClones | null;
  private readonly delivered = new Set<string>();
  private readonly waiters = new Map<string, Waiter[]>();
  /** Per symbol: served since the timeline reached its recorded snapshot / acknowledged. */
  private readonly served = new Set<string>();
  private readonly acked = new Set<string>();
  private wake: (() => void) | null = null;
  private pausedMs = 0;
  /** Reference bodies by `path?query` and by path (null: several bodies share the path). */
  private readonly refExact = new Map<string, string>();
  private readonly refPath = new Map<string, string | null>();

  private constructor(opts: SimulatorOptions) {
    this.protocol = opts.protocol;
    // Imported files (e.g. Tardis CSV) carry already-normalized events, not a venue's wire frames:
    // there is nothing a client of the venue protocol could receive.
    if (opts.frames.some((f) => f.kind === 'event'))
      throw new RangeError(
        'the recording holds normalized events (an import), not wire frames: replay it instead',
      );
    this.frames = [...opts.frames].sort((a, b) => a.localTs - b.localTs);
    this.speed = opts.speed ?? 'max';
    if (this.speed !== 'max' && !(this.speed > 0)) throw new RangeError(`speed must be 'max' or > 0`);
    this.cfg = opts.faults ?? {};
    this.hold = opts.hold ?? 'off';
    this.loop = opts.loop ?? false;
    this.holdTimeoutMs = opts.holdTimeoutMs ?? 5000;
    this.hwm = opts.highWaterMarkBytes ?? 1 << 20;
    this.clones = opts.clones && opts.clones.count > 1 ? opts.clones : null;
    this.copies = this.clones?.count ?? 1;
    const seed = this.cfg.seed ?? 1;
    this.depthRng = mulberry32(seed);
    this.frameRng = mulberry32(seed ^ 0x5bd1e995);
    this.restRng = mulberry32(seed ^ 0x27d4eb2f);
    this.failNext = this.cfg.failFirstSnapshots ?? 0;
    for (const d of this.cfg.dropNth ?? []) this.dropNth.add(`${d.symbol}#${d.n}`);
    for (const d of this.cfg.corruptChecksumNth ?? []) this.corruptChecksumNth.add(`${d.symbol}#${d.n}`);
    for (const d of this.cfg.corruptNth ?? []) this.corruptNth.add(`${d.symbol}#${d.n}`);
    this.disconnectAt = new Set(this.cfg.disconnectAtFrame ?? []);
    this.stallAt = new Map((this.cfg.stallAtFrame ?? []).map((s) => [s.frame, s.ms]));
    for (const f of opts.reference ?? []) {
      if (f.kind !== 'rest' || f.url === undefined) continue;
      const u = new URL(f.url, 'http://x');
      this.refExact.set(`${u.pathname}${u.search}`, f.text);
      const prev = this.refPath.get(u.pathname);
      this.refPath.set(u.pathname, prev === undefined || prev === f.text ? f.text : null);
    }
    this.stats = {
      framesSent: 0,
      bytesSent: 0,
      position: 0,
      frames: this.frames.length,
      loops: 0,
      connections: 0,
      refused: 0,
      closed: 0,
      unroutable: 0,
      injected: 0,
      httpRequests: 0,
      referenceServed: 0,
      behindMs: 0,
      snapshotsServed: 0,
      snapshotsUnavailable: 0,
      holds: 0,
      holdTimeouts: 0,
    };
    this.server = createServer((req, res) => this.onHttp(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    let resolveFinished!: () => void;
    this.finished = new Promise((r) => (resolveFinished = r));
    this.resolveFinished = resolveFinished;
  }

  private readonly resolveFinished: () => void;

  /**
   * Start listening and playing.
   * @throws {RangeError} on a bad speed or a recording of normalized events (an import, not wire frames); rejects when the port cannot be bound
   */
  static async start(opts: SimulatorOptions): Promise<Simulator> {
    const sim = new Simulator(opts);
    await new Promise<void>((resolve, reject) => {
      sim.server.once('error', reject);
      sim.server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const addr = sim.server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    sim.wsUrl = `ws://${host}:${addr.port}`;
    sim.restUrl = `http://${host}:${addr.port}`;
    sim.protocol.preload?.(sim.frames);
    if (sim.clones && sim.protocol.preload) {
      const rest = sim.frames.filter((f) => f.kind === 'rest');
      const copies: RecordedFrame[] = [];
      for (let k = 1; k < sim.copies; k++) for (const f of rest) copies.push(sim.copyOf(f, k));
      sim.protocol.preload(copies);
    }
    void sim.run().then(
      () => sim.resolveFinished(),
      () => sim.resolveFinished(),
    );
    return sim;
  }

  /** Number of connected clients. */
  get clients(): number {
    return this.sessions.size;
  }

  /** Total faults injected, all kinds. */
  get faultTotal(): number {
    let n = 0;
    for (const k of FAULT_KINDS) n += this.faults[k];
    return n;
  }

  /** Send a raw frame to every connected client now (tests: malformed or unknown-stream frames). */
  inject(text: string): void {
    this.stats.injected++;
    for (const s of this.sessions) this.write(s, text);
  }

  /** Terminate every client connection now (counted as a `disconnect` fault). */
  disconnectAll(): void {
    if (this.sessions.size === 0) return;
    this.faults.disconnect++;
    for (const s of [...this.sessions]) s.ws.terminate();
  }

  /** With `hold: 'ack'`: the client has applied `symbol`'s snapshot; the timeline may go on. */
  ack(symbol: string): void {
    this.acked.add(symbol);
    this.poke();
  }

  /** Stop the timeline, close every connection and the server. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.poke();
    for (const [, list] of this.waiters) for (const w of list) clearTimeout(w.timer);
    this.waiters.clear();
    for (const s of this.sessions) s.ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    this.resolveFinished();
  }

  // ---- timeline ----

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Wait until poked or `ms` elapsed (whichever first). */
  private nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private hasSubscribers(): boolean {
    for (const s of this.sessions) if (s.topics.size > 0) return true;
    return false;
  }

  private async run(): Promise<void> {
    const frames = this.frames;
    for (;;) {
      // Wait for the first subscriber before starting a pass.
      while (!this.closed && !this.hasSubscribers()) await this.nap(1000);
      const wallStart = performance.now();
      this.pausedMs = 0;
      const tsStart = frames[0]?.localTs ?? 0;
      let sinceYield = 0;
      for (let i = 0; i < frames.length; i++) {
        if (this.closed) return;
        this.stats.position = i;
        const recorded = frames[i]!;
        const f = this.protocol.wire ? { ...recorded, text: this.protocol.wire(recorded) } : recorded;
        await this.beforeFrame(i);
        if (this.closed) return;
        if (this.speed !== 'max') {
          // Napping (not sleeping) so close() ends a long wait between sparse frames at once.
          for (;;) {
            const wait = wallStart + this.pausedMs + (f.localTs - tsStart) / this.speed - performance.now();
            if (wait <= 1 || this.closed) {
              this.stats.behindMs = wait < 0 ? -wait : 0;
              break;
            }
            await this.nap(wait);
          }
          if (this.closed) return;
        }
        for (let k = 0; k < this.copies; k++) {
          const fk = k === 0 ? f : this.copyOf(f, k);
          this.protocol.observe(fk);
          if (fk.kind === 'rest') await this.atRecordedSnapshot(fk);
          else this.deliver(fk.text);
        }
        if (f.kind === 'rest') continue;
        if (++sinceYield >= 64 || this.overHighWater()) {
          sinceYield = 0;
          await this.drain();
        }
      }
      for (const [, text] of this.held) this.send(this.protocol.route(text)?.topic ?? null, text);
      this.held.clear();
      this.stats.loops++;
      if (!this.loop) return;
      // A new pass: the venue restarts (sequence numbers go back), clients must reconnect and resync.
      this.onLoop?.(this.stats.loops);
      for (const s of [...this.sessions]) s.ws.terminate();
      this.protocol.reset();
      this.depthCount.clear();
      this.delivered.clear();
      this.served.clear();
      this.acked.clear();
    }
  }

  /** Copy `k` of a recorded frame (SimulatorOptions.clones). */
  private copyOf(f: RecordedFrame, k: number): RecordedFrame {
    const c = this.clones!;
    const out: RecordedFrame = { ...f, text: c.rename(f.text, k) };
    if (f.url !== undefined) out.url = c.rename(f.url, k);
    if (f.kind === 'rest') {
      // A snapshot recorded without URL or instrument (hftbacktest) is attributed by the protocol from
      // the original frame; the copy carries its renamed instrument explicitly.
      const sym = this.protocol.snapshotSymbol(f);
      if (sym !== null) out.instrument = `${this.protocol.venue}:${c.rename(sym, k)}`;
    }
    return out;
  }

  /** Explicit and random per-frame faults (disconnect, stall, delay), and the idle gate at max speed. */
  private async beforeFrame(i: number): Promise<void> {
    const c = this.cfg;
    if (this.disconnectAt.has(i)) this.disconnectAll();
    const stallMs = this.stallAt.get(i);
    if (stallMs !== undefined) await this.stall(stallMs);
    if (c.disconnect || c.stall || c.delay) {
      const r = this.frameRng();
      let acc = c.disconnect ?? 0;
      if (r < acc) this.disconnectAll();
      else if (c.stall && r < (acc += c.stall.rate)) await this.stall(c.stall.ms);
      else if (c.delay && r < acc + c.delay.rate) {
        this.faults.delay++;
        await this.pause(c.delay.ms);
      }
    }
    if (this.speed === 'max') while (!this.closed && !this.hasSubscribers()) await this.nap(1000);
  }

  private async pause(ms: number): Promise<void> {
    const t0 = performance.now();
    await sleep(ms);
    this.pausedMs += performance.now() - t0;
  }

  /** The venue goes silent: sockets stop reading (no pong) and nothing is sent for `ms`. */
  private async stall(ms: number): Promise<void> {
    this.faults.stall++;
    this.stalled = true;
    for (const s of this.sessions) s.ws.pause();
    await this.pause(ms);
    this.stalled = false;
    for (const s of this.sessions) s.ws.resume();
  }

  private overHighWater(): boolean {
    for (const s of this.sessions) if (s.ws.bufferedAmount > this.hwm) return true;
    return false;
  }

  /** Yield to the event loop, then wait until every socket is below half the high-water mark. */
  private async drain(): Promise<void> {
    await tick();
    for (;;) {
      let over = false;
      for (const s of this.sessions)
        if (s.ws.readyState === WebSocket.OPEN && s.ws.bufferedAmount > this.hwm >> 1) over = true;
      if (!over || this.closed) return;
      await sleep(1);
    }
  }

  private async atRecordedSnapshot(f: RecordedFrame): Promise<void> {
    const sym = this.protocol.snapshotSymbol(f);
    if (sym === null) return;
    this.served.delete(sym);
    this.acked.delete(sym);
    const list = this.waiters.get(sym);
    if (list) {
      this.waiters.delete(sym);
      for (const w of list) {
        clearTimeout(w.timer);
        this.respond(w.url, w.res, true);
      }
    }
    if (this.hold === 'off' || !this.delivered.has(sym)) return;
    this.stats.holds++;
    const deadline = performance.now() + this.holdTimeoutMs;
    const t0 = performance.now();
    while (!this.closed) {
      const done = this.served.has(sym) && (this.hold !== 'ack' || this.acked.has(sym));
      if (done) break;
      const left = deadline - performance.now();
      if (left <= 0) {
        this.stats.holdTimeouts++;
        break;
      }
      await this.nap(Math.min(left, 50));
    }
    this.pausedMs += performance.now() - t0;
  }

  /** Route one recorded frame, apply depth-frame faults, send. */
  private deliver(text: string): void {
    const route = this.protocol.route(text);
    if (route === null) {
      this.stats.unroutable++;
      return;
    }
    let out = text;
    let duplicate = false;
    if (route.depth) {
      const c = this.cfg;
      if (route.symbol !== undefined) {
        const n = (this.depthCount.get(route.symbol) ?? 0) + 1;
        this.depthCount.set(route.symbol, n);
        if (this.dropNth.size > 0 && this.dropNth.has(`${route.symbol}#${n}`)) {
          this.faults.drop++;
          return;
        }
        if (this.corruptNth.size > 0 && this.corruptNth.has(`${route.symbol}#${n}`)) {
          const bad = this.protocol.corruptLevel(out, this.depthRng);
          if (bad !== null) {
            this.faults.corrupt++;
            out = bad;
          }
        }
        if (this.corruptChecksumNth.size > 0 && this.corruptChecksumNth.has(`${route.symbol}#${n}`)) {
          const bad = corruptChecksumText(out);
          if (bad !== null) {
            this.faults.corruptChecksum++;
            out = bad;
          }
        }
      }
      if (c.drop || c.duplicate || c.reorder || c.corrupt || c.truncate || c.corruptChecksum) {
        const r = this.depthRng();
        let acc = c.drop ?? 0;
        if (r < acc) {
          this.faults.drop++;
          return;
        }
        if (r < (acc += c.duplicate ?? 0)) {
          this.faults.duplicate++;
          duplicate = true;
        } else if (r < (acc += c.reorder ?? 0)) {
          const key = route.topic ?? '';
          if (!this.held.has(key)) {
            this.faults.reorder++;
            this.held.set(key, text);
            return;
          }
        } else if (r < (acc += c.corrupt ?? 0)) {
          const bad = this.protocol.corruptLevel(text, this.depthRng);
          if (bad !== null) {
            this.faults.corrupt++;
            out = bad;
          }
        } else if (r < (acc += c.truncate ?? 0)) {
          this.faults.truncate++;
          out = text.slice(0, Math.max(1, text.length >> 1));
        } else if (r < acc + (c.corruptChecksum ?? 0)) {
          const bad = corruptChecksumText(out);
          if (bad !== null) {
            this.faults.corruptChecksum++;
            out = bad;
          }
        }
      }
    }
    this.sendRouted(route, out);
    if (duplicate) this.sendRouted(route, out);
    const key = route.topic ?? '';
    const late = this.held.get(key);
    if (late !== undefined && late !== text) {
      this.held.delete(key);
      this.sendRouted(route, late);
    }
  }

  private sendRouted(route: FrameRoute, text: string): void {
    if (this.send(route.topic, text) > 0 && route.symbol !== undefined) this.delivered.add(route.symbol);
  }

  /** Send to every session subscribed to `topic` (all sessions when null). @returns sessions written */
  private send(topic: string | null, text: string): number {
    if (this.stalled) return 0;
    let n = 0;
    for (const s of this.sessions) {
      if (topic !== null && !s.topics.has(topic)) continue;
      this.write(s, text);
      n++;
    }
    return n;
  }

  private write(s: Session, text: string): void {
    if (s.ws.readyState !== WebSocket.OPEN) return;
    const out = this.protocol.outgoing ? this.protocol.outgoing(text, s) : text;
    if (typeof out === 'string') this.sendRaw(s, out);
    else for (const t of out) this.sendRaw(s, t);
  }

  private sendRaw(s: Session, text: string): void {
    s.ws.send(text);
    this.stats.framesSent++;
    this.stats.bytesSent += text.length;
  }

  // ---- WebSocket ----

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', this.wsUrl.replace(/^ws/, 'http'));
    const open = this.protocol.open(url);
    if (!open.ok) {
      this.stats.refused++;
      socket.end(
        `HTTP/1.1 ${open.status} Refused\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(open.message)}\r\nConnection: close\r\n\r\n${open.message}`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session: Session = { id: this.nextSessionId++, ws, topics: new Set(open.topics) };
      this.sessions.add(session);
      this.stats.connections++;
      if (this.stalled) ws.pause();
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const r = this.protocol.onMessage(data.toString(), session);
        for (const t of r.unsubscribe ?? []) session.topics.delete(t);
        for (const t of r.subscribe ?? []) session.topics.add(t);
        for (const reply of r.replies ?? []) this.write(session, reply);
        if (r.subscribe && r.subscribe.length > 0) this.subscribed(session, r.subscribe);
      });
      for (const text of this.protocol.onOpen?.(url) ?? []) this.write(session, text);
      ws.on('error', () => {});
      ws.on('close', () => {
        this.sessions.delete(session);
        this.protocol.closed?.(session);
        this.stats.closed++;
      });
      if (open.topics.length > 0) this.subscribed(session, open.topics);
    });
  }

  private subscribed(session: Session, topics: readonly string[]): void {
    for (const text of this.protocol.onSubscribed?.(topics) ?? []) this.write(session, text);
    this.poke();
  }

  // ---- HTTP ----

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    this.stats.httpRequests++;
    const url = new URL(req.url ?? '/', this.restUrl);
    const method = req.method ?? 'GET';
    if (!(this.protocol.httpMethods ?? ['GET']).includes(method)) {
      reply(res, { status: 405, body: '{"code":-1,"msg":"method not allowed"}' });
      return;
    }
    const c = this.cfg;
    let fail = 0;
    if (this.failNext > 0) {
      this.failNext--;
      fail = c.failSnapshot?.status ?? 503;
    } else if (c.failSnapshot && this.restRng() < c.failSnapshot.rate) fail = c.failSnapshot.status;
    if (fail > 0) {
      this.faults.failSnapshot++;
      const headers: Record<string, string> =
        fail === 429 || fail === 418 ? { 'Retry-After': String(c.failSnapshot?.retryAfterS ?? 1) } : {};
      reply(res, { status: fail, body: `{"code":-1003,"msg":"simulated failure ${fail}"}`, headers });
      return;
    }
    if (c.slowSnapshot && this.restRng() < c.slowSnapshot.rate) {
      this.faults.slowSnapshot++;
      const t = setTimeout(() => this.respond(url, res, false, method), c.slowSnapshot.ms);
      res.on('close', () => clearTimeout(t));
      return;
    }
    this.respond(url, res, false, method);
  }

  /** Answer from the protocol, holding or refusing a snapshot that cannot be served yet. */
  private respond(url: URL, res: ServerResponse, released: boolean, method = 'GET'): void {
    if (res.writableEnded || res.destroyed) return;
    const ref = this.refExact.get(`${url.pathname}${url.search}`) ?? this.refPath.get(url.pathname);
    if (ref != null) {
      this.stats.referenceServed++;
      reply(res, { status: 200, body: ref });
      return;
    }
    const r = this.protocol.http(url, this.hold === 'off', method);
    if (r === null) {
      reply(res, { status: 404, body: '{"code":-1,"msg":"not found"}' });
      return;
    }
    if ('wait' in r) {
      if (this.hold === 'off' || released) {
        this.stats.snapshotsUnavailable++;
        reply(res, { status: 503, body: '{"code":-1,"msg":"snapshot not available yet"}' });
        return;
      }
      const sym = r.wait;
      const w: Waiter = {
        url,
        res,
        timer: setTimeout(() => {
          const list = this.waiters.get(sym);
          if (list)
            this.waiters.set(
              sym,
              list.filter((x) => x !== w),
            );
          this.stats.snapshotsUnavailable++;
          reply(res, { status: 503, body: '{"code":-1,"msg":"snapshot not available yet"}' });
        }, this.holdTimeoutMs),
      };
      const list = this.waiters.get(sym) ?? [];
      list.push(w);
      this.waiters.set(sym, list);
      return;
    }
    if (r.symbol !== undefined && r.status === 200) {
      this.stats.snapshotsServed++;
      this.served.add(r.symbol);
      this.poke();
    }
    reply(res, r);
  }
}

function reply(res: ServerResponse, r: SimHttpResponse): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(r.status, { 'Content-Type': 'application/json', ...(r.headers ?? {}) });
  res.end(r.body);
}
