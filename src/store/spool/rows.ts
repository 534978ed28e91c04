/** Row validation shared by the stores and the durable wrapper. */
import { MalformedFrameError } from '../../core/errors.ts';

/** Earliest accepted row time: 2000-01-01T00:00:00Z in ms (a smaller localTs is a unit bug, not data). */
export const MIN_ROW_TS = 946_684_800_000;

/**
 * Check the fields every store needs: a non-empty `instrument` string and a finite `localTs` (ms since
 * epoch UTC) not before 2000-01-01 (it picks the time partition).
 * @returns the error (code `invalid_field`) to count, or null when the row is usable.
 */
export function validateRow(r: { instrument: unknown; localTs: unknown }): MalformedFrameError | null {
  if (typeof r.instrument !== 'string' || r.instrument.length === 0)
    return new MalformedFrameError('invalid_field', 'row without instrument');
  if (typeof r.localTs !== 'number' || !Number.isFinite(r.localTs) || r.localTs < MIN_ROW_TS)
    return new MalformedFrameError('invalid_field', `row with invalid localTs ${String(r.localTs)}`);
  return null;
}

/**
 * {@link validateRow} plus the trade fields stores convert: `price` and `size` wire decimals must parse
 * to finite numbers (quote currency / base units). @returns the error to count, or null.
 */
export function validateTrade(t: {
  instrument: unknown;
  localTs: unknown;
  price: unknown;
  size: unknown;
}): MalformedFrameError | null {
  const e = validateRow(t);
  if (e) return e;
  if (!Number.isFinite(Number(t.price)) || !Number.isFinite(Number(t.size)) || typeof t.price !== 'string')
    return new MalformedFrameError(
      'invalid_field',
      `trade with invalid price/size ${String(t.price)}/${String(t.size)}`,
    );
  return null;
}

/** A decimal wire string (`123`, `-0.5`, `1e-8`). */
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function badLevels(levels: unknown): boolean {
  if (!Array.isArray(levels)) return true;
  for (const l of levels as unknown[]) {
    if (!Array.isArray(l) || l.length !== 2) return true;
    const [p, s] = l as unknown[];
    if (typeof p !== 'string' || typeof s !== 'string' || !DECIMAL.test(p) || !DECIMAL.test(s)) return true;
  }
  return false;
}

/**
 * {@link validateRow} plus the book snapshot fields: `bids` and `asks` must be arrays of
 * `[price, size]` decimal strings (kept exact; never parsed to floats for storage).
 * @returns the error (code `invalid_field`) to count, or null.
 */
export function validateBookSnapshot(r: {
  instrument: unknown;
  localTs: unknown;
  bids: unknown;
  asks: unknown;
}): MalformedFrameError | null {
  const e = validateRow(r);
  if (e) return e;
  if (badLevels(r.bids) || badLevels(r.asks))
    return new MalformedFrameError(
      'invalid_field',
      'book snapshot levels must be [price, size] decimal strings',
    );
  return null;
}

/**
 * Check a heatmap run row: non-empty instrument, side `bid`/`ask`, finite price and size, bucket size
 * and bin width > 0, finite `from` (ms, not before 2000-01-01) and `to >= from`.
 * @returns the error (code `invalid_field`) to count, or null.
 */
export function validateHeatmapRun(r: {
  instrument: unknown;
  side: unknown;
  price: unknown;
  bucketSize: unknown;
  binMs: unknown;
  from: unknown;
  to: unknown;
  size: unknown;
}): MalformedFrameError | null {
  const e = validateRow({ instrument: r.instrument, localTs: r.from });
  if (e) return e;
  const fin = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (
    (r.side !== 'bid' && r.side !== 'ask') ||
    !fin(r.price) ||
    !fin(r.size) ||
    !fin(r.bucketSize) ||
    !(r.bucketSize > 0) ||
    !fin(r.binMs) ||
    !(r.binMs > 0) ||
    !fin(r.to) ||
    r.to < (r.from as number)
  )
    return new MalformedFrameError(
      'invalid_field',
      'heatmap run with invalid side/price/size/bucket/bin/range',
    );
  return null;
}

/**
 * Check an alert row: non-empty `id` and `instrument` strings and a finite `ts` (ms since epoch UTC, not
 * before 2000-01-01). @returns the error (code `invalid_field`) to count, or null.
 */
export function validateAlert(a: {
  id: unknown;
  instrument: unknown;
  ts: unknown;
}): MalformedFrameError | null {
  if (typeof a.id !== 'string' || a.id.length === 0)
    return new MalformedFrameError('invalid_field', 'alert without id');
  return validateRow({ instrument: a.instrument, localTs: a.ts });
}
