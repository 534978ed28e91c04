/**
 * Number formatting for the dashboard. Every formatter takes `null`/non-finite as "unknown" and returns
 * an em dash, so a card never shows `NaN`.
 */

/** Shown for unknown values. */
export const UNKNOWN = '—';

function known(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Decimals for a price of this magnitude (quote units): 2 above 1,000, 3 above 100, 4 above 1, else 6.
 * @param ref a representative price (e.g. the mid)
 */
export function priceDecimals(ref: number | null | undefined): number {
  if (!known(ref)) return 2;
  const a = Math.abs(ref);
  if (a >= 1000) return 2;
  if (a >= 100) return 3;
  if (a >= 1) return 4;
  return 6;
}

/** A price with grouping, `decimals` fraction digits (see {@link priceDecimals}). */
export function fmtPrice(v: number | null | undefined, decimals: number): string {
  if (!known(v)) return UNKNOWN;
  return priceFormat(decimals).format(v);
}

/** en-US number formats by decimals (what `toLocaleString` builds on every call; charts call it a lot). */
const PRICE_FORMATS = new Map<number, Intl.NumberFormat>();
function priceFormat(decimals: number): Intl.NumberFormat {
  let f = PRICE_FORMATS.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    PRICE_FORMATS.set(decimals, f);
  }
  return f;
}

/** A size (base units), up to 4 decimals, trailing zeros trimmed to at least 3. */
export function fmtSize(v: number | null | undefined): string {
  if (!known(v)) return UNKNOWN;
  return v.toLocaleString('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 4 });
}

/** A quote-currency amount in compact form: 1.23K, 4.56M, 7.89B. */
export function fmtCompact(v: number | null | undefined): string {
  if (!known(v)) return UNKNOWN;
  const a = Math.abs(v);
  const [div, suffix] = a >= 1e9 ? [1e9, 'B'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'K'] : [1, ''];
  return `${(v / div).toFixed(2)}${suffix}`;
}

/** Basis points with 2 decimals. */
export function fmtBps(v: number | null | undefined): string {
  if (!known(v)) return UNKNOWN;
  return v.toFixed(2);
}

/**
 * An imbalance in [-1, 1] on the dashboard's −100..+100 scale, signed, 1 decimal (e.g. `+23.4`).
 */
export function fmtImbalance(v: number | null | undefined): string {
  if (!known(v)) return UNKNOWN;
  const x = v * 100;
  return `${x > 0 ? '+' : ''}${x.toFixed(1)}`;
}

/** Wall-clock time of day HH:MM:SS.mmm in UTC from ms since epoch. */
export function fmtTimeUtc(ms: number | null | undefined): string {
  if (!known(ms)) return UNKNOWN;
  return new Date(ms).toISOString().slice(11, 23);
}

/** A count with grouping. */
export function fmtCount(v: number | null | undefined): string {
  if (!known(v)) return UNKNOWN;
  return v.toLocaleString('en-US');
}

/** An axis label: integers above 10, else up to 2 decimals, compact above 1,000. */
export function fmtAxis(v: number | null | undefined): string {
  if (!known(v)) return UNKNOWN;
  const a = Math.abs(v);
  if (a >= 1000) return fmtCompact(v);
  if (a >= 10 || Number.isInteger(v)) return v.toFixed(0);
  return v.toFixed(2).replace(/\.?0+$/, '');
}

/**
 * Trim padding zeros from a decimal string, keeping at least `minDecimals` fraction digits
 * (`"61855.36000000"` → `"61855.36"` with 1 or 2). Lossless: only zeros at the end of the fraction go.
 * Strings that are not plain decimals are returned unchanged.
 */
export function trimDecimal(s: string, minDecimals: number): string {
  if (!/^-?\d+\.\d+$/.test(s)) return s;
  const dot = s.indexOf('.');
  let end = s.length;
  while (end > dot + 1 + minDecimals && s[end - 1] === '0') end--;
  return s.slice(0, end === dot + 1 ? dot : end);
}

/**
 * Time since `ms` relative to `now` (both ms since epoch), short: `now` under 5 s, then `12s ago`,
 * `5m ago`, `3h ago`, `2d ago`; a time in the future (clock skew) counts as now.
 */
export function fmtAgo(ms: number | null | undefined, now: number): string {
  if (!known(ms) || !Number.isFinite(now)) return UNKNOWN;
  const s = Math.max(0, (now - ms) / 1000);
  if (s < 5) return 'now';
  if (s < 60) return `${Math.floor(s)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}
