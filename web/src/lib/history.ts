/**
 * Range arithmetic of the History view: presets, the candle width and metrics downsampling interval for a
 * range (so a chart never asks for more than ~1,500 buckets), and stored snapshot levels as numbers.
 * Times are ms since epoch UTC.
 */
import { CANDLE_INTERVALS, type CandleInterval } from '../api/history.ts';

/** Most buckets a history chart asks for. */
export const MAX_BUCKETS = 1500;

/** Range presets of the History view: label and length, ms. */
export const RANGE_PRESETS = [
  { value: '15m', label: '15 min', ms: 900_000 },
  { value: '1h', label: '1 h', ms: 3_600_000 },
  { value: '6h', label: '6 h', ms: 21_600_000 },
  { value: '24h', label: '24 h', ms: 86_400_000 },
] as const;

/** A preset name, or `custom` for a picked range. */
export type RangePreset = (typeof RANGE_PRESETS)[number]['value'] | 'custom';

/**
 * The narrowest candle width giving at most {@link MAX_BUCKETS} candles over `rangeMs` (the widest, `1h`,
 * when even that gives more). Non-positive or non-finite ranges get `1s`.
 */
export function candleIntervalFor(rangeMs: number): CandleInterval {
  const names = Object.keys(CANDLE_INTERVALS) as CandleInterval[];
  if (!(rangeMs > 0)) return names[0]!;
  return names.find((n) => rangeMs / CANDLE_INTERVALS[n] <= MAX_BUCKETS) ?? names[names.length - 1]!;
}

const NICE_STEPS = [100, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000];

/**
 * Metrics downsampling interval (ms) for a range: the smallest "nice" step (100 ms … 5 min, then whole
 * minutes) giving at most {@link MAX_BUCKETS} samples.
 */
export function metricsIntervalFor(rangeMs: number): number {
  if (!(rangeMs > 0)) return NICE_STEPS[0]!;
  const raw = rangeMs / MAX_BUCKETS;
  return NICE_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 60_000) * 60_000;
}

/** Display label of a downsampling interval: `250 ms`, `1 s`, `5 min`. */
export function fmtInterval(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${ms / 1000} s`;
  if (ms < 3_600_000) return `${ms / 60_000} min`;
  return `${ms / 3_600_000} h`;
}

/** One book level as numbers: price quote, size base. */
export type NumLevel = [number, number];

/**
 * Stored wire-string levels (`[["61855.36","0.012"], …]`) as numbers; levels whose price or size is not a
 * finite number are skipped (and counted in the returned `skipped`).
 */
export function parseLevels(levels: readonly (readonly [string, string])[]): {
  levels: NumLevel[];
  skipped: number;
} {
  const out: NumLevel[] = [];
  let skipped = 0;
  for (const [p, s] of levels) {
    const price = Number(p);
    const size = Number(s);
    if (Number.isFinite(price) && Number.isFinite(size)) out.push([price, size]);
    else skipped++;
  }
  return { levels: out, skipped };
}
