/**
 * `depthwatch export`: a real Binance USD-M recording exported as Tardis incremental_book_L2 CSV
 * re-imports through the Tardis reader (`replay FILE.csv`) to the same final book, level for level; its
 * Parquet export reads back in DuckDB with the same rows and typed columns; the LOBSTER pair exports
 * book_snapshot_10 rows ending on the last orderbook row, trades that re-import (gzipped), metrics on a
 * 1 s grid; bad arguments are usage errors.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { openRecording } from '../src/recording/open.ts';
import { Replay } from '../src/replay/replay.ts';
import { exportColumns, exportRecording, type ExportKind } from '../src/replay/export.ts';
import { csvToParquet, csvWriter } from '../src/replay/export-writer.ts';
import { parseKind } from '../src/cli/export.ts';

const run = promisify(execFile);
const USDM = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';
const LOBSTER = '../shared/data/lobster';
const cli = (...args: string[]) =>
  run(process.execPath, ['bin/depthwatch.mjs', 'export', ...args], { maxBuffer: 64 << 20 });

const dir = mkdtempSync(join(tmpdir(), 'dw-export-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Replay files and return every level of each book (wire strings) and its state. */
async function books(paths: string[]) {
  const r = new Replay(await openRecording(paths), { engine: { computeMetrics: false } });
  await r.run();
  return new Map(
    [...r.engine.books].map(([id, b]) => [id, { state: b.state, levels: b.book.topStrings(1e6) }]),
  );
}

async function query(sql: string): Promise<unknown[][]> {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  try {
    return (await con.runAndReadAll(sql)).getRows();
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

describe('depthwatch export, Binance USD-M recording', () => {
  const csv = join(dir, 'usdm.csv');

  it('deltas → Tardis CSV re-imports to the same final book, level for level', async () => {
    const { stderr } = await cli(USDM, '--kind', 'deltas', '--out', csv);
    expect(stderr).toMatch(/^export: done 93954 frames/m);
    const m = /^export: deltas (\d+) rows → /m.exec(stderr);
    expect(m).not.toBeNull();
    const lines = readFileSync(csv, 'utf8').split('\n');
    expect(lines[0]).toBe('exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount');
    expect(lines.length - 2).toBe(Number(m![1])); // header and final newline
    expect(stderr).toContain('binance-usdm:BTCUSDT live (diffs 6547, gaps 0, resyncs 0, oracle 573/573');

    const [original, reimported] = await Promise.all([books([USDM]), books([csv])]);
    const a = original.get('binance-usdm:BTCUSDT')!;
    const b = reimported.get('tardis-binance-futures:BTCUSDT')!;
    expect(a.state).toBe('live');
    expect(b.state).toBe('live');
    expect(b.levels.bids.length).toBeGreaterThan(1000);
    expect(b.levels).toEqual(a.levels);
  }, 120_000);

  it('the same CSV converts to Parquet (DuckDB) with every row', async () => {
    const pq = join(dir, 'usdm.parquet');
    await csvToParquet(csv, pq, exportColumns({ kind: 'deltas' }));
    const [[count]] = (await query(`SELECT count(*) FROM '${pq}'`)) as [[bigint]];
    expect(Number(count)).toBe(readFileSync(csv, 'utf8').split('\n').length - 2);
  }, 60_000);
});

describe('depthwatch export --format parquet', () => {
  it('writes a typed Parquet file DuckDB reads back with the rows of the CSV export', async () => {
    const pq = join(dir, 'lob.parquet');
    const { stderr } = await cli(LOBSTER, '--kind', 'deltas', '--format', 'parquet', '--out', pq, '--quiet');
    const rows = Number(/^export: deltas (\d+) rows → .*parquet/m.exec(stderr)![1]);
    const csvPath = join(dir, 'lob-deltas.csv');
    const w = csvWriter(csvPath, exportColumns({ kind: 'deltas' }));
    await exportRecording(await openRecording([LOBSTER]), { kind: { kind: 'deltas' }, writer: w });
    const csvRows = (await w.close()).rows;
    expect(rows).toBe(csvRows);
    const [[count, snapshots, first]] = (await query(
      `SELECT count(*), sum(is_snapshot::INTEGER), min(local_timestamp) FROM '${pq}'`,
    )) as [[bigint, bigint, bigint]];
    expect(Number(count)).toBe(csvRows);
    expect(Number(snapshots)).toBe(
      readFileSync(csvPath, 'utf8')
        .split('\n')
        .filter((l) => l.includes(',true,')).length,
    );
    expect(first).toBe(1340285400004241n); // 09:30:00.004241 New York time, in µs since epoch UTC
    const types = await query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${pq}')`);
    expect(types).toEqual([
      ['exchange', 'VARCHAR'],
      ['symbol', 'VARCHAR'],
      ['timestamp', 'BIGINT'],
      ['local_timestamp', 'BIGINT'],
      ['is_snapshot', 'BOOLEAN'],
      ['side', 'VARCHAR'],
      ['price', 'DOUBLE'],
      ['amount', 'DOUBLE'],
    ]);
  });
});

describe('export of the LOBSTER pair (in process: exportRecording + the CSV writer)', () => {
  /** Export a kind of the LOBSTER pair to a CSV file; returns its lines. */
  async function exportLobster(kind: ExportKind, file: string): Promise<string[]> {
    const path = join(dir, file);
    const w = csvWriter(path, exportColumns(kind));
    const r = await exportRecording(await openRecording([LOBSTER]), { kind, writer: w });
    const { rows } = await w.close();
    expect(rows).toBe(r.rows);
    expect(r.summary.instruments['lobster:AAPL']!.oracle).toMatchObject({ checked: 499, matched: 499 });
    return path.endsWith('.gz') ? [] : readFileSync(path, 'utf8').trim().split('\n');
  }

  it('book_snapshot_10 rows end on the last orderbook row', async () => {
    const rows = await exportLobster({ kind: 'book_snapshot', depth: 10, intervalMs: 0 }, 'lob-snap.csv');
    expect(rows[0]!.split(',')).toHaveLength(4 + 40);
    const last = rows[rows.length - 1]!.split(',');
    const book = readFileSync(`${LOBSTER}/AAPL_2012-06-21_34200000_57600000_orderbook_10.csv`, 'utf8')
      .trim()
      .split('\n')[499]!
      .split(',');
    expect(last.slice(0, 2)).toEqual(['lobster', 'AAPL']);
    expect(last.slice(4).map(Number)).toEqual(
      book.map((v, i) => (i % 2 === 0 ? Number(v) / 1e4 : Number(v))),
    );
  });

  it('trades re-import through the Tardis reader with their ids and aggressor sides', async () => {
    await exportLobster({ kind: 'trades' }, 'lob-trades.csv.gz');
    const trades = [];
    for await (const f of await openRecording([join(dir, 'lob-trades.csv.gz')])) trades.push(f.event!);
    expect(trades).toHaveLength(88);
    expect(trades[0]).toMatchObject({
      type: 'trade',
      instrument: 'tardis-lobster:AAPL',
      id: '36',
      side: 'buy',
      price: '585.74',
      size: '40',
      localTs: 1340285400275.016,
    });
  });

  it('metrics every 1 s of recorded time', async () => {
    const rows = await exportLobster({ kind: 'metrics', intervalMs: 1000 }, 'lob-metrics.csv');
    expect(rows[0]).toMatch(/^exchange,symbol,timestamp,local_timestamp,state,sequence,best_bid,/);
    // 09:30:00.004 to 09:30:15.2: one sample per second that saw an update.
    expect(rows.length - 1).toBe(16);
    expect(rows.slice(1).every((r) => r.startsWith('lobster,AAPL,') && r.includes(',live,'))).toBe(true);
  });
});

describe('export arguments', () => {
  it('parses kinds, depths and intervals', () => {
    expect(parseKind({ kind: 'book_snapshot_25' })).toEqual({
      kind: 'book_snapshot',
      depth: 25,
      intervalMs: 0,
    });
    expect(parseKind({ kind: 'book_snapshot', depth: '5', interval: '100' })).toEqual({
      kind: 'book_snapshot',
      depth: 5,
      intervalMs: 100,
    });
    expect(parseKind({ kind: 'incremental_book_L2' })).toEqual({ kind: 'deltas' });
    expect(parseKind({ kind: 'metrics' })).toEqual({ kind: 'metrics', intervalMs: 1000 });
    for (const bad of [
      { kind: 'quotes' },
      { kind: 'book_snapshot' },
      { kind: 'book_snapshot_5', depth: '10' },
      { kind: 'trades', interval: '100' },
      { kind: 'deltas', depth: '5' },
      { kind: 'metrics', interval: '0' },
    ])
      expect(typeof parseKind(bad)).toBe('string');
  });

  it('a usage error exits with code 2 and names the problem', async () => {
    await expect(cli(LOBSTER, '--kind', 'deltas', '--format', 'parquet')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--format parquet needs --out FILE'),
    });
  });
});
