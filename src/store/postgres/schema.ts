/**
 * PostgreSQL schema for the history store: table and column names (shared with the DuckDB store's
 * naming), versioned migrations, and time partitioning.
 *
 * Tables (in a configurable schema, default `depthwatch`):
 * - `metrics`: `instrument TEXT`, `ts TIMESTAMPTZ` (local receive time, the partition/hypertable key),
 *   `local_ts`/`exchange_ts DOUBLE PRECISION` (ms since epoch UTC, exact as received, NaN = unknown),
 *   `state TEXT`, `sequence DOUBLE PRECISION` (NaN = none), then one `DOUBLE PRECISION` column per
 *   field of BOOK_METRIC_FIELDS (analytics/types.ts) in snake_case (`bestBid` → `best_bid`); columns for
 *   fields added to that list later are added on init.
 * - `trades`: `instrument`, `ts`, `local_ts`, `exchange_ts`, `id TEXT`, `price`/`size DOUBLE PRECISION`
 *   (quote currency per base unit / base units), `side TEXT`.
 * - `alerts` (version 3, not partitioned: alerts are few): `id TEXT PRIMARY KEY`, `ts DOUBLE PRECISION`
 *   (the alert's `ts`, ms since epoch UTC), `instrument`, `severity`, `rule_id TEXT` (the filter columns),
 *   `body JSONB` (the whole Alert as JSON; NaN → null); index `(ts DESC, id DESC)` for newest-first pages.
 * - `book_snapshots` (version 4): `instrument`, `ts` (local time of the snapshot, partition key),
 *   `local_ts`/`exchange_ts`/`sequence DOUBLE PRECISION`, `state TEXT`, `bids`/`asks JSONB` (arrays of
 *   `[price, size]` wire decimal strings, best first, kept exactly: JSON strings, never floats); unique
 *   `(instrument, ts)`.
 * - `heatmap_runs` (version 4): `instrument`, `ts` (the run's last bin start `to`, partition key, so
 *   retention and range pruning follow the run's end), `side TEXT`, `price`/`bucket_size`/`size DOUBLE
 *   PRECISION`, `bin_ms`/`from_ts`/`to_ts DOUBLE PRECISION` (ms); unique
 *   `(instrument, ts, side, price, bucket_size, from_ts)`.
 * - `news` (version 5, not partitioned): `id TEXT PRIMARY KEY`, `published_ts`/`received_ts DOUBLE
 *   PRECISION` (ms), `source TEXT`, `assets TEXT[]` (GIN index), `body JSONB` (the NewsItem); indexes on
 *   `(published_ts DESC, id DESC)` for newest-first pages and on `received_ts` for retention.
 * - `analytics_events` (version 6, not partitioned): `id TEXT PRIMARY KEY`, `kind`, `group_name`,
 *   `instrument`, `counterparty TEXT`, `ts DOUBLE PRECISION` (ms), `status TEXT`, `value_bps DOUBLE
 *   PRECISION`, `body JSONB` (the bus event); indexes `(ts DESC, id DESC)` and `(group_name, ts DESC)`
 *   (store/event-rows.ts, postgres/events.ts); retention deletes by `ts`.
 * - `schema_migrations(version INT PRIMARY KEY, name TEXT, applied_at TIMESTAMPTZ)`.
 *
 * Unique keys `(instrument, ts, sequence)` on metrics and `(instrument, ts, id)` on trades make writes
 * idempotent (`ON CONFLICT DO NOTHING`): a batch retried after a lost commit acknowledgement, or a spool
 * file re-drained after a crash, never duplicates rows.
 *
 * Partitioning: with the TimescaleDB extension available, the time-keyed tables are hypertables on `ts` (1-day
 * chunks) with compression (segment by instrument) and optional retention policies. Without it, they are
 * natively range-partitioned by UTC day (`metrics_pYYYYMMDD`), partitions are created ahead of time and on
 * demand for the days a batch touches, and retention drops whole day partitions.
 */

/** The time-partitioned tables (hypertables in TimescaleDB mode, day partitions natively). */
export const PARTITIONED_TABLES = ['metrics', 'trades', 'book_snapshots', 'heatmap_runs'] as const;

/** Partitioning mode of a schema. */
export type PartitionMode = 'timescale' | 'native';

/**
 * Quote an SQL identifier.
 * @throws {TypeError} for identifiers that are empty, too long or contain characters other than
 *   `[A-Za-z0-9_]` (schema names come from configuration; refuse anything surprising).
 */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new TypeError(`invalid SQL identifier "${name}"`);
  return `"${name}"`;
}

/** What migrations need of a connection (a pg client inside a transaction). */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** One versioned migration. Runs inside a transaction holding the schema's advisory lock. */
export interface Migration {
  version: number;
  name: string;
  up(db: Queryable, schema: string, mode: PartitionMode): Promise<void>;
}

/** The migrations, in version order. Never edit an applied one: append a new version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'metrics and trades tables',
    async up(db, schema, mode) {
      const s = ident(schema);
      const part = mode === 'native' ? ' PARTITION BY RANGE (ts)' : '';
      await db.query(`CREATE TABLE IF NOT EXISTS ${s}.metrics (
        instrument TEXT NOT NULL,
        ts TIMESTAMPTZ NOT NULL,
        local_ts DOUBLE PRECISION NOT NULL,
        exchange_ts DOUBLE PRECISION,
        state TEXT NOT NULL,
        sequence DOUBLE PRECISION NOT NULL
      )${part}`);
      await db.query(`CREATE TABLE IF NOT EXISTS ${s}.trades (
        instrument TEXT NOT NULL,
        ts TIMESTAMPTZ NOT NULL,
        local_ts DOUBLE PRECISION NOT NULL,
        exchange_ts DOUBLE PRECISION,
        id TEXT NOT NULL,
        price DOUBLE PRECISION NOT NULL,
        size DOUBLE PRECISION NOT NULL,
        side TEXT NOT NULL
      )${part}`);
      if (mode === 'timescale') {
        for (const t of ['metrics', 'trades']) {
          await db.query(
            `SELECT create_hypertable('"${schema}".${t}', 'ts', chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE)`,
          );
        }
      }
      await db.query(
        `CREATE UNIQUE INDEX IF NOT EXISTS metrics_key ON ${s}.metrics (instrument, ts, sequence)`,
      );
      await db.query(`CREATE UNIQUE INDEX IF NOT EXISTS trades_key ON ${s}.trades (instrument, ts, id)`);
    },
  },
  {
    version: 2,
    name: 'compression (timescale only)',
    async up(db, schema, mode) {
      if (mode !== 'timescale') return;
      for (const t of ['metrics', 'trades']) {
        await db.query(
          `ALTER TABLE ${ident(schema)}.${t} SET (timescaledb.compress, timescaledb.compress_segmentby = 'instrument', timescaledb.compress_orderby = 'ts')`,
        );
        await db.query(
          `SELECT add_compression_policy('"${schema}".${t}', INTERVAL '2 days', if_not_exists => TRUE)`,
        );
      }
    },
  },
  {
    version: 3,
    name: 'alerts table',
    async up(db, schema) {
      const s = ident(schema);
      await db.query(`CREATE TABLE IF NOT EXISTS ${s}.alerts (
        id TEXT PRIMARY KEY,
        ts DOUBLE PRECISION NOT NULL,
        instrument TEXT NOT NULL,
        severity TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        body JSONB NOT NULL
      )`);
      await db.query(`CREATE INDEX IF NOT EXISTS alerts_ts ON ${s}.alerts (ts DESC, id DESC)`);
    },
  },
  {
    version: 4,
    name: 'book_snapshots and heatmap_runs tables',
    async up(db, schema, mode) {
      const s = ident(schema);
      const part = mode === 'native' ? ' PARTITION BY RANGE (ts)' : '';
      await db.query(`CREATE TABLE IF NOT EXISTS ${s}.book_snapshots (
        instrument TEXT NOT NULL,
        ts TIMESTAMPTZ NOT NULL,
        local_ts DOUBLE PRECISION NOT NULL,
        exchange_ts DOUBLE PRECISION,
        sequence DOUBLE PRECISION,
        state TEXT NOT NULL,
        bids JSONB NOT NULL,
        asks JSONB NOT NULL
      )${part}`);
      await db.query(`CREATE TABLE IF NOT EXISTS ${s}.heatmap_runs (
        instrument TEXT NOT NULL,
        ts TIMESTAMPTZ NOT NULL,
        side TEXT NOT NULL,
        price DOUBLE PRECISION NOT NULL,
        bucket_size DOUBLE PRECISION NOT NULL,
        bin_ms DOUBLE PRECISION NOT NULL,
        from_ts DOUBLE PRECISION NOT NULL,
        to_ts DOUBLE PRECISION NOT NULL,
        size DOUBLE PRECISION NOT NULL
      )${part}`);
      if (mode === 'timescale') {
        for (const t of ['book_snapshots', 'heatmap_runs']) {
          await db.query(
            `SELECT create_hypertable('"${schema}".${t}', 'ts', chunk_time_interval => INTERVAL '1 day', if_not_exists => TRUE)`,
          );
          await db.query(
            `ALTER TABLE ${s}.${t} SET (timescaledb.compress, timescaledb.compress_segmentby = 'instrument', timescaledb.compress_orderby = 'ts')`,
          );
          await db.query(
            `SELECT add_compression_policy('"${schema}".${t}', INTERVAL '2 days', if_not_exists => TRUE)`,
          );
        }
      }
      await db.query(
        `CREATE UNIQUE INDEX IF NOT EXISTS book_snapshots_key ON ${s}.book_snapshots (instrument, ts)`,
      );
      await db.query(
        `CREATE UNIQUE INDEX IF NOT EXISTS heatmap_runs_key ON ${s}.heatmap_runs (instrument, ts, side, price, bucket_size, from_ts)`,
      );
    },
  },
  {
    version: 5,
    name: 'news table',
    async up(db, schema) {
      // Not partitioned: news is a few thousand rows a day at most.
      const s = ident(schema);
      await db.query(`CREATE TABLE IF NOT EXISTS ${s}.news (
        id TEXT PRIMARY KEY,
        published_ts DOUBLE PRECISION NOT NULL,
        received_ts DOUBLE PRECISION NOT NULL,
        source TEXT NOT NULL,
        assets TEXT[] NOT NULL,
        body JSONB NOT NULL
      )`);
      await db.query(`CREATE INDEX IF NOT EXISTS news_published ON ${s}.news (published_ts DESC, id DESC)`);
      await db.query(`CREATE INDEX IF NOT EXISTS news_assets ON ${s}.news USING GIN (assets)`);
      await db.query(`CREATE INDEX IF NOT EXISTS news_received ON ${s}.news (received_ts)`);
    },
  },
  {
    version: 6,
    name: 'analytics_events table',
    async up(db, schema) {
      // Not partitioned: a row per crossing event and per derivative member-second of basis.
      const s = ident(schema);
      await db.query(`CREATE TABLE IF NOT EXISTS ${s}.analytics_events (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        group_name TEXT NOT NULL,
        instrument TEXT NOT NULL,
        counterparty TEXT,
        ts DOUBLE PRECISION NOT NULL,
        status TEXT NOT NULL,
        value_bps DOUBLE PRECISION,
        body JSONB NOT NULL
      )`);
      await db.query(
        `CREATE INDEX IF NOT EXISTS analytics_events_ts ON ${s}.analytics_events (ts DESC, id DESC)`,
      );
      await db.query(
        `CREATE INDEX IF NOT EXISTS analytics_events_group ON ${s}.analytics_events (group_name, ts DESC)`,
      );
    },
  },
];

/** UTC day number (days since epoch) of a time in ms. */
export function dayOf(ms: number): number {
  return Math.floor(ms / 86_400_000);
}

/** `YYYYMMDD` of a UTC day number. */
export function dayLabel(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
}

/** ISO date (`YYYY-MM-DD`) of a UTC day number. */
export function dayIso(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
