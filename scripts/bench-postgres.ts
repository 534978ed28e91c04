/**
 * PostgreSQL history store benchmark: sustained insert rate and range-query latency.
 *
 *   npx tsx scripts/bench-postgres.ts [--rows 1000000] [--batch 5000] [--url postgres://...] [--keep]
 *
 * Writes `--rows` metric samples of one instrument at 1 s spacing (1M rows ≈ 11.6 days) through
 * PostgresStore.writeBatch (one transaction per batch, native day partitions or TimescaleDB), then
 * times 24 h range queries over them: raw (86,400 rows) and downsampled to 1 min buckets (1,440 rows),
 * each 5 times (median and best printed). Uses its own schema, dropped at the end unless `--keep`.
 * Prints one JSON line with the figures. Not a test: timings depend on the machine.
 */
import { performance } from 'node:perf_hooks';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { TEST_PG_URL, sampleAt, uniqueName } from '../src/store/postgres/testing.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

const rows = Number(arg('rows', '1000000'));
const batch = Number(arg('batch', '5000'));
const url = arg('url', TEST_PG_URL);
const keep = process.argv.includes('--keep');
const schema = uniqueName('dw_bench');
const INST = 'binance:BTCUSDT';
const T0 = Date.UTC(2026, 0, 1);

const store = new PostgresStore({ url, schema, flushIntervalMs: 0, batchSize: batch });
await store.init();
try {
  const start = performance.now();
  let lastReport = start;
  for (let i = 0; i < rows; i += batch) {
    const n = Math.min(batch, rows - i);
    const b = new Array(n);
    for (let k = 0; k < n; k++) b[k] = sampleAt(INST, T0, i + k);
    await store.writeBatch(b, []);
    const now = performance.now();
    if (now - lastReport > 5000) {
      process.stderr.write(`${i + n} rows, ${Math.round((i + n) / ((now - start) / 1000))} rows/s\n`);
      lastReport = now;
    }
  }
  const insertSec = (performance.now() - start) / 1000;
  const counts = await store.counts();

  const day = 86_400_000;
  const from = T0 + Math.floor(rows / 86_400 / 2) * day; // a whole day in the middle of the data
  const time = async (
    fn: () => Promise<unknown[]>,
  ): Promise<{ rows: number; medianMs: number; bestMs: number }> => {
    const t: number[] = [];
    let n = 0;
    for (let r = 0; r < 5; r++) {
      const s = performance.now();
      n = (await fn()).length;
      t.push(performance.now() - s);
    }
    t.sort((a, b) => a - b);
    return { rows: n, medianMs: Math.round(t[2]! * 10) / 10, bestMs: Math.round(t[0]! * 10) / 10 };
  };
  const raw = await time(() =>
    store.queryMetrics({ instrument: INST, from, to: from + day, limit: 100_000 }),
  );
  const oneMin = await time(() =>
    store.queryMetrics({ instrument: INST, from, to: from + day, interval: 60_000 }),
  );
  console.log(
    JSON.stringify({
      mode: store.mode,
      rows,
      batch,
      stored: counts.metrics,
      insertSeconds: Math.round(insertSec * 10) / 10,
      insertRowsPerSec: Math.round(rows / insertSec),
      query24hRaw: raw,
      query24hDownsampled1m: oneMin,
    }),
  );
} finally {
  if (!keep) await store.dropSchema();
  await store.close();
}
