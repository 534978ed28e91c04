/**
 * `depthwatch import FILE... --store URL`: the Tardis CSV samples go through reader → engine → history
 * store (the `replay --speed max --store` path it is an alias of); the summary names the stored rows per
 * table and the store holds them, queryable by recorded time under `tardis-<exchange>:<symbol>`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../src/store/duckdb.ts';

const run = promisify(execFile);
const DATA = '../shared/data/tardis';

describe('depthwatch import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dw-import-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores the trades and book history of Tardis CSV files in a DuckDB file', async () => {
    const path = join(dir, 'h.duckdb');
    const { stdout, stderr } = await run(process.execPath, [
      'bin/depthwatch.mjs',
      'import',
      '--json',
      '--store',
      `duckdb:${path}`,
      `${DATA}/bitmex_trades_XBTUSD.csv`,
      `${DATA}/binance-futures_book_snapshot_25_BTCUSDT.csv`,
      `${DATA}/deribit_incremental_book_L2_BTC-PERPETUAL.csv`,
    ]);
    expect(stderr).toMatch(/^replay: done 21 frames/m);
    const out = JSON.parse(stdout) as {
      instruments: Record<string, { state: string; frames: number; resyncs: number }>;
      stored: { url: string; rows: Record<string, number> };
      recording: { malformed: number; frames: number };
    };
    expect(out.instruments['tardis-binance-futures:BTCUSDT']).toMatchObject({
      state: 'live',
      frames: 10,
      resyncs: 0,
    });
    expect(out.instruments['tardis-deribit:BTC-PERPETUAL']).toMatchObject({ state: 'live', frames: 1 });
    // Trades alone build no book: the instrument has trades but never a snapshot.
    expect(out.instruments['tardis-bitmex:XBTUSD']).toMatchObject({ state: 'connecting', frames: 10 });
    expect(out.recording).toMatchObject({ malformed: 0, frames: 21 });
    expect(out.stored.url).toBe(`duckdb:${path}`);
    // Every trade; one book snapshot per live book (recorded time spans < 10 s); one metric sample per
    // second of recorded time per book (binance 1598918403.8-404.0 s: 2 samples; deribit: 1).
    expect(out.stored.rows).toMatchObject({ trades: 10, book_snapshots: 2, metrics: 3 });

    const store = new DuckDbStore({ path, retentionDays: {} });
    await store.init();
    try {
      expect(await store.counts()).toMatchObject(out.stored.rows);
      const trades = await store.queryTrades({
        instrument: 'tardis-bitmex:XBTUSD',
        from: 1583020803000,
        to: 1583020804000,
      });
      expect(trades).toHaveLength(10);
      expect(trades[0]).toMatchObject({
        id: 'ccc3c1fa-212c-e8b0-1706-9b9c4f3d5ecf',
        price: 8531.5,
        size: 2152,
        side: 'sell',
        exchangeTs: 1583020803145,
      });
      const samples = await store.queryMetrics({
        instrument: 'tardis-binance-futures:BTCUSDT',
        from: 1598918403000,
        to: 1598918405000,
      });
      expect(samples).toHaveLength(2);
      expect(samples[0]!.state).toBe('live');
      // Best bid 11657.07 / ask 11657.08 throughout the sample.
      expect(samples[0]!.metrics.mid).toBeCloseTo(11657.075, 6);
    } finally {
      await store.close();
    }
  });

  it('refuses to run without --store (usage error, exit code 2)', async () => {
    const err = await run(process.execPath, [
      'bin/depthwatch.mjs',
      'import',
      `${DATA}/bitmex_trades_XBTUSD.csv`,
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(/--store <url> is required/);
  });
});
