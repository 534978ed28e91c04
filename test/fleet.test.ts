/**
 * Fleet over the real servers, on real recorded Binance data: two collectors (spot and USD-M recordings,
 * each with its own NATS connection) publish the normalized events their parsers emit; one analyzer
 * (its own NATS connection) rebuilds the books from those events only, writes 1 s samples and trades to
 * PostgreSQL through the durable store and latest state to Redis; an API-side reader reads Redis and
 * PostgreSQL. The analyzer's books and samples must equal the collectors' exactly.
 *
 * The four roles run in this process with separate connections (each talks to the others only through
 * NATS, Redis and PostgreSQL), so the test stays fast and deterministic on a shared 2-core machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsBus } from '../src/bus/nats.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import type { BookView } from '../src/pipeline/topics.ts';
import type { MetricsSample } from '../src/analytics/types.ts';
import type { MarketEvent, Trade } from '../src/core/model.ts';
import type { VenueAdapter } from '../src/feeds/types.ts';
import { venues } from '../src/feeds/registry.ts';
import { createPipeline } from '../src/app/pipeline.ts';
import { Replay } from '../src/replay/replay.ts';
import { openRecording } from '../src/recording/index.ts';
import { teeAdapter } from '../src/app/fleet.ts';
import { DurableStore } from '../src/store/durable.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { RedisCache } from '../src/cache/redis.ts';
import { TEST_PG_URL, uniqueName, waitFor, testSql } from '../src/store/postgres/testing.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';

const DATA = path.resolve('../shared/data/binance-hftbacktest');
const RECORDINGS = [
  { name: 'collector-spot', file: path.join(DATA, 'spot/btcusdt_20240808.gz') },
  { name: 'collector-usdm', file: path.join(DATA, 'usdm/btcusdt_20240808.gz') },
];
/** Seconds of each recording to replay. */
const SECONDS = 10;

/** Local time (ms) of the first frame of an hftbacktest file (`<ns> <json>` lines). */
async function firstTs(file: string): Promise<number> {
  const rl = createInterface({ input: createReadStream(file).pipe(createGunzip()) });
  for await (const line of rl) {
    rl.close();
    return Number(line.slice(0, line.indexOf(' '))) / 1e6;
  }
  throw new Error(`empty recording ${file}`);
}

describe('fleet: 2 collectors → NATS → analyzer → PostgreSQL + Redis → API reader', () => {
  const prefix = uniqueName('dwfleet').replace(/_/g, '-');
  const common = {
    prefix,
    stream: prefix.toUpperCase(),
    storage: 'memory' as const,
    maxBytes: 64 * 1024 * 1024,
  };
  const schema = uniqueName('dw_fleet');
  const redisPrefix = prefix + ':';
  let spoolDir: string;

  beforeAll(async () => {
    spoolDir = await mkdtemp(path.join(os.tmpdir(), 'dw-fleet-'));
  });

  afterAll(async () => {
    // The stream goes even when the test failed half-way: a leaked memory stream holds its whole
    // reservation on the shared server and starves every later run.
    const nc = await connect({ servers: '127.0.0.1:4222' });
    await (await jetstreamManager(nc)).streams.delete(common.stream).catch(() => {});
    await nc.close();
    const sql = testSql();
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
    const r = new Redis();
    const keys = await r.keys(redisPrefix + '*');
    if (keys.length > 0) await r.del(...keys);
    r.disconnect();
    await rm(spoolDir, { recursive: true, force: true });
  });

  it('rebuilds identical books and samples on the analyzer, stores them, and serves them', async () => {
    // Analyzer: events in from NATS, its own engine, outputs to PostgreSQL (durable) and Redis.
    const analyzerBus = await NatsBus.connect<OutputTopics>({ ...common, name: 'analyzer' });
    const out = new InProcessBus<OutputTopics>();
    const { engine: analyzer } = createPipeline({ bus: out });
    const store = new DurableStore(new PostgresStore({ url: TEST_PG_URL, schema, flushIntervalMs: 0 }), {
      spoolDir,
      flushIntervalMs: 100,
    });
    await store.init();
    const analyzerSamples: MetricsSample[] = [];
    out.subscribe('metrics.sample', (s) => {
      analyzerSamples.push(s);
      store.appendMetrics([s]);
    });
    const analyzerTrades: Trade[] = [];
    out.subscribe('trade', (t) => {
      analyzerTrades.push(t);
      store.appendTrades([t]);
    });
    const lastTop = new Map<string, BookView>();
    out.subscribe('book', (b) => lastTop.set(b.instrument, b));
    const cache = new RedisCache({
      prefix: redisPrefix,
      conflateMs: 50,
      monitoringIntervalMs: 0,
      role: 'analyzer',
    });
    await cache.ready();
    cache.attach(out);
    let received = 0;
    analyzerBus.subscribeEvents((e) => {
      received++;
      analyzer.handleEvent(e);
    });
    await analyzerBus.ready();

    // Collectors: replay a recording through parsers teed to their own NATS connection.
    const collectors = await Promise.all(
      RECORDINGS.map(async (r) => {
        const bus = await NatsBus.connect<OutputTopics>({ ...common, name: r.name });
        const teed = new Map<string, VenueAdapter>();
        for (const [id, a] of venues)
          teed.set(
            id,
            teeAdapter(a, (e: MarketEvent) => bus.publishEvent(e)),
          );
        const local = new InProcessBus<OutputTopics>();
        const samples: MetricsSample[] = [];
        local.subscribe('metrics.sample', (s) => samples.push(s));
        const start = await firstTs(r.file);
        const replay = new Replay(await openRecording([r.file]), {
          venues: teed,
          bus: local,
          to: start + SECONDS * 1000,
        });
        return { bus, replay, samples };
      }),
    );
    await Promise.all(collectors.map((c) => c.replay.run()));
    await Promise.all(collectors.map((c) => c.bus.flushPublishes()));
    const published = collectors.reduce((n, c) => n + c.bus.stats.published - c.bus.stats.duplicates, 0);
    expect(published).toBeGreaterThan(1000);
    await waitFor(() => received >= published, `analyzer to receive ${published} events`, 60_000);
    expect(received).toBe(published);

    // Books: the analyzer's equal each collector's, level for level.
    let instruments = 0;
    for (const c of collectors) {
      for (const [id, b] of c.replay.engine.books) {
        instruments++;
        const mine = analyzer.books.get(id)!;
        expect(b.health.state).toBe('live');
        expect(mine.health.state).toBe('live');
        expect(mine.health.sequence).toBe(b.health.sequence);
        expect(mine.book.topStrings(1000)).toEqual(b.book.topStrings(1000));
      }
      c.replay.engine.flush();
    }
    expect(instruments).toBe(2);
    analyzer.flush();

    // Samples: the same 1 s samples as the collectors computed locally.
    const byInst = (xs: MetricsSample[]) =>
      [...xs].sort((a, b) => a.instrument.localeCompare(b.instrument) || a.localTs - b.localTs);
    expect(byInst(analyzerSamples)).toEqual(byInst(collectors.flatMap((c) => c.samples)));

    // History: every sample and trade lands in PostgreSQL exactly once.
    await store.flush();
    expect(await store.counts()).toEqual({
      metrics: analyzerSamples.length,
      trades: analyzerTrades.length,
      book_snapshots: 0,
      heatmap_runs: 0,
    });

    // API side: latest book from Redis, history from PostgreSQL, through their own clients.
    await cache.flush();
    const reader = new RedisCache({ prefix: redisPrefix, monitoringIntervalMs: 0 });
    await reader.ready();
    const api = new PostgresStore({ url: TEST_PG_URL, schema, flushIntervalMs: 0 });
    for (const [id, top] of lastTop) {
      expect(await reader.getBook(id)).toEqual(top);
      const first = analyzerSamples.find((s) => s.instrument === id)!;
      const hist = await api.queryMetrics({ instrument: id, from: first.localTs, to: first.localTs + 5000 });
      // Stored rows hold the book metrics; the analytics values a sample carries live are not stored.
      const { analytics: _values, ...stored } = first;
      expect(hist[0]).toEqual(stored);
    }
    await Promise.all([reader.close(), api.close(), cache.close(), store.close(), analyzerBus.close()]);
    await Promise.all(collectors.map((c) => c.bus.close()));
    await collectors[0]!.bus.deleteStream().catch(() => {});
  });
});
