import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../src/api/server.ts';
import type {
  BookResponse,
  ErrorResponse,
  HistoryCandlesResponse,
  HistoryMetricsResponse,
  HistoryTradesResponse,
  InstrumentsResponse,
} from '../src/api/types.ts';
import type { MetricsSample } from '../src/analytics/types.ts';
import { DuckDbStore } from '../src/store/duckdb.ts';
import { BTC, ETH, T0, makeFixture, type Fixture } from './api-fixtures.ts';

describe('HTTP API over an engine fed Binance frames', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  let webDir: string;

  beforeAll(async () => {
    fx = await makeFixture();
    webDir = mkdtempSync(join(tmpdir(), 'dw-web-'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>depthwatch</title>');
    writeFileSync(join(webDir, 'app.js'), 'console.log(1)');
    app = createApiServer({
      engine: fx.view,
      bus: fx.bus,
      store: fx.store,
      staticDir: webDir,
      info: { version: '9.9.9', startedAt: T0 },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await fx.store.close();
    rmSync(webDir, { recursive: true, force: true });
  });

  const get = async <T>(url: string, headers: Record<string, string> = {}) => {
    const r = await app.inject({ method: 'GET', url, headers });
    return { status: r.statusCode, body: r.body, json: () => r.json<T>(), headers: r.headers };
  };

  it('lists instruments with health, NaN sequence as null, and drop counters', async () => {
    const r = await get<InstrumentsResponse>('/api/v1/instruments');
    expect(r.status).toBe(200);
    const body = r.json();
    expect(body.items.map((i) => i.instrument)).toEqual([BTC, ETH]);
    const btc = body.items[0]!;
    expect(btc).toMatchObject({
      venue: 'binance',
      symbol: 'BTCUSDT',
      state: 'live',
      reason: null,
      sequence: 104,
    });
    expect(btc.counters.deltasApplied).toBe(2);
    expect(btc.counters.trades).toBe(3);
    expect(btc.latencyMs).toBe(5);
    expect(btc.coverage).toEqual({ bidFloor: null, askCeiling: null });
    const eth = body.items[1]!;
    expect(eth.state).toBe('syncing');
    expect(eth.sequence).toBeNull();
    expect(body.dropped).toEqual({ binance: { malformed_json: 1 } });
    expect(body.frames.binance).toBe(7);
  });

  it('serves the top of a book at the requested depth', async () => {
    const r = await get<BookResponse>(`/api/v1/books/${BTC}?depth=2`);
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({
      instrument: BTC,
      state: 'live',
      sequence: 104,
      exchangeTs: T0 + 195,
      localTs: T0 + 200,
      bids: [
        [60000, 1.2],
        [59999.5, 2],
      ],
      asks: [
        [60000.5, 0.5],
        [60001, 2.5],
      ],
      bidsText: [
        ['60000.00', '1.20000000'],
        ['59999.50', '2.00000000'],
      ],
      asksText: [
        ['60000.50', '0.50000000'],
        ['60001.00', '2.50000000'],
      ],
    });
    const all = (await get<BookResponse>(`/api/v1/books/${BTC}`)).json();
    expect(all.bids).toHaveLength(3);
  });

  it('answers 400 naming the parameter for a bad depth or instrument, 404 for an unknown instrument', async () => {
    for (const depth of ['0', '1001', 'abc', '2.5']) {
      const r = await get<ErrorResponse>(`/api/v1/books/${BTC}?depth=${depth}`);
      expect(r.status, depth).toBe(400);
      expect(r.json().message).toMatch(/depth/);
      expect(r.json().error).toBe('Bad Request');
    }
    const bad = await get<ErrorResponse>('/api/v1/books/BTCUSDT');
    expect(bad.status).toBe(400);
    expect(bad.json().message).toMatch(/instrument/);
    const unknown = await get<ErrorResponse>('/api/v1/books/binance:DOGEUSDT');
    expect(unknown.status).toBe(404);
    expect(unknown.json().message).toContain('binance:DOGEUSDT');
    expect((await get('/api/v1/metrics/binance:DOGEUSDT')).status).toBe(404);
    expect((await get('/api/v1/nothing-here')).status).toBe(404);
  });

  it('serves the latest metrics sample, 404 while a book has none', async () => {
    const r = await get<MetricsSample>(`/api/v1/metrics/${BTC}`);
    expect(r.status).toBe(200);
    const s = r.json();
    expect(s).toMatchObject({ instrument: BTC, state: 'live', sequence: 104, exchangeTs: T0 + 195 });
    expect(s.metrics.bestBid).toBe(60000);
    expect(s.metrics.bestAsk).toBe(60000.5);
    expect(s.metrics.spread).toBe(0.5);
    const eth = await get<ErrorResponse>(`/api/v1/metrics/${ETH}`);
    expect(eth.status).toBe(404);
    expect(eth.json().message).toMatch(/no metrics/);
  });

  it('serves stored metrics raw and downsampled, with ISO or ms times', async () => {
    const from = new Date(T0).toISOString();
    const raw = await get<HistoryMetricsResponse>(
      `/api/v1/history/metrics?instrument=${BTC}&from=${from}&to=${T0 + 10_000}`,
    );
    expect(raw.status).toBe(200);
    const body = raw.json().items;
    expect(body.map((r) => r.sequence)).toEqual([100, 102, 104]);
    expect(body[2]!.metrics.bestAsk).toBe(60000.5);
    expect(body[2]!.instrument).toBe(BTC);
    expect(raw.json().nextCursor).toBeNull();

    const ds = await get<HistoryMetricsResponse>(
      `/api/v1/history/metrics?instrument=${BTC}&from=${T0}&to=${T0 + 10_000}&interval=1s`,
    );
    expect(ds.json().items).toHaveLength(1);
    expect(ds.json().items[0]).toMatchObject({ localTs: T0, sequence: 104 });

    const limited = await get<HistoryMetricsResponse>(
      `/api/v1/history/metrics?instrument=${BTC}&from=${T0}&to=${T0 + 10_000}&limit=1`,
    );
    expect(limited.json().items.map((r) => r.sequence)).toEqual([100]);
    // Pages follow each other through the cursor, each row once.
    const seen: number[] = [];
    let cursor: string | null = limited.json().nextCursor;
    seen.push(...limited.json().items.map((r) => r.sequence!));
    while (cursor) {
      const next = await get<HistoryMetricsResponse>(
        `/api/v1/history/metrics?instrument=${BTC}&from=${T0}&to=${T0 + 10_000}&limit=1&cursor=${cursor}`,
      );
      seen.push(...next.json().items.map((r) => r.sequence!));
      cursor = next.json().nextCursor;
    }
    expect(seen).toEqual([100, 102, 104]);

    // An instrument not run here with no stored rows is unknown: 404, as on every route.
    const other = await get<ErrorResponse>(`/api/v1/history/metrics?instrument=binance:XRPUSDT&from=${T0}`);
    expect(other.status).toBe(404);
    expect(other.json().message).toContain('binance:XRPUSDT');
    // A running instrument with nothing stored in the range is an empty page.
    const empty = await get<HistoryMetricsResponse>(
      `/api/v1/history/metrics?instrument=${BTC}&from=${T0 - 10_000}&to=${T0 - 5000}`,
    );
    expect(empty.json()).toEqual({ items: [], nextCursor: null });
  });

  it('serves stored trades and candles', async () => {
    const r = await get<HistoryTradesResponse>(
      `/api/v1/history/trades?instrument=${BTC}&from=${T0}&to=${T0 + 5000}`,
    );
    expect(r.status).toBe(200);
    expect(r.json().items.map((t) => [t.id, t.price, t.size, t.priceText, t.sizeText, t.side])).toEqual([
      ['9001', 60000.5, 0.1, '60000.5', '0.1', 'buy'],
      ['9002', 60000, 0.2, '60000', '0.2', 'sell'],
      ['9003', 60001, 0.3, '60001', '0.3', 'buy'],
    ]);
    const c = await get<HistoryCandlesResponse>(
      `/api/v1/history/candles?instrument=${BTC}&from=${T0}&to=${T0 + 5000}&interval=1s`,
    );
    expect(c.status).toBe(200);
    expect(c.json().items).toHaveLength(2);
    expect(c.json().items[1]).toMatchObject({
      start: T0 + 1000,
      open: 60000,
      close: 60001,
      high: 60001,
      trades: 2,
    });
    const minute = await get<HistoryCandlesResponse>(
      `/api/v1/history/candles?instrument=${BTC}&from=${T0}&to=${T0 + 5000}`,
    );
    expect(minute.json().items).toHaveLength(1); // default interval 1m
    expect(minute.json().items[0]!.trades).toBe(3);
  });

  it('answers 400 for bad history parameters', async () => {
    const cases: [string, RegExp][] = [
      [`/api/v1/history/metrics?from=${T0}`, /instrument/],
      [`/api/v1/history/metrics?instrument=${BTC}&from=yesterday`, /from/],
      [`/api/v1/history/metrics?instrument=${BTC}&from=${T0 + 10}&to=${T0}`, /from must be before to/],
      [`/api/v1/history/metrics?instrument=${BTC}&interval=7y`, /interval/],
      [`/api/v1/history/metrics?instrument=${BTC}&limit=0`, /limit/],
      [`/api/v1/history/trades?instrument=${BTC}&to=nope`, /to/],
      [`/api/v1/history/candles?instrument=${BTC}&interval=3m`, /interval/],
    ];
    for (const [url, re] of cases) {
      const r = await get<ErrorResponse>(url);
      expect(r.status, url).toBe(400);
      expect(r.json().message, url).toMatch(re);
    }
  });

  it('reports liveness, readiness, OpenAPI and Prometheus counters', async () => {
    const h = await get<{ status: string; version: string }>('/healthz');
    expect(h.status).toBe(200);
    expect(h.json()).toMatchObject({ status: 'ok', version: '9.9.9', timeBase: 'exchange' });
    expect((await get('/readyz')).status).toBe(200);

    const docs = await get<{ openapi: string; paths: Record<string, unknown> }>('/docs/openapi.json');
    expect(docs.status).toBe(200);
    expect(docs.json().openapi).toBe('3.1.0');
    expect((await get<{ openapi: string }>('/docs/json')).json().openapi).toBe('3.1.0');
    expect(Object.keys(docs.json().paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/instruments',
        '/api/v1/books/{instrument}',
        '/api/v1/history/metrics',
      ]),
    );
    expect((await get('/docs')).status).toBeLessThan(400);

    const m = await get('/metrics');
    expect(m.status).toBe(200);
    expect(m.headers['content-type']).toMatch(/text\/plain/);
    expect(m.body).toContain('depthwatch_frames_total{venue="binance"} 7');
    expect(m.body).toContain('depthwatch_frames_dropped_total{venue="binance",code="malformed_json"} 1');
    expect(m.body).toContain(`depthwatch_book_state{instrument="${BTC}",state="live"} 1`);
    expect(m.body).toContain(`depthwatch_book_state{instrument="${ETH}",state="syncing"} 1`);
    expect(m.body).toContain(`depthwatch_book_resyncs_total{instrument="${BTC}"} 0`);
    expect(m.body).toContain(`depthwatch_book_gaps_total{instrument="${BTC}"} 0`);
    expect(m.body).toContain('depthwatch_ws_clients 0');
    expect(m.body).toContain('depthwatch_store_rows{table="trades"} 3');
    expect(m.body).toContain('depthwatch_info{version="9.9.9"} 1');
  });

  it('serves the dashboard with an SPA fallback for HTML requests only', async () => {
    const root = await get('/', { accept: 'text/html' });
    expect(root.status).toBe(200);
    expect(root.body).toContain('<title>depthwatch</title>');
    expect((await get('/app.js')).body).toBe('console.log(1)');
    const deep = await get('/instruments/binance:BTCUSDT', { accept: 'text/html,application/xhtml+xml' });
    expect(deep.status).toBe(200);
    expect(deep.body).toContain('<title>depthwatch</title>');
    expect((await get('/missing.js', { accept: '*/*' })).status).toBe(404);
    expect((await get('/api/v1/missing', { accept: 'text/html' })).status).toBe(404);
  });

  it('is not ready while the store is not initialised', async () => {
    const store = new DuckDbStore({ path: ':memory:' });
    const a = createApiServer({ engine: fx.view, bus: fx.bus, store });
    const r = await a.inject({ method: 'GET', url: '/readyz' });
    expect(r.statusCode).toBe(503);
    expect((await a.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await a.close();
  });
});
