/**
 * History endpoints for book snapshots and heatmap runs, through fastify `inject` against a real DuckDB
 * file (including a restart: a new engine that has never seen the instrument) and through PostgreSQL
 * behind the durable wrapper.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { createApiServer } from '../src/api/server.ts';
import { engineView } from '../src/api/types.ts';
import type { ErrorResponse, HeatmapResponse, HistoryOrderbookResponse } from '../src/api/types.ts';
import { Engine } from '../src/pipeline/engine.ts';
import { InProcessBus } from '../src/bus/in-process.ts';
import { venues, venueSync } from '../src/feeds/registry.ts';
import { startBookHistory } from '../src/app/book-history.ts';
import { DuckDbStore } from '../src/store/duckdb.ts';
import { DurableStore } from '../src/store/durable.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { TEST_PG_URL, uniqueName } from '../src/store/postgres/testing.ts';
import type { HeatmapRunRow, HistoryStore } from '../src/store/types.ts';
import { BTC, ETH, T0, depthFrame, makeFixture, type Fixture } from './api-fixtures.ts';
import type { OutputTopics } from '../src/alerts/topics.ts';

const HOUR = 3_600_000;
/** A stored run two hours before T0 (older than the in-memory heatmap's 1 h retention). */
const oldRun = (side: 'bid' | 'ask', price: number, k: number, size: number): HeatmapRunRow => ({
  instrument: BTC,
  side,
  price,
  bucketSize: 10,
  binMs: 1000,
  from: T0 - 2 * HOUR + k * 1000,
  to: T0 - 2 * HOUR + k * 1000 + 4000,
  size,
});

async function inject<T>(app: FastifyInstance, url: string): Promise<{ status: number; body: T }> {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json<T>() };
}

/** Flush the store, then an API server on the fixture's engine and the store, ready for `inject`. */
async function serve(fx: Fixture, store: HistoryStore): Promise<FastifyInstance> {
  await store.flush();
  const app = createApiServer({ engine: fx.view, bus: fx.bus, store });
  await app.ready();
  return app;
}

/** Close what `serve` and the fixture opened (any of them may be missing after a failed setup). */
async function closeAll(app?: FastifyInstance, store?: HistoryStore, fx?: Fixture): Promise<void> {
  await app?.close();
  await store?.close();
  await fx?.store.close();
}

describe('history of book snapshots and heatmap runs over a DuckDB file', () => {
  let dir: string;
  let path: string;
  let fx: Fixture;
  let store: DuckDbStore;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dw-api-book-'));
    path = join(dir, 'h.duckdb');
    fx = await makeFixture();
    store = new DuckDbStore({ path, flushIntervalMs: 60_000, retentionDays: {} });
    await store.init();
    let clock = T0 + 500;
    const history = startBookHistory({
      engine: fx.engine,
      analytics: fx.analytics,
      store,
      intervalMs: 60_000,
      depth: 10,
      now: () => clock,
    });
    history.attachHeatmaps();
    expect(history.snapshot()).toBe(1); // BTC is live, ETH is still syncing
    fx.feed(depthFrame('BTCUSDT', 105, 106, [['59999.50', '0.75000000']], [], T0 + 1395), T0 + 1400);
    clock = T0 + 1500;
    expect(history.snapshot()).toBe(1);
    fx.feed(depthFrame('BTCUSDT', 107, 108, [['59990.00', '5.00000000']], [], T0 + 2395), T0 + 2400);
    store.appendHeatmapRuns([
      oldRun('bid', 59990, 0, 2),
      oldRun('bid', 59980, 0, 3),
      oldRun('ask', 60010, 2, 1),
    ]);
    history.stop(T0 + 3000);
    app = await serve(fx, store);
  });
  afterAll(async () => {
    await closeAll(app, store, fx);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a range of snapshots with the exact wire strings, trimmed by depth and limit', async () => {
    const url = `/api/v1/history/orderbook?instrument=${BTC}&from=${T0}&to=${T0 + 10_000}`;
    const r = await inject<HistoryOrderbookResponse>(app, url);
    expect(r.status).toBe(200);
    const snaps = r.body.items;
    expect(snaps.map((s) => s.localTs)).toEqual([T0 + 500, T0 + 1500]);
    expect(snaps[0]).toMatchObject({ instrument: BTC, state: 'live', sequence: 104 });
    expect(snaps[0]!.bidsText).toEqual([
      ['60000.00', '1.20000000'],
      ['59999.50', '2.00000000'],
      ['59999.00', '3.00000000'],
    ]);
    expect(snaps[0]!.bids).toEqual([
      [60000, 1.2],
      [59999.5, 2],
      [59999, 3],
    ]);
    expect(snaps[0]!.asksText[0]).toEqual(['60000.50', '0.50000000']);
    expect(snaps[1]!.bidsText[1]).toEqual(['59999.50', '0.75000000']);
    const d1 = await inject<HistoryOrderbookResponse>(app, `${url}&depth=1&limit=1`);
    expect(d1.body.items).toHaveLength(1);
    expect(d1.body.items[0]!.bidsText).toEqual([['60000.00', '1.20000000']]);
    expect(d1.body.items[0]!.asksText).toEqual([['60000.50', '0.50000000']]);
    const d2 = await inject<HistoryOrderbookResponse>(
      app,
      `${url}&depth=1&limit=1&cursor=${d1.body.nextCursor}`,
    );
    expect(d2.body.items.map((s) => s.localTs)).toEqual([T0 + 1500]);
    expect(d2.body.nextCursor).toBeNull();
    const eth = await inject<HistoryOrderbookResponse>(app, url.replace(BTC, ETH));
    expect(eth.body).toEqual({ items: [], nextCursor: null }); // run here, never live, never snapshotted
  });

  it('answers at= with the latest snapshot at or before the time, and 400 on bad parameters', async () => {
    const base = `/api/v1/history/orderbook?instrument=${BTC}`;
    const at = await inject<HistoryOrderbookResponse>(app, `${base}&at=${T0 + 1499}&depth=2`);
    expect(at.body.items.map((s) => s.localTs)).toEqual([T0 + 500]);
    expect(at.body.items[0]!.bids).toHaveLength(2);
    const iso = new Date(T0 + 1500).toISOString();
    expect((await inject<HistoryOrderbookResponse>(app, `${base}&at=${iso}`)).body.items[0]!.localTs).toBe(
      T0 + 1500,
    );
    expect((await inject<HistoryOrderbookResponse>(app, `${base}&at=${T0}`)).body.items).toEqual([]);
    for (const bad of ['depth=0', 'depth=1001', 'limit=0', 'at=yesterday', `from=${T0}&to=${T0}`]) {
      const r = await inject<ErrorResponse>(app, `${base}&${bad}`);
      expect(r.status, bad).toBe(400);
    }
  });

  it('merges stored runs older than the in-memory retention with the in-memory ones, once each', async () => {
    const hm = fx.analytics.analytics(BTC)!.heatmap!;
    const recent = `/api/v1/history/heatmap?instrument=${BTC}&from=${T0}&to=${T0 + 60_000}`;
    const r = await inject<HeatmapResponse>(app, recent);
    expect(r.status).toBe(200);
    // The runs closed so far are both in memory and in the store: each appears once.
    expect(r.body.storedRuns).toBeGreaterThan(0);
    const mem = hm.query(T0, T0 + 60_000);
    const sig = (x: { side: string; price: number; from: number; to: number; size: number }) =>
      `${x.side}${x.price}@${x.from}-${x.to}:${x.size}`;
    const memSigs = mem.runs.map(sig).sort();
    // Every stored run of this range is also in memory (closed ones as they are, the ones written closed
    // at shutdown as open runs with the same first bin): the answer is exactly the memory's runs.
    const got = r.body.runs.map(sig).sort();
    expect(got).toEqual(memSigs);
    expect(r.body.storedRuns).toBeGreaterThanOrEqual(mem.runs.length);
    expect(r.body.gaps).toEqual(mem.gaps);

    const old = `/api/v1/history/heatmap?instrument=${BTC}&from=${T0 - 3 * HOUR}&to=${T0 - HOUR}`;
    const o = await inject<HeatmapResponse>(app, old);
    expect(o.body.storedRuns).toBe(3);
    expect(o.body.runs).toEqual([
      { side: 'bid', price: 59980, from: T0 - 2 * HOUR, to: T0 - 2 * HOUR + 4000, size: 3 },
      { side: 'bid', price: 59990, from: T0 - 2 * HOUR, to: T0 - 2 * HOUR + 4000, size: 2 },
      { side: 'ask', price: 60010, from: T0 - 2 * HOUR + 2000, to: T0 - 2 * HOUR + 6000, size: 1 },
    ]);
    // Re-bucketed to 100: the two bid buckets sum to 5 over their common bins.
    const wide = await inject<HeatmapResponse>(app, `${old}&bucket=100`);
    expect(wide.body.bucketSize).toBe(100);
    expect(wide.body.runs).toContainEqual({
      side: 'bid',
      price: 59900,
      from: T0 - 2 * HOUR,
      to: T0 - 2 * HOUR + 4000,
      size: 5,
    });
    expect((await inject<ErrorResponse>(app, `${old}&bucket=15`)).status).toBe(400);
  });

  it('serves stored history after a restart to an engine that never saw the instrument', async () => {
    await store.close();
    const again = new DuckDbStore({ path, retentionDays: {} });
    await again.init();
    const bus = new InProcessBus<OutputTopics>();
    const fresh = createApiServer({
      engine: engineView(new Engine({ sync: venueSync(venues), bus }), null),
      bus,
      store: again,
    });
    await fresh.ready();
    try {
      const snaps = await inject<HistoryOrderbookResponse>(
        fresh,
        `/api/v1/history/orderbook?instrument=${BTC}&from=${T0}&to=${T0 + 10_000}`,
      );
      expect(snaps.body.items).toHaveLength(2);
      const h = await inject<HeatmapResponse>(
        fresh,
        `/api/v1/history/heatmap?instrument=${BTC}&from=${T0 - 3 * HOUR}&to=${T0 + 60_000}`,
      );
      expect(h.status).toBe(200);
      expect(h.body.bucketSize).toBe(10);
      expect(h.body.runs.length).toBe(h.body.storedRuns);
      // The run open at shutdown was stored closed at the shutdown bin.
      expect(h.body.runs.some((x) => x.to === T0 + 3000)).toBe(true);
      expect(h.body.gaps).toEqual([]);
      const none = await inject<ErrorResponse>(fresh, `/api/v1/history/heatmap?instrument=binance:NOPE`);
      expect(none.status).toBe(404);
    } finally {
      await fresh.close();
      await again.close();
    }
    store = new DuckDbStore({ path, retentionDays: {} });
    await store.init();
  });

  it('answers 501 for a store that keeps no book snapshots, and keeps the memory-only heatmap', async () => {
    const bare: HistoryStore = {
      init: () => store.init(),
      appendMetrics: () => {},
      appendTrades: () => {},
      flush: () => store.flush(),
      queryMetrics: (q) => store.queryMetrics(q),
      queryTrades: (q) => store.queryTrades(q),
      counts: () => store.counts(),
      close: async () => {},
    };
    const plain = createApiServer({ engine: fx.view, bus: fx.bus, store: bare });
    await plain.ready();
    try {
      expect((await inject(plain, `/api/v1/history/orderbook?instrument=${BTC}`)).status).toBe(501);
      const h = await inject<HeatmapResponse>(
        plain,
        `/api/v1/history/heatmap?instrument=${BTC}&from=${T0}&to=${T0 + 60_000}`,
      );
      expect(h.status).toBe(200);
      expect(h.body.storedRuns).toBe(0);
      expect(h.body.runs.length).toBeGreaterThan(0);
      expect((await inject(plain, `/api/v1/history/heatmap?instrument=binance:NOPE`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('documents the orderbook route in the OpenAPI document', async () => {
    const doc = await inject<{ paths: Record<string, unknown> }>(app, '/docs/json');
    expect(Object.keys(doc.body.paths)).toContain('/api/v1/history/orderbook');
  });
});

describe('history of book snapshots and heatmap runs over PostgreSQL (durable wrapper)', () => {
  const schema = uniqueName('dw_api_book');
  let fx: Fixture;
  let store: DurableStore;
  let app: FastifyInstance;
  let spool: string;

  beforeAll(async () => {
    fx = await makeFixture();
    spool = mkdtempSync(join(tmpdir(), 'dw-spool-'));
    store = new DurableStore(new PostgresStore({ url: TEST_PG_URL, schema, flushIntervalMs: 0 }), {
      spoolDir: spool,
      flushIntervalMs: 100,
    });
    await store.init();
    const history = startBookHistory({
      engine: fx.engine,
      analytics: fx.analytics,
      store,
      intervalMs: 60_000,
      depth: 3,
      now: () => T0 + 700,
    });
    history.snapshot();
    store.appendHeatmapRuns([oldRun('bid', 59990, 0, 2)]);
    history.stop(T0 + 2000);
    app = await serve(fx, store);
  });
  afterAll(async () => {
    await closeAll(app, store, fx);
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
    rmSync(spool, { recursive: true, force: true });
  });

  it('serves snapshots (at=) and stored heatmap runs from PostgreSQL', async () => {
    const at = await inject<HistoryOrderbookResponse>(
      app,
      `/api/v1/history/orderbook?instrument=${BTC}&at=${T0 + 60_000}`,
    );
    expect(at.status).toBe(200);
    expect(at.body.items).toHaveLength(1);
    expect(at.body.items[0]).toMatchObject({ localTs: T0 + 700, sequence: 104 });
    expect(at.body.items[0]!.bidsText[0]).toEqual(['60000.00', '1.20000000']);
    const h = await inject<HeatmapResponse>(
      app,
      `/api/v1/history/heatmap?instrument=${BTC}&from=${T0 - 3 * HOUR}&to=${T0 + 60_000}`,
    );
    expect(h.status).toBe(200);
    expect(h.body.runs[0]).toEqual({
      side: 'bid',
      price: 59990,
      from: T0 - 2 * HOUR,
      to: T0 - 2 * HOUR + 4000,
      size: 2,
    });
    expect(h.body.storedRuns).toBeGreaterThan(1); // the old run plus the runs written at shutdown
    const counts = await store.counts();
    expect(counts.book_snapshots).toBe(1);
    expect(counts.heatmap_runs).toBe(h.body.storedRuns);
  });
});
