/**
 * Reference data over loopback: the simulator serves the instrument lists a recording carries (cryptofeed
 * `X.0`), the live loader fetches them under the REST limiter with back-off, and a venue whose recording
 * has none falls back, each with one log line.
 */
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../src/app/simulator.ts';
import { loadVenueReferences } from '../src/live/reference.ts';
import { venue } from '../src/feeds/registry.ts';
import { notional } from '../src/core/instrument.ts';
import { RestLimiter } from '../src/live/rest-limiter.ts';

const CF = '../shared/data/cryptofeed';

function captureLog(): {
  lines: { level: string; msg: string }[];
  logger: Parameters<typeof loadVenueReferences>[0]['logger'];
} {
  const lines: { level: string; msg: string }[] = [];
  const at =
    (level: string) =>
    (_o: object, msg?: string): void =>
      void lines.push({ level, msg: msg ?? '' });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('reference loading from the simulator', () => {
  it('loads OKX spot, swaps and futures from the recorded OKX.0 bodies, through failures and back-off', async () => {
    const sim = await startSimulator({
      venue: 'okx',
      files: [`${CF}/okx-2022-05/OKX.ws.1.0`],
      speed: 'max',
      loop: false,
      faults: { failFirstSnapshots: 2 },
    });
    try {
      const { lines, logger } = captureLog();
      const limiter = new RestLimiter({ weightPerMinute: 600 });
      const { catalog, results } = await loadVenueReferences({
        adapters: [venue('okx')],
        restUrl: () => sim.restUrl,
        limiter: () => limiter,
        logger,
        random: () => 0, // no back-off wait in the test
      });
      // the first two GETs got 503 and were retried: 3 requests, 5 attempts
      expect(results[0]).toMatchObject({ venue: 'okx', status: 'loaded', specs: 513 + 166 + 104, failed: 0 });
      expect(results[0]!.attempts).toBe(5);
      expect(sim.sim.faults.failSnapshot).toBe(2);
      expect(sim.sim.stats.referenceServed).toBe(3);
      expect(limiter.stats.requests).toBe(5);
      expect(lines).toEqual([{ level: 'info', msg: 'reference okx: loaded 783 instruments (3 requests)' }]);
      const swap = catalog.find('okx:BTC-USD-SWAP')!;
      expect(swap).toMatchObject({
        source: 'reference',
        margin: 'inverse',
        contractSize: 100,
        tickSize: '0.1',
      });
      expect(notional(swap, 29_000, 12)).toBe(1_200);
    } finally {
      await sim.close();
    }
  });

  it('loads Kraken AssetPairs (ADA/XBT tick 1e-8) and falls back for Binance COIN-M, which records none', async () => {
    const kr = await startSimulator({
      venue: 'kraken',
      files: [`${CF}/kraken-2021-04/KRAKEN.ws.50.0`],
      speed: 'max',
      loop: false,
    });
    const cm = await startSimulator({
      venue: 'binance-coinm',
      files: [`${CF}/binance-delivery-2021-04`],
      speed: 'max',
      loop: false,
    });
    try {
      const { lines, logger } = captureLog();
      const urls: Record<string, string> = { kraken: kr.restUrl, 'binance-coinm': cm.restUrl };
      const { catalog, results } = await loadVenueReferences({
        adapters: [venue('kraken'), venue('binance-coinm')],
        restUrl: (v) => urls[v],
        logger,
        random: () => 0,
      });
      expect(results.map((r) => r.status)).toEqual(['loaded', 'fallback']);
      // a 404 is not retried
      expect(results[1]).toMatchObject({ attempts: 1, failed: 1, specs: 0 });
      expect(lines).toHaveLength(2);
      expect(lines[1]!.level).toBe('warn');
      expect(lines[1]!.msg).toMatch(
        /^reference binance-coinm: unavailable \(HTTP 404 .*\); using the documented fallback$/,
      );
      expect(catalog.find('kraken:ADA/XBT')).toMatchObject({ tickSize: '0.00000001', source: 'reference' });
      expect(catalog.find('binance-coinm:BTCUSD_PERP')).toBeUndefined();
      expect(catalog.get('binance-coinm:BTCUSD_PERP')).toMatchObject({
        source: 'fallback',
        margin: 'inverse',
        contractSize: 100,
      });
    } finally {
      await Promise.all([kr.close(), cm.close()]);
    }
  });

  it('gives up a venue that does not answer within its load budget and falls back', async () => {
    const sim = await startSimulator({
      venue: 'kraken',
      files: [`${CF}/kraken-2021-04/KRAKEN.ws.50.0`],
      speed: 'max',
      loop: false,
      faults: { slowSnapshot: { rate: 1, ms: 5_000 } },
    });
    try {
      const { lines, logger } = captureLog();
      const t0 = performance.now();
      const { results } = await loadVenueReferences({
        adapters: [venue('kraken')],
        restUrl: () => sim.restUrl,
        logger,
        budgetMs: 300,
        random: () => 0,
      });
      expect(performance.now() - t0).toBeLessThan(3_000);
      expect(results[0]).toMatchObject({ status: 'fallback', specs: 0, failed: 1 });
      expect(lines).toHaveLength(1);
      expect(lines[0]!.msg).toMatch(/^reference kraken: unavailable \(.*\); using the documented fallback$/);
    } finally {
      await sim.close();
    }
  });
});
