/**
 * Alerts, alert rules, analytics and heatmap routes of the HTTP API (fastify inject) over a real DuckDB
 * file in a temp dir, and the WebSocket `alerts` channel with a real ws client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../src/api/server.ts';
import type {
  AlertRulesResponse,
  AlertsResponse,
  AnalyticsResponse,
  ErrorResponse,
  HeatmapResponse,
} from '../src/api/types.ts';
import { alertsConfigSchema, resolveRules } from '../src/alerts/schema.ts';
import type { Alert, Severity } from '../src/alerts/types.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore, DUCKDB_SCHEMA_VERSION } from '../src/store/duckdb.ts';
import { BTC, ETH, T0, makeFixture, type Fixture } from './api-fixtures.ts';

const SEVERITIES: Severity[] = ['info', 'warning', 'critical'];
const RULES = ['spread_widening', 'extreme_imbalance', 'wall_pulled'];

/** A stored-alert-shaped object (the engine's shape; values chosen per index). */
function alert(i: number, over: Partial<Alert> = {}): Alert {
  const ruleId = RULES[i % 3]!;
  // every third pair of alerts shares a timestamp, so the id breaks ties
  const ts = T0 + Math.floor(i / 2) * 1000;
  return {
    id: `${ruleId}:${i % 2 ? BTC : ETH}:${ts}:${String(i).padStart(3, '0')}`,
    ruleId,
    kind: ruleId === 'wall_pulled' ? 'event' : 'metric',
    status: 'firing',
    severity: SEVERITIES[i % 3]!,
    instrument: i % 2 ? BTC : ETH,
    metric: ruleId === 'wall_pulled' ? 'wall.pulled' : 'spreadBps',
    value: i + 0.5,
    threshold: 10,
    comparator: '>',
    message: `alert number ${i}`,
    ts,
    exchangeTs: i === 0 ? NaN : ts - 3,
    state: 'live',
    sequence: i === 1 ? null : 1000 + i,
    ...(i % 5 === 0 ? { details: { side: 'bid', price: 60000 + i, heuristic: true } } : {}),
    ...over,
  };
}

/** Newest first, then id descending: the order the API promises. */
const newestFirst = (a: Alert, b: Alert) => b.ts - a.ts || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe('alerts API over a DuckDB file', () => {
  let fx: Fixture;
  let store: DuckDbStore;
  let app: FastifyInstance;
  let dir: string;
  const all = Array.from({ length: 40 }, (_, i) => alert(i));
  const cfg = alertsConfigSchema.parse({
    builtins: { disable: ['stale_feed'] },
    rules: [
      {
        id: 'spread_widening',
        kind: 'metric',
        metric: 'spreadBps',
        comparator: '>',
        threshold: 3,
        overrides: { [BTC]: { threshold: 2, severity: 'critical' } },
      },
      { id: 'tiny_spread', kind: 'metric', metric: 'spreadBps', comparator: '<', threshold: 0.01 },
    ],
  });

  beforeAll(async () => {
    fx = await makeFixture();
    dir = mkdtempSync(join(tmpdir(), 'dw-api-alerts-'));
    store = new DuckDbStore({ path: join(dir, 'h.duckdb'), flushIntervalMs: 60_000 });
    await store.init();
    store.appendAlerts(all.slice(0, 20));
    await store.flush();
    store.appendAlerts(all.slice(20));
    await store.flush();
    app = createApiServer({ engine: fx.view, bus: fx.bus, store, alertRules: resolveRules(cfg) });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await fx.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async <T>(url: string) => {
    const r = await app.inject({ method: 'GET', url });
    return { status: r.statusCode, json: () => r.json<T>(), body: r.body };
  };

  it('stores alerts in a schema-versioned alerts table and reads them back field for field', async () => {
    expect(DUCKDB_SCHEMA_VERSION).toBe(5);
    expect(await store.schemaVersion()).toBe(DUCKDB_SCHEMA_VERSION);
    const r = await get<AlertsResponse>('/api/v1/alerts?limit=1000');
    expect(r.status).toBe(200);
    const body = r.json();
    expect(body.nextCursor).toBeNull();
    const want = [...all].sort(newestFirst).map((a) => JSON.parse(JSON.stringify(a)) as unknown);
    expect(body.items).toEqual(want);
  });

  it('pages newest first with an opaque cursor, each alert exactly once, across equal timestamps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/alerts?limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const r = await get<AlertsResponse>(url);
      expect(r.status).toBe(200);
      const page: AlertsResponse = r.json();
      pages++;
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor;
    } while (cursor !== null && pages < 20);
    expect(pages).toBe(6); // 40 alerts / 7 per page
    expect(seen).toEqual([...all].sort(newestFirst).map((a) => a.id));
  });

  it('filters by instrument, severity, rule and time range, combined with pagination', async () => {
    const q = async (qs: string) => (await get<AlertsResponse>(`/api/v1/alerts?limit=1000&${qs}`)).json();
    const ids = (xs: { id: string }[]) => xs.map((a) => a.id);
    const expectWhere = (f: (a: Alert) => boolean) => ids([...all].filter(f).sort(newestFirst));
    expect(ids((await q(`instrument=${BTC}`)).items)).toEqual(expectWhere((a) => a.instrument === BTC));
    expect(ids((await q('severity=critical')).items)).toEqual(expectWhere((a) => a.severity === 'critical'));
    expect(ids((await q('rule=wall_pulled')).items)).toEqual(expectWhere((a) => a.ruleId === 'wall_pulled'));
    const from = T0 + 5000;
    const to = T0 + 12_000;
    expect(ids((await q(`from=${from}&to=${new Date(to).toISOString()}`)).items)).toEqual(
      expectWhere((a) => a.ts >= from && a.ts < to),
    );
    const both = await q(`instrument=${ETH}&severity=info`);
    expect(both.items.length).toBeGreaterThan(0);
    expect(ids(both.items)).toEqual(expectWhere((a) => a.instrument === ETH && a.severity === 'info'));
    // a filtered page's cursor keeps the filter's order
    const p1 = (await get<AlertsResponse>(`/api/v1/alerts?instrument=${BTC}&limit=3`)).json();
    const p2 = (
      await get<AlertsResponse>(`/api/v1/alerts?instrument=${BTC}&limit=3&cursor=${p1.nextCursor}`)
    ).json();
    expect(ids([...p1.items, ...p2.items])).toEqual(expectWhere((a) => a.instrument === BTC).slice(0, 6));
    // An instrument this node does not run and that has no alerts is unknown (404 as everywhere);
    // pair/group names (no `:`) are filters only.
    expect((await get('/api/v1/alerts?instrument=binance:NOPE')).status).toBe(404);
    expect((await q('instrument=NOPE-GROUP')).items).toEqual([]);
  });

  it('answers 400 naming the parameter for bad limit, severity, rule, cursor and range', async () => {
    const cases: [string, RegExp][] = [
      ['limit=0', /limit/],
      ['limit=5000', /limit/],
      ['severity=fatal', /severity/],
      ['rule=bad%20rule', /rule/],
      ['cursor=not%2Fbase64', /cursor/],
      ['cursor=abc', /cursor/],
      [`cursor=${Buffer.from('[1,2]').toString('base64url')}`, /cursor/],
      ['from=yesterday', /from/],
      [`from=${T0 + 10}&to=${T0}`, /from must be before to/],
    ];
    for (const [qs, msg] of cases) {
      const r = await get<ErrorResponse>(`/api/v1/alerts?${qs}`);
      expect(r.status, qs).toBe(400);
      expect(r.json().message, qs).toMatch(msg);
    }
  });

  it('lists the effective rules: built-ins minus disabled, configured replacements with overrides, extras', async () => {
    const r = await get<AlertRulesResponse>('/api/v1/alert-rules');
    expect(r.status).toBe(200);
    const rules = r.json().items;
    const ids = rules.map((x) => x.id);
    expect(ids).not.toContain('stale_feed');
    expect(ids).toContain('book_not_live');
    expect(ids.at(-1)).toBe('tiny_spread');
    const spread = rules.find((x) => x.id === 'spread_widening')!;
    expect(spread).toMatchObject({
      threshold: 3,
      overrides: { [BTC]: { threshold: 2, severity: 'critical' } },
    });
  });

  it('serves per-instrument analytics (walls, clusters, flow, candles) and 404s unknown instruments', async () => {
    const r = await get<AnalyticsResponse>(`/api/v1/analytics/${BTC}?candles=5`);
    expect(r.status).toBe(200);
    const a = r.json();
    expect(a.instrument).toBe(BTC);
    expect(a.state).toBe('live');
    expect(Array.isArray(a.walls)).toBe(true);
    expect(Array.isArray(a.clusters)).toBe(true);
    // the fixture's three trades: 0.1 + 0.3 bought, 0.2 sold
    expect(a.flow.buyVolume + a.flow.sellVolume).toBeCloseTo(0.6, 9);
    expect(a.candles['1s']!.length).toBeGreaterThan(0);
    expect(a.candles['1s']!.length).toBeLessThanOrEqual(5);
    expect((await get(`/api/v1/analytics/binance:NOPE`)).status).toBe(404);
    expect((await get(`/api/v1/analytics/${BTC}?candles=0`)).status).toBe(400);
  });

  it('serves the in-memory heatmap, re-bucketed by whole multiples, with 400/404 on bad input', async () => {
    const base = `/api/v1/history/heatmap?instrument=${BTC}&from=${T0}&to=${T0 + 60_000}`;
    const r = await get<HeatmapResponse>(base);
    expect(r.status).toBe(200);
    const h = r.json();
    expect(h.bucketSize).toBe(10);
    expect(h.runs.length).toBeGreaterThan(0);
    const bid = h.runs.find((x) => x.side === 'bid' && x.price === 60000)!;
    // a bin records the book at the first update inside it: the snapshot's 1.0 at 60000 (T0)
    expect(bid.size).toBeCloseTo(1.0, 9);
    expect(bid.from).toBe(T0);
    const wide = (await get<HeatmapResponse>(`${base}&bucket=1000`)).json();
    expect(wide.bucketSize).toBe(1000);
    expect(wide.runs.every((x) => x.price % 1000 === 0)).toBe(true);
    // merging buckets keeps the resting size of the first bin, per side
    const sumAt = (runs: HeatmapResponse['runs'], side: string) =>
      runs.filter((x) => x.side === side && x.from === T0).reduce((t, x) => t + x.size, 0);
    for (const side of ['bid', 'ask']) expect(sumAt(wide.runs, side)).toBeCloseTo(sumAt(h.runs, side), 6);
    expect(sumAt(h.runs, 'bid')).toBeCloseTo(6, 6);
    expect((await get<ErrorResponse>(`${base}&bucket=15`)).status).toBe(400);
    expect((await get<ErrorResponse>(`${base}&bucket=-10`)).status).toBe(400);
    expect((await get(`/api/v1/history/heatmap?instrument=binance:NOPE`)).status).toBe(404);
    expect((await get(`/api/v1/history/heatmap?instrument=${BTC}&from=${T0}&to=${T0}`)).status).toBe(400);
  });

  it('documents the new routes in the OpenAPI document', async () => {
    const doc = (await get<{ paths: Record<string, unknown> }>('/docs/json')).json();
    for (const p of [
      '/api/v1/alerts',
      '/api/v1/alert-rules',
      '/api/v1/analytics/{instrument}',
      '/api/v1/history/heatmap',
    ])
      expect(Object.keys(doc.paths)).toContain(p);
  });

  it('counts alerts on the bus by rule and severity for Prometheus', async () => {
    fx.bus.publish('alert', alert(3));
    fx.bus.publish('alert', alert(6));
    fx.bus.publish('alert', alert(4));
    const text = (await get('/metrics')).body;
    expect(text).toContain('depthwatch_alerts_total{rule="spread_widening",severity="info"} 2');
    expect(text).toContain('depthwatch_alerts_total{rule="extreme_imbalance",severity="warning"} 1');
  });
});

describe('WebSocket alerts channel with a real client', () => {
  let fx: Fixture;
  let app: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    fx = await makeFixture();
    app = createApiServer({ engine: fx.view, bus: fx.bus, store: fx.store });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `ws://127.0.0.1:${(app.server.address() as { port: number }).port}/ws`;
  });
  afterAll(async () => {
    await app.close();
    await fx.store.close();
  });

  async function client() {
    const ws = new WebSocket(url);
    const msgs: Record<string, unknown>[] = [];
    ws.on('message', (d) => msgs.push(JSON.parse(String(d)) as Record<string, unknown>));
    await new Promise<void>((res, rej) => {
      ws.once('open', () => res());
      ws.once('error', rej);
    });
    return { ws, msgs, send: (o: unknown) => ws.send(JSON.stringify(o)) };
  }
  const until = (cond: () => boolean) =>
    vi.waitFor(() => expect(cond()).toBe(true), { timeout: 5000, interval: 10 });

  it('delivers every alert of the subscribed instrument, unthrottled and never conflated', async () => {
    const one = await client();
    const star = await client();
    one.send({ op: 'subscribe', channel: 'alerts', instrument: BTC, throttleMs: 1000 });
    star.send({ op: 'subscribe', channel: 'alerts', instrument: '*' });
    await until(() => one.msgs.length === 1 && star.msgs.length === 1);
    expect(one.msgs[0]).toEqual({
      op: 'subscribed',
      channel: 'alerts',
      instrument: BTC,
      throttleMs: 0,
      known: true,
    });

    const burst = Array.from({ length: 30 }, (_, i) => alert(i, { id: `burst-${i}` }));
    for (const a of burst) fx.bus.publish('alert', a);
    fx.bus.publish('alert', alert(99, { id: 'pair', instrument: 'btc-basis' }));
    const btc = burst.filter((a) => a.instrument === BTC);
    await until(() => one.msgs.length === 1 + btc.length && star.msgs.length === 1 + burst.length + 1);
    const data = (msgs: Record<string, unknown>[]) =>
      msgs.filter((m) => m.channel === 'alerts' && 'data' in m);
    expect(data(one.msgs).map((m) => (m.data as Alert).id)).toEqual(btc.map((a) => a.id));
    expect(data(one.msgs).every((m) => m.instrument === BTC)).toBe(true);
    expect(data(star.msgs).map((m) => (m.data as Alert).id)).toEqual([...burst.map((a) => a.id), 'pair']);

    one.send({ op: 'unsubscribe', channel: 'alerts', instrument: BTC });
    await until(() => one.msgs.some((m) => m.op === 'unsubscribed'));
    fx.bus.publish('alert', alert(1, { id: 'after' }));
    await until(() => star.msgs.some((m) => (m.data as Alert | undefined)?.id === 'after'));
    expect(one.msgs.some((m) => (m.data as Alert | undefined)?.id === 'after')).toBe(false);
    one.ws.close();
    star.ws.close();
  });
});

describe('DuckDB alerts migration', () => {
  it('upgrades a version-1 file (metrics and trades only) to version 2, keeping its rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-mig-'));
    const path = join(dir, 'old.duckdb');
    try {
      const inst = await DuckDBInstance.create(path);
      const c = await inst.connect();
      await c.run(
        'CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR, applied_at BIGINT)',
      );
      await c.run("INSERT INTO schema_version VALUES (1, 'metrics and trades tables', 0)");
      await c.run(`CREATE TABLE metrics (instrument VARCHAR NOT NULL, exchange_ts BIGINT,
        local_ts BIGINT NOT NULL, state VARCHAR NOT NULL, sequence DOUBLE)`);
      await c.run(`CREATE TABLE trades (instrument VARCHAR NOT NULL, exchange_ts BIGINT,
        local_ts BIGINT NOT NULL, id VARCHAR NOT NULL, price DOUBLE NOT NULL, size DOUBLE NOT NULL,
        side VARCHAR NOT NULL)`);
      await c.run(`INSERT INTO trades VALUES ('${BTC}', ${T0}, ${T0}, 't1', 60000, 0.5, 'buy')`);
      c.closeSync();
      inst.closeSync();

      const store = new DuckDbStore({ path, retentionDays: {} });
      await store.init();
      expect(await store.schemaVersion()).toBe(DUCKDB_SCHEMA_VERSION);
      expect((await store.counts()).trades).toBe(1);
      store.appendAlerts([alert(1)]);
      await store.flush();
      expect((await store.queryAlerts({ limit: 10 })).alerts.map((a) => a.id)).toEqual([alert(1).id]);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
