import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from './postgres-store.ts';
import { MIGRATIONS, dayLabel, dayOf } from './schema.ts';
import { METRIC_COLUMNS } from '../query.ts';
import { TEST_PG_URL, sampleAt, tradeAt, uniqueName, testSql } from './testing.ts';
import { BOOK_METRIC_FIELDS } from '../../analytics/types.ts';

const T0 = Date.UTC(2026, 10, 20, 23, 59, 0); // crosses a UTC day boundary after 60 samples
const INST = 'binance:BTCUSDT';

describe('PostgresStore against the real PostgreSQL', () => {
  const schema = uniqueName('dw_pg');
  const sql = testSql();
  let store: PostgresStore;

  beforeAll(async () => {
    store = new PostgresStore({ url: TEST_PG_URL, schema, batchSize: 64, flushIntervalMs: 0 });
    await store.init();
  });

  afterAll(async () => {
    await store.close().catch(() => {});
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
  });

  it('migrates once, records versions, and uses native day partitions when TimescaleDB is absent', async () => {
    const versions = await sql.unsafe(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
    expect(versions.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(MIGRATIONS.slice(0, 2).map((m) => m.version)).toEqual([1, 2]);
    expect(store.mode).toBe('native');
    // A second init (another process starting) is a no-op.
    const again = new PostgresStore({ url: TEST_PG_URL, schema, flushIntervalMs: 0 });
    await again.init();
    await again.close();
    const cols = await sql.unsafe(
      `SELECT column_name FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = 'metrics'`,
      [schema],
    );
    const names = cols.map((c) => c.column_name);
    for (const c of METRIC_COLUMNS) expect(names).toContain(c);
    expect(METRIC_COLUMNS).toHaveLength(BOOK_METRIC_FIELDS.length);
  });

  it('adds a column for a metric field missing from an existing table on init', async () => {
    await sql.unsafe(`ALTER TABLE "${schema}".metrics DROP COLUMN bid_notional100bps CASCADE`);
    const again = new PostgresStore({ url: TEST_PG_URL, schema, flushIntervalMs: 0 });
    await again.init();
    await again.close();
    const cols = await sql.unsafe(
      `SELECT 1 FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = 'metrics' AND column_name = 'bid_notional100bps'`,
      [schema],
    );
    expect(cols).toHaveLength(1);
  });

  it('writes batches across a day boundary into day partitions and reads them back exactly', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => sampleAt(INST, T0, i));
    const other = Array.from({ length: 10 }, (_, i) => sampleAt('okx:BTC-USDT', T0, i));
    store.appendMetrics(rows);
    store.appendMetrics(other);
    store.appendTrades(Array.from({ length: 100 }, (_, i) => tradeAt(INST, T0, i)));
    await store.flush();
    expect(await store.counts()).toEqual({ metrics: 310, trades: 100, book_snapshots: 0, heatmap_runs: 0 });

    const parts = await sql.unsafe(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`,
      [schema],
    );
    const names = parts.map((p) => p.relname);
    expect(names).toContain(`metrics_p${dayLabel(dayOf(T0))}`);
    expect(names).toContain(`metrics_p${dayLabel(dayOf(T0) + 1)}`);
    const [inFirst] = await sql.unsafe(
      `SELECT count(*)::int AS n FROM "${schema}".metrics_p${dayLabel(dayOf(T0))}`,
    );
    expect(inFirst!.n).toBe(60 + 10);

    const back = await store.queryMetrics({ instrument: INST, from: T0 + 10_000, to: T0 + 20_000 });
    expect(back).toEqual(rows.slice(10, 20));
    const trades = await store.queryTrades({ instrument: INST, from: T0, to: T0 + 3000 });
    expect(trades).toEqual(
      [0, 1, 2]
        .map((i) => ({ ...tradeAt(INST, T0, i), price: 100 + i / 100, size: 0.125 }))
        .map(({ type: _t, ...r }) => r),
    );
  });

  it('round-trips text with quotes, backslashes, commas and braces, and non-finite numbers', async () => {
    const odd = 'weird:a"b\\c,{d} e';
    const t = { ...tradeAt(odd, T0, 5), id: 'id"\\,{}', exchangeTs: NaN };
    const m = { ...sampleAt(odd, T0, 5), sequence: NaN };
    await store.writeBatch({ metrics: [m], trades: [t] });
    const [back] = await store.queryTrades({ instrument: odd, from: T0, to: T0 + 10_000 });
    expect(back).toEqual({
      instrument: odd,
      localTs: t.localTs,
      exchangeTs: NaN,
      id: t.id,
      price: 100.05,
      size: 0.125,
      side: 'sell',
    });
    expect(await store.queryMetrics({ instrument: odd, from: T0, to: T0 + 10_000 })).toEqual([m]);
    await sql.unsafe(`DELETE FROM "${schema}".trades WHERE instrument = $1`, [odd]);
    await sql.unsafe(`DELETE FROM "${schema}".metrics WHERE instrument = $1`, [odd]);
  });

  it('is idempotent: writing the same rows again adds nothing', async () => {
    const before = await store.counts();
    await store.writeBatch({
      metrics: Array.from({ length: 50 }, (_, i) => sampleAt(INST, T0, i)),
      trades: [tradeAt(INST, T0, 3)],
    });
    // The earlier (metrics, trades) form still works.
    await store.writeBatch({ metrics: [sampleAt(INST, T0, 7)] });
    expect(await store.counts()).toEqual(before);
  });

  it('downsamples into buckets: bucket start, last row for levels, average for imbalances', async () => {
    const back = await store.queryMetrics({ instrument: INST, from: T0, to: T0 + 300_000, interval: 60_000 });
    // T0 is 23:59:00, so buckets are aligned on minutes.
    expect(back.map((s) => s.localTs)).toEqual([0, 1, 2, 3, 4].map((k) => T0 + k * 60_000));
    expect(back.map((s) => s.sequence)).toEqual([59, 119, 179, 239, 299]);
    const lastOfFirst = sampleAt(INST, T0, 59);
    const avg = Array.from({ length: 60 }, (_, i) => sampleAt(INST, T0, i).metrics.imbalanceL1).filter(
      (v): v is number => v !== null,
    );
    expect(back[0]!.metrics.bestBid).toBe(lastOfFirst.metrics.bestBid);
    expect(back[0]!.metrics.imbalanceL1).toBeCloseTo(avg.reduce((a, b) => a + b, 0) / avg.length, 9);
    const capped = await store.queryMetrics({ instrument: INST, from: T0, to: T0 + 300_000, limit: 7 });
    expect(capped.map((s) => s.sequence)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await expect(store.queryMetrics({ instrument: '', from: 0, to: 1 })).rejects.toThrow(RangeError);
  });

  it('builds OHLCV candles from stored trades', async () => {
    const candles = await store.queryCandles({
      instrument: INST,
      from: T0,
      to: T0 + 120_000,
      interval: '1m',
    });
    expect(candles).toHaveLength(2);
    expect(candles[0]).toEqual({
      ts: T0,
      open: 100,
      high: 100.59,
      low: 100,
      close: 100.59,
      volume: 60 * 0.125,
      buyVolume: 30 * 0.125,
      sellVolume: 30 * 0.125,
      trades: 60,
    });
  });

  it('refuses rows without instrument or with a non-finite time, and counts them', () => {
    const before = store.stats.rejected;
    store.appendMetrics([{ ...sampleAt(INST, T0, 1), localTs: NaN }, { ...sampleAt('', T0, 2) }]);
    store.appendTrades([{ ...tradeAt(INST, T0, 1), localTs: Infinity }]);
    store.appendTrades([
      { ...tradeAt(INST, T0, 1), price: 'abc' },
      { ...tradeAt(INST, T0, 1), size: '1e999' },
    ]);
    expect(store.stats.rejected - before).toBe(5);
    expect(store.stats.queued).toBe(0);
  });

  it('keeps rows queued when a flush fails and writes them on the next flush', async () => {
    const bad = new PostgresStore({
      url: 'postgres://postgres@127.0.0.1:1/test',
      schema,
      flushIntervalMs: 0,
    });
    bad.appendMetrics([sampleAt(INST, T0, 1000)]);
    await expect(bad.flush()).rejects.toThrow();
    expect(bad.stats.queued).toBe(1);
    expect(bad.stats.writeErrors).toBe(1);
    await bad.close().catch(() => {});
  });

  it('drops day partitions older than the retention horizon', async () => {
    const dropped = await store.dropPartitionsBefore(dayOf(T0) + 1);
    expect(dropped.sort()).toEqual(
      ['book_snapshots', 'heatmap_runs', 'metrics', 'trades'].map((t) => `${t}_p${dayLabel(dayOf(T0))}`),
    );
    expect((await store.counts()).metrics).toBe(310 - 70);
  });
});
