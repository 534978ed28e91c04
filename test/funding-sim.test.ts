/**
 * Funding end to end: the simulator serves each venue's funding channel (no recording holds one), the
 * live connector subscribes it for perpetuals, the venue parser turns it into `funding` events and the
 * Engine's FundingBoard holds the latest per instrument.
 *
 * Values: Gate.io futures serves the real funding rates, indicative rates, mark and index prices of the
 * recorded reference body (`GATEIO_FUTURES.0`, `GET /api/v4/futures/usdt/contracts` of 2023-05-24);
 * Binance serves the documentation example's values (Derivatives "Mark Price Stream"), not market data.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRecording } from './sim-fixtures.ts';
import { runLive } from './venue-sim.ts';
import { createApiServer } from '../src/api/server.ts';
import { engineView } from '../src/api/types.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';
import { DuckDbStore } from '../src/store/duckdb.ts';
import { FundingResponse } from '../src/contract/funding.ts';

const FUT = '../shared/data/cryptofeed/gateio-futures';
const BIN = '../shared/data/cryptofeed/binance-futures';

/** The contracts reference body of the Gate.io capture, by contract name (plain JSON.parse). */
function gateContracts(): Map<string, Record<string, unknown>> {
  const line = readFileSync(`${FUT}/GATEIO_FUTURES.0`, 'utf8').split('\n')[0]!;
  const body = line.slice(line.indexOf(': ') + 2);
  const list = JSON.parse(body) as Record<string, unknown>[];
  return new Map(list.map((c) => [c.name as string, c]));
}

describe('funding through the simulator and the live connector', () => {
  it('Binance USD-M: @markPrice@1s subscribed, markPriceUpdate served, latest on the FundingBoard', async () => {
    const frames = await loadRecording(
      [`${BIN}/BINANCE_FUTURES.ws.1.0`, `${BIN}/BINANCE_FUTURES.http.0.0`],
      3000,
    );
    const symbols = ['SUSHIUSDT', 'AKROUSDT'];
    const run = await runLive({ venue: 'binance-usdm', frames, symbols });
    try {
      const board = run.engine.funding;
      expect(board.all().map((f) => f.instrument)).toEqual(symbols.map((s) => `binance-usdm:${s}`).sort());
      const f = board.latest('binance-usdm:SUSHIUSDT')!;
      // Documentation example values (Mark Price Stream response example).
      expect(f).toMatchObject({
        venue: 'binance-usdm',
        fundingRate: '0.00038167',
        markPrice: '11794.15000000',
        indexPrice: '11784.62659091',
        intervalHours: 8,
      });
      // Event time = the simulator's recorded clock when subscribed; next funding = the next 8 h mark.
      expect(f.exchangeTs).toBeLessThanOrEqual(frames[frames.length - 1]!.localTs);
      expect(f.nextFundingTime % (8 * 3_600_000)).toBe(0);
      expect(f.nextFundingTime).toBeGreaterThan(f.exchangeTs);
      expect(f.nextFundingTime - f.exchangeTs).toBeLessThanOrEqual(8 * 3_600_000);
      // Funding never creates a book of its own; no frame was dropped.
      expect([...run.engine.books.keys()].sort()).toEqual(symbols.map((s) => `binance-usdm:${s}`).sort());
      expect(run.engine.dropped['binance-usdm'] ?? {}).toEqual({});
    } finally {
      await run.stop();
    }
  }, 120_000);

  it('Gate.io futures: futures.tickers served with the recorded contracts body values, read back through GET /api/v1/funding', async () => {
    const frames = await loadRecording(
      [`${FUT}/GATEIO_FUTURES.0`, `${FUT}/GATEIO_FUTURES.ws.1.0`, `${FUT}/GATEIO_FUTURES.http.0.0`],
      3000,
    );
    const symbols = ['DIA_USDT', 'OMG_USDT', 'WOO_USDT'];
    const run = await runLive({ venue: 'gateio-futures', frames, symbols });
    try {
      const contracts = gateContracts();
      for (const s of symbols) {
        const c = contracts.get(s)!;
        const f = run.engine.funding.latest(`gateio-futures:${s}`);
        expect(f, s).toBeDefined();
        expect(f).toMatchObject({
          venue: 'gateio-futures',
          fundingRate: c.funding_rate,
          predictedRate: c.funding_rate_indicative,
          markPrice: c.mark_price,
          indexPrice: c.index_price,
          intervalHours: (c.funding_interval as number) / 3600,
        });
      }
      expect(run.engine.dropped['gateio-futures'] ?? {}).toEqual({});

      // The same state through the API: GET /api/v1/funding (contract schema), filtered.
      const store = new DuckDbStore({ path: ':memory:', flushIntervalMs: 60_000, retentionDays: {} });
      await store.init();
      const app = createApiServer({
        engine: engineView(run.engine, null),
        bus: new InProcessBus<OutputTopics>(),
        store,
      });
      try {
        const r = await app.inject({ method: 'GET', url: '/api/v1/funding' });
        expect(r.statusCode).toBe(200);
        const body = FundingResponse.parse(r.json());
        expect(body.items.map((i) => i.instrument)).toEqual(symbols.map((s) => `gateio-futures:${s}`));
        const dia = body.items[0]!;
        const c = contracts.get('DIA_USDT')!;
        expect(dia).toMatchObject({
          venue: 'gateio-futures',
          symbol: 'DIA_USDT',
          fundingRate: c.funding_rate,
          intervalHours: 8,
          annualizedRate: (Number(c.funding_rate) * 8760) / 8,
          nextFundingTime: null,
          markPrice: c.mark_price,
          indexPrice: c.index_price,
        });
        const one = await app.inject({
          method: 'GET',
          url: '/api/v1/funding?instrument=gateio-futures:WOO_USDT',
        });
        expect(FundingResponse.parse(one.json()).items.map((i) => i.symbol)).toEqual(['WOO_USDT']);
        const none = await app.inject({ method: 'GET', url: '/api/v1/funding?venue=okx' });
        expect(FundingResponse.parse(none.json()).items).toEqual([]);
        expect((await app.inject({ method: 'GET', url: '/api/v1/funding?limit=0' })).statusCode).toBe(400);
      } finally {
        await app.close();
        await store.close();
      }
    } finally {
      await run.stop();
    }
  }, 120_000);

  // Documentation example values (funding-frames.ts DOC_EXAMPLES), served by each venue's simulator
  // on subscribe; the recordings only carry the books the connector syncs alongside.
  it.each([
    {
      venue: 'okx',
      files: ['../shared/data/cryptofeed/okx-2022-05/OKX.ws.1.0'],
      symbols: ['BTC-USDT', 'UNI-USD-SWAP'],
      perp: 'okx:UNI-USD-SWAP',
      want: { fundingRate: '0.0001875391284828', intervalHours: 8 },
    },
    {
      venue: 'bybit-linear',
      files: ['../shared/data/cryptofeed/bybit-2021-04/BYBIT.ws.25.0'],
      symbols: ['ADAUSDT'],
      perp: 'bybit-linear:ADAUSDT',
      want: { fundingRate: '-0.000212', markPrice: '17217.33', indexPrice: '17227.36', intervalHours: 8 },
    },
    {
      venue: 'kraken-futures',
      files: ['../shared/data/cryptofeed/kraken-futures/KRAKEN_FUTURES.ws.1.0'],
      symbols: ['PI_XRPUSD', 'FI_XBTUSD_210924'],
      perp: 'kraken-futures:PI_XRPUSD',
      want: { fundingRate: '0.000004234411', markPrice: '34843.5', indexPrice: '34803.45', intervalHours: 1 },
    },
    {
      venue: 'hyperliquid',
      files: ['../shared/data/hyperliquid-hftbacktest/btcusd_20250126.gz'],
      symbols: ['BTC'],
      perp: 'hyperliquid:BTC',
      want: { fundingRate: '0.0000125', markPrice: '14.3161', indexPrice: '14.32', intervalHours: 1 },
    },
  ])(
    '$venue: the funding channel subscribed for perpetuals only and served',
    async (c) => {
      const frames = await loadRecording(c.files, 3000);
      const run = await runLive({ venue: c.venue, frames, symbols: c.symbols });
      try {
        expect(run.engine.funding.all().map((f) => f.instrument)).toEqual([c.perp]);
        expect(run.engine.funding.latest(c.perp)).toMatchObject({ venue: c.venue, ...c.want });
        expect(run.engine.dropped[c.venue] ?? {}).toEqual({});
      } finally {
        await run.stop();
      }
    },
    120_000,
  );
});
