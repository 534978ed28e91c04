/**
 * `depthwatch replay --store`: a backfill from a recording writes the history a live analyzer would, on
 * recorded time (1 s metric samples, every trade, top-50 book snapshots every 10 s, heatmap runs), into
 * the store, and the summary reports what it holds.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../src/store/duckdb.ts';

const run = promisify(execFile);
const REC = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';
const ID = 'binance-usdm:BTCUSDT';

describe('depthwatch replay --store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dw-replay-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('backfills the recorded metrics, trades, book snapshots and heatmap runs into a DuckDB file', async () => {
    const path = join(dir, 'h.duckdb');
    const { stdout } = await run(
      process.execPath,
      ['bin/depthwatch.mjs', 'replay', '--json', '--quiet', '--store', `duckdb:${path}`, REC],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const out = JSON.parse(stdout) as {
      instruments: Record<string, { state: string; gaps: number }>;
      stored: {
        url: string;
        rows: { metrics: number; trades: number; book_snapshots: number; heatmap_runs: number };
      };
    };
    expect(out.instruments[ID]).toMatchObject({ state: 'live', gaps: 0 });
    expect(out.stored.url).toBe(`duckdb:${path}`);
    // ~6 minutes of recorded time at one sample per second; the recording's trades, all of them.
    expect(out.stored.rows.metrics).toBeGreaterThan(300);
    expect(out.stored.rows.trades).toBeGreaterThan(1000);
    // One snapshot per 10 s of recorded time (the book is live throughout), give or take the edges.
    expect(Math.abs(out.stored.rows.book_snapshots - out.stored.rows.metrics / 10)).toBeLessThanOrEqual(2);
    expect(out.stored.rows.heatmap_runs).toBeGreaterThan(100);

    // The rows are the recording's (2024-08-08) and queryable by their recorded time.
    const store = new DuckDbStore({ path, retentionDays: {} });
    await store.init();
    try {
      expect(await store.counts()).toMatchObject(out.stored.rows);
      const day = Date.UTC(2024, 7, 8);
      const samples = await store.queryMetrics({
        instrument: ID,
        from: day,
        to: day + 86_400_000,
        limit: 100_000,
      });
      expect(samples).toHaveLength(out.stored.rows.metrics);
      // One sample per second of recorded time, in order, all from a live book.
      for (let i = 1; i < samples.length; i++)
        expect(samples[i]!.localTs).toBeGreaterThan(samples[i - 1]!.localTs);
      expect(samples.every((s) => s.state === 'live' && s.metrics.mid! > 0)).toBe(true);

      // Snapshots sit on recorded time: the first at the first sample, then one per 10 s grid step
      // (samples come each ~1 s, so a step's snapshot is at most ~1 s late); 50 exact levels a side.
      const snaps = await store.queryBookSnapshots!({ instrument: ID, from: day, to: day + 86_400_000 });
      expect(snaps).toHaveLength(out.stored.rows.book_snapshots);
      for (let i = 1; i < snaps.length; i++) {
        expect(Math.floor(snaps[i]!.localTs / 10_000)).toBe(Math.floor(snaps[i - 1]!.localTs / 10_000) + 1);
        expect(snaps[i]!.localTs % 10_000).toBeLessThan(1_500);
      }
      expect(snaps[0]!.bids).toHaveLength(50);
      expect(snaps[0]!.bids[0]![0]).toMatch(/^\d+\.\d+$/);
      // The last sample and the last snapshot are within seconds of each other on the recorded clock.
      expect(samples.at(-1)!.localTs - snaps.at(-1)!.localTs).toBeLessThan(11_000);
      const runs = await store.queryHeatmapRuns!({
        instrument: ID,
        from: day,
        to: day + 86_400_000,
        limit: 100_000,
      });
      expect(runs).toHaveLength(out.stored.rows.heatmap_runs);
      expect(
        runs.every((r) => r.from >= samples[0]!.localTs - 60_000 && r.to <= samples.at(-1)!.localTs + 1_000),
      ).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('refuses a store URL it cannot write to with a usage error (exit 2)', async () => {
    const err = await run(process.execPath, [
      'bin/depthwatch.mjs',
      'replay',
      '--store',
      'redis://x',
      REC,
    ]).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toMatch(/--store must be duckdb:<path> or postgres:\/\//);
  });
});
