/**
 * Watchlist table helpers, pure: sorting rows by a column (nulls last whichever the direction) and the
 * sparkline path of a price series. Rows are the contract's WatchRow (`GET /api/v1/watchlist`).
 */
import type { WatchRow } from '../../../src/contract/index.ts';

export type { WatchRow } from '../../../src/contract/index.ts';

/** Sortable columns. */
export const WATCH_COLUMNS = [
  'id',
  'last',
  'changePct',
  'high',
  'low',
  'volume',
  'spreadBps',
  'imbalance',
  'state',
] as const;
export type WatchColumn = (typeof WATCH_COLUMNS)[number];

/** Sort order. */
export interface WatchSort {
  column: WatchColumn;
  dir: 'asc' | 'desc';
}

/** Rows sorted by `s` (stable; unknown values last in both directions; ties by id). */
export function sortWatchRows(rows: readonly WatchRow[], s: WatchSort): WatchRow[] {
  const k = s.dir === 'asc' ? 1 : -1;
  return rows.slice().sort((a, b) => {
    const x = a[s.column];
    const y = b[s.column];
    const xn = x === null || x === undefined || (typeof x === 'number' && !Number.isFinite(x));
    const yn = y === null || y === undefined || (typeof y === 'number' && !Number.isFinite(y));
    if (xn !== yn) return xn ? 1 : -1;
    let c = 0;
    if (!xn) c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return c !== 0 ? c * k : a.id.localeCompare(b.id);
  });
}

/** The next sort after a click on `column`: the same column flips, another starts descending (id ascending). */
export function nextSort(cur: WatchSort, column: WatchColumn): WatchSort {
  if (cur.column === column) return { column, dir: cur.dir === 'asc' ? 'desc' : 'asc' };
  return { column, dir: column === 'id' || column === 'state' ? 'asc' : 'desc' };
}

/** SVG polyline points of `values` in a `w`×`h` box (min at the bottom); '' for fewer than 2 values. */
export function sparkPoints(values: readonly number[], w: number, h: number): string {
  if (values.length < 2) return '';
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo || 1;
  const dx = w / (values.length - 1);
  return values
    .map((v, i) => `${(i * dx).toFixed(1)},${(h - 1 - ((v - lo) / span) * (h - 2)).toFixed(1)}`)
    .join(' ');
}
