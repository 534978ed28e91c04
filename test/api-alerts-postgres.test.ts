/**
 * The alerts listing over PostgreSQL, through the durable wrapper the app uses for `postgres://` stores:
 * migration 3, idempotent writes, newest-first cursor pages and filters through the HTTP API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { createApiServer } from '../src/api/server.ts';
import type { AlertsResponse, ErrorResponse } from '../src/api/types.ts';
import type { Alert } from '../src/alerts/types.ts';
import { DurableStore } from '../src/store/durable.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { TEST_PG_URL, uniqueName } from '../src/store/postgres/testing.ts';
import { BTC, ETH, T0, makeFixture, type Fixture } from './api-fixtures.ts';

const SEV = ['info', 'warning', 'critical'] as const;

function alert(i: number): Alert {
  const ts = T0 + Math.floor(i / 3) * 1000 + 0.25; // triples share a (fractional) timestamp
  return {
    id: `r${i % 2}:${i % 2 ? BTC : ETH}:${String(i).padStart(3, '0')}`,
    ruleId: `r${i % 2}`,
    kind: 'metric',
    status: 'firing',
    severity: SEV[i % 3]!,
    instrument: i % 2 ? BTC : ETH,
    metric: 'spreadBps',
    value: i,
    threshold: 1,
    comparator: '>',
    message: `m${i}`,
    ts,
    exchangeTs: i % 4 === 0 ? NaN : ts - 2,
    state: 'live',
    sequence: i,
    ...(i === 7 ? { details: { side: 'ask', price: 60001 } } : {}),
  };
}
const newestFirst = (a: Alert, b: Alert) => b.ts - a.ts || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe('alerts over PostgreSQL (durable wrapper)', () => {
  const schema = uniqueName('dw_alerts');
  let fx: Fixture;
  let store: DurableStore;
  let app: FastifyInstance;
  let spool: string;
  const all = Array.from({ length: 25 }, (_, i) => alert(i));

  beforeAll(async () => {
    fx = await makeFixture();
    spool = mkdtempSync(join(tmpdir(), 'dw-spool-'));
    const inner = new PostgresStore({ url: TEST_PG_URL, schema, flushIntervalMs: 0 });
    store = new DurableStore(inner, { spoolDir: spool, flushIntervalMs: 100 });
    await store.init();
    store.appendAlerts(all.slice(0, 10));
    store.appendAlerts(all.slice(10));
    store.appendAlerts(all.slice(0, 3)); // written again: ignored by the id key
    await store.flush(); // alerts travel through the durable buffer like every row kind
    app = createApiServer({ engine: fx.view, bus: fx.bus, store });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await fx.store.close();
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
    rmSync(spool, { recursive: true, force: true });
  });

  const get = async <T>(url: string) => {
    const r = await app.inject({ method: 'GET', url });
    return { status: r.statusCode, json: () => r.json<T>() };
  };

  it('stores each alert once and reads it back as written, newest first', async () => {
    const body = (await get<AlertsResponse>('/api/v1/alerts?limit=1000')).json();
    expect(body.nextCursor).toBeNull();
    expect(body.items).toEqual(
      [...all].sort(newestFirst).map((a) => JSON.parse(JSON.stringify(a)) as unknown),
    );
  });

  it('pages with the cursor across equal timestamps, and filters', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: AlertsResponse = (
        await get<AlertsResponse>(`/api/v1/alerts?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      ids.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(pages).toBe(7);
    expect(ids).toEqual([...all].sort(newestFirst).map((a) => a.id));
    const f = (
      await get<AlertsResponse>(`/api/v1/alerts?instrument=${BTC}&severity=critical&rule=r1`)
    ).json();
    expect(f.items.map((a) => a.id)).toEqual(
      all
        .filter((a) => a.instrument === BTC && a.severity === 'critical')
        .sort(newestFirst)
        .map((a) => a.id),
    );
    const r = (await get<AlertsResponse>(`/api/v1/alerts?from=${T0 + 2000}&to=${T0 + 4000}`)).json();
    expect(r.items.map((a) => a.id)).toEqual(
      all
        .filter((a) => a.ts >= T0 + 2000 && a.ts < T0 + 4000)
        .sort(newestFirst)
        .map((a) => a.id),
    );
    expect((await get<ErrorResponse>('/api/v1/alerts?cursor=abc')).status).toBe(400);
  });
});
