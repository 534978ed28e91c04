import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from './duckdb.ts';
import { heatmapRunAt, snapshotAt } from './postgres/testing.ts';

const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
const INST = 'okx:BTC-USDT';

describe('DuckDbStore book snapshots and heatmap runs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dw-duck-bh-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores snapshots with the exact wire strings and answers range, depth and at queries after a reopen', async () => {
    const path = join(dir, 'a.duckdb');
    const store = new DuckDbStore({ path, flushIntervalMs: 60_000, retentionDays: {} });
    await store.init();
    expect(await store.schemaVersion()).toBe(5);
    const rows = Array.from({ length: 20 }, (_, i) => snapshotAt(INST, T0, i, 10_000));
    store.appendBookSnapshots(rows);
    store.appendBookSnapshots([snapshotAt('okx:ETH-USDT', T0, 3, 10_000)]);
    await store.close();

    const again = new DuckDbStore({ path, retentionDays: {} });
    await again.init();
    expect((await again.counts()).book_snapshots).toBe(21);
    const range = await again.queryBookSnapshots({ instrument: INST, from: T0 + 10_000, to: T0 + 60_000 });
    expect(range.map((r) => r.sequence)).toEqual([10_001, 10_002, 10_003, 10_004, 10_005]);
    expect(range[0]).toEqual(rows[1]);
    expect(range[4]).toEqual(rows[5]); // exchangeTs NaN (unknown) round-trips
    expect(range[0]!.bids[0]).toEqual(['100.01', '1.500']);
    const trimmed = await again.queryBookSnapshots({
      instrument: INST,
      from: T0,
      to: T0 + 1e6,
      depth: 2,
      limit: 3,
    });
    expect(trimmed).toHaveLength(3);
    for (const r of trimmed) {
      expect(r.bids).toHaveLength(2);
      expect(r.asks).toHaveLength(2);
    }
    // at: the latest snapshot at or before the time (never after), whatever from/to say.
    const at = await again.queryBookSnapshots({ instrument: INST, from: 0, to: 1, at: T0 + 55_000 });
    expect(at.map((r) => r.sequence)).toEqual([10_005]);
    const exact = await again.queryBookSnapshots({ instrument: INST, from: 0, to: 1, at: T0 + 50_000 });
    expect(exact.map((r) => r.sequence)).toEqual([10_005]);
    expect(await again.queryBookSnapshots({ instrument: INST, from: 0, to: 1, at: T0 - 1 })).toEqual([]);
    await expect(again.queryBookSnapshots({ instrument: INST, from: 0, to: 1, depth: 0 })).rejects.toThrow(
      RangeError,
    );
    await again.close();
  });

  it('refuses snapshots with float or malformed levels and counts them', async () => {
    const store = new DuckDbStore({ path: ':memory:', flushIntervalMs: 60_000 });
    await store.init();
    const good = snapshotAt(INST, Date.now(), 0);
    store.appendBookSnapshots([
      good,
      { ...good, bids: [[100 as unknown as string, '1']] },
      { ...good, asks: [['1e', '2']] },
      { ...good, localTs: NaN },
    ]);
    await store.flush();
    expect(store.stats.rejectedRows).toBe(3);
    expect((await store.counts()).book_snapshots).toBe(1);
    await store.close();
  });

  it('stores heatmap runs and returns those overlapping a range, inclusive of the last bin', async () => {
    const store = new DuckDbStore({ path: ':memory:', flushIntervalMs: 60_000, retentionDays: {} });
    await store.init();
    const runs = Array.from({ length: 10 }, (_, i) => heatmapRunAt(INST, T0, i));
    store.appendHeatmapRuns(runs);
    store.appendHeatmapRuns([
      { ...runs[0]!, to: runs[0]!.from - 1 },
      { ...runs[0]!, side: 'up' as never },
    ]);
    await store.flush();
    expect(store.stats.rejectedRows).toBe(2);
    expect((await store.counts()).heatmap_runs).toBe(10);
    // Run i covers bins [T0 + i s, T0 + (i + 2) s]: [T0 + 5 s, T0 + 7 s) overlaps runs 3..6.
    const got = await store.queryHeatmapRuns({ instrument: INST, from: T0 + 5000, to: T0 + 7000 });
    expect(got).toEqual(runs.slice(3, 7));
    expect(await store.queryHeatmapRuns({ instrument: 'okx:ETH-USDT', from: T0, to: T0 + 1e6 })).toEqual([]);
    await store.close();
  });

  it('applies each table its own retention (snapshots by local time, runs by their last bin)', async () => {
    const now = T0 + 10 * 86_400_000;
    const store = new DuckDbStore({
      path: ':memory:',
      flushIntervalMs: 60_000,
      retentionDays: { bookSnapshots: 2, heatmapRuns: 5 },
    });
    await store.init();
    const day = 86_400_000;
    store.appendBookSnapshots([snapshotAt(INST, now - 3 * day, 0), snapshotAt(INST, now - day, 0)]);
    store.appendHeatmapRuns([heatmapRunAt(INST, now - 6 * day, 0), heatmapRunAt(INST, now - 4 * day, 0)]);
    await store.flush();
    expect(await store.applyRetention(now)).toEqual({
      metrics: 0,
      trades: 0,
      bookSnapshots: 1,
      heatmapRuns: 1,
    });
    expect(await store.counts()).toEqual({ metrics: 0, trades: 0, book_snapshots: 1, heatmap_runs: 1 });
    await store.close();
  });
});
