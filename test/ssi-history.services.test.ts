/**
 * History of the Vietnamese market in `analytics_events`: the real SSI stream recordings
 * (../shared/data/ssi/stream: 26 VNINDEX `MI` messages, `B` prints, SSI's documented samples incl. `R`
 * foreign room) go through the SSI service onto an in-process bus; app/event-history.ts
 * `startSsiHistory` writes every index message and the foreign-flow samples into the embedded DuckDB
 * store and the real PostgreSQL, and both give them back by kind, newest first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessBus } from '../src/bus/in-process.ts';
import { SsiService } from '../src/app/ssi-service.ts';
import { startSsiHistory } from '../src/app/event-history.ts';
import { ssiConfigSchema } from '../src/config/ssi.ts';
import type { IndexView, SsiTopics } from '../src/analytics/ssi/views.ts';
import { DuckDbStore } from '../src/store/duckdb.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { TEST_PG_URL, testSql, uniqueName } from '../src/store/postgres/testing.ts';
import type { AnalyticsEventQuery, AnalyticsEventRow, HistoryStore } from '../src/store/types.ts';

const STREAM = join('..', 'shared', 'data', 'ssi', 'stream');
const FILES = ['ssi_mi_messages.jsonl', 'ssi_b_messages.first72.jsonl', 'ssi_doc_samples.jsonl'];
const RECEIVED = Date.UTC(2026, 6, 20, 7, 0, 0);

async function all(store: HistoryStore, q: AnalyticsEventQuery): Promise<AnalyticsEventRow[]> {
  const out: AnalyticsEventRow[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await store.queryAnalyticsEvents!({ ...q, limit: 10, ...(cursor ? { cursor } : {}) });
    out.push(...page.events);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
  throw new Error('no last page');
}

describe('SSI index and foreign-flow history in analytics_events (DuckDB and PostgreSQL)', () => {
  const schema = uniqueName('dw_ssi_hist');
  const indexViews: IndexView[] = [];
  let foreignPublished = 0;
  let duck: DuckDbStore;
  let pg: PostgresStore;

  beforeAll(async () => {
    duck = new DuckDbStore({ path: ':memory:', flushIntervalMs: 60_000, retentionDays: {} });
    await duck.init();
    pg = new PostgresStore({ url: TEST_PG_URL, schema, flushIntervalMs: 0 });
    await pg.init();
    const bus = new InProcessBus<SsiTopics>();
    bus.subscribe('ssi.index', (v) => indexViews.push(v));
    bus.subscribe('ssi.foreign', () => foreignPublished++);
    startSsiHistory(bus, duck, { now: () => RECEIVED });
    startSsiHistory(bus, pg, { now: () => RECEIVED });
    const svc = new SsiService({
      config: ssiConfigSchema.parse({ enabled: true }),
      bus: bus as never,
      alerts: null,
    });
    for (const f of FILES)
      for (const line of readFileSync(join(STREAM, f), 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        const e = JSON.parse(line) as { DataType: string; Content: string };
        svc.ingest(e.DataType, e.Content, RECEIVED);
      }
    await duck.flush();
    await pg.flush();
  });

  afterAll(async () => {
    await duck?.close();
    await pg?.close();
    const sql = testSql();
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
  });

  for (const which of ['duckdb', 'postgres'] as const) {
    const store = (): HistoryStore => (which === 'duckdb' ? duck : pg);

    it(`${which}: every VNINDEX message back as an index row with its value and breadth`, async () => {
      const vn = indexViews.filter((v) => v.instrument === 'ssi:VNINDEX');
      expect(vn.length).toBeGreaterThanOrEqual(26);
      const rows = await all(store(), { kind: 'index', instrument: 'ssi:VNINDEX' });
      // One row per distinct index time (a message repeating a time is the same sample).
      const times = [...new Set(vn.map((v) => Math.round(v.ts ?? RECEIVED)))].sort((a, b) => b - a);
      expect(rows.map((r) => r.ts)).toEqual(times);
      const newest = vn.filter((v) => Math.round(v.ts ?? RECEIVED) === times[0]).at(-1)!;
      const body = rows[0]!.body as IndexView;
      expect(body).toMatchObject({
        value: newest.value,
        advances: newest.advances,
        declines: newest.declines,
        noChanges: newest.noChanges,
      });
      expect(rows[0]).toMatchObject({ kind: 'index', group: 'ssi', status: 'sample' });
      if (newest.value !== null && newest.priorValue !== null)
        expect(rows[0]!.valueBps).toBeCloseTo(
          ((newest.value - newest.priorValue) / newest.priorValue) * 1e4,
          6,
        );
    });

    it(`${which}: foreign flow sampled at most once per instrument per 5 s`, async () => {
      const rows = await all(store(), { kind: 'foreign' });
      expect(foreignPublished).toBeGreaterThan(0);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.length).toBeLessThanOrEqual(foreignPublished);
      const byInstrument = new Map<string, number[]>();
      for (const r of rows) byInstrument.set(r.instrument, [...(byInstrument.get(r.instrument) ?? []), r.ts]);
      for (const ts of byInstrument.values())
        for (let i = 1; i < ts.length; i++) expect(ts[i - 1]! - ts[i]!).toBeGreaterThanOrEqual(5_000);
    });
  }
});
