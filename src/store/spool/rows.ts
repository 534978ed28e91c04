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
