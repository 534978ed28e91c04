/**
 * zod schema of the analytics settings, for the config loader (`analytics:` section): defaults for every
 * instrument, per-instrument overrides (merged per module by the engine), and basis pairs / divergence
 * groups. The parsed value is the Engine's `analytics` option (AnalyticsOptions).
 */
import { z } from 'zod';

const pos = z.number().finite().positive();
const nonNeg = z.number().finite().nonnegative();
const pct = z.number().finite().positive().max(50);

/** One instrument's analytics settings (every field optional; see the modules for defaults). */
export const instrumentAnalyticsSchema = z.strictObject({
  velocityWindowMs: pos.optional(),
  velocityOf: z
    .enum(['imbalanceL1', 'imbalanceTopN', 'imbalanceWeighted'])
    // `imbalance10` is the deprecated name of imbalanceTopN (analytics/types.ts LEGACY_METRIC_NAMES).
    .or(z.literal('imbalance10').transform(() => 'imbalanceTopN' as const))
    .optional(),
  liquidityBandPct: z.union([z.literal(0.1), z.literal(0.5), z.literal(1), z.literal(2)]).optional(),
  liquidity: z
    .strictObject({
      sampleMs: pos.optional(),
      anomalyWindowMs: pos.optional(),
      anomalyMinSamples: z.number().int().positive().optional(),
      baselineWindowMs: pos.optional(),
      baselineMinMs: nonNeg.optional(),
      trendWindowMs: pos.optional(),
    })
    .optional(),
  walls: z
    .strictObject({
      scanIntervalMs: nonNeg.optional(),
      rangePct: pct.optional(),
      minSize: pos.optional(),
      minNotional: pos.optional(),
      relMultiple: nonNeg.optional(),
      relQuantile: z.number().min(0).max(1).optional(),
      distributionSize: z.number().int().positive().optional(),
      distributionMin: z.number().int().positive().optional(),
      resizeFraction: pos.optional(),
      moveMaxPct: nonNeg.optional(),
      moveSizeTolerance: nonNeg.optional(),
      consumedFraction: z.number().min(0).max(1).optional(),
    })
    .optional(),
  clusters: z
    .strictObject({
      bucketSize: pos.optional(),
      scanIntervalMs: nonNeg.optional(),
      rangePct: pct.optional(),
      neighbours: z.number().int().positive().optional(),
      factor: z.number().finite().gt(1).optional(),
      minAgeMs: nonNeg.optional(),
      persistMs: pos.optional(),
      graceMs: nonNeg.optional(),
    })
    .optional(),
  heatmap: z
    .union([
      z.literal(false),
      z.strictObject({
        bucketSize: pos.optional(),
        binMs: pos.optional(),
        rangePct: pct.optional(),
        retentionMs: pos.optional(),
        sizeDigits: z.number().int().min(1).max(15).optional(),
      }),
    ])
    .optional(),
  // Automatic heatmap/cluster bucket width, bps of price (InstrumentAnalyticsConfig.bucketBps).
  bucketBps: pos.max(10_000).optional(),
  candlesKept: z.number().int().positive().optional(),
  indicators: z
    .strictObject({
      emaPeriod: z.number().int().positive().optional(),
      rsiPeriod: z.number().int().positive().optional(),
      macdShort: z.number().int().positive().optional(),
      macdLong: z.number().int().positive().optional(),
      macdSignal: z.number().int().positive().optional(),
      bollingerPeriod: z.number().int().positive().optional(),
      bollingerDeviation: pos.optional(),
    })
    .optional(),
});

/** The `analytics` config section (→ EngineOptions.analytics). */
export const analyticsConfigSchema = z.strictObject({
  defaults: instrumentAnalyticsSchema.default({}),
  /** Overrides keyed by instrument id. */
  instruments: z.record(z.string(), instrumentAnalyticsSchema).default({}),
  cross: z
    .strictObject({
      pairs: z
        .array(
          z.strictObject({
            name: z.string().min(1),
            future: z.string().min(1),
            spot: z.string().min(1),
            /** Expiry of a dated future: ms since epoch UTC or an ISO date-time; omit for a perpetual. */
            expiry: z.union([z.number().int().positive(), z.iso.datetime({ offset: true })]).optional(),
          }),
        )
        .default([]),
      groups: z
        .array(z.strictObject({ name: z.string().min(1), instruments: z.array(z.string()).min(2) }))
        .default([]),
      maxAgeMs: pos.default(5_000),
    })
    .default({ pairs: [], groups: [], maxAgeMs: 5_000 }),
});

export type AnalyticsConfigInput = z.input<typeof analyticsConfigSchema>;

/**
 * Parse the `analytics` section into the Engine's option shape (expiry → expiryTs ms).
 * @throws {z.ZodError} on invalid settings
 */
export function parseAnalyticsConfig(raw: unknown) {
  const c = analyticsConfigSchema.parse(raw ?? {});
  return {
    defaults: c.defaults,
    instruments: c.instruments,
    cross: {
      pairs: c.cross.pairs.map((p) => ({
        name: p.name,
        future: p.future,
        spot: p.spot,
        expiryTs:
          p.expiry === undefined ? null : typeof p.expiry === 'number' ? p.expiry : Date.parse(p.expiry),
      })),
      groups: c.cross.groups,
      maxAgeMs: c.cross.maxAgeMs,
    },
  };
}
