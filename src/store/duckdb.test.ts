import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { BOOK_METRIC_FIELDS, type BookMetrics, type MetricsSample } from '../analytics/types.ts';
import type { Trade } from '../core/model.ts';
import { DuckDbStore } from './duckdb.ts';
import { metricColumn } from './query.ts';

const T0 = Date.UTC(2024, 7, 8, 0, 0, 0);
/** counts() of an empty store. */
const EMPTY = { metrics: 0, trades: 0, book_snapshots: 0, heatmap_runs: 0 };
const INST = 'binance:BTCUSDT';

function metrics(i: number): BookMetrics {
  const m = {} as Record<string, number | null>;
  for (const f of BOOK_METRIC_FIELDS) m[f] = null;
  m.bestBid = 60000 + i;
  m.bestAsk = 60001 + i;
  m.mid = 60000.5 + i;
  m.imbalanceL1 = i % 2 === 0 ? 1 : 0;
  m.spreadBps = i % 3 === 0 ? null : 0.2;
  return m as unknown as BookMetrics;
}

function sample(i: number, instrument = INST): MetricsSample {
  return {
    instrument,
    exchangeTs: i % 7 === 0 ? NaN : T0 + i * 100 - 3,
    localTs: T0 + i * 100,
    state: i < 10 ? 'syncing' : 'live',
    sequence: 1000 + i,
    metrics: metrics(i),
  };
}

function trade(i: number): Trade {
  return {
    type: 'trade',
    instrument: INST,
    exchangeTs: T0 + i * 250 - 1,
    localTs: T0 + i * 250,
    id: String(5_000_000 + i),
    price: (60000 + (i % 10)).toFixed(2),
    size: '0.5',
    side: i % 2 === 0 ? 'buy' : 'sell',
  };
}

describe('DuckDbStore', () => {
  let dir: string;
  let path: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dw-duck-'));
    path = join(dir, 'nested', 'dir', 'h.duckdb');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes 10k metric rows and trades, queries raw and downsampled ranges, and survives a reopen', async () => {
    const store = new DuckDbStore({
      path,
      flushIntervalMs: 60_000,
      retentionDays: { metrics: 0, trades: 0 },
    });
    await store.init();
    expect(store.isReady).toBe(true);
    expect(await store.schemaVersion()).toBe(5);
    const rows = Array.from({ length: 10_000 }, (_, i) => sample(i));
    store.appendMetrics(rows);
    store.appendMetrics([sample(5, 'binance:ETHUSDT')]);
    store.appendTrades(Array.from({ length: 400 }, (_, i) => trade(i)));
    await store.flush();
    expect(store.stats.queuedRows).toBe(0);
    expect(await store.counts()).toEqual({ ...EMPTY, metrics: 10_001, trades: 400 });

    // Raw range: [from, to) on local_ts, oldest first, values and NaN/null round-trip.
    const raw = await store.queryMetrics({ instrument: INST, from: T0 + 100, to: T0 + 1_500 });
    expect(raw.map((r) => r.sequence)).toEqual(Array.from({ length: 14 }, (_, i) => 1001 + i));
    expect(raw[0]!.metrics.bestBid).toBe(60001);
    expect(raw[0]!.state).toBe('syncing');
    expect(raw[13]!.state).toBe('live');
    expect(raw[2]!.metrics.spreadBps).toBeNull(); // i = 3
    expect(raw[1]!.metrics.spreadBps).toBe(0.2);
    expect(Number.isNaN(raw[6]!.exchangeTs)).toBe(true); // i = 7
    expect(raw[0]!.exchangeTs).toBe(T0 + 97);
    expect(raw[0]!.metrics.bidNotional100bps).toBeNull();
    expect(Object.keys(raw[0]!.metrics).sort()).toEqual([...BOOK_METRIC_FIELDS].sort());

    // NULLs land on the right rows across the 2048-row chunk boundaries too (columns are written per
    // chunk, straight into the vectors' arrays and validity masks).
    for (const edge of [2048, 4096, 8192]) {
      const near = await store.queryMetrics({
        instrument: INST,
        from: T0 + (edge - 3) * 100,
        to: T0 + (edge + 4) * 100,
      });
      expect(near.map((r) => r.sequence)).toEqual(Array.from({ length: 7 }, (_, k) => 1000 + edge - 3 + k));
      for (const r of near) {
        const i = r.sequence - 1000;
        expect(r.metrics.spreadBps).toBe(i % 3 === 0 ? null : 0.2);
        expect(Number.isNaN(r.exchangeTs)).toBe(i % 7 === 0);
        expect(r.metrics.bestBid).toBe(60000 + i);
      }
    }

    // limit keeps the oldest rows.
    const limited = await store.queryMetrics({ instrument: INST, from: T0, to: T0 + 1e9, limit: 5 });
    expect(limited.map((r) => r.sequence)).toEqual([1000, 1001, 1002, 1003, 1004]);

    // Downsampled: 1 s buckets of 10 rows; prices = last, imbalances = average.
    const ds = await store.queryMetrics({ instrument: INST, from: T0, to: T0 + 10_000, interval: 1000 });
    expect(ds).toHaveLength(10);
    expect(ds[0]!.localTs).toBe(T0);
    expect(ds[1]!.localTs).toBe(T0 + 1000);
    expect(ds[1]!.metrics.bestBid).toBe(60019);
    expect(ds[1]!.sequence).toBe(1019);
    expect(ds[1]!.metrics.imbalanceL1).toBe(0.5);
    expect(ds[0]!.state).toBe('syncing');
    expect(ds[1]!.state).toBe('live');

    // Other instruments are not mixed in.
    const eth = await store.queryMetrics({ instrument: 'binance:ETHUSDT', from: T0, to: T0 + 1e9 });
    expect(eth).toHaveLength(1);

    const trades = await store.queryTrades({ instrument: INST, from: T0, to: T0 + 1000 });
    expect(trades.map((t) => t.id)).toEqual(['5000000', '5000001', '5000002', '5000003']);
    expect(trades[1]).toEqual({
      instrument: INST,
      exchangeTs: T0 + 249,
      localTs: T0 + 250,
      id: '5000001',
      price: 60001,
      size: 0.5,
      side: 'sell',
    });

    const candles = await store.queryCandles({ instrument: INST, from: T0, to: T0 + 5_000, interval: '1s' });
    expect(candles).toHaveLength(5);
    expect(candles[0]).toEqual({
      ts: T0,
      open: 60000,
      high: 60003,
      low: 60000,
      close: 60003,
      volume: 2,
      buyVolume: 1,
      sellVolume: 1,
      trades: 4,
    });
    const minute = await store.queryCandles({
      instrument: INST,
      from: T0,
      to: T0 + 3_600_000,
      interval: '1m',
    });
    expect(minute).toHaveLength(2); // 400 trades × 250 ms = 100 s
    expect(minute[0]!.trades + minute[1]!.trades).toBe(400);
    await store.close();

    const again = new DuckDbStore({ path, retentionDays: { metrics: 0, trades: 0 } });
    await again.init();
    expect(await again.counts()).toEqual({ ...EMPTY, metrics: 10_001, trades: 400 });
    const after = await again.queryMetrics({ instrument: INST, from: T0 + 100, to: T0 + 1_500 });
    expect(after).toEqual(raw);
    await again.close();
  });

  it('flushes on its own when batchRows is reached and on close', async () => {
    const p = join(dir, 'batch.duckdb');
    const keep = { metrics: 0, trades: 0 };
    const store = new DuckDbStore({ path: p, flushIntervalMs: 60_000, batchRows: 100, retentionDays: keep });
    await store.init();
    store.appendMetrics(Array.from({ length: 50 }, (_, i) => sample(i)));
    store.appendTrades([trade(0)]);
    await new Promise((r) => setTimeout(r, 20));
    expect(store.stats.queuedRows).toBe(51); // below batchRows, interval far away: still queued
    store.appendMetrics(Array.from({ length: 100 }, (_, i) => sample(50 + i)));
    // No flush() call: reaching batchRows writes by itself.
    await vi.waitFor(
      async () => expect(await store.counts()).toEqual({ ...EMPTY, metrics: 150, trades: 1 }),
      {
        timeout: 5000,
      },
    );
    expect(store.stats.queuedRows).toBe(0);
    store.appendTrades([trade(1)]);
    await store.close();
    const again = new DuckDbStore({ path: p, retentionDays: keep });
    await again.init();
    expect(await again.counts()).toEqual({ ...EMPTY, metrics: 150, trades: 2 });
    await again.close();
  });

  it('adds missing metric columns on init to a file created by an older build', async () => {
    const p = join(dir, 'old.duckdb');
    // An "older build": the v1 tables with only the first two metric columns.
    const inst = await DuckDBInstance.create(p);
    const c = await inst.connect();
    await c.run(
      'CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR, applied_at BIGINT)',
    );
    await c.run("INSERT INTO schema_version VALUES (1, 'metrics and trades tables', 0)");
    await c.run(`CREATE TABLE metrics (instrument VARCHAR NOT NULL, exchange_ts BIGINT, local_ts BIGINT NOT NULL,
      state VARCHAR NOT NULL, sequence DOUBLE, best_bid DOUBLE, legacy_metric DOUBLE)`);
    await c.run(`CREATE TABLE trades (instrument VARCHAR NOT NULL, exchange_ts BIGINT, local_ts BIGINT NOT NULL,
      id VARCHAR NOT NULL, price DOUBLE NOT NULL, size DOUBLE NOT NULL, side VARCHAR NOT NULL)`);
    await c.run(`INSERT INTO metrics (instrument, exchange_ts, local_ts, state, sequence, best_bid, legacy_metric)
      VALUES ('${INST}', ${T0}, ${T0}, 'live', 1, 59999, 7)`);
    c.closeSync();
    inst.closeSync();

    const store = new DuckDbStore({ path: p, retentionDays: { metrics: 0, trades: 0 } });
    await store.init();
    expect([...store.metricFields].sort()).toEqual([...BOOK_METRIC_FIELDS].sort());
    store.appendMetrics([sample(20)]);
    await store.flush();
    const rows = await store.queryMetrics({ instrument: INST, from: T0, to: T0 + 1e6 });
    expect(rows).toHaveLength(2);
    expect(rows[0]!.metrics.bestBid).toBe(59999);
    expect(rows[0]!.metrics.mid).toBeNull();
    expect(rows[1]!.metrics.mid).toBe(60020.5);
    expect(rows[1]!.metrics.bestBid).toBe(60020);
    const cols = await (async () => {
      await store.close();
      const i2 = await DuckDBInstance.create(p);
      const c2 = await i2.connect();
      const r = await c2.runAndReadAll("SELECT name FROM pragma_table_info('metrics')");
      const names = r.getRows().map((x) => String(x[0]));
      c2.closeSync();
      i2.closeSync();
      return names;
    })();
    for (const f of BOOK_METRIC_FIELDS) expect(cols).toContain(metricColumn(f));
    expect(cols).toContain('legacy_metric');
  });

  it('deletes rows older than the retention and rejects unstorable rows with a counter', async () => {
    const store = new DuckDbStore({ path: ':memory:', retentionDays: { metrics: 1, trades: 2 } });
    await store.init();
    const now = T0 + 10 * 86_400_000;
    const at = (days: number, i: number): MetricsSample => ({
      ...sample(i),
      localTs: now - days * 86_400_000,
    });
    store.appendMetrics([at(0.5, 1), at(1.5, 2), at(3, 3)]);
    store.appendTrades([
      { ...trade(1), localTs: now - 1.5 * 86_400_000 },
      { ...trade(2), localTs: now - 3 * 86_400_000 },
      { ...trade(3), price: 'abc' },
      { ...trade(4), localTs: NaN },
    ]);
    store.appendMetrics([{ ...sample(4), localTs: NaN }]);
    await store.flush();
    expect(store.stats.rejectedRows).toBe(3);
    expect(await store.counts()).toEqual({ ...EMPTY, metrics: 3, trades: 2 });
    expect(await store.applyRetention(now)).toEqual({
      metrics: 2,
      trades: 1,
      bookSnapshots: 0,
      heatmapRuns: 0,
      analyticsEvents: 0,
    });
    expect(await store.counts()).toEqual({ ...EMPTY, metrics: 1, trades: 1 });
    await store.close();
  });

  it('applies the default 30-day retention at init, and keeps everything with retentionDays {}', async () => {
    const p = join(dir, 'retention.duckdb');
    const a = new DuckDbStore({ path: p, retentionDays: {} });
    await a.init();
    a.appendMetrics([sample(1), { ...sample(2), localTs: Date.now() - 86_400_000 }]);
    await a.close();
    const b = new DuckDbStore({ path: p, retentionDays: {} });
    await b.init();
    expect((await b.counts()).metrics).toBe(2);
    await b.close();
    const c = new DuckDbStore({ path: p });
    await c.init();
    expect((await c.counts()).metrics).toBe(1);
    expect(c.stats.retentionDeleted.metrics).toBe(1);
    await c.close();
  });

  it('keeps the rows of a failed write queued and writes them on the next flush, nothing twice', async () => {
    const store = new DuckDbStore({ path: ':memory:', flushIntervalMs: 60_000 });
    await store.init();
    const errors: unknown[] = [];
    store.appendMetrics([sample(1), sample(2)]);
    store.appendTrades([trade(1)]);
    // The trades append fails after the metrics went into the transaction: the whole write rolls back.
    const original = (store as unknown as { appendChunks: (...a: unknown[]) => Promise<void> }).appendChunks;
    let calls = 0;
    (store as unknown as { appendChunks: (...a: unknown[]) => Promise<void> }).appendChunks = async function (
      this: DuckDbStore,
      ...a: unknown[]
    ) {
      if (++calls === 2) throw new Error('disk full');
      return original.apply(this, a);
    };
    await store.flush().catch((e) => errors.push(e));
    expect(String(errors[0])).toContain('disk full');
    expect(store.stats.flushErrors).toBe(1);
    expect(store.stats.queuedRows).toBe(3);
    expect(await store.counts()).toEqual({ ...EMPTY, metrics: 0, trades: 0 });
    store.appendMetrics([sample(3)]);
    await store.flush();
    expect(await store.counts()).toEqual({ ...EMPTY, metrics: 3, trades: 1 });
    const rows = await store.queryMetrics({ instrument: INST, from: T0, to: T0 + 1e6 });
    expect(rows.map((r) => r.sequence)).toEqual([1001, 1002, 1003]);
    await store.close();
  });

  it('rejects bad query ranges with a RangeError', async () => {
    const store = new DuckDbStore({ path: ':memory:' });
    await store.init();
    await expect(store.queryMetrics({ instrument: INST, from: NaN, to: 1 })).rejects.toThrow(RangeError);
    await expect(store.queryTrades({ instrument: '', from: 0, to: 1 })).rejects.toThrow(RangeError);
    await expect(
      store.queryCandles({ instrument: INST, from: 0, to: 1, interval: '7m' as never }),
    ).rejects.toThrow(RangeError);
    await store.close();
  });
});
