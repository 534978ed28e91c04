/**
 * PostgreSQL history store (shared / long history). Same tables and columns as the embedded store; see
 * schema.ts for the layout, migrations and partitioning (TimescaleDB when available, native daily range
 * partitions otherwise).
 *
 * Writes: rows are queued by `append*` and written by `flush()` (called every `flushIntervalMs`) in
 * batches of `batchSize`, one multi-row `INSERT … SELECT FROM unnest($1::…[], …)` per table per batch
 * (one array parameter per column, so no parameter-count limit), idempotent (`ON CONFLICT DO NOTHING`).
 * `writeBatch` writes one batch all-or-nothing in a transaction: DurableStore (store/durable.ts) uses it
 * to survive outages; used alone, a failed flush keeps its rows queued (up to `maxQueuedRows`, beyond
 * which the oldest are dropped and counted) and the next flush retries them.
 */
import postgres, { type Sql } from 'postgres';
import { MalformedFrameError } from '../../core/errors.ts';
import type { Trade } from '../../core/model.ts';
import { BOOK_METRIC_FIELDS, type BookMetrics, type MetricsSample } from '../../analytics/types.ts';
import type { BookState } from '../../book/health.ts';
import type { HistoryStore, RangeQuery, TradeRow } from '../types.ts';
import {
  METRIC_COLUMNS,
  MIGRATIONS,
  dayIso,
  dayLabel,
  dayOf,
  ident,
  metricColumn,
  type PartitionMode,
} from './schema.ts';

/** Options of {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** Connection URL, e.g. `postgres://user@host:5432/db` (ignored when `sql` is given). */
  url?: string;
  /** An existing postgres.js client (not closed by `close()`). */
  sql?: Sql;
  /** Schema holding the tables (created if missing). Default `depthwatch`. */
  schema?: string;
  /** Rows per INSERT batch (default 5,000). */
  batchSize?: number;
  /** Automatic flush period in ms; 0 disables the timer (default 1,000). */
  flushIntervalMs?: number;
  /** Most rows kept queued across failed flushes; older rows beyond it are dropped and counted (default 1,000,000). */
  maxQueuedRows?: number;
  /** `auto` uses TimescaleDB when the extension is available (default); `native` never does. */
  timescale?: 'auto' | 'native';
  /** Native partitioning: days of partitions created ahead of today (default 3). */
  partitionDaysAhead?: number;
  /** Drop data older than this many days (hypertable retention policy or dropped partitions). Off by default. */
  retentionDays?: number;
  /** Connection pool size (default 4). */
  maxConnections?: number;
  /** Called with rows refused as invalid (also counted in `rejected`). */
  onReject?: (err: MalformedFrameError) => void;
}

/** Default row cap of a query. */
const DEFAULT_LIMIT = 10_000;
/** Hard row cap of a query. */
const MAX_LIMIT = 1_000_000;

/** Metrics query with optional downsampling. */
export interface MetricsRangeQuery extends RangeQuery {
  /** Bucket width in ms: return the last sample of each bucket (floor(localTs / intervalMs)). */
  intervalMs?: number;
}

/** Row counts and write statistics. */
export interface PostgresStoreStats {
  /** Rows written (including rows the unique key found already present). */
  written: number;
  /** Rows refused as invalid by append*. */
  rejected: number;
  /** Queued rows dropped because the queue exceeded `maxQueuedRows`. */
  dropped: number;
  /** Failed write batches. */
  writeErrors: number;
  /** Rows queued now. */
  queued: number;
}

export class PostgresStore implements HistoryStore {
  readonly schema: string;
  /** Partitioning in use (known after init). */
  mode: PartitionMode = 'native';
  private readonly sql: Sql;
  private readonly ownsSql: boolean;
  private readonly opts: PostgresStoreOptions;
  private readonly batchSize: number;
  private metricsQ: MetricsSample[] = [];
  private tradesQ: Trade[] = [];
  private readonly partitions = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private maintenanceTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private metricColumns: readonly string[] = METRIC_COLUMNS;
  readonly stats: PostgresStoreStats = { written: 0, rejected: 0, dropped: 0, writeErrors: 0, queued: 0 };

  /** @throws {TypeError} when the schema name is not a plain identifier. */
  constructor(opts: PostgresStoreOptions = {}) {
    this.opts = opts;
    this.schema = opts.schema ?? 'depthwatch';
    ident(this.schema);
    this.batchSize = Math.max(1, opts.batchSize ?? 5000);
    this.ownsSql = !opts.sql;
    this.sql =
      opts.sql ??
      postgres(opts.url ?? 'postgres://postgres@127.0.0.1:5432/test', {
        max: opts.maxConnections ?? 4,
        onnotice: () => {},
        connect_timeout: 5,
        idle_timeout: 30,
      });
  }

  /**
   * Create the schema, run pending migrations under an advisory lock (several processes may init at
   * once), add columns for metric fields missing from the table, and create partitions ahead.
   * @throws the driver's error when the server is unreachable.
   */
  async init(): Promise<void> {
    const s = ident(this.schema);
    const sql = this.sql;
    const tsAvail = await sql`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`;
    let mode: PartitionMode = this.opts.timescale !== 'native' && tsAvail.length > 0 ? 'timescale' : 'native';
    await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtext(${'depthwatch:' + this.schema}))`;
      if (mode === 'timescale') await tx.unsafe('CREATE EXTENSION IF NOT EXISTS timescaledb');
      await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await tx.unsafe(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
        version INT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      // An existing schema keeps the mode it was created with.
      const existing = await tx`SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ${this.schema} AND c.relname = 'metrics'`;
      if (existing.length > 0) mode = existing[0]!.relkind === 'p' ? 'native' : 'timescale';
      const done = new Set(
        (await tx.unsafe(`SELECT version FROM ${s}.schema_migrations`)).map((r) => Number(r.version)),
      );
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await m.up(tx as unknown as Sql, this.schema, mode);
        await tx.unsafe(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
          m.version,
          `${m.name} (${mode})`,
        ]);
      }
      for (const c of METRIC_COLUMNS) {
        await tx.unsafe(`ALTER TABLE ${s}.metrics ADD COLUMN IF NOT EXISTS ${ident(c)} DOUBLE PRECISION`);
      }
    });
    this.mode = mode;
    await this.maintain();
    const interval = this.opts.flushIntervalMs ?? 1000;
    if (interval > 0) {
      this.timer = setInterval(() => {
        this.flush().catch(() => {});
      }, interval);
      this.timer.unref();
    }
    this.maintenanceTimer = setInterval(() => {
      this.maintain().catch(() => {});
    }, 3_600_000);
    this.maintenanceTimer.unref();
  }

  /**
   * Housekeeping, run on init and hourly: create partitions for yesterday..today+partitionDaysAhead and
   * apply retention (native: drop day partitions entirely older than `retentionDays`; timescale: add the
   * retention policy).
   */
  async maintain(): Promise<void> {
    const today = dayOf(Date.now());
    const ret = this.opts.retentionDays;
    if (this.mode === 'timescale') {
      if (ret !== undefined) {
        for (const t of ['metrics', 'trades']) {
          await this.sql.unsafe(
            `SELECT add_retention_policy('${this.schema}.${t}', INTERVAL '${Math.max(1, Math.floor(ret))} days', if_not_exists => TRUE)`,
          );
        }
      }
      return;
    }
    const ahead = this.opts.partitionDaysAhead ?? 3;
    for (let d = today - 1; d <= today + ahead; d++) await this.ensurePartition(d);
    if (ret !== undefined) await this.dropPartitionsBefore(today - Math.floor(ret));
  }

  /** Native mode: drop day partitions of both tables whose whole day is before `day`. @returns names dropped */
  async dropPartitionsBefore(day: number): Promise<string[]> {
    const rows = await this.sql`SELECT c.relname AS name FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE n.nspname = ${this.schema} AND p.relname IN ('metrics', 'trades')`;
    const limit = dayLabel(day);
    const dropped: string[] = [];
    for (const r of rows) {
      const name = String(r.name);
      const m = /_p(\d{8})$/.exec(name);
      if (!m || m[1]! >= limit) continue;
      await this.sql.unsafe(`DROP TABLE IF EXISTS ${ident(this.schema)}.${ident(name)}`);
      this.partitions.delete(name);
      dropped.push(name);
    }
    return dropped;
  }

  private async ensurePartition(day: number): Promise<void> {
    if (this.mode !== 'native') return;
    for (const t of ['metrics', 'trades']) {
      const name = `${t}_p${dayLabel(day)}`;
      if (this.partitions.has(name)) continue;
      try {
        await this.sql.unsafe(
          `CREATE TABLE IF NOT EXISTS ${ident(this.schema)}.${ident(name)} PARTITION OF ${ident(this.schema)}.${t}
           FOR VALUES FROM ('${dayIso(day)} 00:00:00+00') TO ('${dayIso(day + 1)} 00:00:00+00')`,
        );
      } catch (e) {
        // Another process created it between our check and create.
        if ((e as { code?: string }).code !== '42P07') throw e;
      }
      this.partitions.add(name);
    }
  }

  /** Queue metric samples; invalid rows (no instrument, non-finite localTs) are refused and counted. */
  appendMetrics(rows: readonly MetricsSample[]): void {
    for (const r of rows) if (this.accept(r)) this.metricsQ.push(r);
    this.capQueue();
  }

  /** Queue trades; invalid rows are refused and counted. */
  appendTrades(rows: readonly Trade[]): void {
    for (const r of rows) if (this.accept(r)) this.tradesQ.push(r);
    this.capQueue();
  }

  private accept(r: { instrument: unknown; localTs: unknown }): boolean {
    const err = validateRow(r);
    if (!err) return true;
    this.stats.rejected++;
    this.opts.onReject?.(err);
    return false;
  }

  private capQueue(): void {
    const max = this.opts.maxQueuedRows ?? 1_000_000;
    const over = this.metricsQ.length + this.tradesQ.length - max;
    if (over > 0) {
      const m = Math.min(over, this.metricsQ.length);
      this.metricsQ.splice(0, m);
      this.tradesQ.splice(0, over - m);
      this.stats.dropped += over;
    }
    this.stats.queued = this.metricsQ.length + this.tradesQ.length;
  }

  /**
   * Write every queued row. Concurrent calls share the running flush, then flush what arrived meanwhile.
   * @throws the driver's error when a batch fails; the unwritten rows stay queued for the next flush.
   */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => {});
    if (this.metricsQ.length === 0 && this.tradesQ.length === 0) return;
    const run = this.flushQueued();
    this.flushing = run;
    try {
      await run;
    } finally {
      this.flushing = null;
    }
  }

  private async flushQueued(): Promise<void> {
    let metrics = this.metricsQ;
    let trades = this.tradesQ;
    this.metricsQ = [];
    this.tradesQ = [];
    try {
      while (metrics.length > 0 || trades.length > 0) {
        const m = metrics.slice(0, this.batchSize);
        const t = trades.slice(0, Math.max(0, this.batchSize - m.length));
        await this.writeBatch(m, t);
        metrics = metrics.slice(m.length);
        trades = trades.slice(t.length);
      }
    } catch (e) {
      this.metricsQ = metrics.concat(this.metricsQ);
      this.tradesQ = trades.concat(this.tradesQ);
      this.capQueue();
      throw e;
    }
    this.stats.queued = this.metricsQ.length + this.tradesQ.length;
  }

  /**
   * Write one batch now, all-or-nothing (one transaction), idempotent (rows already present are skipped).
   * Rows are not validated here: callers pass rows accepted by `append*` or by DurableStore's validation.
   * @throws the driver's error (connection refused/closed, timeout); nothing of the batch is then written.
   */
  async writeBatch(metrics: readonly MetricsSample[], trades: readonly Trade[]): Promise<void> {
    if (metrics.length === 0 && trades.length === 0) return;
    try {
      if (this.mode === 'native') {
        const days = new Set<number>();
        for (const r of metrics) days.add(dayOf(r.localTs));
        for (const r of trades) days.add(dayOf(r.localTs));
        for (const d of days) await this.ensurePartition(d);
      }
      await this.sql.begin(async (tx) => {
        if (metrics.length > 0) await this.insertMetrics(tx as unknown as Sql, metrics);
        if (trades.length > 0) await this.insertTrades(tx as unknown as Sql, trades);
      });
    } catch (e) {
      this.stats.writeErrors++;
      throw e;
    }
    this.stats.written += metrics.length + trades.length;
  }

  private async insertMetrics(sql: Sql, rows: readonly MetricsSample[]): Promise<void> {
    const n = rows.length;
    const instrument = new Array<string>(n);
    const localTs = new Array<number>(n);
    const exchangeTs = new Array<number>(n);
    const state = new Array<string>(n);
    const sequence = new Array<number>(n);
    const values = BOOK_METRIC_FIELDS.map(() => new Array<number | null>(n));
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      instrument[i] = r.instrument;
      localTs[i] = r.localTs;
      exchangeTs[i] = r.exchangeTs;
      state[i] = r.state;
      sequence[i] = r.sequence;
      for (let f = 0; f < BOOK_METRIC_FIELDS.length; f++) {
        const v = r.metrics[BOOK_METRIC_FIELDS[f]!];
        values[f]![i] = typeof v === 'number' ? v : null;
      }
    }
    const cols = this.metricColumns.map(ident).join(', ');
    const arrays = this.metricColumns.map((_, f) => `$${f + 6}::float8[]`).join(', ');
    await sql.unsafe(
      `INSERT INTO ${ident(this.schema)}.metrics (instrument, ts, local_ts, exchange_ts, state, sequence, ${cols})
       SELECT i, to_timestamp(l / 1000.0), l, e, st, sq, ${this.metricColumns.map((_, f) => `v${f}`).join(', ')}
       FROM unnest($1::text[], $2::float8[], $3::float8[], $4::text[], $5::float8[], ${arrays})
         AS t(i, l, e, st, sq, ${this.metricColumns.map((_, f) => `v${f}`).join(', ')})
       ON CONFLICT DO NOTHING`,
      [instrument, localTs, exchangeTs, state, sequence, ...values] as never,
    );
  }

  private async insertTrades(sql: Sql, rows: readonly Trade[]): Promise<void> {
    const n = rows.length;
    const cols = {
      instrument: new Array<string>(n),
      localTs: new Array<number>(n),
      exchangeTs: new Array<number>(n),
      id: new Array<string>(n),
      price: new Array<number>(n),
      size: new Array<number>(n),
      side: new Array<string>(n),
    };
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      cols.instrument[i] = r.instrument;
      cols.localTs[i] = r.localTs;
      cols.exchangeTs[i] = r.exchangeTs;
      cols.id[i] = r.id;
      cols.price[i] = Number(r.price);
      cols.size[i] = Number(r.size);
      cols.side[i] = r.side;
    }
    await sql.unsafe(
      `INSERT INTO ${ident(this.schema)}.trades (instrument, ts, local_ts, exchange_ts, id, price, size, side)
       SELECT i, to_timestamp(l / 1000.0), l, e, id, p, sz, sd
       FROM unnest($1::text[], $2::float8[], $3::float8[], $4::text[], $5::float8[], $6::float8[], $7::text[])
         AS t(i, l, e, id, p, sz, sd)
       ON CONFLICT DO NOTHING`,
      [cols.instrument, cols.localTs, cols.exchangeTs, cols.id, cols.price, cols.size, cols.side] as never,
    );
  }

  /**
   * Metric samples of one instrument with `from <= localTs < to`, oldest first, at most `limit` rows
   * (default 10,000, capped at 1,000,000). With `intervalMs`, the last sample of each
   * `floor(localTs / intervalMs)` bucket.
   */
  async queryMetrics(q: MetricsRangeQuery): Promise<MetricsSample[]> {
    const limit = clampLimit(q.limit);
    const s = ident(this.schema);
    const cols = this.metricColumns.map(ident).join(', ');
    const where = `instrument = $1 AND ts >= to_timestamp($2::float8 / 1000.0) - INTERVAL '1 ms' AND ts < to_timestamp($3::float8 / 1000.0) + INTERVAL '1 ms'
      AND local_ts >= $2::float8 AND local_ts < $3::float8`;
    const iv = q.intervalMs;
    const rows =
      iv !== undefined && iv > 0
        ? await this.sql.unsafe(
            `SELECT * FROM (SELECT DISTINCT ON (floor(local_ts / $4::float8)) instrument, local_ts, exchange_ts, state, sequence, ${cols}
               FROM ${s}.metrics WHERE ${where} ORDER BY floor(local_ts / $4::float8), local_ts DESC) b
             ORDER BY local_ts LIMIT ${limit}`,
            [q.instrument, q.from, q.to, iv],
          )
        : await this.sql.unsafe(
            `SELECT instrument, local_ts, exchange_ts, state, sequence, ${cols} FROM ${s}.metrics
             WHERE ${where} ORDER BY ts, local_ts LIMIT ${limit}`,
            [q.instrument, q.from, q.to],
          );
    return rows.map((r) => {
      const metrics = {} as Record<string, number | null>;
      for (const f of BOOK_METRIC_FIELDS) {
        const v = r[metricColumn(f)];
        metrics[f] = v === null || v === undefined ? null : Number(v);
      }
      return {
        instrument: String(r.instrument),
        localTs: Number(r.local_ts),
        exchangeTs: r.exchange_ts === null ? NaN : Number(r.exchange_ts),
        state: r.state as BookState,
        sequence: Number(r.sequence),
        metrics: metrics as unknown as BookMetrics,
      };
    });
  }

  /** Trades of one instrument with `from <= localTs < to`, oldest first, at most `limit` rows. */
  async queryTrades(q: RangeQuery): Promise<TradeRow[]> {
    const rows = await this.sql.unsafe(
      `SELECT instrument, local_ts, exchange_ts, id, price, size, side FROM ${ident(this.schema)}.trades
       WHERE instrument = $1 AND ts >= to_timestamp($2::float8 / 1000.0) - INTERVAL '1 ms' AND ts < to_timestamp($3::float8 / 1000.0) + INTERVAL '1 ms'
         AND local_ts >= $2::float8 AND local_ts < $3::float8
       ORDER BY ts, local_ts LIMIT ${clampLimit(q.limit)}`,
      [q.instrument, q.from, q.to],
    );
    return rows.map((r) => ({
      instrument: String(r.instrument),
      localTs: Number(r.local_ts),
      exchangeTs: r.exchange_ts === null ? NaN : Number(r.exchange_ts),
      id: String(r.id),
      price: Number(r.price),
      size: Number(r.size),
      side: r.side as TradeRow['side'],
    }));
  }

  /** Row counts: `{ metrics, trades }`. */
  async counts(): Promise<Record<string, number>> {
    const s = ident(this.schema);
    const [r] = await this.sql.unsafe(
      `SELECT (SELECT count(*) FROM ${s}.metrics) AS metrics, (SELECT count(*) FROM ${s}.trades) AS trades`,
    );
    return { metrics: Number(r!.metrics), trades: Number(r!.trades) };
  }

  /** Stop timers, flush (errors propagate after the connections are released), close the pool when owned. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
    this.timer = this.maintenanceTimer = null;
    try {
      await this.flush();
    } finally {
      if (this.ownsSql) await this.sql.end({ timeout: 5 });
    }
  }

  /** Drop the whole schema (tests, `--reset`). Irreversible. */
  async dropSchema(): Promise<void> {
    await this.sql.unsafe(`DROP SCHEMA IF EXISTS ${ident(this.schema)} CASCADE`);
    this.partitions.clear();
  }
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit) || limit <= 0) return DEFAULT_LIMIT;
  return Math.min(MAX_LIMIT, Math.floor(limit));
}

/**
 * Check the fields a store needs: a non-empty `instrument` string and a finite `localTs` after
 * 2000-01-01 (it picks the partition). @returns the error, or null when the row is usable.
 */
export function validateRow(r: { instrument: unknown; localTs: unknown }): MalformedFrameError | null {
  if (typeof r.instrument !== 'string' || r.instrument.length === 0)
    return new MalformedFrameError('invalid_field', 'row without instrument');
  if (typeof r.localTs !== 'number' || !Number.isFinite(r.localTs) || r.localTs < 946_684_800_000)
    return new MalformedFrameError('invalid_field', `row with invalid localTs ${String(r.localTs)}`);
  return null;
}
