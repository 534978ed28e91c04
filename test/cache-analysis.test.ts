/**
 * `analysis:{instrument}` in the real Redis holds the latest analytics, not only the book metrics: one
 * minute of the recorded Binance spot and USD-M BTCUSDT markets replayed through the engine and the
 * analytics (with the USD-M/spot basis pair), the cache attached as the app attaches it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { openRecording } from '../src/recording/index.ts';
import { Replay } from '../src/replay/replay.ts';
import { RedisCache, type AnalysisEntry } from '../src/cache/redis.ts';
import { uniqueName } from '../src/store/postgres/testing.ts';
import type { Trade } from '../src/core/model.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';
import type { Bus } from '../src/core/bus.ts';

const REDIS = process.env.DEPTHWATCH_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const D = '../shared/data/binance-hftbacktest';
const SPOT = 'binance:BTCUSDT';
const PERP = 'binance-usdm:BTCUSDT';
const START = Date.UTC(2024, 7, 8, 23, 54, 0);
const END = START + 60_000;

describe('Redis analysis:{instrument} with the latest analytics (real recordings, real Redis)', () => {
  const prefix = uniqueName('dwanalysis') + ':';
  const admin = new Redis(REDIS);
  let replay: Replay;
  let cache: RedisCache;
  const trades: Trade[] = [];
  const published: unknown[] = [];
  let stopLive: () => Promise<void>;

  beforeAll(async () => {
    replay = new Replay(
      await openRecording([`${D}/spot/btcusdt_20240808.gz`, `${D}/usdm/btcusdt_20240808.gz`]),
      {
        from: START,
        to: END,
        engine: {
          analytics: {
            cross: {
              pairs: [{ name: 'BTC usdm-perp', future: PERP, spot: SPOT }],
              groups: [],
              maxAgeMs: 5_000,
            },
          },
        },
      },
    );
    // Timers never fire during the synchronous replay: everything is written by the explicit flush.
    cache = new RedisCache({ url: REDIS, prefix, conflateMs: 60_000, monitoringIntervalMs: 0 });
    await cache.ready();
    cache.attach(replay.bus as unknown as Bus<OutputTopics>, replay.engine.books, replay.analytics!);
    stopLive = await cache.subscribeLive(`live:analysis:${PERP}`, (_c, v) => published.push(v));
    replay.bus.subscribe('trade', (t) => {
      if (t.instrument === PERP) trades.push(t);
    });
    await replay.run();
    await cache.flush();
  }, 120_000);

  afterAll(async () => {
    await stopLive?.();
    await cache?.close();
    const keys = await admin.keys(prefix + '*');
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  it('writes the metrics with walls, S/R clusters, liquidity, flow/CVD, indicators and basis', async () => {
    const e = (await cache.getAnalysis(PERP)) as AnalysisEntry;
    expect(e).not.toBeNull();
    // The book metrics as before: the latest sample of the instrument.
    expect(e.sequence).toBe(replay.analytics!.latest.get(PERP)!.sequence);
    expect(e.metrics.mid).toBe(replay.analytics!.latest.get(PERP)!.metrics.mid);
    const a = e.analysis!;
    expect(a.instrument).toBe(PERP);
    expect(a.state).toBe('live');
    // Walls and S/R clusters as the analytics hold them at the end of the minute.
    const view = replay.analytics!.analytics(PERP)!.view(0);
    expect(a.walls).toEqual(view.walls);
    expect(a.clusters).toEqual(view.clusters);
    expect(a.walls.length + a.clusters.length).toBeGreaterThan(0);
    // Depth anomaly and liquidity shrinkage.
    expect(Object.keys(a.liquidity)).toEqual(
      expect.arrayContaining(['depthZ', 'shrinkage', 'liquidityRatio']),
    );
    // Trade flow: CVD recomputed from the replayed trades (Binance gives the aggressor side).
    let buy = 0;
    let sell = 0;
    for (const t of trades) {
      if (t.side === 'buy') buy += Number(t.size);
      else if (t.side === 'sell') sell += Number(t.size);
    }
    expect(trades.length).toBeGreaterThan(100);
    expect(a.flow.cvd).toBeCloseTo(buy - sell, 9);
    expect(a.flow.lastTs).toBe(trades[trades.length - 1]!.exchangeTs);
    expect(a.indicators['1s']!.ema).toBeTypeOf('number');
    expect('candles' in a).toBe(false);
    // The basis of the pair the perpetual is a leg of: perp mid - spot mid.
    expect(a.basis).toHaveLength(1);
    const b = a.basis[0]!;
    expect(b).toMatchObject({ name: 'BTC usdm-perp', future: PERP, spot: SPOT });
    expect(b.absolute).toBeCloseTo(b.futureMid - b.spotMid, 6);
    const spot = (await cache.getAnalysis(SPOT)) as AnalysisEntry;
    expect(spot.analysis!.basis[0]).toEqual(b);
    // The same value went out on the live channel; the key has its TTL.
    await expect.poll(() => published.length).toBeGreaterThan(0);
    expect(published[published.length - 1]).toEqual(e);
    expect(await admin.pttl(cache.analysisKey(PERP))).toBeGreaterThan(0);
  });
});
