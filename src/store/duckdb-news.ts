/**
 * The DuckDB store's `news` table (schema version 4; layout in store/news-rows.ts): upsert by id with
 * `INSERT … ON CONFLICT (id) DO UPDATE`, newest-first pages, retention by `received_ts`. Called by
 * DuckDbStore on its serialised writer/reader connections.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { NewsItem, NewsPage, NewsQuery } from '../news/types.ts';
import { checkNewsBatch, checkNewsQuery, newsCursor, newsFromRow } from './news-rows.ts';

/** Migration 4 of store/duckdb.ts. */
export const DUCKDB_NEWS_MIGRATION = [
  `CREATE TABLE IF NOT EXISTS news (id VARCHAR PRIMARY KEY, published_ts BIGINT NOT NULL,
    received_ts BIGINT NOT NULL, source VARCHAR NOT NULL, assets VARCHAR[] NOT NULL, body VARCHAR NOT NULL)`,
];

/**
 * Upsert items in one transaction on `w` (the store's writer connection).
 * @returns how many ids were new to the table
 * @throws {RangeError} for an invalid item (nothing written); the DuckDB error when the write fails
 */
export async function upsertNewsDuckDb(w: DuckDBConnection, items: readonly NewsItem[]): Promise<number> {
  const rows = checkNewsBatch(items);
  if (rows.length === 0) return 0;
  await w.run('BEGIN TRANSACTION');
  try {
    const ids = rows.map((r) => r.id);
    const existing = await w.runAndReadAll(
      `SELECT count(*)::INTEGER FROM news WHERE id IN (${ids.map((_, i) => '$' + (i + 1)).join(', ')})`,
      ids,
    );
    const known = Number(existing.getRows()[0]?.[0] ?? 0);
    const stmt = await w.prepare(
      `INSERT INTO news VALUES ($1, $2, $3, $4,
         CASE WHEN $5 = '' THEN []::VARCHAR[] ELSE string_split($5, chr(31)) END, $6)
       ON CONFLICT (id) DO UPDATE SET published_ts = excluded.published_ts, source = excluded.source,
         assets = excluded.assets, body = excluded.body`,
    );
    for (const it of rows) {
      // Assets travel as one string (codes joined by U+001F): list parameters are not bindable here.
      stmt.bind([
        it.id,
        BigInt(Math.round(it.publishedAt)),
        BigInt(Math.round(it.receivedAt)),
        it.source,
        it.assets.join('\u001f'),
        JSON.stringify(it),
      ]);
      await stmt.run();
    }
    await w.run('COMMIT');
    return rows.length - known;
  } catch (e) {
    await w.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/**
 * One page of stored news, newest first (`published_ts`, then `id`, descending).
 * @throws {RangeError} on a bad query (see checkNewsQuery)
 */
export async function queryNewsDuckDb(r: DuckDBConnection, q: NewsQuery): Promise<NewsPage> {
  const c = checkNewsQuery(q);
  const where: string[] = [];
  const params: (string | number)[] = [];
  const p = (v: string | number): string => {
    params.push(v);
    return '$' + params.length;
  };
  if (c.asset !== undefined) where.push(`list_contains(assets, ${p(c.asset)})`);
  if (c.source !== undefined) where.push(`source = ${p(c.source)}`);
  if (c.from !== undefined) where.push(`published_ts >= ${Math.ceil(c.from)}`);
  if (c.to !== undefined) where.push(`published_ts < ${Math.ceil(c.to)}`);
  if (c.after) {
    const ts = Math.round(c.after.ts);
    where.push(`(published_ts < ${ts} OR (published_ts = ${ts} AND id < ${p(c.after.id)}))`);
  }
  const res = await r.runAndReadAll(
    `SELECT body, received_ts::DOUBLE FROM news ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY published_ts DESC, id DESC LIMIT ${c.limit + 1}`,
    params,
  );
  const rows = res.getRows();
  const items = rows.slice(0, c.limit).map((row) => newsFromRow(String(row[0]), Number(row[1])));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > c.limit && last ? newsCursor(last) : null };
}

/** Delete news received before `cutoff` (ms). @returns rows deleted */
export async function deleteNewsBeforeDuckDb(w: DuckDBConnection, cutoff: number): Promise<number> {
  const r = await w.run(`DELETE FROM news WHERE received_ts < ${Math.floor(cutoff)}`);
  return r.rowsChanged;
}
