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
