/**
 * The whole offline path, as `depthwatch demo` runs it: simulator (real USD-M recording) → WebSocket
 * connector → book → metrics → DuckDB store → REST API. Paced at 1× so the 1 s samples are real.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startApp, type App } from '../src/app/app.ts';
import { startSimulator, type RunningSimulator } from '../src/app/simulator.ts';
import { loadConfig } from '../src/config/load.ts';
import { DuckDbStore } from '../src/store/duckdb.ts';

const REC = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';
const ID = 'binance-usdm:BTCUSDT';

describe('offline run: simulator → connector → book → store → API', () => {
  let sim: RunningSimulator;
  let app: App;
  let dbPath: string;
  const startedAt = Date.now();

  beforeAll(async () => {
    sim = await startSimulator({ venue: 'binance-usdm', files: [REC], speed: 1, loop: false });
    dbPath = join(mkdtempSync(join(tmpdir(), 'dw-app-')), 'history.duckdb');
    const config = loadConfig(
      undefined,
      {
        instruments: sim.instruments,
        venues: { 'binance-usdm': { ws: sim.wsUrl, rest: sim.restUrl } },
        api: { host: '127.0.0.1', port: 0, dashboard: false },
        store: { url: `duckdb:${dbPath}`, flushIntervalMs: 200 },
        // Offline: no polling of the default (internet) news feeds.
        news: { enabled: false },
      },
      {},
    );
    app = await startApp(config, pino({ level: 'silent' }));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('finds the recorded instrument and brings its book live over loopback', async () => {
    expect(sim.instruments).toEqual([ID]);
    const deadline = Date.now() + 20_000;
    let state = '';
    while (Date.now() < deadline) {
      const r = await fetch(`${app.url}/api/v1/instruments`);
      const body = (await r.json()) as { items: { instrument: string; state: string }[] };
      state = body.items.find((i) => i.instrument === ID)?.state ?? '';
      if (state === 'live') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('live');
    // The recording carries no exchangeInfo: the instrument shows the documented fallback spec.
    const body = (await (await fetch(`${app.url}/api/v1/instruments`)).json()) as {
      items: { instrument: string; spec: Record<string, unknown> | null }[];
    };
    expect(body.items.find((i) => i.instrument === ID)?.spec).toMatchObject({
      source: 'fallback',
      kind: 'perpetual',
      margin: 'linear',
      sizeUnit: 'base',
      base: 'BTC',
      quote: 'USDT',
    });
  });

  it('serves the book, the latest metrics, and about one stored sample per second', async () => {
    await new Promise((r) => setTimeout(r, 5_000));
    const book = (await (await fetch(`${app.url}/api/v1/books/${ID}?depth=5`)).json()) as {
      bids: [number, number][];
      asks: [number, number][];
    };
    expect(book.bids).toHaveLength(5);
    expect(book.asks[0]![0]).toBeGreaterThan(book.bids[0]![0]);

    const m = (await (await fetch(`${app.url}/api/v1/metrics/${ID}`)).json()) as {
      state: string;
      metrics: { mid: number; spreadBps: number };
    };
    expect(m.state).toBe('live');
    expect(m.metrics.mid).toBeCloseTo((book.bids[0]![0] + book.asks[0]![0]) / 2, -1);

    await app.store.flush();
    const hist = (
      (await (
        await fetch(
          `${app.url}/api/v1/history/metrics?instrument=${ID}&from=${startedAt}&to=${Date.now() + 1000}`,
        )
      ).json()) as { items: { localTs: number }[] }
    ).items;
    const liveSeconds = (Date.now() - startedAt) / 1000;
    // One sample per elapsed second of live book (the first seconds are spent syncing).
    expect(hist.length).toBeGreaterThanOrEqual(4);
    expect(hist.length).toBeLessThanOrEqual(Math.ceil(liveSeconds) + 1);
    const ts = hist.map((r) => r.localTs);
    for (let i = 1; i < ts.length; i++)
      expect(Math.floor(ts[i]! / 1000)).toBeGreaterThan(Math.floor(ts[i - 1]! / 1000));

    const trades = (
      (await (
        await fetch(`${app.url}/api/v1/history/trades?instrument=${ID}&from=0&to=${Date.now() + 1000}`)
      ).json()) as { items: unknown[] }
    ).items;
    expect(trades.length).toBeGreaterThan(0);
  }, 30_000);

  it('keeps the history in the DuckDB file after shutdown', async () => {
    await app.close();
    const store = new DuckDbStore({ path: dbPath });
    await store.init();
    const counts = await store.counts();
    await store.close();
    expect(counts.metrics).toBeGreaterThanOrEqual(4);
    expect(counts.trades).toBeGreaterThan(0);
  });
});
