/**
 * DurableStore: a HistoryStore wrapper that never loses accepted rows when the wrapped store is down or
 * slow (PostgreSQL restarting, network cut, overloaded server).
 *
 * Every row kind goes the same way: metric samples, trades, alerts, book snapshots, heatmap runs and
 * analytics events.
 * Path of a row: `append*` validates it (invalid rows are refused and counted) and puts it in a bounded
 * memory buffer. Every `flushIntervalMs` the pump runs:
 * 1. when the store is up: first drain the disk spool (oldest files first), then write the memory buffer,
 *    in batches of `batchSize` via the store's all-or-nothing `writeBatch`, each bounded by `writeTimeoutMs`;
 * 2. when a write fails or times out: the store is marked down, the failed batch and the whole memory buffer
 *    are appended to the spool (append-only JSON lines, fsynced; store/spool/spool.ts), and the next attempt
 *    waits an exponential back-off (src/util/backoff.ts: cap `retryMinMs` doubling up to `retryMaxMs`,
 *    equal jitter: uniform in [cap/2, cap));
 * 3. while the store is down, each tick moves the memory buffer to the spool; a buffer above
 *    `memoryLimitRows` is spilled at once.
 * The store's writes must be idempotent (PostgresStore's unique keys + `ON CONFLICT DO NOTHING`): a batch
 * that timed out but committed, or a spool file partly drained before a crash, is written again harmlessly.
 *
 * Durability: rows on the spool survive a crash and are drained on the next start (`init`). A crash
 * (SIGKILL, power loss) loses only the memory buffer: at most one flush interval of rows (or
 * `memoryLimitRows`, whichever is smaller) plus the batch in flight. Graceful shutdown (`close`) flushes to
 * the store, or to the spool when the store stays down, so it loses nothing. The spool is bounded by
 * `maxSpoolBytes`; rows beyond it are dropped and counted (`stats.dropped`), never silently.
 */
import { Backoff } from '../util/backoff.ts';
import type { MetricsSample } from '../analytics/types.ts';
import type { Trade } from '../core/model.ts';
import type { Alert } from '../alerts/types.ts';
import type { MalformedFrameError } from '../core/errors.ts';
import type { NewsItem, NewsPage, NewsQuery } from '../news/types.ts';
import type {
  AnalyticsEventPage,
  AnalyticsEventQuery,
  AnalyticsEventRow,
  AlertPage,
  AlertQuery,
  BookSnapshotQuery,
  BookSnapshotRow,
  Candle,
  CandleQuery,
  HeatmapRunQuery,
  HeatmapRunRow,
  HistoryStore,
  MetricsQuery,
  RangeQuery,
  TradeRow,
} from './types.ts';
import { Spool, SpoolFullError } from './spool/spool.ts';
import {
  validateAlert,
  validateBookSnapshot,
  validateHeatmapRun,
  validateRow,
  validateTrade,
} from './spool/rows.ts';
import { validateAnalyticsEvent } from './event-rows.ts';
import {
  batchRows,
  drainBuffer,
  emptyBuffer,
  splitBatch,
  takeBatch,
  type RowBatch,
  type RowBuffer,
} from './batch.ts';

/** A store that can write one batch of rows of every kind all-or-nothing (PostgresStore.writeBatch). */
export interface BatchWriter {
  /**
   * Write the rows now in one transaction, idempotently (rows already present are skipped).
   * @throws when nothing was written (the caller keeps the rows).
   */
  writeBatch(batch: RowBatch): Promise<void>;
}

/** Thrown by `flush()` when the store is unavailable; the rows are then safe on the spool. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    message: string,
    readonly pendingRows: number,
  ) {
    super(message);
  }
}

/** Options of {@link DurableStore}. */
export interface DurableStoreOptions {
  /** Directory of the spool files (created if missing). */
  spoolDir: string;
  /** Pump period (ms, default 1,000): also the most data a crash can lose. */
  flushIntervalMs?: number;
  /** Rows per write batch (default 5,000). */
  batchSize?: number;
  /** Memory buffer bound in rows; above it rows go to the spool at once (default 100,000). */
  memoryLimitRows?: number;
  /** A write slower than this counts as failed (ms, default 10,000). */
  writeTimeoutMs?: number;
  /** First retry delay after a failure (ms, default 250). */
  retryMinMs?: number;
  /** Longest retry delay (ms, default 30,000). */
  retryMaxMs?: number;
  /** Spool size bound (bytes, default 1 GiB). */
  maxSpoolBytes?: number;
  /** `fdatasync` spool appends (default true). */
  fsync?: boolean;
  /** How long `close()` keeps retrying the store before leaving rows on the spool (ms, default 10,000). */
  closeTimeoutMs?: number;
  /** Called on store errors (for logging); never throws into the data path. */
  onError?: (err: unknown) => void;
  /** Called with refused invalid rows. */
  onReject?: (err: MalformedFrameError) => void;
}

/** Counters of a DurableStore (monotonic unless noted). */
export interface DurableStoreStats {
  /** Rows accepted by append*. */
  accepted: number;
  /** Rows refused as invalid. */
  rejected: number;
  /** Rows written to the store (a re-drained row counts again). */
  written: number;
  /** Rows appended to the spool. */
  spooled: number;
  /** Rows dropped because the spool was full or could not be written. */
  dropped: number;
  /** Failed or timed-out write batches. */
  writeFailures: number;
  /** Transitions up → down. */
  outages: number;
  /** Spool lines that could not be decoded (crash-cut lines). */
  corruptLines: number;
  /** Rows in memory now (gauge). */
  memoryRows: number;
  /** Bytes on the spool now (gauge). */
  spoolBytes: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The durable wrapper (see the module comment). Queries go to the wrapped store; rows still in memory or
 * on the spool are not visible to them until written.
 */
export class DurableStore implements HistoryStore {
  private buf: RowBuffer = emptyBuffer();
  private readonly spool: Spool;
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private innerReady = false;
  /** Retry delays while the store is down (equal jitter: a retry is never much sooner than the cap). */
  private readonly retryBackoff: Backoff;
  /** The last retry delay chosen, ms (0 while up). */
  private backoffMs = 0;
  private nextTryAt = 0;
  private closed = false;
  /** `up` until a write fails, `down` until one succeeds again. */
  state: 'up' | 'down' = 'up';
  readonly stats: DurableStoreStats = {
    accepted: 0,
    rejected: 0,
    written: 0,
    spooled: 0,
    dropped: 0,
    writeFailures: 0,
    outages: 0,
    corruptLines: 0,
    memoryRows: 0,
    spoolBytes: 0,
  };

  constructor(
    readonly inner: HistoryStore & BatchWriter,
    private readonly opts: DurableStoreOptions,
  ) {
    this.spool = new Spool(opts.spoolDir, {
      maxBytes: opts.maxSpoolBytes,
      fsync: opts.fsync,
    });
    this.retryBackoff = new Backoff({
      baseMs: opts.retryMinMs ?? 250,
      maxMs: opts.retryMaxMs ?? 30_000,
      jitter: 'equal',
    });
  }

  /**
   * Prepare the spool and the store. A store that is down at start does not fail init: it is retried by
   * the pump (rows accepted meanwhile go to memory and the spool). Spool files left by a previous run are
   * drained as soon as the store is reachable.
   * @throws an I/O error when the spool directory cannot be created.
   */
  async init(): Promise<void> {
    await this.spool.init();
    this.stats.spoolBytes = this.spool.bytes;
    try {
      await this.inner.init();
      this.innerReady = true;
    } catch (e) {
      this.markDown(e);
    }
    const every = this.opts.flushIntervalMs ?? 1000;
    this.timer = setInterval(() => void this.pump(false), every);
    this.timer.unref();
    if (this.innerReady && !(await this.spool.isEmpty())) void this.pump(false);
  }

  /** Accept metric samples (invalid ones refused and counted). Never throws, never blocks. */
  appendMetrics(rows: readonly MetricsSample[]): void {
    this.acceptAll(rows, this.buf.metrics, validateRow);
  }

  /** Accept trades (invalid ones refused and counted). Never throws, never blocks. */
  appendTrades(rows: readonly Trade[]): void {
    this.acceptAll(rows, this.buf.trades, validateTrade);
  }

  /** Accept alerts (no id, instrument or finite `ts`: refused and counted). Never throws, never blocks. */
  appendAlerts(rows: readonly Alert[]): void {
    this.acceptAll(rows, this.buf.alerts, validateAlert);
  }

  /** Accept book snapshots (invalid ones refused and counted). Never throws, never blocks. */
  appendBookSnapshots(rows: readonly BookSnapshotRow[]): void {
    this.acceptAll(rows, this.buf.bookSnapshots, validateBookSnapshot);
  }

  /** Accept analytics events (crossed markets, basis; invalid ones refused and counted). Never throws. */
  appendAnalyticsEvents(rows: readonly AnalyticsEventRow[]): void {
    this.acceptAll(rows, this.buf.analyticsEvents, validateAnalyticsEvent);
  }

  /** Accept closed heatmap runs (invalid ones refused and counted). Never throws, never blocks. */
  appendHeatmapRuns(rows: readonly HeatmapRunRow[]): void {
    this.acceptAll(rows, this.buf.heatmapRuns, validateHeatmapRun);
  }

  private acceptAll<R>(rows: readonly R[], into: R[], validate: (r: R) => MalformedFrameError | null): void {
    for (const r of rows) {
      const err = validate(r);
      if (!err) {
        this.stats.accepted++;
        into.push(r);
      } else {
        this.stats.rejected++;
        this.opts.onReject?.(err);
      }
    }
    const n = batchRows(this.buf);
    this.stats.memoryRows = n;
    if (n > (this.opts.memoryLimitRows ?? 100_000)) void this.spillMemory();
  }

  /** Move the whole memory buffer to the spool (rows refused by a full spool are counted as dropped). */
  private async spillMemory(): Promise<void> {
    if (batchRows(this.buf) === 0) return;
    const b = drainBuffer(this.buf);
    this.stats.memoryRows = 0;
    await this.toSpool(b);
  }

  private async toSpool(b: RowBatch): Promise<void> {
    const n = batchRows(b);
    try {
      await this.spool.append(b);
      this.stats.spooled += n;
    } catch (e) {
      this.stats.dropped += n;
      this.opts.onError?.(e instanceof SpoolFullError ? e : new Error(`spool write failed: ${String(e)}`));
    }
    this.stats.spoolBytes = this.spool.bytes;
  }

  /** Whether the wrapped store has been reached (initialised) at least once; false while it never was. */
  get isReady(): boolean {
    return this.innerReady;
  }

  /** Directory of the spool files (rows kept while the store is down; drained by the next `init`). */
  get spoolDir(): string {
    return this.opts.spoolDir;
  }

  private markDown(err: unknown): void {
    if (this.state === 'up') this.stats.outages++;
    this.state = 'down';
    this.backoffMs = this.retryBackoff.next();
    this.nextTryAt = Date.now() + this.backoffMs;
    this.opts.onError?.(err);
  }

  private async write(b: RowBatch): Promise<void> {
    const limit = this.opts.writeTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.inner.writeBatch(b),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`store write timed out after ${limit} ms`)), limit);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    this.stats.written += batchRows(b);
  }

  /** One pump, single-flight. `force` ignores the back-off wait. */
  private pump(force: boolean): Promise<void> {
    if (this.pumping) return this.pumping;
    const run = this.pumpOnce(force).finally(() => {
      this.pumping = null;
    });
    this.pumping = run;
    return run;
  }

  private async pumpOnce(force: boolean): Promise<void> {
    if (this.state === 'down' && !force && Date.now() < this.nextTryAt) {
      await this.spillMemory();
      return;
    }
    const batch = this.opts.batchSize ?? 5000;
    try {
      if (!this.innerReady) {
        await this.inner.init();
        this.innerReady = true;
      }
      // Older rows first: the spool, file by file.
      const files = this.spool.bytes > 0 || this.state === 'down' ? await this.spool.seal() : [];
      for (const f of files) {
        const data = await this.spool.read(f);
        this.stats.corruptLines += data.corrupt;
        for (const b of splitBatch(data.rows, batch)) await this.write(b);
        await this.spool.remove(f);
        this.stats.spoolBytes = this.spool.bytes;
      }
      // Then memory, batch by batch; a batch leaves memory before its write (rows appended meanwhile stay).
      while (batchRows(this.buf) > 0) {
        const b = takeBatch(this.buf, batch);
        this.stats.memoryRows = batchRows(this.buf);
        try {
          await this.write(b);
        } catch (e) {
          await this.toSpool(b);
          throw e;
        }
      }
      this.state = 'up';
      this.backoffMs = 0;
      this.retryBackoff.reset();
    } catch (e) {
      this.stats.writeFailures++;
      this.markDown(e);
      await this.spillMemory();
    }
  }

  /** Rows not yet in the store: memory plus spool (the spool count is approximate: bytes > 0 means some). */
  pendingRows(): number {
    return batchRows(this.buf) + (this.spool.bytes > 0 ? 1 : 0);
  }

  /**
   * Write everything accepted so far to the store (spool first, then memory), now.
   * @throws {StoreUnavailableError} when the store is down: the rows are then on the spool, retried later.
   */
  async flush(): Promise<void> {
    if (this.pumping) await this.pumping;
    await this.pump(true);
    const left = batchRows(this.buf);
    if (this.state === 'down' || this.spool.bytes > 0) {
      throw new StoreUnavailableError('history store unavailable; rows kept on the local spool', left);
    }
  }

  /** Metric samples from the store (rows still in memory or on the spool are not included). */
  queryMetrics(q: MetricsQuery): Promise<MetricsSample[]> {
    return this.inner.queryMetrics(q);
  }

  /** Trades from the store. */
  queryTrades(q: RangeQuery): Promise<TradeRow[]> {
    return this.inner.queryTrades(q);
  }

  /** Alerts of the wrapped store. @throws {Error} when it keeps no alerts */
  /**
   * Upsert news straight into the wrapped store (news does not go through the buffer or spool: it is
   * few items, and the news service keeps and retries what failed). @throws the store's error
   */
  upsertNews(items: readonly NewsItem[]): Promise<number> {
    if (!this.inner.upsertNews) return Promise.reject(new Error('wrapped store keeps no news'));
    return this.inner.upsertNews(items);
  }

  /** Stored news from the wrapped store. */
  queryNews(q: NewsQuery): Promise<NewsPage> {
    if (!this.inner.queryNews) return Promise.reject(new Error('wrapped store keeps no news'));
    return this.inner.queryNews(q);
  }

  queryAlerts(q: AlertQuery): Promise<AlertPage> {
    if (!this.inner.queryAlerts) return Promise.reject(new Error('wrapped store keeps no alerts'));
    return this.inner.queryAlerts(q);
  }

  /** Book snapshots of the wrapped store. @throws {Error} when it keeps none */
  queryBookSnapshots(q: BookSnapshotQuery): Promise<BookSnapshotRow[]> {
    if (!this.inner.queryBookSnapshots)
      return Promise.reject(new Error('wrapped store keeps no book snapshots'));
    return this.inner.queryBookSnapshots(q);
  }

  /** Analytics events of the wrapped store (rows still in memory or on the spool are not included). */
  queryAnalyticsEvents(q: AnalyticsEventQuery): Promise<AnalyticsEventPage> {
    if (!this.inner.queryAnalyticsEvents)
      return Promise.reject(new Error('wrapped store keeps no analytics events'));
    return this.inner.queryAnalyticsEvents(q);
  }

  /** Heatmap runs of the wrapped store. @throws {Error} when it keeps none */
  queryHeatmapRuns(q: HeatmapRunQuery): Promise<HeatmapRunRow[]> {
    if (!this.inner.queryHeatmapRuns) return Promise.reject(new Error('wrapped store keeps no heatmap runs'));
    return this.inner.queryHeatmapRuns(q);
  }

  /**
   * Candles from the store.
   * @throws {Error} when the wrapped store has no candle query.
   */
  queryCandles(q: CandleQuery): Promise<Candle[]> {
    if (!this.inner.queryCandles) return Promise.reject(new Error('wrapped store has no candle query'));
    return this.inner.queryCandles(q);
  }

  /** The store's counts. */
  counts(): Promise<Record<string, number>> {
    return this.inner.counts();
  }

  /**
   * Graceful shutdown: retry the store for up to `closeTimeoutMs`, then leave whatever is left on the
   * spool (drained at next start), then close the store. Never throws because the store is down.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const end = Date.now() + (this.opts.closeTimeoutMs ?? 10_000);
    for (;;) {
      try {
        await this.flush();
        break;
      } catch {
        // Nothing left to save (store down, memory and spool empty): no reason to wait for it.
        if (Date.now() >= end || (batchRows(this.buf) === 0 && this.spool.bytes === 0)) break;
        await sleep(Math.min(this.backoffMs || 100, Math.max(0, end - Date.now())));
      }
    }
    await this.spillMemory();
    await this.spool.close();
    this.stats.spoolBytes = this.spool.bytes;
    await this.inner.close().catch((e: unknown) => this.opts.onError?.(e));
  }
}
