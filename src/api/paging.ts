/**
 * Cursor paging of the API's lists (`{items, nextCursor}`). Cursors are opaque base64url JSON:
 * - time-ordered lists read from the store (`history/*`): `{t, s}` = continue at time `t`, skipping the
 *   first `s` rows stamped exactly `t` (they were on earlier pages), so rows sharing a timestamp are
 *   neither lost nor repeated across pages; `{t, s, d: 1}` the same newest first (`order=desc`). Pages
 *   may be cut shorter than `limit` by a byte cap (api/security/policy.ts `historyMaxBytes`);
 * - in-memory lists: `{o}` = offset.
 */

/** Encode a cursor. */
export function encodeCursor(c: Record<string, number>): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/**
 * Decode a cursor of the given kind.
 * @throws {RangeError} (a 400) for a cursor this API did not produce
 */
export function decodeCursor<K extends string>(s: string, keys: readonly K[]): Record<K, number> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    v = null;
  }
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || !keys.every((k) => Number.isInteger(o[k]) && (o[k] as number) >= 0))
    throw new RangeError('cursor: not a cursor returned by this API');
  return o as Record<K, number>;
}

/** A time-range page request: where to read from and how many rows to fetch. */
export interface TimePageRequest {
  /** Inclusive start of the read. */
  from: number;
  /** Exclusive end of the read (Infinity when the caller did not give one). */
  to: number;
  /** Rows stamped exactly `at` to skip (they were on earlier pages). */
  skip: number;
  /** Rows to ask the store for: skip + limit + 1 (one more tells whether a next page exists). */
  fetch: number;
  /** Row order: `asc` oldest first, `desc` newest first. */
  order: 'asc' | 'desc';
  /** Time of the cursor this page continues from; null on the first page. */
  at: number | null;
}

/**
 * Where a time-ordered page starts: at the range's start (`asc`) or end (`desc`), or at the cursor's
 * time, which must lie in [from, to) and have been made for the same order. With `desc` the cursor
 * `{t, s, d: 1}` continues below `t` (reads end at `t + 1`: times are integer ms).
 * @param opts `to` (exclusive end of the range, default none) and `order` (default `asc`)
 * @throws {RangeError} for a bad cursor
 */
export function timePageRequest(
  from: number,
  limit: number,
  cursor: string | undefined,
  opts: { to?: number; order?: 'asc' | 'desc' } = {},
): TimePageRequest {
  const to = opts.to ?? Infinity;
  const order = opts.order ?? 'asc';
  if (cursor === undefined) return { from, to, skip: 0, fetch: limit + 1, order, at: null };
  const c = decodeCursor(cursor, ['t', 's']);
  const desc = (c as Record<string, unknown>).d === 1;
  if (desc !== (order === 'desc')) throw new RangeError('cursor: made for the other order');
  if (c.t < from || c.t >= to) throw new RangeError('cursor: outside the asked range');
  const fetch = c.s + limit + 1;
  return desc
    ? { from, to: c.t + 1, skip: c.s, fetch, order, at: c.t }
    : { from: c.t, to, skip: c.s, fetch, order, at: c.t };
}

/**
 * Cut one page out of the rows read for `req` (in `req.order`): drops the skipped rows, keeps at most
 * `limit` and, when `opts.maxBytes` is given, no more rows than fit in that many bytes of JSON (at least
 * one), and makes the cursor of the next page when more rows exist. `opts.map` shapes each row sent
 * (only those: rows beyond the page are never mapped).
 */
export function timePage<T, U = T>(
  rows: readonly T[],
  tsOf: (r: T) => number,
  limit: number,
  req: TimePageRequest,
  opts: { maxBytes?: number; map?: (r: T) => U } = {},
): { items: U[]; nextCursor: string | null } {
  const map = opts.map ?? ((r: T) => r as unknown as U);
  const maxBytes = opts.maxBytes ?? Infinity;
  const end = Math.min(rows.length, req.skip + limit);
  const items: U[] = [];
  let bytes = 64; // the envelope and a cursor
  let i = req.skip;
  for (; i < end; i++) {
    const item = map(rows[i]!);
    if (maxBytes < Infinity) {
      bytes += JSON.stringify(item).length + 1;
      if (bytes > maxBytes && items.length > 0) break;
    }
    items.push(item);
  }
  if (i >= rows.length || items.length === 0) return { items, nextCursor: null };
  const last = tsOf(rows[i - 1]!);
  let same = 0;
  for (let j = i - 1; j >= req.skip && tsOf(rows[j]!) === last; j--) same++;
  // Rows at `last` on earlier pages count too when this whole page sits at the cursor's time.
  const skip = last === req.at && same === items.length ? req.skip + same : same;
  return {
    items,
    nextCursor: encodeCursor(req.order === 'desc' ? { t: last, s: skip, d: 1 } : { t: last, s: skip }),
  };
}

/**
 * One page of an in-memory list by offset.
 * @throws {RangeError} for a bad cursor
 */
export function offsetPage<T>(
  all: readonly T[],
  limit: number,
  cursor: string | undefined,
): { items: T[]; nextCursor: string | null } {
  const o = cursor === undefined ? 0 : decodeCursor(cursor, ['o']).o;
  const items = all.slice(o, o + limit);
  return { items, nextCursor: o + limit < all.length ? encodeCursor({ o: o + limit }) : null };
}
