/**
 * The PostgreSQL store's `news` table (migration 5 in schema.ts; layout in store/news-rows.ts): upsert by
 * id, newest-first pages filtered by asset/source/time, retention by `received_ts`.
 */
import type pg from 'pg';
import type { NewsItem, NewsPage, NewsQuery } from '../../news/types.ts';
import { checkNewsBatch, checkNewsQuery, newsCursor, newsFromRow } from '../news-rows.ts';
import { ident } from './schema.ts';

/**
 * Upsert items in one statement (a JSON array parameter unpacked server-side), keeping each row's first
 * `received_ts`.
 * @returns how many ids were new to the table
 * @throws {RangeError} for an invalid item (nothing written); the driver's error when the write fails
 */
export async function upsertNewsPg(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  items: readonly NewsItem[],
): Promise<number> {
  const rows = checkNewsBatch(items);
  if (rows.length === 0) return 0;
  const s = ident(schema);
  const r = await db.query(
    `INSERT INTO ${s}.news (id, published_ts, received_ts, source, assets, body)
     SELECT e->>'id', (e->>'publishedAt')::float8, (e->>'receivedAt')::float8, e->>'source',
       ARRAY(SELECT jsonb_array_elements_text(e->'assets')), e
     FROM jsonb_array_elements($1::jsonb) AS e
     ON CONFLICT (id) DO UPDATE SET published_ts = EXCLUDED.published_ts, source = EXCLUDED.source,
       assets = EXCLUDED.assets, body = EXCLUDED.body
     RETURNING (xmax = 0) AS inserted`,
    [JSON.stringify(rows)],
  );
  return r.rows.filter((x: { inserted: boolean }) => x.inserted).length;
}

/**
 * One page of stored news, newest first (`published_ts`, then `id`, descending).
 * @throws {RangeError} on a bad query (see checkNewsQuery)
 */
export async function queryNewsPg(db: pg.Pool, schema: string, q: NewsQuery): Promise<NewsPage> {
  const c = checkNewsQuery(q);
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return '$' + params.length;
  };
  if (c.asset !== undefined) where.push(`assets @> ARRAY[${p(c.asset)}::text]`);
  if (c.source !== undefined) where.push(`source = ${p(c.source)}`);
  if (c.from !== undefined) where.push(`published_ts >= ${p(c.from)}::float8`);
  if (c.to !== undefined) where.push(`published_ts < ${p(c.to)}::float8`);
  if (c.after) {
    const ts = p(c.after.ts);
    where.push(`(published_ts < ${ts}::float8 OR (published_ts = ${ts}::float8 AND id < ${p(c.after.id)}))`);
  }
  const r = await db.query(
    `SELECT body, received_ts FROM ${ident(schema)}.news ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
     ORDER BY published_ts DESC, id DESC LIMIT ${c.limit + 1}`,
    params,
  );
  const items = r.rows
    .slice(0, c.limit)
    .map((row: { body: unknown; received_ts: number }) => newsFromRow(row.body, Number(row.received_ts)));
  const last = items[items.length - 1];
  return { items, nextCursor: r.rows.length > c.limit && last ? newsCursor(last) : null };
}

/** Delete news received before `cutoff` (ms). @returns rows deleted */
export async function deleteNewsBeforePg(db: pg.Pool, schema: string, cutoff: number): Promise<number> {
  const r = await db.query(`DELETE FROM ${ident(schema)}.news WHERE received_ts < $1::float8`, [cutoff]);
  return r.rowCount ?? 0;
}
