/**
 * History store benchmark (`npm run bench -- store`, also run after the book benchmark by a plain
 * `npm run bench`): the sustained insert rate of metric samples and the latency of 24 h history queries,
 * for the embedded DuckDB store and for PostgreSQL, on the same generated workload in the same run.
 *
 * Workload: 24 h of 1 s metric samples (every BOOK_METRIC_FIELDS column, values from replaying real
 * recordings of `--data`, default ../shared/data or $BENCH_DATA_DIR; see `workload`) for `--duckdb-instruments` (default 12 → 1,036,800 rows) and
 * `--pg-instruments` (default 2 → 172,800 rows) instruments, appended through the store's public
 * `appendMetrics` in slices of 2,048 rows, with `flush()` awaited after every batch (DuckDB: `--duckdb-batch`,
 * default its own write size DEFAULT_BATCH_ROWS, one row group; PostgreSQL: `--pg-batch`, default 10,000). The rate
 * counts rows from the first append to the last commit; for DuckDB also until the final checkpoint
 * (`close()`), since deferring that work would flatter the figure. The event-loop delay while inserting
 * shows how long the writes block the process (p50/p99/max).
 * Queries (on one instrument's 24 h, 7 runs each, median and max): raw rows (86,400, limit 100,000),
 * 1-minute buckets (1,440) and 1-hour buckets (24). DuckDB is reopened from its file first (cold process
 * cache, data checkpointed); PostgreSQL uses its own schema, dropped at the end.
 *
 * Flags: `--data DIR`, `--duckdb-instruments N`, `--pg-instruments N` (0 skips that store),
 * `--duckdb-batch N`, `--pg-batch N`,
 * `--pg-url URL` (default $DEPTHWATCH_TEST_PG or postgres://postgres@127.0.0.1:5432/test).
 * PostgreSQL unreachable → its part is skipped with a note (exit 0). Not a test: figures depend on the
 * machine; print them on a quiet machine.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BOOK_METRIC_FIELDS, type BookMetrics, type MetricsSample } from '../src/analytics/types.ts';
import { DEFAULT_BATCH_ROWS, DuckDbStore } from '../src/store/duckdb.ts';
import type { HistoryStore } from '../src/store/types.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { openRecording } from '../src/recording/open.ts';
import { Replay } from '../src/replay/index.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}

const DAY_MS = 86_400_000;
const SAMPLES_PER_DAY = 86_400;
const T0 = Date.UTC(2026, 0, 5);
const duckBatch = Math.max(1, Number(flag('duckdb-batch', String(DEFAULT_BATCH_ROWS))));
const pgBatch = Math.max(1, Number(flag('pg-batch', '10000')));
const duckInstruments = Number(flag('duckdb-instruments', '12'));
const pgInstruments = Number(flag('pg-instruments', '2'));
const dataDir = resolve(flag('data', process.env.BENCH_DATA_DIR ?? '../shared/data'));
const pgUrl = flag('pg-url', process.env.DEPTHWATCH_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test');

/** The recordings whose metric samples make the workload's values (paths under the data folder). */
const RECORDINGS = [
  'binance-hftbacktest/usdm/btcusdt_20240808.gz',
  'binance-hftbacktest/cm/btcusd_perp_20240808.gz',
  'binance-hftbacktest/spot/btcusdt_20240808.gz',
];

/**
 * Real metric values: each recording replayed through the engine (1 s samples of recorded time, every
 * metric the product computes), one series per recording (~345 samples each).
 */
async function realSeries(): Promise<BookMetrics[][]> {
  const out: BookMetrics[][] = [];
  for (const rel of RECORDINGS) {
    const bus = new InProcessBus<OutputTopics>();
    const series: BookMetrics[] = [];
    bus.subscribe('metrics.sample', (s) => void series.push(s.metrics));
    await new Replay(await openRecording([join(dataDir, rel)]), { bus }).run();
    if (series.length === 0) throw new Error(`no metric samples from ${rel}`);
    out.push(series);
  }
  return out;
}

/** Rows per `appendMetrics` call: the producer hands rows over in slices, as a live process does. */
const SLICE_ROWS = 2048;

/**
 * Yields the workload as `{rows, endOfBatch}` slices of up to SLICE_ROWS rows, `batch` rows per batch:
 * 1 s samples, instruments interleaved (as a live process writes them), `instruments × 86,400` rows in
 * all. Instrument k takes the values of recording k mod 3's real series, cycled from phase 37·k (the
 * recordings are ~6 minutes long; their values are real, their times are the workload's). One pool of
 * `batch` sample objects is re-filled for every batch (the caller flushes at each batch end, and a store
 * lets go of rows once flushed), so the figure is the store's cost, not the generator's garbage.
 */
function* workload(
  instruments: number,
  series: readonly BookMetrics[][],
  batch: number,
): Generator<{ rows: MetricsSample[]; endOfBatch: boolean }> {
  const ids = Array.from({ length: instruments }, (_, k) => `bench:SYM${k}`);
  const pool: MetricsSample[] = Array.from({ length: batch }, () => ({
    instrument: '',
    exchangeTs: 0,
    localTs: 0,
    state: 'live',
    sequence: 0,
    metrics: series[0]![0]!,
  }));
  const total = instruments * SAMPLES_PER_DAY;
  for (let start = 0; start < total; start += batch) {
    const n = Math.min(batch, total - start);
    for (let a = 0; a < n; a += SLICE_ROWS) {
      const b = Math.min(n, a + SLICE_ROWS);
      for (let j = a; j < b; j++) {
        const row = start + j;
        const k = row % instruments;
        const sec = Math.floor(row / instruments);
        const values = series[k % series.length]!;
        const s = pool[j]!;
        s.instrument = ids[k]!;
        s.localTs = T0 + sec * 1000 + (row % 5);
        s.exchangeTs = s.localTs - 2;
        s.sequence = 1e9 + row;
        s.metrics = values[(sec + 37 * k) % values.length]!;
      }
      yield { rows: pool.slice(a, b), endOfBatch: b === n };
    }
  }
}

/** Median and max of 7 timed runs of `q` (ms), and the rows it returned. */
async function timeQuery(q: () => Promise<unknown[]>): Promise<{ rows: number; p50: number; max: number }> {
  const t: number[] = [];
  let rows = 0;
  for (let r = 0; r < 7; r++) {
    const s = performance.now();
    rows = (await q()).length;
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { rows, p50: t[3]!, max: t[6]! };
}

/** Append the workload through `store` and time it; `finish` runs inside the timed span (e.g. close). */
async function insert(
  store: HistoryStore,
  instruments: number,
  series: readonly BookMetrics[][],
  batch: number,
  finish: () => Promise<void>,
): Promise<{
  rows: number;
  commitSec: number;
  totalSec: number;
  loopP50: number;
  loopP99: number;
  loopMax: number;
}> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const start = performance.now();
  let rows = 0;
  let lap = start;
  for (const slice of workload(instruments, series, batch)) {
    store.appendMetrics(slice.rows);
    rows += slice.rows.length;
    if (slice.endOfBatch) await store.flush();
    else await new Promise<void>((resolve) => setImmediate(resolve));
    if (performance.now() - lap > 5000) {
      lap = performance.now();
      process.stderr.write(`  ${rows.toLocaleString('en-US')} rows, ${rate(rows, (lap - start) / 1000)}\n`);
    }
  }
  const commitSec = (performance.now() - start) / 1000;
  await finish();
  const totalSec = (performance.now() - start) / 1000;
  loop.disable();
  return {
    rows,
    commitSec,
    totalSec,
    loopP50: loop.percentile(50) / 1e6,
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
  };
}

function rate(rows: number, sec: number): string {
  return `${Math.round(rows / sec).toLocaleString('en-US')} rows/s`;
}

async function queries(store: HistoryStore, label: string): Promise<void> {
  const instrument = 'bench:SYM0';
  const range = { instrument, from: T0, to: T0 + DAY_MS };
  for (const [name, interval] of [
    ['raw 1 s rows', 0],
    ['1-minute buckets', 60_000],
    ['1-hour buckets', 3_600_000],
  ] as const) {
    const r = await timeQuery(() =>
      store.queryMetrics({ ...range, limit: 100_000, ...(interval ? { interval } : {}) }),
    );
    console.log(
      `  ${label} query 24 h, ${name}: ${r.rows.toLocaleString('en-US')} rows, p50 ${r.p50.toFixed(0)} ms, max ${r.max.toFixed(0)} ms`,
    );
  }
}

async function benchDuckDb(series: readonly BookMetrics[][]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dw-bench-store-'));
  const path = join(dir, 'bench.duckdb');
  try {
    const opts = { path, flushIntervalMs: 3_600_000, retentionDays: {} };
    const store = new DuckDbStore(opts);
    await store.init();
    const r = await insert(store, duckInstruments, series, duckBatch, () => store.close());
    console.log(
      `DuckDB (file, ${BOOK_METRIC_FIELDS.length} metric columns, batches of ${duckBatch}): ` +
        `${r.rows.toLocaleString('en-US')} rows: ${rate(r.rows, r.commitSec)} committed, ` +
        `${rate(r.rows, r.totalSec)} including the final checkpoint; file ${(statSync(path).size / 1e6).toFixed(1)} MB; ` +
        `event-loop delay p50 ${r.loopP50.toFixed(0)} ms, p99 ${r.loopP99.toFixed(0)} ms, max ${r.loopMax.toFixed(0)} ms`,
    );
    const reopened = new DuckDbStore(opts);
    await reopened.init();
    try {
      await queries(reopened, 'DuckDB');
    } finally {
      await reopened.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(series: readonly BookMetrics[][]): Promise<void> {
  const { PostgresStore } = await import('../src/store/postgres/postgres-store.ts');
  const schema = `dw_bench_${process.pid}_${Date.now().toString(36)}`;
  const store = new PostgresStore({ url: pgUrl, schema, flushIntervalMs: 0, batchSize: 5000 });
  try {
    await store.init();
  } catch (e) {
    console.log(`PostgreSQL: skipped, ${pgUrl} unreachable (${(e as Error).message})`);
    return;
  }
  try {
    const r = await insert(store, pgInstruments, series, pgBatch, async () => {});
    console.log(
      `PostgreSQL (${store.mode}, batches of ${pgBatch} as multi-row inserts of 5,000): ` +
        `${r.rows.toLocaleString('en-US')} rows: ${rate(r.rows, r.commitSec)} committed; ` +
        `event-loop delay p50 ${r.loopP50.toFixed(0)} ms, p99 ${r.loopP99.toFixed(0)} ms, max ${r.loopMax.toFixed(0)} ms`,
    );
    await queries(store, 'PostgreSQL');
  } finally {
    await store.dropSchema();
    await store.close();
  }
}

console.log(
  `store bench: 24 h of 1 s metric samples per instrument (${SAMPLES_PER_DAY.toLocaleString('en-US')} rows each)`,
);
const series = await realSeries();
console.log(
  `  values: metric samples of ${RECORDINGS.length} real recordings (${series.map((x) => x.length).join(', ')} samples), replayed here`,
);
if (duckInstruments > 0) await benchDuckDb(series);
if (pgInstruments > 0) await benchPostgres(series);
