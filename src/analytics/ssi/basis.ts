/**
 * Basis of a VN30F contract against the VN30 index. Pure.
 *
 * - points = futures − index (index points);
 * - pct = points / index × 100;
 * - annualizedPct = pct × 365 / daysToExpiry, with daysToExpiry = (expiry − now) / 86,400,000 in
 *   calendar days (fractional); null when the contract has expired (days ≤ 0) or the expiry is unknown.
 */

/** One basis reading. */
export interface Basis {
  readonly points: number;
  readonly pct: number;
  readonly annualizedPct: number | null;
  readonly daysToExpiry: number | null;
}

/**
 * @param futures futures price, index points
 * @param index VN30 value, points (must be positive)
 * @param expiry contract expiry, ms since epoch UTC (null when unknown)
 * @param now ms since epoch UTC
 * @returns null when either price is not a positive finite number
 */
export function basisOf(futures: number, index: number, expiry: number | null, now: number): Basis | null {
  if (!(futures > 0) || !(index > 0) || !Number.isFinite(futures) || !Number.isFinite(index)) return null;
  const points = futures - index;
  const pct = (points / index) * 100;
  const days = expiry === null || !Number.isFinite(now) ? null : (expiry - now) / 86_400_000;
  return {
    points,
    pct,
    daysToExpiry: days,
    annualizedPct: days !== null && days > 0 ? (pct * 365) / days : null,
  };
}
