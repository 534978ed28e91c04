/**
 * The PostgreSQL store's `analytics_events` table (created by migration 6 in schema.ts; layout and query rules in
 * store/event-rows.ts): batched inserts idempotent on the row id (so DurableStore's retries and spool
 * re-drains never duplicate a row), newest-first pages, retention by `ts`.
 */
import type pg from 'pg';
import { checkEventQuery, eventCursor, eventFromColumns } from '../event-rows.ts';
import type { AnalyticsEventPage, AnalyticsEventQuery, AnalyticsEventRow } from '../types.ts';
import { ident } from './schema.ts';

/** Insert rows in one statement (a JSON array parameter unpacked server-side), skipping ids present. */
export async function insertEventsPg(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  rows: readonly AnalyticsEventRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO ${ident(schema)}.analytics_events
       (id, kind, group_name, instrument, counterparty, ts, status, value_bps, body)
     SELECT e->>'id', e->>'kind', e->>'group', e->>'instrument', e->>'counterparty', (e->>'ts')::float8,
       e->>'status', (e->>'valueBps')::float8, e->'body'
     FROM jsonb_array_elements($1::jsonb) AS e
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

/**
 * One page of stored events, newest first (`ts`, then `id`, descending).
 * @throws {RangeError} on a bad query (see checkEventQuery)
 */
export async function queryEventsPg(
  db: pg.Pool,
  schema: string,
  q: AnalyticsEventQuery,
  cap: number,
): Promise<AnalyticsEventPage> {
  const c = checkEventQuery(q, cap);
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return '$' + params.length;
  };
  if (c.group !== undefined) where.push(`group_name = ${p(c.group)}`);
  if (c.instrument !== undefined) {
    const i = p(c.instrument);
    where.push(`(instrument = ${i} OR counterparty = ${i})`);
  }
  if (c.kind !== undefined) where.push(`kind = ${p(c.kind)}`);
  if (c.from !== undefined) where.push(`ts >= ${p(c.from)}::float8`);
  if (c.to !== undefined) where.push(`ts < ${p(c.to)}::float8`);
  if (c.after) where.push(`(ts, id) < (${p(c.after.ts)}::float8, ${p(c.after.id)}::text)`);
  const r = await db.query(
    `SELECT id, kind, group_name, instrument, counterparty, ts, status, value_bps, body
     FROM ${ident(schema)}.analytics_events ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
     ORDER BY ts DESC, id DESC LIMIT ${c.limit + 1}`,
    params,
  );
  const events = r.rows.slice(0, c.limit).map((x: Record<string, unknown>) =>
    eventFromColumns({
      id: x.id,
      kind: x.kind,
      group: x.group_name,
      instrument: x.instrument,
      counterparty: x.counterparty,
      ts: x.ts,
      status: x.status,
      valueBps: x.value_bps,
      body: x.body,
    }),
  );
  const last = events[events.length - 1];
  return { events, nextCursor: r.rows.length > c.limit && last ? eventCursor(last) : null };
}

/** Delete events before `cutoff` (ms). @returns rows deleted */
export async function deleteEventsBeforePg(db: pg.Pool, schema: string, cutoff: number): Promise<number> {
  const r = await db.query(`DELETE FROM ${ident(schema)}.analytics_events WHERE ts < $1::float8`, [cutoff]);
  return r.rowCount ?? 0;
}
