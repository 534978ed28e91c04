/**
 * Cursor paging of the API's lists (`{items, nextCursor}`). Cursors are opaque base64url JSON:
 * - time-ordered lists read oldest first from the store (`history/*`): `{t, s}` = continue at time `t`,
 *   skipping the first `s` rows stamped exactly `t` (they were on earlier pages), so rows sharing a
 *   timestamp are neither lost nor repeated across pages;
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
  from: number;
  skip: number;
  /** Rows to ask the store for: skip + limit + 1 (one more tells whether a next page exists). */
  fetch: number;
}

/**
 * Where a time-ordered page starts: at `from`, or at the cursor's time (which must lie in [from, to)).
 * @throws {RangeError} for a bad cursor
 */
export function timePageRequest(from: number, limit: number, cursor: string | undefined): TimePageRequest {
  if (cursor === undefined) return { from, skip: 0, fetch: limit + 1 };
  const c = decodeCursor(cursor, ['t', 's']);
  if (c.t < from) throw new RangeError('cursor: outside the asked range');
  return { from: c.t, skip: c.s, fetch: c.s + limit + 1 };
}

/**
 * Cut one page out of the rows read for `req` (oldest first): drops the skipped rows, keeps `limit`, and
 * makes the cursor of the next page when more rows exist.
 */
export function timePage<T>(
  rows: readonly T[],
  tsOf: (r: T) => number,
  limit: number,
  req: TimePageRequest,
): { items: T[]; nextCursor: string | null } {
  const rest = rows.slice(req.skip);
  const items = rest.slice(0, limit);
  if (rest.length <= limit || items.length === 0) return { items, nextCursor: null };
  const last = tsOf(items[items.length - 1]!);
  let same = 0;
  for (let i = items.length - 1; i >= 0 && tsOf(items[i]!) === last; i--) same++;
  // Rows at `last` on earlier pages count too when this whole page sits at the cursor's time.
  const skip = last === req.from && same === items.length ? req.skip + same : same;
  return { items, nextCursor: encodeCursor({ t: last, s: skip }) };
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
