/**
 * Latest state in Redis, written from a Bus (in-process or NATS), plus pub/sub fan-out for live views.
 *
 * Keys (all under a configurable prefix, default `dw:`), values JSON (bus/codec.ts: NaN kept as a tag):
 * - `<prefix>orderbook:{instrument}`: the latest BookView cut to `bookDepth` levels per side (default
 *   400): `{ instrument, exchangeTs, localTs, sequence, state, bids, asks }`, prices quote currency, sizes
 *   base units, times ms since epoch UTC. TTL `ttlMs.book` (default 30 s). Given the process's books
 *   (`attach(bus, books)`, as the app does), the cache reads each changed book's top `bookDepth` levels
 *   once per tick itself; otherwise it keeps the `book` topic's views, which carry only the engine's
 *   publish depth (20 levels).
 * - `<prefix>analysis:{instrument}`: the latest MetricsSample (`metrics` topic) and, given the process's
 *   analytics (`attach(bus, books, analytics)`, as the app does where analytics run), the latest
 *   analytics of the instrument read at write time under `analysis` ({@link LatestAnalysis}: walls, S/R
 *   clusters, depth anomaly and liquidity shrinkage, trade flow with CVD, indicators, basis and
 *   divergence it takes part in). TTL `ttlMs.analysis`.
 * - `<prefix>health:{instrument}`: the latest BookHealth (`health` topic). TTL `ttlMs.analysis`.
 * - `<prefix>system:monitoring`: a hash, one field per process (`process` option), value
 *   {@link ProcessMonitoring} (role, pid, rates per topic, exchange-to-cache lag, instrument states),
 *   rewritten every `monitoringIntervalMs`; the key TTL (`ttlMs.monitoring`, default 60 s) is refreshed
 *   on every write, so it expires when every process stopped; a reader tells a dead process by `updatedAt`.
 * Conflation: a key is written at most once per `conflateMs` (default 250 ms): writes of the same key in
 * between replace each other, only the latest is written. Writes go out as one pipeline per tick.
 *
 * Pub/sub: every key write is also PUBLISHed on `<prefix>live:book:{instrument}`,
 * `<prefix>live:analysis:{instrument}`, `<prefix>live:health:{instrument}` (same conflation), and every
 * trade on `<prefix>live:trade:{instrument}` (not conflated: trades are events, batched per tick).
 *
 * A Redis outage never blocks the bus: writes of a failed tick are counted (`writeErrors`), the keys stay
 * dirty and are written (latest value) on a later tick; ioredis reconnects by itself.
 */
import os from 'node:os';
import { Redis } from 'ioredis';
import type { MetricsSample } from '../analytics/types.ts';
import type { BookHealth, BookState } from '../book/health.ts';
import type { Trade } from '../core/model.ts';
import type { Bus } from '../core/bus.ts';
import type { BookView } from '../pipeline/topics.ts';
import type { OutputTopics } from '../alerts/topics.ts';
import { decodeJson, encodeJson } from '../bus/codec.ts';
import type { InstrumentBook } from '../book/instrument-book.ts';
import { bookViewOf } from '../pipeline/book-view.ts';
import type { AnalyticsStage } from '../analytics/stage.ts';
import type { InstrumentAnalyticsView } from '../analytics/instrument.ts';
import type { BasisResult, DivergenceResult } from '../analytics/cross.ts';

/**
 * The latest analytics of one instrument in `analysis:{instrument}` (analytics/instrument.ts view without
 * its candles, which the `candles` WebSocket channel and the history API carry): `walls` (prices quote,
 * sizes base), `clusters` (S/R), `liquidity` (depth anomaly z-score, liquidity ratio and shrinkage),
 * `flow` (buy/sell volume base, CVD, VWAP), `indicators` per candle interval, plus the `basis` pairs
 * (future/spot legs) and the `divergence` groups the instrument belongs to (empty when none).
 */
export type LatestAnalysis = Omit<InstrumentAnalyticsView, 'candles'> & {
  basis: BasisResult[];
  divergence: DivergenceResult[];
};

/** The value of `analysis:{instrument}`: the latest metrics, and the latest analytics when known. */
export type AnalysisEntry = MetricsSample & { analysis?: LatestAnalysis };

/** Where the cache reads the latest analytics (the app's AnalyticsStage). */
export type AnalysisSource = Pick<AnalyticsStage, 'analytics' | 'cross'>;

/** Options of {@link RedisCache}. */
export interface RedisCacheOptions {
  /** Redis URL (default `redis://127.0.0.1:6379`); ignored when `redis` is given. */
  url?: string;
  /** An existing client (not closed by `close()`). */
  redis?: Redis;
  /** Key and channel prefix (default `dw:`). */
  prefix?: string;
  /** Least time between two writes of one key, ms (default 250). */
  conflateMs?: number;
  /** Levels per side kept in `orderbook:*` (default 400). */
  bookDepth?: number;
  /** Key TTLs, ms. */
  ttlMs?: { book?: number; analysis?: number; monitoring?: number };
  /** Field name of this process in `system:monitoring` (default `<hostname>:<pid>`). */
  process?: string;
  /** Role shown in monitoring (`all`, `collector`, `analyzer`, `api`). */
  role?: string;
  /** Monitoring write period, ms (default 1,000; 0 disables). */
  monitoringIntervalMs?: number;
  /** Publish on pub/sub channels too (default true). */
  publish?: boolean;
  /** Called with write errors (logging). */
  onError?: (err: unknown) => void;
}

/** Per-process entry of `system:monitoring`. Rates are per second over the last period. */
export interface ProcessMonitoring {
  process: string;
  role: string;
  pid: number;
  host: string;
  /** ms since epoch UTC of this entry. */
  updatedAt: number;
  /** ms since this cache started. */
  uptimeMs: number;
  /**
   * Messages per second received from the bus, by topic (`book`: book views taken, from the bus or, when
   * the cache reads the books itself, changed books read per second).
   */
  rates: { book: number; metrics: number; trade: number; health: number };
  /** Lag from a message's local receive time (`localTs`, at the collector) to its arrival here, ms: last and max over the period. */
  lagMs: { last: number | null; max: number | null };
  /** Book state per instrument, from `health` and `book` messages. */
  instruments: Record<string, BookState>;
  /** Cache counters. */
  writes: number;
  writeErrors: number;
  /** Extra fields supplied by the app (`setExtra`), e.g. store queue sizes. */
  extra?: Record<string, unknown>;
}

/** Cache counters. */
export interface RedisCacheStats {
  /** Keys written (after conflation). */
  writes: number;
  /** Updates replaced by a later one before being written. */
  conflated: number;
  /** Trades published on pub/sub. */
  tradesPublished: number;
  /** Failed pipeline executions. */
  writeErrors: number;
}

type TopicCount = 'book' | 'metrics' | 'trade' | 'health';

export class RedisCache {
  readonly prefix: string;
  readonly stats: RedisCacheStats = { writes: 0, conflated: 0, tradesPublished: 0, writeErrors: 0 };
  private readonly redis: Redis;
  private readonly owns: boolean;
  private readonly dirty = new Map<string, { value: string; ttl: number; channel: string }>();
  private trades: Array<{ channel: string; value: string }> = [];
  private readonly counts: Record<TopicCount, number> = { book: 0, metrics: 0, trade: 0, health: 0 };
  private lagLast: number | null = null;
  private lagMax: number | null = null;
  private readonly states = new Map<string, BookState>();
  private tick: NodeJS.Timeout | null = null;
  private monitorTimer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private lastMonitorAt = Date.now();
  private readonly startedAt = Date.now();
  private extra: Record<string, unknown> | undefined;
  readonly processName: string;

  constructor(private readonly opts: RedisCacheOptions = {}) {
    this.prefix = opts.prefix ?? 'dw:';
    this.owns = !opts.redis;
    this.redis =
      opts.redis ??
      new Redis(opts.url ?? 'redis://127.0.0.1:6379', {
        // Never queue while disconnected or wait on a half-open socket: a failed tick keeps its keys
        // dirty and the next tick writes the latest values.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: 2000,
      });
    // Connection errors are retried by ioredis; without a listener they would be unhandled events.
    this.redis.on('error', (e) => this.opts.onError?.(e));
    this.processName = opts.process ?? `${os.hostname()}:${process.pid}`;
    this.tick = setInterval(() => {
      this.pullBooks();
      void this.flush().catch(() => {});
    }, opts.conflateMs ?? 250);
    this.tick.unref();
    const every = opts.monitoringIntervalMs ?? 1000;
    if (every > 0) {
      this.monitorTimer = setInterval(() => this.queueMonitoring(), every);
      this.monitorTimer.unref();
    }
  }

  /** Resolves when the client is connected (writes before that fail and are retried on the next tick). */
  async ready(): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve) => this.redis.once('ready', () => resolve()));
  }

  /** Key of an instrument's latest book. */
  bookKey(instrument: string): string {
    return `${this.prefix}orderbook:${instrument}`;
  }

  /** Key of an instrument's latest metrics. */
  analysisKey(instrument: string): string {
    return `${this.prefix}analysis:${instrument}`;
  }

  /** Key of an instrument's latest health. */
  healthKey(instrument: string): string {
    return `${this.prefix}health:${instrument}`;
  }

  /** Key of the per-process monitoring hash. */
  get monitoringKey(): string {
    return `${this.prefix}system:monitoring`;
  }

  /** Pub/sub channel of a kind (`book`, `analysis`, `health`, `trade`) and instrument. */
  channel(kind: 'book' | 'analysis' | 'health' | 'trade', instrument: string): string {
    return `${this.prefix}live:${kind}:${instrument}`;
  }

  /**
   * Subscribe this cache to a bus's `metrics`, `health` and `trade` topics, and keep `orderbook:*` from
   * `books` when given (each book whose sequence, last update time or state changed is read once per
   * tick, `bookDepth` levels deep; the engine then builds no per-update view for the cache), else from
   * the bus's `book` topic. @returns unsubscribe
   */
  attach(
    bus: Bus<OutputTopics>,
    books?: ReadonlyMap<string, InstrumentBook>,
    analytics?: AnalysisSource,
  ): () => void {
    if (analytics) this.analytics = analytics;
    const offs = [
      bus.subscribe('metrics', (m) => this.onMetrics(m)),
      bus.subscribe('health', (h) => this.onHealth(h)),
      bus.subscribe('trade', (t) => this.onTrade(t)),
    ];
    if (books) {
      this.books = books;
      offs.push(() => {
        this.books = null;
      });
    } else offs.push(bus.subscribe('book', (b) => this.onBook(b)));
    return () => offs.forEach((f) => f());
  }

  /** The analytics read when `analysis:*` is written (see attach), and the samples waiting for it. */
  private analytics: AnalysisSource | null = null;
  private readonly pendingMetrics = new Map<string, MetricsSample>();

  /** Compose the `analysis:*` values of the samples received since the last write (see attach). */
  private pullAnalysis(): void {
    for (const m of this.pendingMetrics.values()) {
      const a = this.analytics?.analytics(m.instrument);
      let value: AnalysisEntry = m;
      if (a) {
        const { candles: _candles, ...view } = a.view(0);
        const cross = this.analytics?.cross;
        value = {
          ...m,
          analysis: {
            ...view,
            basis: cross
              ? [...cross.basis.values()].filter((b) => b.future === m.instrument || b.spot === m.instrument)
              : [],
            divergence: cross ? [...cross.divergence.values()].filter((d) => m.instrument in d.mids) : [],
          },
        };
      }
      this.set(
        this.analysisKey(m.instrument),
        value,
        this.opts.ttlMs?.analysis ?? 30_000,
        this.channel('analysis', m.instrument),
      );
    }
    this.pendingMetrics.clear();
  }

  /** Books read by the cache itself (see attach), and the version of each last taken. */
  private books: ReadonlyMap<string, InstrumentBook> | null = null;
  private readonly bookVersions = new Map<string, string>();

  /** Take the top of every book that changed since the last tick (see attach). */
  private pullBooks(): void {
    if (!this.books) return;
    const depth = this.opts.bookDepth ?? 400;
    for (const [id, b] of this.books) {
      const h = b.health;
      const version = `${h.sequence}|${h.lastUpdateLocalTs}|${h.state}`;
      if (this.bookVersions.get(id) === version) continue;
      this.bookVersions.set(id, version);
      this.onBook(bookViewOf(b, depth));
    }
  }

  private set(key: string, value: unknown, ttl: number, channel: string): void {
    if (this.dirty.has(key)) this.stats.conflated++;
    this.dirty.set(key, { value: encodeJson(value), ttl, channel });
  }

  private lag(localTs: number): void {
    if (!Number.isFinite(localTs)) return;
    const l = Date.now() - localTs;
    this.lagLast = l;
    this.lagMax = this.lagMax === null ? l : Math.max(this.lagMax, l);
  }

  /** Record a book top (conflated). */
  onBook(b: BookView): void {
    this.counts.book++;
    this.lag(b.localTs);
    this.states.set(b.instrument, b.state);
    const depth = this.opts.bookDepth ?? 400;
    const v =
      b.bids.length > depth || b.asks.length > depth
        ? { ...b, bids: b.bids.slice(0, depth), asks: b.asks.slice(0, depth) }
        : b;
    this.set(
      this.bookKey(b.instrument),
      v,
      this.opts.ttlMs?.book ?? 30_000,
      this.channel('book', b.instrument),
    );
  }

  /** Record metrics (conflated). */
  onMetrics(m: MetricsSample): void {
    this.counts.metrics++;
    this.lag(m.localTs);
    if (this.analytics) {
      // Composed once per write (pullAnalysis), not per book update.
      if (this.pendingMetrics.has(m.instrument)) this.stats.conflated++;
      this.pendingMetrics.set(m.instrument, m);
      return;
    }
    this.set(
      this.analysisKey(m.instrument),
      m,
      this.opts.ttlMs?.analysis ?? 30_000,
      this.channel('analysis', m.instrument),
    );
  }

  /** Record health (conflated). */
  onHealth(h: BookHealth): void {
    this.counts.health++;
    this.states.set(h.instrument, h.state);
    this.set(
      this.healthKey(h.instrument),
      h,
      this.opts.ttlMs?.analysis ?? 30_000,
      this.channel('health', h.instrument),
    );
  }

  /** Queue a trade for pub/sub (every trade, batched per tick). */
  onTrade(t: Trade): void {
    this.counts.trade++;
    this.lag(t.localTs);
    if (this.opts.publish ?? true)
      this.trades.push({ channel: this.channel('trade', t.instrument), value: encodeJson(t) });
  }

  /** Extra fields for this process's monitoring entry (replaces the previous ones). */
  setExtra(extra: Record<string, unknown>): void {
    this.extra = extra;
  }

  /** Build this process's monitoring entry from the counts since the last one, and queue its write. */
  queueMonitoring(): ProcessMonitoring {
    const now = Date.now();
    const secs = Math.max(0.001, (now - this.lastMonitorAt) / 1000);
    const rate = (k: TopicCount): number => Math.round((this.counts[k] / secs) * 100) / 100;
    const entry: ProcessMonitoring = {
      process: this.processName,
      role: this.opts.role ?? 'all',
      pid: process.pid,
      host: os.hostname(),
      updatedAt: now,
      uptimeMs: now - this.startedAt,
      rates: { book: rate('book'), metrics: rate('metrics'), trade: rate('trade'), health: rate('health') },
      lagMs: { last: this.lagLast, max: this.lagMax },
      instruments: Object.fromEntries(this.states),
      writes: this.stats.writes,
      writeErrors: this.stats.writeErrors,
      ...(this.extra ? { extra: this.extra } : {}),
    };
    this.counts.book = this.counts.metrics = this.counts.trade = this.counts.health = 0;
    this.lagMax = null;
    this.lastMonitorAt = now;
    this.monitoring = entry;
    return entry;
  }

  private monitoring: ProcessMonitoring | null = null;

  /** Write every dirty key (and queued trades, monitoring) now, in one pipeline. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    this.pullAnalysis();
    if (this.dirty.size === 0 && this.trades.length === 0 && !this.monitoring) return;
    const batch = [...this.dirty.entries()];
    this.dirty.clear();
    const trades = this.trades;
    this.trades = [];
    const mon = this.monitoring;
    this.monitoring = null;
    const publish = this.opts.publish ?? true;
    const p = this.redis.pipeline();
    for (const [key, d] of batch) {
      p.set(key, d.value, 'PX', d.ttl);
      if (publish) p.publish(d.channel, d.value);
    }
    for (const t of trades) p.publish(t.channel, t.value);
    if (mon) {
      p.hset(this.monitoringKey, mon.process, encodeJson(mon));
      p.pexpire(this.monitoringKey, this.opts.ttlMs?.monitoring ?? 60_000);
    }
    const run = (async () => {
      try {
        const res = await p.exec();
        const failed = (res ?? []).find(([err]) => err);
        if (failed) throw failed[0];
        this.stats.writes += batch.length + (mon ? 1 : 0);
        this.stats.tradesPublished += trades.length;
      } catch (e) {
        this.stats.writeErrors++;
        this.opts.onError?.(e);
        // Keep the latest values for the next tick unless newer ones arrived meanwhile; trades are events
        // of the past second, dropped rather than replayed late.
        for (const [key, d] of batch) if (!this.dirty.has(key)) this.dirty.set(key, d);
        if (mon && !this.monitoring) this.monitoring = mon;
        throw e;
      }
    })();
    this.writing = run.catch(() => {});
    try {
      await run;
    } finally {
      this.writing = null;
    }
  }

  /** The latest book of an instrument, or null when absent/expired. */
  async getBook(instrument: string): Promise<BookView | null> {
    return this.getJson<BookView>(this.bookKey(instrument));
  }

  /** The latest metrics (and analytics, see attach) of an instrument, or null. */
  async getAnalysis(instrument: string): Promise<AnalysisEntry | null> {
    return this.getJson<AnalysisEntry>(this.analysisKey(instrument));
  }

  /** The latest health of an instrument, or null. */
  async getHealth(instrument: string): Promise<BookHealth | null> {
    return this.getJson<BookHealth>(this.healthKey(instrument));
  }

  /** Every process's monitoring entry (entries that do not decode are skipped). */
  async getMonitoring(): Promise<ProcessMonitoring[]> {
    const h = await this.redis.hgetall(this.monitoringKey);
    const out: ProcessMonitoring[] = [];
    for (const v of Object.values(h)) {
      try {
        out.push(decodeJson<ProcessMonitoring>(v));
      } catch {
        // a foreign or truncated value: not ours to report
      }
    }
    return out;
  }

  private async getJson<T>(key: string): Promise<T | null> {
    const v = await this.redis.get(key);
    if (v === null) return null;
    try {
      return decodeJson<T>(v);
    } catch {
      return null;
    }
  }

  /**
   * Subscribe to live channels (glob pattern after the prefix, e.g. `live:book:*`) on a dedicated
   * connection. @returns a function that unsubscribes and closes that connection
   */
  async subscribeLive(
    pattern: string,
    handler: (channel: string, payload: unknown) => void,
  ): Promise<() => Promise<void>> {
    const sub = this.redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
    sub.on('error', (e) => this.opts.onError?.(e));
    sub.on('pmessage', (_p: string, channel: string, message: string) => {
      try {
        handler(channel, decodeJson(message));
      } catch (e) {
        this.opts.onError?.(e);
      }
    });
    await sub.psubscribe(this.prefix + pattern);
    return async () => {
      await sub.punsubscribe().catch(() => {});
      sub.disconnect();
    };
  }

  /** Stop timers, write the last values (best effort), close the client when owned. */
  async close(): Promise<void> {
    if (this.tick) clearInterval(this.tick);
    if (this.monitorTimer) clearInterval(this.monitorTimer);
    this.tick = this.monitorTimer = null;
    this.pullBooks();
    await this.flush().catch(() => {});
    if (this.owns) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
