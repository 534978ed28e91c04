/** Watchlist helpers (lib/watchlist.ts): sorting with unknown values last, sort toggling, sparklines. */
import { describe, expect, it } from 'vitest';
import { nextSort, sortWatchRows, sparkPoints, type WatchRow } from './watchlist.ts';

const row = (id: string, changePct: number | null, volume: number): WatchRow => ({
  id,
  kind: 'instrument',
  sessionStart: 0,
  open: 1,
  last: 1,
  high: 1,
  low: 1,
  change: 0,
  changePct,
  volume,
  notional: 0,
  trades: 0,
  spreadBps: null,
  imbalance: null,
  state: 'live',
  localTs: 0,
});

describe('watchlist helpers', () => {
  const rows = [row('b', 0.5, 10), row('a', null, 30), row('c', -1, 20), row('d', 0.5, 5)];
  it('sorts by a column either way, unknown values last, ties by id', () => {
    const ids = (c: 'changePct' | 'volume' | 'id', dir: 'asc' | 'desc') =>
      sortWatchRows(rows, { column: c, dir }).map((r) => r.id);
    expect(ids('changePct', 'desc')).toEqual(['b', 'd', 'c', 'a']);
    expect(ids('changePct', 'asc')).toEqual(['c', 'b', 'd', 'a']);
    expect(ids('volume', 'desc')).toEqual(['a', 'c', 'b', 'd']);
    expect(ids('id', 'asc')).toEqual(['a', 'b', 'c', 'd']);
  });
  it('flips the same column and starts others descending (names ascending)', () => {
    expect(nextSort({ column: 'id', dir: 'asc' }, 'id')).toEqual({ column: 'id', dir: 'desc' });
    expect(nextSort({ column: 'id', dir: 'asc' }, 'volume')).toEqual({ column: 'volume', dir: 'desc' });
    expect(nextSort({ column: 'volume', dir: 'desc' }, 'state')).toEqual({ column: 'state', dir: 'asc' });
  });
  it('draws sparklines in the box, min at the bottom', () => {
    expect(sparkPoints([1], 10, 10)).toBe('');
    expect(sparkPoints([1, 2, 3], 10, 10)).toBe('0.0,9.0 5.0,5.0 10.0,1.0');
    expect(sparkPoints([2, 2], 10, 10)).toBe('0.0,9.0 10.0,9.0');
  });
});
