/**
 * Scale load from real frames (issue 17): the simulator serves each recorded instrument several times
 * under distinct symbols, and the live connector keeps every copy as its own verified book, each equal
 * to the original's (same frames, renamed).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startApp, type App } from '../src/app/app.ts';
import { cloneRenamer, cloneSymbol, startSimulator, type RunningSimulator } from '../src/app/simulator.ts';
import { loadConfig } from '../src/config/load.ts';

const REC = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';

describe('simulator clones', () => {
  let sim: RunningSimulator | undefined;
  let app: App | undefined;

  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('renames symbols as spelled and in lower case, longest first', () => {
    const rename = cloneRenamer(['BTCUSD', 'BTCUSDT']);
    expect(rename('{"stream":"btcusdt@depth","data":{"s":"BTCUSDT"}}', 7)).toBe(
      '{"stream":"btcusdtc007@depth","data":{"s":"BTCUSDTC007"}}',
    );
    expect(rename('/fapi/v1/depth?symbol=BTCUSD&limit=1000', 12)).toBe(
      '/fapi/v1/depth?symbol=BTCUSDC012&limit=1000',
    );
    expect(cloneSymbol('BTCUSDT', 0)).toBe('BTCUSDT');
  });

  it('serves three copies of a real recording that all become live and end equal to the original', async () => {
    sim = await startSimulator({ venue: 'binance-usdm', files: [REC], speed: 'max', loop: false, clones: 3 });
    expect(sim.instruments).toEqual([
      'binance-usdm:BTCUSDT',
      'binance-usdm:BTCUSDTC001',
      'binance-usdm:BTCUSDTC002',
    ]);
    const config = loadConfig(
      undefined,
      {
        instruments: sim.instruments,
        venues: { 'binance-usdm': { ws: sim.wsUrl, rest: sim.restUrl } },
        api: { host: '127.0.0.1', port: 0, dashboard: false },
        store: { url: 'memory' },
        news: { enabled: false },
      },
      {},
    );
    app = await startApp(config, pino({ level: 'silent' }));
    await sim.sim.finished;
    // Let the last frames on the sockets reach the engine.
    let frames = -1;
    while (frames !== app.engine.frames['binance-usdm']) {
      frames = app.engine.frames['binance-usdm'] ?? 0;
      await new Promise((r) => setTimeout(r, 300));
    }
    const books = sim.instruments.map((id) => app!.engine.books.get(id)!);
    for (const b of books) expect(b.state, b.instrument).toBe('live');
    const top = books.map((b) => b.book.top(50));
    expect(top[0]!.bids.length).toBe(50);
    expect(top[1]).toEqual(top[0]);
    expect(top[2]).toEqual(top[0]);
    expect(books[1]!.health.sequence).toBe(books[0]!.health.sequence);
  }, 120_000);
});
