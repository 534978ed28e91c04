import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DurableStore } from './durable.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import {
  TEST_PG_URL,
  TcpProxy,
  alertAt,
  heatmapRunAt,
  sampleAt,
  snapshotAt,
  tradeAt,
  uniqueName,
  waitFor,
  testSql,
} from './postgres/testing.ts';
import { encodeJson } from '../bus/codec.ts';

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const INST = 'binance:ETHUSDT';
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('DurableStore over PostgreSQL through a loopback proxy that is cut mid-write', () => {
  const schema = uniqueName('dw_durable');
  const sql = testSql();
  const proxy = new TcpProxy('127.0.0.1', 5432);
  let dir: string;
  let direct: PostgresStore;

  const viaProxy = (): PostgresStore =>
    new PostgresStore({
      url: `postgres://postgres@127.0.0.1:${proxy.port}/test`,
      schema,
      flushIntervalMs: 0,
      maxConnections: 2,
    });

  beforeAll(async () => {
    await proxy.start();
    dir = await mkdtemp(path.join(os.tmpdir(), 'dw-spool-'));
    direct = new PostgresStore({ url: TEST_PG_URL, schema, flushIntervalMs: 0 });
    await direct.init();
  });

  afterAll(async () => {
    await proxy.stop();
    await direct.close().catch(() => {});
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
    await rm(dir, { recursive: true, force: true });
  });

  it('loses no row across an outage: rows spill to the spool and drain when the store returns', async () => {
    const store = new DurableStore(viaProxy(), {
      spoolDir: path.join(dir, 'a'),
      flushIntervalMs: 20,
      batchSize: 300,
      retryMinMs: 20,
      retryMaxMs: 200,
      writeTimeoutMs: 3000,
    });
    await store.init();
    const chunks = 30;
    const perChunk = 200;
    let n = 0;
    for (let c = 0; c < chunks; c++) {
      if (c === 8) proxy.cut();
      if (c === 20) {
        // The outage lasted long enough for rows to reach the disk spool.
        await waitFor(() => store.stats.spooled > 0, 'rows spooled during the outage');
        proxy.restore();
      }
      store.appendMetrics(Array.from({ length: perChunk }, (_, i) => sampleAt(INST, T0, n + i)));
      store.appendTrades(Array.from({ length: perChunk / 10 }, (_, i) => tradeAt(INST, T0, n + i * 10)));
      store.appendAlerts([alertAt(INST, T0, c)]);
      store.appendBookSnapshots([snapshotAt(INST, T0, c, 10_000, 50)]);
      store.appendHeatmapRuns([heatmapRunAt(INST, T0, c), heatmapRunAt(INST, T0 + 3_600_000, c)]);
      n += perChunk;
      await tick();
      await tick();
    }
    await waitFor(async () => {
      try {
        await store.flush();
        return true;
      } catch {
        return false;
      }
    }, 'store flush after the outage');
    expect(store.stats.outages).toBeGreaterThanOrEqual(1);
    expect(store.stats.spooled).toBeGreaterThan(0);
    expect(await direct.counts()).toEqual({
      metrics: chunks * perChunk,
      trades: (chunks * perChunk) / 10,
      book_snapshots: chunks,
      heatmap_runs: 2 * chunks,
    });
    const alerts = await direct.queryAlerts({ instrument: INST, limit: 1000 });
    expect(alerts.alerts.map((a) => a.id).sort()).toEqual(
      Array.from({ length: chunks }, (_, c) => alertAt(INST, T0, c).id).sort(),
    );
    // Rows that went through the spool come back exactly (wire strings of the snapshot levels included).
    const snaps = await direct.queryBookSnapshots({ instrument: INST, from: T0, to: T0 + 1e9 });
    expect(snaps).toEqual(Array.from({ length: chunks }, (_, c) => snapshotAt(INST, T0, c, 10_000, 50)));
    expect(await readdir(path.join(dir, 'a'))).toEqual([]);
    expect(store.stats.dropped).toBe(0);
    await store.close();
    await sql.unsafe(
      `TRUNCATE "${schema}".metrics, "${schema}".trades, "${schema}".alerts, "${schema}".book_snapshots, "${schema}".heatmap_runs`,
    );
  });

  it('starts with the store down, keeps rows on the spool at shutdown, and drains them on the next start', async () => {
    const spoolDir = path.join(dir, 'b');
    proxy.cut();
    const first = new DurableStore(viaProxy(), {
      spoolDir,
      flushIntervalMs: 20,
      retryMinMs: 20,
      retryMaxMs: 100,
      closeTimeoutMs: 100,
    });
    await first.init();
    expect(first.state).toBe('down');
    first.appendMetrics(Array.from({ length: 500 }, (_, i) => sampleAt(INST, T0, i)));
    first.appendTrades([tradeAt(INST, T0, 1), tradeAt(INST, T0, 2)]);
    first.appendAlerts([alertAt(INST, T0, 1)]);
    first.appendBookSnapshots([snapshotAt(INST, T0, 1), snapshotAt(INST, T0, 2)]);
    first.appendHeatmapRuns([heatmapRunAt(INST, T0, 4)]);
    await first.close();
    expect((await readdir(spoolDir)).length).toBeGreaterThan(0);
    expect(first.stats.dropped).toBe(0);

    proxy.restore();
    const second = new DurableStore(viaProxy(), { spoolDir, flushIntervalMs: 20 });
    await second.init();
    await waitFor(async () => (await readdir(spoolDir)).length === 0, 'spool drained at start');
    expect(await direct.counts()).toEqual({ metrics: 500, trades: 2, book_snapshots: 2, heatmap_runs: 1 });
    expect((await direct.queryAlerts({ limit: 10 })).alerts).toEqual([alertAt(INST, T0, 1)]);
    await second.close();
  });

  it('drains a spool file written by the previous build (metric and trade lines only)', async () => {
    const spoolDir = path.join(dir, 'old');
    await mkdir(spoolDir, { recursive: true });
    // The previous build's exact line format: {"k":"m"|"t","r":<row>} per line, codec-encoded.
    const lines = [
      ...[20_000, 20_001, 20_002].map((i) => encodeJson({ k: 'm', r: sampleAt(INST, T0, i) })),
      encodeJson({ k: 't', r: tradeAt(INST, T0, 20_000) }),
      // A line as the previous build wrote it, spelled out (not produced by today's encoder).
      `{"k":"t","r":{"type":"trade","instrument":"${INST}","exchangeTs":${T0 + 20_001_000 - 2},` +
        `"localTs":${T0 + 20_001_000},"id":"old-1","price":"300.01","size":"0.125","side":"buy"}}`,
    ];
    await writeFile(path.join(spoolDir, 'spool-001763000000000-000000.jsonl'), lines.join('\n') + '\n');
    const before = await direct.counts();
    const store = new DurableStore(viaProxy(), { spoolDir, flushIntervalMs: 20 });
    await store.init();
    await store.flush();
    const after = await direct.counts();
    expect(after.metrics! - before.metrics!).toBe(3);
    expect(after.trades! - before.trades!).toBe(2);
    expect(store.stats.corruptLines).toBe(0);
    expect(await readdir(spoolDir)).toEqual([]);
    const back = await direct.queryTrades({ instrument: INST, from: T0 + 20_000_000, to: T0 + 20_001_001 });
    expect(back.map((t) => [t.id, t.price])).toEqual([
      ['t20000', 300],
      ['old-1', 300.01],
    ]);
    await store.close();
  });

  it('skips and counts a spool line cut short by a crash, writing the rest', async () => {
    const spoolDir = path.join(dir, 'c');
    await rm(spoolDir, { recursive: true, force: true });
    await mkdir(spoolDir, { recursive: true });
    const lines = [
      encodeJson({ k: 'm', r: sampleAt(INST, T0, 10_000) }),
      encodeJson({ k: 'm', r: sampleAt(INST, T0, 10_001) }),
      '{"k":"m","r":{"instrument":"binance:ETH', // cut mid-line by a crash
    ];
    await writeFile(path.join(spoolDir, 'spool-000001700000000-000000.jsonl'), lines.join('\n'));
    const before = (await direct.counts()).metrics!;
    const store = new DurableStore(viaProxy(), { spoolDir, flushIntervalMs: 20 });
    await store.init();
    await store.flush();
    expect((await direct.counts()).metrics! - before).toBe(2);
    expect(store.stats.corruptLines).toBe(1);
    const back = await direct.queryMetrics({ instrument: INST, from: T0 + 10_000_000, to: T0 + 10_002_000 });
    expect(back).toEqual([sampleAt(INST, T0, 10_000), sampleAt(INST, T0, 10_001)]);
    await store.close();
  });

  it('refuses invalid rows and counts them without touching the store', async () => {
    const store = new DurableStore(viaProxy(), { spoolDir: path.join(dir, 'd'), flushIntervalMs: 1000 });
    await store.init();
    store.appendMetrics([{ ...sampleAt(INST, T0, 1), localTs: NaN }]);
    store.appendTrades([{ ...tradeAt('', T0, 1) }]);
    store.appendAlerts([{ ...alertAt(INST, T0, 1), ts: NaN }]);
    store.appendBookSnapshots([{ ...snapshotAt(INST, T0, 1), asks: [['1', 1 as unknown as string]] }]);
    store.appendHeatmapRuns([{ ...heatmapRunAt(INST, T0, 1), to: T0 - 1 }]);
    expect(store.stats.rejected).toBe(5);
    expect(store.stats.accepted).toBe(0);
    await store.close();
  });
});
