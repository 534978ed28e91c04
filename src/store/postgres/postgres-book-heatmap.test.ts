import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from './postgres-store.ts';
import { TEST_PG_URL, heatmapRunAt, snapshotAt, uniqueName, testSql } from './testing.ts';
import { dayLabel, dayOf } from './schema.ts';

/** 23:58 UTC three days ago: 20 snapshots 10 s apart cross a UTC day boundary; retention is relative to now. */
const T0 = (Math.floor(Date.now() / 86_400_000) - 3) * 86_400_000 + 23 * 3_600_000 + 58 * 60_000;
const INST = 'kraken:XBT/USD';

describe('PostgresStore book snapshots and heatmap runs against the real PostgreSQL', () => {
  const schema = uniqueName('dw_pg_bh');
  const sql = testSql();
  let store: PostgresStore;

  beforeAll(async () => {
    store = new PostgresStore({ url: TEST_PG_URL, schema, flushIntervalMs: 0, batchSize: 7 });
    await store.init();
  });

  afterAll(async () => {
    await store.close().catch(() => {});
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
  });

  it('writes snapshots into day partitions with exact level strings and answers range, depth and at', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => snapshotAt(INST, T0, i, 10_000));
    store.appendBookSnapshots(rows);
    store.appendBookSnapshots([{ ...rows[0]!, bids: [['1.0', 2 as unknown as string]] }]);
    expect(store.stats.rejected).toBe(1);
    await store.flush();
    expect((await store.counts()).book_snapshots).toBe(20);
    const parts = await sql.unsafe(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace
      WHERE n.nspname = $1 AND p.relname = 'book_snapshots'`,
      [schema],
    );
    const names = parts.map((r) => String(r.relname));
    expect(names).toContain(`book_snapshots_p${dayLabel(dayOf(T0))}`);
    expect(names).toContain(`book_snapshots_p${dayLabel(dayOf(T0) + 1)}`);

    const range = await store.queryBookSnapshots({ instrument: INST, from: T0 + 10_000, to: T0 + 60_000 });
    expect(range).toEqual(rows.slice(1, 6));
    expect(range[0]!.asks[4]).toEqual(['103.01', '7.500']);
    const trimmed = await store.queryBookSnapshots({ instrument: INST, from: T0, to: T0 + 1e6, depth: 1 });
    expect(trimmed).toHaveLength(20);
    expect(trimmed[19]!.bids).toEqual([['100.19', '1.500']]);
    const at = await store.queryBookSnapshots({ instrument: INST, from: 0, to: 1, at: T0 + 125_000 });
    expect(at.map((r) => r.sequence)).toEqual([10_012]);
    expect(await store.queryBookSnapshots({ instrument: INST, from: 0, to: 1, at: T0 - 1 })).toEqual([]);

    // Idempotent: the same snapshots written again add nothing.
    await store.writeBatch({ bookSnapshots: rows.slice(0, 5) });
    expect((await store.counts()).book_snapshots).toBe(20);
  });

  it('writes heatmap runs idempotently and returns those overlapping a range', async () => {
    const runs = Array.from({ length: 10 }, (_, i) => heatmapRunAt(INST, T0, i));
    store.appendHeatmapRuns(runs);
    store.appendHeatmapRuns([{ ...runs[1]!, binMs: 0 }]);
    expect(store.stats.rejected).toBe(2);
    await store.flush();
    await store.writeBatch({ heatmapRuns: runs });
    expect((await store.counts()).heatmap_runs).toBe(10);
    expect(await store.queryHeatmapRuns({ instrument: INST, from: T0 + 5000, to: T0 + 7000 })).toEqual(
      runs.slice(3, 7),
    );
    expect(await store.queryHeatmapRuns({ instrument: INST, from: T0, to: T0 + 1e6, limit: 2 })).toEqual(
      runs.slice(0, 2),
    );
  });

  it('drops old day partitions of each table by its own retention at init', async () => {
    // Snapshots are kept 2 days: the partition of three days ago goes, the one of two days ago stays;
    // heatmap runs (retentionDays 0 = keep) all stay.
    const keep = new PostgresStore({
      url: TEST_PG_URL,
      schema,
      flushIntervalMs: 0,
      retentionDays: 0,
      bookSnapshotRetentionDays: 2,
    });
    await keep.init();
    expect(await keep.dropPartitionsBefore(dayOf(T0) + 1, ['book_snapshots'])).toEqual([]); // already gone
    expect((await keep.counts()).book_snapshots).toBe(8); // the 8 snapshots from 00:00:00 on
    expect((await keep.counts()).heatmap_runs).toBe(10);
    await keep.close();
  });
});
