/**
 * History of crossed-market and basis events (table `analytics_events`) on real data: the three
 * simultaneous Binance BTC recordings of 2024-08-08 (spot, USD-M, COIN-M) replayed as one consolidated
 * BTC-USD group, the events of the consolidation stage's bus topics written by the app's writer
 * (app/event-history.ts) into the embedded DuckDB store and into the real PostgreSQL behind the durable
 * wrapper (batch → spool kind → writeBatch), then read back page by page through both stores and the
 * HTTP route; filters, idempotent re-writes and retention.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openRecording } from '../src/recording/index.ts';
import { Replay } from '../src/replay/replay.ts';
import type { CrossedMarket } from '../src/analytics/consolidated/arbitrage.ts';
import type { ConsolidatedBasis } from '../src/analytics/consolidated/stage.ts';
import { startEventHistory } from '../src/app/event-history.ts';
import { DuckDbStore } from '../src/store/duckdb.ts';
import { DurableStore } from '../src/store/durable.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { TEST_PG_URL, testSql, uniqueName } from '../src/store/postgres/testing.ts';
import { basisEventRow, crossedEventRow, markerEventRow, wallEventRow } from '../src/store/event-rows.ts';
import type { WallEvent } from '../src/analytics/walls.ts';
import type { AnalyticsMarker } from '../src/analytics/markers.ts';
import type { AnalyticsEventQuery, AnalyticsEventRow, HistoryStore } from '../src/store/types.ts';
import { createApiServer } from '../src/api/server.ts';
import type { EventsResponse } from '../src/contract/index.ts';
import { makeFixture, type Fixture } from './api-fixtures.ts';

const D = '../shared/data/binance-hftbacktest';
const FILES = [
  `${D}/spot/btcusdt_20240808.gz`,
  `${D}/usdm/btcusdt_20240808.gz`,
  `${D}/cm/btcusd_perp_20240808.gz`,
];
const SPOT = 'binance:BTCUSDT';
const USDM = 'binance-usdm:BTCUSDT';
const COINM = 'binance-coinm:BTCUSD_PERP';
const START = Date.UTC(2024, 7, 8, 23, 54, 0); // the recordings overlap from 23:53 to 00:00 UTC

const newestFirst = (a: AnalyticsEventRow, b: AnalyticsEventRow): number =>
  b.ts - a.ts || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** Every page of a query, following the cursors. */
async function allPages(store: HistoryStore, q: AnalyticsEventQuery): Promise<AnalyticsEventRow[]> {
  const out: AnalyticsEventRow[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await store.queryAnalyticsEvents!({ ...q, ...(cursor ? { cursor } : {}) });
    out.push(...page.events);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error('no last page');
}

describe('analytics_events: crossed markets and basis of BTC-USD over the Binance recordings', () => {
  const schema = uniqueName('dw_events');
  const crossed: CrossedMarket[] = [];
  const basis: ConsolidatedBasis[] = [];
  const walls: WallEvent[] = [];
  const markers: AnalyticsMarker[] = [];
  let expected: AnalyticsEventRow[];
  let duck: DuckDbStore;
  let pgDurable: DurableStore;
  let spool: string;
  let fx: Fixture;
  let api: FastifyInstance;

  beforeAll(async () => {
    duck = new DuckDbStore({ path: ':memory:', flushIntervalMs: 60_000, retentionDays: {} });
    await duck.init();
    spool = mkdtempSync(join(tmpdir(), 'dw-events-spool-'));
    pgDurable = new DurableStore(new PostgresStore({ url: TEST_PG_URL, schema, flushIntervalMs: 0 }), {
      spoolDir: spool,
      flushIntervalMs: 60_000,
    });
    await pgDurable.init();
    const replay = new Replay(await openRecording(FILES), {
      to: START + 90_000,
      engine: {
        consolidation: {
          // crossKinds any: spot against the perpetuals too, so these 90 s hold crossings to store (the
          // two perpetuals alone do not cross here).
          groups: [
            {
              name: 'BTC-USD',
              members: [SPOT, USDM, COINM],
              fees: { 'binance-usdm': 0.0005 },
              crossKinds: 'any',
            },
          ],
          watchlist: false,
        },
      },
    });
    replay.bus.subscribe('arbitrage', (e) => crossed.push(e));
    replay.bus.subscribe('consolidated.basis', (b) => basis.push(b));
    replay.bus.subscribe('analytics', (e) => walls.push(e));
    replay.bus.subscribe('analytics.marker', (m) => markers.push(m));
    startEventHistory(replay.bus, duck);
    startEventHistory(replay.bus, pgDurable);
    await replay.run();
    await duck.flush();
    await pgDurable.flush();
    expected = [
      ...crossed.map(crossedEventRow),
      ...basis.map(basisEventRow),
      ...walls
        .filter((e) => e.kind === 'appeared' || e.kind === 'pulled' || e.kind === 'consumed')
        .map(wallEventRow),
      ...markers.map(markerEventRow),
    ].sort(newestFirst);
    fx = await makeFixture();
    api = createApiServer({ engine: fx.view, bus: fx.bus, store: duck });
    await api.ready();
  });

  afterAll(async () => {
    await api?.close();
    await fx?.store.close();
    await duck?.close();
    await pgDurable?.close();
    const sql = testSql();
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
    rmSync(spool, { recursive: true, force: true });
  });

  it('the replay published crossed-market events and a basis per perpetual per second', () => {
    expect(crossed.length).toBeGreaterThan(0);
    expect(new Set(crossed.map((e) => e.status))).toContain('close');
    // One basis sample per perpetual per 1 s interval, every interval from the first one with every
    // member live to the end of the replay (the feeds update the group many times a second).
    const slots = new Map<string, number[]>();
    for (const b of basis)
      slots.set(b.instrument, [...(slots.get(b.instrument) ?? []), Math.floor(b.ts / 1000)]);
    expect([...slots.keys()].sort()).toEqual([COINM, USDM]);
    for (const s of slots.values()) {
      expect(s.length).toBeGreaterThan(60);
      expect(s.every((x, i) => i === 0 || x === s[i - 1]! + 1)).toBe(true);
      expect(s[s.length - 1]).toBe(Math.floor((START + 90_000 - 1) / 1000));
    }
    expect(new Set(expected.map((r) => r.id)).size).toBe(expected.length); // every event its own row
  });

  it('the replay published wall lifecycle events and S/R cluster markers of every member, stored as rows too', () => {
    for (const id of [SPOT, USDM, COINM]) {
      expect(walls.filter((e) => e.instrument === id).length, `${id} walls`).toBeGreaterThan(0);
      const formed = markers.filter(
        (m) => m.instrument === id && m.type === 'cluster' && m.kind === 'formed',
      );
      expect(formed.length, `${id} clusters formed`).toBeGreaterThan(0);
    }
    const byKind: Record<string, number> = {};
    for (const r of expected) byKind[`${r.kind}/${r.status}`] = (byKind[`${r.kind}/${r.status}`] ?? 0) + 1;
    console.info(`analytics_events over 90 s: ${expected.length} rows`, byKind);
    const kinds = new Set(expected.map((r) => r.kind));
    for (const k of ['crossed', 'basis', 'wall', 'cluster']) expect(kinds).toContain(k);
    // A row's group is the venue for instrument markers.
    expect(expected.find((r) => r.kind === 'cluster')!.group).toMatch(/^binance/);
  });

  for (const which of ['duckdb', 'postgres'] as const) {
    const store = (): HistoryStore => (which === 'duckdb' ? duck : pgDurable);

    it(`${which}: every event back, newest first, across pages of 7`, async () => {
      const got = await allPages(store(), { limit: 7 });
      expect(got.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      expect(got).toEqual(JSON.parse(JSON.stringify(expected))); // bodies as JSON (NaN → null)
    });

    it(`${which}: filters by kind, instrument (either side of a crossing), group and time`, async () => {
      const crossedRows = await allPages(store(), { kind: 'crossed', limit: 1000 });
      expect(crossedRows.map((r) => r.id)).toEqual(
        expected.filter((r) => r.kind === 'crossed').map((r) => r.id),
      );
      const usdm = await allPages(store(), { instrument: USDM, kind: 'crossed', limit: 1000 });
      expect(usdm.map((r) => r.id)).toEqual(
        expected
          .filter((r) => r.kind === 'crossed' && (r.instrument === USDM || r.counterparty === USDM))
          .map((r) => r.id),
      );
      const basisUsdm = await allPages(store(), { instrument: USDM, kind: 'basis', limit: 1000 });
      expect(basisUsdm.length).toBe(basis.filter((b) => b.instrument === USDM).length);
      expect((await allPages(store(), { group: 'ETH-USD' })).length).toBe(0);
      const from = START + 30_000;
      const to = START + 60_000;
      const slice = await allPages(store(), { group: 'BTC-USD', from, to, limit: 5 });
      expect(slice.map((r) => r.id)).toEqual(
        expected.filter((r) => r.group === 'BTC-USD' && r.ts >= from && r.ts < to).map((r) => r.id),
      );
      await expect(store().queryAnalyticsEvents!({ from: to, to: from })).rejects.toThrow(RangeError);
      await expect(store().queryAnalyticsEvents!({ cursor: 'bm90LWEtY3Vyc29y' })).rejects.toThrow(RangeError);
    });
  }

  it('postgres: rows written again are ignored by the id key', async () => {
    pgDurable.appendAnalyticsEvents(expected.slice(0, 20));
    await pgDurable.flush();
    expect((await allPages(pgDurable, {})).length).toBe(expected.length);
  });

  it('refuses rows without an id, group, known kind or a sane ts, and counts them', async () => {
    const before = duck.stats.rejectedRows;
    const good = expected[0]!;
    duck.appendAnalyticsEvents([
      { ...good, id: '' },
      { ...good, kind: 'funding' as never },
      { ...good, ts: 12 },
    ]);
    expect(duck.stats.rejectedRows - before).toBe(3);
  });

  it('GET /api/v1/history/events pages and filters through the HTTP API', async () => {
    const get = async (url: string) => {
      const r = await api.inject({ method: 'GET', url });
      return { status: r.statusCode, body: r.json<EventsResponse & { message?: string }>() };
    };
    const ids: string[] = [];
    let url = `/api/v1/history/events?group=BTC-USD&kind=crossed&limit=2`;
    for (;;) {
      const r = await get(url);
      expect(r.status).toBe(200);
      ids.push(...r.body.items.map((e) => e.id));
      if (!r.body.nextCursor) break;
      url = `/api/v1/history/events?group=BTC-USD&kind=crossed&limit=2&cursor=${r.body.nextCursor}`;
    }
    expect(ids).toEqual(expected.filter((r) => r.kind === 'crossed').map((r) => r.id));
    const iso = new Date(START + 30_000).toISOString();
    const basisPage = await get(
      `/api/v1/history/events?instrument=${encodeURIComponent(COINM)}&kind=basis&from=${iso}&to=${START + 31_000}`,
    );
    expect(basisPage.body.items.map((e) => e.id)).toEqual(
      expected
        .filter(
          (r) =>
            r.kind === 'basis' && r.instrument === COINM && r.ts >= START + 30_000 && r.ts < START + 31_000,
        )
        .map((r) => r.id),
    );
    expect(basisPage.body.items.length).toBe(1);
    const bad = await get('/api/v1/history/events?kind=funding');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/kind/);
    expect((await get(`/api/v1/history/events?from=${START + 10}&to=${START}`)).status).toBe(400);
    // fx.store is a DuckDB store too; a store without the table answers 501.
    const bare = createApiServer({
      engine: fx.view,
      bus: fx.bus,
      store: Object.create(fx.store, { queryAnalyticsEvents: { value: undefined } }) as HistoryStore,
    });
    const r = await bare.inject({ method: 'GET', url: '/api/v1/history/events' });
    expect(r.statusCode).toBe(501);
    await bare.close();
  });

  it('retention deletes events older than the configured days (DuckDB by ts, PostgreSQL on maintenance)', async () => {
    const newest = expected[0]!.ts;
    const cut = START + 45_000;
    const keepDays = 1;
    const d = new DuckDbStore({ path: ':memory:', retentionDays: { analyticsEvents: keepDays } });
    await d.init();
    d.appendAnalyticsEvents(expected);
    await d.flush();
    const deleted = await d.applyRetention(cut + keepDays * 86_400_000);
    expect(deleted.analyticsEvents).toBe(expected.filter((r) => r.ts < cut).length);
    const left = await allPages(d, {});
    expect(left.map((r) => r.id)).toEqual(expected.filter((r) => r.ts >= cut).map((r) => r.id));
    expect(left[0]!.ts).toBe(newest);
    await d.close();

    // PostgreSQL: an event of now stays, the 2024 ones go (retention runs against the wall clock).
    const recent = { ...expected[0]!, id: 'recent', ts: Date.now() - 1000 };
    const pgs = new PostgresStore({ url: TEST_PG_URL, schema, flushIntervalMs: 0, eventRetentionDays: 1 });
    await pgs.init(); // runs maintain(): retention
    pgs.appendAnalyticsEvents([recent]);
    await pgs.flush();
    await pgs.maintain();
    expect((await allPages(pgs, {})).map((r) => r.id)).toEqual(['recent']);
    await pgs.close();
  });
});
