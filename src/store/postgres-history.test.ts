import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresHistory, splitSchemaParam } from './postgres-history.ts';
import { TEST_PG_URL, sampleAt, uniqueName, testSql } from './postgres/testing.ts';

describe('PostgreSQL store URL', () => {
  it('takes the schema from ?schema= and leaves the rest of the URL to the driver', () => {
    expect(splitSchemaParam('postgres://u:p@h:5432/db?schema=research&sslmode=disable')).toEqual({
      url: 'postgres://u:p@h:5432/db?sslmode=disable',
      schema: 'research',
    });
    expect(splitSchemaParam('postgres://h/db')).toEqual({ url: 'postgres://h/db' });
    expect(() => splitSchemaParam('postgres://h/db?schema=a;drop')).toThrow(TypeError);
  });

  const schema = uniqueName('dw_urlschema');
  const spoolDir = mkdtempSync(join(tmpdir(), 'dw-urlschema-'));
  afterAll(async () => {
    rmSync(spoolDir, { recursive: true, force: true });
    const sql = testSql();
    await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await sql.end();
  });

  it('writes into the schema the URL names, on the real server', async () => {
    const store = createPostgresHistory({
      url: `${TEST_PG_URL}?schema=${schema}`,
      flushIntervalMs: 50,
      retentionDays: 0,
      spoolDir,
    });
    await store.init();
    try {
      store.appendMetrics([sampleAt('binance:BTCUSDT', Date.UTC(2026, 10, 23), 1)]);
      await store.flush();
      const sql = testSql();
      try {
        const rows = await sql.unsafe(`SELECT count(*)::int AS n FROM "${schema}".metrics`);
        expect(rows[0]!.n).toBe(1);
      } finally {
        await sql.end();
      }
    } finally {
      await store.close();
    }
  });
});
