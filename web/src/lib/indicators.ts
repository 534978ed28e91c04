/**
 * Indicator series over candle closes for the live candles panel, pure: EMA (seeded with the SMA of the
 * first `period` values), RSI (Wilder's smoothing), MACD (EMA short − EMA long, signal EMA, histogram)
 * and Bollinger bands (SMA ± k population σ), aligned with the input (null until warm). The server keeps
 * the latest values only (GET /api/v1/analytics: `indicators`), with the same classic definitions
 * (analytics/flow.ts); the panel draws the series. Also the volume profile of candles.
 */

/** EMA series (null for the first `period - 1` values). @throws {RangeError} for period < 1 */
export function emaSeries(values: readonly number[], period: number): (number | null)[] {
  if (!(period >= 1)) throw new RangeError('period must be ≥ 1');
  const out: (number | null)[] = [];
  const k = 2 / (period + 1);
  let ema: number | null = null;
  let sum = 0;
  values.forEach((v, i) => {
    if (ema === null) {
      sum += v;
      if (i === period - 1) ema = sum / period;
    } else ema = v * k + ema * (1 - k);
    out.push(ema);
  });
  return out;
}

/** RSI series, 0-100 (null for the first `period` values). @throws {RangeError} for period < 1 */
export function rsiSeries(values: readonly number[], period: number): (number | null)[] {
  if (!(period >= 1)) throw new RangeError('period must be ≥ 1');
  const out: (number | null)[] = [null];
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < values.length; i++) {
    const d = values[i]! - values[i - 1]!;
    const g = Math.max(0, d);
    const l = Math.max(0, -d);
    if (i <= period) {
      gain += g / period;
      loss += l / period;
    } else {
      gain = (gain * (period - 1) + g) / period;
      loss = (loss * (period - 1) + l) / period;
    }
    out.push(i < period ? null : loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss));
  }
  return out.slice(0, values.length);
}

/** MACD line, signal and histogram series. */
export function macdSeries(
  values: readonly number[],
  short = 12,
  long = 26,
  signal = 9,
): { macd: (number | null)[]; signal: (number | null)[]; histogram: (number | null)[] } {
  const s = emaSeries(values, short);
  const l = emaSeries(values, long);
  const macd = values.map((_, i) => (s[i] != null && l[i] != null ? s[i]! - l[i]! : null));
  const firstIdx = macd.findIndex((v) => v !== null);
  const sig: (number | null)[] = new Array<number | null>(values.length).fill(null);
  if (firstIdx >= 0) {
    const tail = emaSeries(macd.slice(firstIdx) as number[], signal);
    tail.forEach((v, j) => (sig[firstIdx + j] = v));
  }
  const histogram = macd.map((m, i) => (m !== null && sig[i] !== null ? m - sig[i]! : null));
  return { macd, signal: sig, histogram };
}

/** Bollinger bands (SMA ± k σ over `period`). */
export function bollingerSeries(
  values: readonly number[],
  period = 20,
  k = 2,
): { lower: (number | null)[]; middle: (number | null)[]; upper: (number | null)[] } {
  const lower: (number | null)[] = [];
  const middle: (number | null)[] = [];
  const upper: (number | null)[] = [];
  for (let i = 0; i < values.length; i++) {
    if (i < period - 1) {
      lower.push(null);
      middle.push(null);
      upper.push(null);
      continue;
    }
    let sum = 0;
    for (let j = i - period + 1; j <= i; j++) sum += values[j]!;
    const mean = sum / period;
    let sq = 0;
    for (let j = i - period + 1; j <= i; j++) sq += (values[j]! - mean) ** 2;
    const sd = Math.sqrt(sq / period);
    lower.push(mean - k * sd);
    middle.push(mean);
    upper.push(mean + k * sd);
  }
  return { lower, middle, upper };
}

/**
 * Volume by price: each candle's volume (buy and sell) at its typical price `(high + low + close) / 3`,
 * summed per `bucket` (quote), lowest price first: `[bucketPrice, buyVolume, sellVolume]`.
 */
export function volumeProfile(
  candles: readonly { high: number; low: number; close: number; buyVolume: number; sellVolume: number }[],
  bucket: number,
): [number, number, number][] {
  if (!(bucket > 0)) return [];
  const m = new Map<number, [number, number]>();
  for (const c of candles) {
    const k = Math.floor((c.high + c.low + c.close) / 3 / bucket);
    const e = m.get(k) ?? [0, 0];
    e[0] += c.buyVolume;
    e[1] += c.sellVolume;
    m.set(k, e);
  }
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([k, [b, s]]) => [k * bucket, b, s]);
}
