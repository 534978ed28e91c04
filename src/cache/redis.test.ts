import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisCache } from './redis.ts';
import { InProcessBus } from '../bus/in-process.ts';
import type { BookView } from '../pipeline/topics.ts';
import { newCounters, type BookHealth } from '../book/health.ts';
import { TcpProxy, sampleAt, tradeAt, uniqueName, waitFor } from '../store/postgres/testing.ts';
import { Engine } from '../pipeline/engine.ts';
import { venues, venueSync } from '../feeds/registry.ts';
import type { WireLevel } from '../core/model.ts';
import type { OutputTopics } from '../alerts/topics.ts';

const REDIS = process.env.DEPTHWATCH_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const T0 = Date.UTC(2026, 10, 23, 11, 0, 0);
const INST = 'binance:BTCUSDT';

function top(i: number, levels: number): BookView {
  return {
    instrument: INST,
    exchangeTs: T0 + i,
    localTs: T0 + i + 1,
    sequence: 1000 + i,
    state: 'live',
    bids: Array.from({ length: levels }, (_, k) => [100 - k * 0.01, 1 + k] as [number, number]),
    asks: Array.from({ length: levels }, (_, k) => [100.01 + k * 0.01, 2 + k] as [number, number]),
  };
}

function health(state: BookHealth['state']): BookHealth {
  return {
    instrument: INST,
    state,
    reasonCode: state === 'live' ? null : 'gap',
    reason: state === 'live' ? null : 'gap: U=101 after u=99',
    since: T0,
    counters: newCounters(),
    lastResyncAt: null,
    sequence: NaN,
    lastUpdateLocalTs: T0,
    latencyMs: 3,
    coverage: { bidFloor: NaN, askCeiling: NaN },
  };
}

describe('RedisCache against the real Redis', () => {
  const prefix = uniqueName('dwtest') + ':';
  const admin = new Redis(REDIS);

  afterAll(async () => {
    const keys = await admin.keys(prefix + '*');
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
  });

  it('keeps the latest book (cut to 400 levels), metrics and health per instrument, conflated, with TTLs', async () => {
    const bus = new InProcessBus<OutputTopics>();
    const cache = new RedisCache({ url: REDIS, prefix, conflateMs: 60_000, monitoringIntervalMs: 0 });
    await cache.ready();
    cache.attach(bus);
    for (let i = 0; i < 100; i++) bus.publish('book', top(i, 500));
    for (let i = 0; i < 50; i++) bus.publish('metrics', sampleAt(INST, T0, i));
    bus.publish('health', health('resyncing'));
    bus.publish('health', health('live'));
    await cache.flush();
    const book = await cache.getBook(INST);
    expect(book?.sequence).toBe(1099);
    expect(book?.bids).toHaveLength(400);
    expect(book?.asks[399]).toEqual(top(99, 500).asks[399]);
    expect(await cache.getAnalysis(INST)).toEqual(sampleAt(INST, T0, 49));
    const h = await cache.getHealth(INST);
    expect(h?.state).toBe('live');
    expect(Number.isNaN(h?.coverage.bidFloor)).toBe(true);
    expect(cache.stats.writes).toBe(3); // one write per key despite 152 updates
    expect(cache.stats.conflated).toBe(99 + 49 + 1);
    const ttl = await admin.pttl(cache.bookKey(INST));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
    await cache.close();
  });

  it('reads the top 400 levels of the engine books itself, once per changed book, and asks the engine for no per-update views', async () => {
    const bus = new InProcessBus<OutputTopics>();
    const engine = new Engine({ sync: venueSync(venues), bus });
    const cache = new RedisCache({ url: REDIS, prefix, conflateMs: 60_000, monitoringIntervalMs: 0 });
    await cache.ready();
    const off = cache.attach(bus, engine.books);
    // Nobody listens to per-update book views: the engine skips building them (pipeline/engine.ts).
    expect(bus.hasSubscribers('book')).toBe(false);
    const side = (base: number, step: number): WireLevel[] =>
      Array.from({ length: 500 }, (_, k) => [(base + k * step).toFixed(2), String(k + 1)] as WireLevel);
    engine.handleEvent({
      type: 'book_snapshot',
      instrument: INST,
      exchangeTs: T0,
      localTs: T0 + 2,
      sequence: 10,
      bids: side(100, -0.01),
      asks: side(100.01, 0.01),
      depthLimit: 0,
    });
    const delta = (seq: number, size: string) =>
      engine.handleEvent({
        type: 'book_delta',
        instrument: INST,
        exchangeTs: T0 + seq,
        localTs: T0 + seq + 2,
        firstSequence: seq,
        sequence: seq,
        prevSequence: NaN,
        bids: [['100.00', size]],
        asks: [],
      });
    delta(11, '7');
    await cache.close(); // takes the books once more and writes them
    const book = await admin.get(cache.bookKey(INST));
    const top = JSON.parse(book!) as BookView;
    expect(top.bids).toHaveLength(400);
    expect(top.asks).toHaveLength(400);
    expect(top.bids[0]).toEqual([100, 7]);
    expect(top.asks[399]).toEqual([104, 400]);
    expect(top).toMatchObject({ sequence: 11, state: 'live', localTs: T0 + 13 });
    off();
  });

  it('writes a book read from the engine only when it changed since the last tick', async () => {
    const bus = new InProcessBus<OutputTopics>();
    const engine = new Engine({ sync: venueSync(venues), bus });
    const cache = new RedisCache({ url: REDIS, prefix, conflateMs: 60_000, monitoringIntervalMs: 0 });
    await cache.ready();
    cache.attach(bus, engine.books);
    engine.handleEvent({
      type: 'book_snapshot',
      instrument: 'binance:ETHUSDT',
      exchangeTs: T0,
      localTs: T0,
      sequence: 5,
      bids: [['10', '1']],
      asks: [['11', '1']],
      depthLimit: 0,
    });
    // Count the book views the cache takes (each becomes one orderbook write on the tick).
    let taken = 0;
    const onBook = cache.onBook.bind(cache);
    cache.onBook = (b) => {
      taken++;
      onBook(b);
    };
    const tick = async (): Promise<number> => {
      const before = taken;
      (cache as unknown as { pullBooks(): void }).pullBooks();
      await cache.flush();
      return taken - before;
    };
    expect(await tick()).toBe(1);
    expect(await tick()).toBe(0); // unchanged: nothing written
    engine.handleEvent({
      type: 'book_delta',
      instrument: 'binance:ETHUSDT',
      exchangeTs: T0 + 1,
      localTs: T0 + 1,
      firstSequence: 6,
      sequence: 6,
      prevSequence: NaN,
      bids: [['10', '2']],
      asks: [],
    });
    expect(await tick()).toBe(1);
    await cache.close();
  });

  it('fans out key updates and every trade on pub/sub channels', async () => {
    const bus = new InProcessBus<OutputTopics>();
    const cache = new RedisCache({ url: REDIS, prefix, conflateMs: 60_000, monitoringIntervalMs: 0 });
    await cache.ready();
    cache.attach(bus);
    const got: Array<[string, unknown]> = [];
    const stop = await cache.subscribeLive('live:*', (ch, p) => got.push([ch, p]));
    for (let i = 0; i < 20; i++) bus.publish('trade', tradeAt(INST, T0, i));
    bus.publish('book', top(1, 5));
    bus.publish('book', top(2, 5));
    await cache.flush();
    await waitFor(() => got.length >= 21, 'pub/sub messages');
    const trades = got.filter(([ch]) => ch === cache.channel('trade', INST)).map(([, p]) => p);
    expect(trades).toEqual(Array.from({ length: 20 }, (_, i) => tradeAt(INST, T0, i)));
    const books = got.filter(([ch]) => ch === cache.channel('book', INST)).map(([, p]) => p);
    expect(books).toEqual([top(2, 5)]);
    await stop();
    await cache.close();
  });

  it('reports per-process monitoring with rates, lag and instrument states in one hash', async () => {
    const bus = new InProcessBus<OutputTopics>();
    const a = new RedisCache({
      url: REDIS,
      prefix,
      process: 'collector-1',
      role: 'collector',
      monitoringIntervalMs: 0,
    });
    const b = new RedisCache({ url: REDIS, prefix, process: 'api-1', role: 'api', monitoringIntervalMs: 0 });
    await Promise.all([a.ready(), b.ready()]);
    a.attach(bus);
    for (let i = 0; i < 10; i++) bus.publish('book', top(i, 3));
    a.setExtra({ storeQueued: 7 });
    const entry = a.queueMonitoring();
    b.queueMonitoring();
    await Promise.all([a.flush(), b.flush()]);
    const all = await a.getMonitoring();
    expect(all.map((e) => e.process).sort()).toEqual(['api-1', 'collector-1']);
    const mine = all.find((e) => e.process === 'collector-1')!;
    expect(mine).toEqual(entry);
    expect(mine.rates.book).toBeGreaterThan(0);
    expect(mine.instruments).toEqual({ [INST]: 'live' });
    expect(mine.extra).toEqual({ storeQueued: 7 });
    expect(await admin.pttl(a.monitoringKey)).toBeGreaterThan(0);
    await Promise.all([a.close(), b.close()]);
  });

  describe('through a proxy that is cut', () => {
    const proxy = new TcpProxy('127.0.0.1', 6379);
    beforeAll(() => proxy.start());
    afterAll(() => proxy.stop());

    it('counts a failed write during an outage and writes the latest value after it', async () => {
      const bus = new InProcessBus<OutputTopics>();
      const cache = new RedisCache({
        url: `redis://127.0.0.1:${proxy.port}`,
        prefix,
        conflateMs: 60_000,
        monitoringIntervalMs: 0,
      });
      await cache.ready();
      cache.attach(bus);
      bus.publish('metrics', sampleAt('okx:BTC-USDT', T0, 1));
      await cache.flush();
      proxy.cut();
      bus.publish('metrics', sampleAt('okx:BTC-USDT', T0, 2));
      await expect(cache.flush()).rejects.toThrow();
      expect(cache.stats.writeErrors).toBeGreaterThanOrEqual(1);
      bus.publish('metrics', sampleAt('okx:BTC-USDT', T0, 3));
      proxy.restore();
      await waitFor(async () => {
        try {
          await cache.flush();
          return true;
        } catch {
          return false;
        }
      }, 'a flush after the outage');
      expect((await admin.get(cache.analysisKey('okx:BTC-USDT')))?.includes('"sequence":3')).toBe(true);
      await cache.close();
    });
  });
});
