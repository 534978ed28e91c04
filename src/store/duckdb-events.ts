/**
 * The DuckDB store's `analytics_events` table (schema version 5; layout and query rules in
 * store/event-rows.ts): rows are queued by DuckDbStore and appended with the metrics in its write
 * transaction (column writers below); pages newest first; retention by `ts`. Called by DuckDbStore on
 * its serialised writer/reader connections.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { doubleColumn, msColumn, valueColumn, type ColumnWriter } from './duckdb-vectors.ts';
import { checkEventQuery, eventCursor, eventFromColumns } from './event-rows.ts';
import type { AnalyticsEventPage, AnalyticsEventQuery, AnalyticsEventRow } from './types.ts';

/** Migration 5 of store/duckdb.ts. */
export const DUCKDB_EVENTS_MIGRATION = [
  `CREATE TABLE IF NOT EXISTS analytics_events (id VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    group_name VARCHAR NOT NULL, instrument VARCHAR NOT NULL, counterparty VARCHAR, ts BIGINT NOT NULL,
    status VARCHAR NOT NULL, value_bps DOUBLE, body VARCHAR NOT NULL)`,
];

/** Writers of the `analytics_events` columns, in table order. */
export const EVENT_COLUMNS: readonly ColumnWriter<AnalyticsEventRow>[] = [
  valueColumn((e) => e.id),
  valueColumn((e) => e.kind),
  valueColumn((e) => e.group),
  valueColumn((e) => e.instrument),
  valueColumn((e) => e.counterparty),
  msColumn((e) => e.ts),
  valueColumn((e) => e.status),
  doubleColumn((e) => e.valueBps),
  valueColumn((e) => JSON.stringify(e.body)),
];

/**
 * One page of stored events, newest first (`ts`, then `id`, descending).
 * @throws {RangeError} on a bad query (see checkEventQuery)
 */
export async function queryEventsDuckDb(
  r: DuckDBConnection,
  q: AnalyticsEventQuery,
  cap: number,
): Promise<AnalyticsEventPage> {
  const c = checkEventQuery(q, cap);
  const where: string[] = [];
  const params: string[] = [];
  const p = (v: string): string => {
    params.push(v);
    return '$' + params.length;
  };
  if (c.group !== undefined) where.push(`group_name = ${p(c.group)}`);
  if (c.instrument !== undefined) {
    const i = p(c.instrument);
    where.push(`(instrument = ${i} OR counterparty = ${i})`);
  }
  if (c.kind !== undefined) where.push(`kind = ${p(c.kind)}`);
  if (c.from !== undefined) where.push(`ts >= ${c.from}`);
  if (c.to !== undefined) where.push(`ts < ${c.to}`);
  if (c.after) {
    const ts = Math.round(c.after.ts);
    where.push(`(ts < ${ts} OR (ts = ${ts} AND id < ${p(c.after.id)}))`);
  }
  const res = await r.runAndReadAll(
    `SELECT id, kind, group_name, instrument, counterparty, ts::DOUBLE, status, value_bps, body
      FROM analytics_events ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY ts DESC, id DESC LIMIT ${c.limit + 1}`,
    params,
  );
  const rows = res.getRows();
  const events = rows.slice(0, c.limit).map((x) =>
    eventFromColumns({
      id: x[0],
      kind: x[1],
      group: x[2],
      instrument: x[3],
      counterparty: x[4],
      ts: x[5],
      status: x[6],
      valueBps: x[7],
      body: x[8],
    }),
  );
  const last = events[events.length - 1];
  return { events, nextCursor: rows.length > c.limit && last ? eventCursor(last) : null };
}

/** Delete events before `cutoff` (ms). @returns rows deleted */
export async function deleteEventsBeforeDuckDb(w: DuckDBConnection, cutoff: number): Promise<number> {
  const r = await w.run(`DELETE FROM analytics_events WHERE ts < ${Math.floor(cutoff)}`);
  return r.rowsChanged;
}
