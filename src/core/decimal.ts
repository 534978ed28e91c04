/**
 * Exact decimal handling for wire prices and sizes.
 *
 * Why a double can be an exact key: IEEE-754 binary64 round-trips every decimal of at most 15 significant
 * digits (DBL_DIG = 15): the nearest double to such a decimal is unique and prints back to it. So
 * `Number(s)` is injective over those decimals (equal decimals such as "1.50" and "1.5" share a key, as
 * they should; distinct ones never collide). We check the digit count and reject longer strings with a
 * typed error instead of silently merging two levels.
 */
import { PrecisionError, MalformedFrameError } from './errors.ts';

/**
 * Parse a non-negative wire decimal ("61234.10", "0.00100000", "1e-8" is rejected) to a number, checking
 * that it is exact (at most 15 significant digits) and well formed.
 * @returns the value (finite, >= 0)
 * @throws {MalformedFrameError} `invalid_field` for anything but digits with one optional `.`
 * @throws {PrecisionError} for more than 15 significant digits
 */
export function parseDecimal(s: string): number {
  const n = s.length;
  if (n === 0 || n > 64) throw new MalformedFrameError('invalid_field', `not a decimal: "${s}"`);
  let significant = 0;
  let leading = true;
  let dots = 0;
  let lastNonZeroSig = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (++dots > 1 || i === 0 || i === n - 1)
        throw new MalformedFrameError('invalid_field', `not a decimal: "${s}"`);
      continue;
    }
    if (c < 48 || c > 57) throw new MalformedFrameError('invalid_field', `not a decimal: "${s}"`);
    if (leading && c === 48) continue;
    leading = false;
    significant++;
    if (c !== 48) lastNonZeroSig = significant;
  }
  // Trailing zeros after the last non-zero digit do not count ("0.10000000" has 1 significant digit).
  if (lastNonZeroSig > 15) throw new PrecisionError(s);
  return +s;
}
