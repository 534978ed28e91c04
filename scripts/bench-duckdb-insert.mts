/**
 * Measures the DuckDB history store's sustained insert rate: appends N metric rows (default 1,000,000,
 * all BOOK_METRIC_FIELDS columns filled) through DuckDbStore in batches of `batchRows`, flushing each,
 * into a fresh temp file; prints rows/s for the whole run, the event-loop delay while inserting (how long
 * each batch blocks the process) and the time of a downsampled query over the result.
 * Not a test. Usage: `npx tsx scripts/bench-duckdb-insert.mts [rows] [batchRows] [file|memory]`
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BOOK_METRIC_FIELDS, type BookMetrics, type MetricsSample } from '../src/analytics/types.ts';
import { DuckDbStore } from '../src/store/duckdb.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const batch = Number(process.argv[3] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'dw-bench-duck-'));
const path = process.argv[4] === 'memory' ? ':memory:' : join(dir, 'bench.duckdb');
const store = new DuckDbStore({ path, flushIntervalMs: 3_600_000, batchRows: Infinity, retentionDays: {} });
await store.init();

const t0 = Date.UTC(2024, 7, 8);
const instruments = [
  'binance:BTCUSDT',
  'binance:ETHUSDT',
  'binance-usdm:BTCUSDT',
  'binance-coinm:BTCUSD_PERP',
];
function sample(i: number): MetricsSample {
  const m = {} as Record<string, number>;
  for (let f = 0; f < BOOK_METRIC_FIELDS.length; f++)
    m[BOOK_METRIC_FIELDS[f]!] = 60000 + (i % 1000) * 0.1 + f;
  return {
    instrument: instruments[i % instruments.length]!,
    exchangeTs: t0 + i * 10 - 2,
    localTs: t0 + i * 10,
    state: 'live',
    sequence: 1e9 + i,
    metrics: m as unknown as BookMetrics,
  };
}

// One batch of sample objects, re-stamped in place for every batch (the store lets go of a batch once
// flushed), so the figure is the store's cost and not the garbage collector's on a million objects.
const pool: MetricsSample[] = Array.from({ length: batch }, (_, i) => sample(i));
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const start = performance.now();
let lap = start;
for (let i = 0; i < rows; i += batch) {
  const n = Math.min(batch, rows - i);
  for (let j = 0; j < n; j++) {
    const s = pool[j]!;
    const k = i + j;
    s.instrument = instruments[k % instruments.length]!;
    s.localTs = t0 + k * 10;
    s.exchangeTs = s.localTs - 2;
    s.sequence = 1e9 + k;
  }
  store.appendMetrics(n === batch ? pool : pool.slice(0, n));
  await store.flush();
  const done = i + batch;
  if (done % 200_000 === 0 && done < rows) {
    const now = performance.now();
    console.log(`  ${done} rows: last 200k at ${Math.round(200_000 / ((now - lap) / 1000))} rows/s`);
    lap = now;
  }
}
const secs = (performance.now() - start) / 1000;
loop.disable();
const q0 = performance.now();
const ds = await store.queryMetrics({
  instrument: instruments[0]!,
  from: t0,
  to: t0 + rows * 10,
  interval: 60_000,
});
const qms = performance.now() - q0;
const counts = await store.counts();
await store.close();
console.log(
  `duckdb insert: ${rows} metric rows (${BOOK_METRIC_FIELDS.length} metric columns) in batches of ${batch}: ` +
    `${secs.toFixed(2)} s = ${Math.round(rows / secs).toLocaleString('en-US')} rows/s; stored ${counts.metrics}; ` +
    `${path === ':memory:' ? 'in memory' : `file ${(statSync(path).size / 1e6).toFixed(1)} MB`}; 1-minute downsample of ${rows / instruments.length} rows ` +
    `(${ds.length} buckets) in ${qms.toFixed(0)} ms; event-loop delay during inserts p50 ` +
    `${(loop.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, ` +
    `max ${(loop.max / 1e6).toFixed(0)} ms`,
);
rmSync(dir, { recursive: true, force: true });
