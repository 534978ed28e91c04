/**
 * Request parameter schemas of the REST API (zod): path params, query strings and bodies. Each is
 * parsed on the server (a failed parse is a 400 naming the parameter and the rule) and documented in the
 * OpenAPI document; the client SDK takes their input types. Times accept ms since epoch UTC or ISO 8601.
 */
import { z } from 'zod';
import { parseUtcTime } from '../util/time.ts';
import { resolveInstrumentId } from '../util/venue-ids.ts';
import { Severity } from './common.ts';

/**
 * A time: integer ms since epoch UTC (`1723075200000`) or an ISO 8601 date-time
 * (`2024-08-08T00:00:00Z`; without a zone it is read as UTC). Numbers are accepted too (SDK calls).
 */
export const timeParam = z
  .union([z.number(), z.string().trim().min(1)])
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v : parseUtcTime(v);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${String(v)}" is neither ms since epoch nor an ISO 8601 time`,
      });
      return z.NEVER;
    }
    return ms;
  })
  .describe('ms since epoch UTC or ISO 8601');

/** Duration in ms from `250`, `250ms`, `5s`, `1m`, `15m`, `1h`, `1d`; null when not a duration. */
export function parseDuration(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(s.trim());
  if (!m) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
  return Number(m[1]) * unit;
}

/** A duration param (`5s`, `1m`, `60000`) between `min` and `max` ms, parsed to ms. */
export function durationParam(min: number, max: number, hint: string) {
  return z.union([z.number(), z.string()]).transform((s, ctx) => {
    const ms = parseDuration(String(s));
    if (ms === null || ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `"${String(s)}" is not ${hint}` });
      return z.NEVER;
    }
    return Math.round(ms);
  });
}

/** Downsampling interval: a duration (`5s`, `1m`, `60000`) from 1 ms to 1 day. */
export const intervalParam = durationParam(
  1,
  86_400_000,
  'a duration between 1ms and 1d (e.g. 5s, 1m, 60000)',
).describe('bucket width: ms, or a number with unit ms/s/m/h/d (e.g. 5s, 1m)');

/** An instrument id `<venue>:<symbol>`. */
export const instrumentParam = z
  .string()
  .min(3)
  .max(128)
  .regex(/^[^:\s]+:[^\s]+$/, 'must be <venue>:<symbol>, e.g. binance:BTCUSDT')
  // Venue aliases (`bybit:` → `bybit-linear:`, util/venue-ids.ts) are accepted and resolved.
  .transform(resolveInstrumentId);

/** Path parameter `:instrument`. */
export const instrumentPath = z.object({ instrument: instrumentParam });

/** An opaque page cursor (`nextCursor` of the previous page). */
export const cursorParam = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,512}$/, 'not a cursor returned by this API')
  .describe('`nextCursor` of the previous page');

/** An integer query param in [min, max] with a default. */
export function intParam(min: number, max: number, dflt: number, what: string) {
  return z.coerce
    .number()
    .int()
    .min(min)
    .max(max)
    .default(dflt)
    .describe(`${what} (${min}-${max}, default ${dflt})`);
}

/** Query of `GET /api/v1/books/:instrument`. */
export const bookQuery = z.object({ depth: intParam(1, 1000, 20, 'levels per side') });

const rangeFields = {
  instrument: instrumentParam,
  from: timeParam.optional().describe('inclusive start (default: one hour before `to`)'),
  to: timeParam.optional().describe('exclusive end (default: now)'),
  limit: intParam(
    1,
    50_000,
    10_000,
    'most rows per page (the server may send fewer: its row and byte caps); oldest first',
  ),
  cursor: cursorParam.optional(),
};

/** Row order of the row histories (metrics, trades): the cursor of a page keeps it. */
export const orderParam = z
  .enum(['asc', 'desc'])
  .default('asc')
  .describe('asc: oldest rows of the range first (default); desc: newest first (a reload gets the latest)');

/**
 * Query of `GET /api/v1/history/metrics`. A page holds at most `limit` rows and the server's row and
 * byte caps (README "Security"); `nextCursor` continues.
 */
export const historyMetricsQuery = z.object({
  ...rangeFields,
  order: orderParam,
  interval: intervalParam.optional(),
});

/** Query of `GET /api/v1/history/trades` (paged as history/metrics). */
export const historyTradesQuery = z.object({ ...rangeFields, order: orderParam });

/**
 * Query of `GET /api/v1/history/orderbook`: a range of stored book snapshots (oldest first), or with `at`
 * the latest snapshot at or before that time; `depth` trims each side.
 */
export const historyOrderbookQuery = z.object({
  ...rangeFields,
  at: timeParam.optional().describe('return the latest snapshot at or before this time (from/to ignored)'),
  depth: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('levels per side (1-1000, default all stored)'),
  limit: intParam(1, 10_000, 100, 'most snapshots; the oldest of the range come first'),
});

/** Candle widths. */
export const CANDLE_INTERVAL_NAMES = ['1s', '5s', '1m', '15m', '1h'] as const;
export type CandleIntervalName = (typeof CANDLE_INTERVAL_NAMES)[number];

/** Query of `GET /api/v1/history/candles`. */
export const candlesQuery = z.object({
  ...rangeFields,
  interval: z.enum(CANDLE_INTERVAL_NAMES).default('1m').describe('candle width'),
});

/** Query of `GET /api/v1/history/events` (every filter optional; newest first). */
export const eventsQuery = z.object({
  group: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a consolidation group name (letters, digits, . _ -)')
    .optional()
    .describe('consolidation group, e.g. BTC-USD'),
  instrument: instrumentParam
    .optional()
    .describe('member instrument: either side of a crossing, or the basis member'),
  kind: z
    .enum(['crossed', 'basis', 'index', 'foreign', 'wall', 'cluster', 'anomaly', 'shrinkage'])
    .optional()
    .describe(
      'crossed (crossed markets), basis, index (SSI index samples), foreign (SSI foreign flow), wall (wall lifecycle), cluster (S/R cluster formed/dissolved), anomaly or shrinkage (episodes)',
    ),
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('page size (1-1000, default 100)'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,512}$/, 'not a cursor returned by this API')
    .optional()
    .describe('`nextCursor` of the previous page'),
});

/** Query of `GET /api/v1/alerts` (every filter optional; newest first). */
export const alertsQuery = z.object({
  instrument: z
    .string()
    .min(1)
    .max(128)
    .transform(resolveInstrumentId)
    .optional()
    .describe('instrument id (venue aliases resolved), or pair/group name'),
  severity: Severity.optional(),
  rule: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'rule ids are letters, digits, _ . -')
    .max(128)
    .optional()
    .describe('rule id'),
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: intParam(1, 1000, 100, 'page size'),
  cursor: cursorParam.optional(),
});

/** An optional price bucket width (quote, > 0), described by `what`. */
function bucketParam(what: string) {
  return z.coerce.number().positive().finite().optional().describe(what);
}

/**
 * Query of `GET /api/v1/history/heatmap` (stored closed runs merged with the in-memory heatmap; last hour
 * by default).
 */
export const heatmapQuery = z.object({
  instrument: instrumentParam,
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: intParam(1, 100_000, 10_000, 'most runs (the earliest first); `truncated` says when more exist'),
  bucket: bucketParam(
    "price bucket width, quote: a whole multiple of the heatmap bucket (default: the configured one, or the stored runs' widest)",
  ),
});

/** Query of `GET /api/v1/analytics/:instrument`. */
export const analyticsQuery = z.object({ candles: intParam(1, 500, 100, 'most candles per interval') });

/** An asset code (`BTC`) or `*` (every item), upper-cased. */
export const assetParam = z
  .string()
  .regex(/^(\*|[A-Za-z0-9]{1,15})$/, 'an asset code (letters and digits, e.g. BTC) or *')
  .transform((s) => s.toUpperCase());

/** Query of `GET /api/v1/news`. */
export const newsQuery = z.object({
  asset: assetParam.optional().describe('asset code, e.g. BTC'),
  source: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a source id (lower-case letters, digits, _ -)')
    .optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: intParam(1, 1000, 50, 'page size'),
  cursor: cursorParam.optional(),
});

/** Query of `GET /api/v1/news/sentiment`. */
export const sentimentQuery = z.object({
  asset: assetParam.optional(),
  to: timeParam.optional().describe('reference time (default now)'),
  bucket: durationParam(60_000, 21_600_000, 'a duration from 1m to 6h (e.g. 15m, 1h)')
    .prefault('15m')
    .describe('series step (1m-6h, default 15m)'),
});

/** Query of the list routes without filters (`/api/v1/instruments`, `/api/v1/consolidated`, ...). */
export const listQuery = z.object({
  limit: intParam(1, 10_000, 1000, 'page size'),
  cursor: cursorParam.optional(),
});

/** A consolidation group name. */
export const groupParam = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'a group name (letters, digits, _ . -)');

/** Path parameter `:group`. */
export const groupPath = z.object({ group: groupParam });

/** Query of `GET /api/v1/consolidated/:group`. */
export const consolidatedQuery = z.object({
  depth: intParam(1, 5000, 20, 'levels (or buckets) per side'),
  bucket: bucketParam(
    'group levels into price buckets of this width (group quote): bids labelled by the lower bound, asks by the upper; per-member sizes summed too',
  ),
});

/** Query of `GET /api/v1/consolidated/:group/heatmap`. */
export const consolidatedHeatmapQuery = z.object({
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: intParam(
    1,
    100_000,
    10_000,
    'most runs per series (the earliest first); `truncated` says when more exist',
  ),
  bucket: bucketParam('price bucket width, group quote: a whole multiple of the group heatmap bucket'),
});

/** Query of `GET /api/v1/watchlist`. */
export const watchlistQuery = z.object({
  limit: intParam(1, 10_000, 1000, 'page size'),
  cursor: cursorParam.optional(),
});
