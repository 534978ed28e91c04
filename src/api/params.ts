/**
 * Request parameter schemas of the HTTP API (zod), and the bridge that lets fastify validate with them
 * while @fastify/swagger documents them: `zodRouteSchema(z)` returns the JSON Schema of `z` (for the
 * OpenAPI document) and remembers `z`, and `zodValidatorCompiler` validates each request part with the
 * remembered zod schema. A failed validation becomes a 400 whose message names the parameter and rule.
 */
import { parseUtcTime } from '../util/time.ts';
import { resolveInstrumentId } from '../core/venue-ids.ts';
import { z } from 'zod';
import type { FastifySchemaCompiler } from 'fastify';
import { CANDLE_INTERVALS, type CandleInterval } from '../store/types.ts';

const zodOf = new WeakMap<object, z.ZodType>();

/**
 * JSON Schema of a zod schema (input side, for OpenAPI) that `zodValidatorCompiler` validates with the
 * zod schema itself.
 */
export function zodRouteSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-7' }) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  zodOf.set(json, schema);
  return json;
}

/** Format a zod error as one line: `depth: Too big: expected number to be <=1000; from: ...`. */
export function formatZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'value'}: ${i.message}`).join('; ');
}

/**
 * Fastify validator compiler: zod for schemas made by `zodRouteSchema`, pass-through for any other
 * (schemas of plugins such as swagger-ui's static routes).
 */
export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema }) => {
  const zs = zodOf.get(schema as object);
  if (!zs) return (data: unknown) => ({ value: data });
  return (data: unknown) => {
    const r = zs.safeParse(data);
    if (r.success) return { value: r.data };
    return { error: new Error(formatZodError(r.error)) };
  };
};

/**
 * A time: integer ms since epoch UTC (`1723075200000`) or an ISO 8601 date-time
 * (`2024-08-08T00:00:00Z`; without a zone it is read as UTC).
 */
export const timeParam = z
  .string()
  .trim()
  .min(1)
  .transform((s, ctx) => {
    const ms = parseUtcTime(s);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: `"${s}" is neither ms since epoch nor an ISO 8601 time` });
      return z.NEVER;
    }
    return ms;
  })
  .describe('ms since epoch UTC or ISO 8601');

/** Duration in ms from `250`, `250ms`, `5s`, `1m`, `15m`, `1h`, `1d`. */
export function parseDuration(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s.trim());
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
  return Number(m[1]) * unit;
}

/** Downsampling interval: a duration (`5s`, `1m`, `60000`) from 1 ms to 1 day. */
export const intervalParam = z
  .string()
  .transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === null || ms < 1 || ms > 86_400_000) {
      ctx.addIssue({
        code: 'custom',
        message: `"${s}" is not a duration between 1ms and 1d (e.g. 5s, 1m, 60000)`,
      });
      return z.NEVER;
    }
    return Math.round(ms);
  })
  .describe('bucket width: ms, or a number with unit ms/s/m/h/d (e.g. 5s, 1m)');

/** An instrument id `<venue>:<symbol>`. */
export const instrumentParam = z
  .string()
  .min(3)
  .max(128)
  .regex(/^[^:\s]+:[^\s]+$/, 'must be <venue>:<symbol>, e.g. binance:BTCUSDT')
  // Venue aliases (`bybit:` → `bybit-linear:`, core/venue-ids.ts) are accepted and resolved.
  .transform(resolveInstrumentId);

/** Path parameter `:instrument`. */
export const instrumentPath = z.object({ instrument: instrumentParam });

/** Query of `GET /api/v1/books/:instrument`. */
export const bookQuery = z.object({
  depth: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .describe('levels per side (1-1000, default 20)'),
});

const rangeFields = {
  instrument: instrumentParam,
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(10_000)
    .describe('most rows (1-100000, default 10000); the oldest rows of the range are returned'),
};

/** Query of `GET /api/v1/history/metrics`. */
export const historyMetricsQuery = z.object({ ...rangeFields, interval: intervalParam.optional() });

/** Query of `GET /api/v1/history/trades`. */
export const historyTradesQuery = z.object(rangeFields);

/**
 * Query of `GET /api/v1/history/orderbook`: a range of stored book snapshots (oldest first), or with `at`
 * the latest snapshot at or before that time; `depth` trims each side.
 */
export const historyOrderbookQuery = z.object({
  instrument: instrumentParam,
  from: timeParam.optional(),
  to: timeParam.optional(),
  at: timeParam.optional().describe('return the latest snapshot at or before this time (from/to ignored)'),
  depth: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('levels per side (1-1000, default all stored)'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(100)
    .describe('most snapshots (1-10000, default 100); the oldest of the range are returned'),
});

/** Query of `GET /api/v1/history/candles`. */
export const candlesQuery = z.object({
  ...rangeFields,
  interval: z
    .enum(Object.keys(CANDLE_INTERVALS) as [CandleInterval, ...CandleInterval[]])
    .default('1m')
    .describe('candle width'),
});

/** Default history window when `from` is absent: the hour before `to`. */
export const DEFAULT_HISTORY_WINDOW_MS = 3_600_000;

/**
 * Resolve a range's defaults (`to` = now, `from` = to - 1 h).
 * @returns null when from >= to (the caller answers 400)
 */
export function resolveRange(
  from: number | undefined,
  to: number | undefined,
  now: number,
): { from: number; to: number } | null {
  const t = to ?? now;
  const f = from ?? t - DEFAULT_HISTORY_WINDOW_MS;
  return f < t ? { from: f, to: t } : null;
}

/** Query of `GET /api/v1/alerts` (every filter optional; newest first). */
export const alertsQuery = z.object({
  instrument: z
    .string()
    .min(1)
    .max(128)
    .transform(resolveInstrumentId)
    .optional()
    .describe('instrument id (venue aliases resolved), or pair/group name'),
  severity: z.enum(['info', 'warning', 'critical']).optional(),
  rule: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'rule ids are letters, digits, _ . -')
    .max(128)
    .optional()
    .describe('rule id'),
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('page size (1-1000, default 100)'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,512}$/, 'not a cursor returned by this API')
    .optional()
    .describe('`nextCursor` of the previous page'),
});

/**
 * Query of `GET /api/v1/history/heatmap` (stored closed runs merged with the in-memory heatmap; last hour
 * by default).
 */
export const heatmapQuery = z.object({
  instrument: instrumentParam,
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: rangeFields.limit,
  bucket: z.coerce
    .number()
    .positive()
    .finite()
    .optional()
    .describe(
      "price bucket width, quote: a whole multiple of the heatmap bucket (default: the configured one, or the stored runs' widest)",
    ),
});

/** Query of `GET /api/v1/analytics/:instrument`. */
export const analyticsQuery = z.object({
  candles: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(100)
    .describe('most candles per interval (1-500, default 100)'),
});
