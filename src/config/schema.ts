/**
 * Configuration: one YAML file plus environment variables, validated with zod into `AppConfig`.
 * Every field has a default, so an empty config runs the product (live Binance BTCUSDT + ETHUSDT and OKX BTC-USDT,
 * embedded DuckDB store, API and dashboard on port 8080).
 */
import { z } from 'zod';
import { resolveInstrumentId, resolveVenueId } from '../util/venue-ids.ts';
import { alertsConfigSchema } from '../alerts/schema.ts';
import { analyticsConfigSchema } from '../analytics/schema.ts';
import { newsConfigSchema } from '../news/config.ts';
import { ssiConfigSchema } from './ssi.ts';
import {
  authConfigSchema,
  corsConfigSchema,
  limitsConfigSchema,
  trustProxySchema,
} from '../api/security/policy.ts';
import { busAuthSchema } from '../bus/nats-auth.ts';

const instrumentId = z
  .string()
  .regex(
    /^[a-z0-9-]+:[A-Za-z0-9_./:-]+$/,
    'instrument ids look like <venue>:<SYMBOL>, e.g. binance:BTCUSDT (Bitfinex: bitfinex:tAAVE:USD)',
  )
  // Venue aliases (`bybit:` → `bybit-linear:`, util/venue-ids.ts) are accepted and resolved.
  .transform(resolveInstrumentId);

/** Endpoint overrides for one venue (e.g. the local simulator's URLs). */
export const venueEndpointSchema = z
  .object({
    /** WebSocket base URL, e.g. ws://127.0.0.1:9001 */
    ws: z.string().url().optional(),
    /** REST base URL, e.g. http://127.0.0.1:9001 */
    rest: z.string().url().optional(),
  })
  .strict();

/** One consolidation group: its members, or its members with conversion, fees and view settings. */
export const consolidationGroupSchema = z.union([
  z.array(instrumentId).min(1),
  z
    .object({
      members: z.array(instrumentId).min(1),
      /** Group quote currency (default: the first member's, USD-likes as USD). */
      quote: z.string().min(1).optional(),
      /** 1 unit of a member's quote = rate group units, e.g. { EUR: 1.08 }. */
      rates: z.record(z.string(), z.number().positive()).optional(),
      /** Live conversion books: member quote → instrument whose mid is the rate. */
      conversions: z.record(z.string(), instrumentId).optional(),
      /** Taker fee rate by instrument or venue id (0.0004 = 4 bps). */
      fees: z.record(z.string(), z.number().min(0).max(0.1)).optional(),
      /** Base units of the routing estimate in the group view (default 1). */
      routeQuantity: z.number().positive().optional(),
      /** Band of the depth shares, percent of mid (default 1). */
      sharePct: z.number().positive().max(50).optional(),
      /** Crossed markets count from this net edge, bps (default 0). */
      minEdgeBps: z.number().min(0).optional(),
      /** Crossed markets between members of the same kind only (default `same`) or any two (`any`). */
      crossKinds: z.enum(['same', 'any']).optional(),
      /** The group heatmap (default 1 s bins, buckets of 10 quote units, ±2 % of mid, 1 h), or false. */
      heatmap: z
        .union([
          z.literal(false),
          z
            .object({
              bucketSize: z.number().positive().optional(),
              binMs: z.number().int().positive().optional(),
              rangePct: z.number().positive().max(50).optional(),
              retentionMs: z.number().int().positive().optional(),
            })
            .strict(),
        ])
        .optional(),
      /** Keep one heatmap per member too, the venue-coloured heatmap (default true). */
      memberHeatmaps: z.boolean().optional(),
    })
    .strict(),
]);

export const configSchema = z
  .object({
    /** Instruments to follow, `<venue>:<SYMBOL>` (at least one unless the SSI feed is on). */
    instruments: z.array(instrumentId).default(['binance:BTCUSDT', 'binance:ETHUSDT', 'okx:BTC-USDT']),
    /** Per-venue endpoint overrides. */
    venues: z
      .record(z.string(), venueEndpointSchema)
      .transform((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [resolveVenueId(k), v])))
      .default({}),
    api: z
      .object({
        /** Listen address: loopback by default; any other needs an API key or `insecure` (README "Security"). */
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Serve the built dashboard (web/dist) at `/`. */
        dashboard: z.boolean().default(true),
        /** Max WebSocket connections per client IP. */
        maxConnectionsPerIp: z.number().int().positive().default(20),
        /** Listen beyond loopback without any API key (logged as a warning at every start). */
        insecure: z.boolean().default(false),
        /** API keys and what needs one (api/security/policy.ts). */
        auth: authConfigSchema.prefault({}),
        /** Rate, size, concurrency and WebSocket limits (api/security/policy.ts). */
        limits: limitsConfigSchema.prefault({}),
        /** Browser origins allowed besides the same origin. */
        cors: corsConfigSchema.prefault({}),
        /** Believe X-Forwarded-For from these proxies (false, true, or addresses). */
        trustProxy: trustProxySchema,
      })
      .strict()
      .prefault({}),
    store: z
      .object({
        /** `duckdb:<path>` (embedded, default), `postgres://...`, or `none`. */
        url: z.string().default('duckdb:./data/depthwatch.duckdb'),
        flushIntervalMs: z.number().int().positive().default(1000),
        /** Days of history kept per table (0 = forever): metrics, trades, alerts (PostgreSQL). */
        retentionDays: z.number().int().min(0).default(30),
        /** Write a top-`bookSnapshotDepth` snapshot of every live book this often, ms (roles all/analyzer). */
        bookSnapshotIntervalMs: z.number().int().positive().default(10_000),
        /** Levels per side in a stored book snapshot. */
        bookSnapshotDepth: z.number().int().min(1).max(1000).default(50),
        /** Days of book snapshots kept (0 = forever). */
        bookSnapshotRetentionDays: z.number().int().min(0).default(7),
        /** Days of closed heatmap runs kept, by run end (0 = forever). */
        heatmapRetentionDays: z.number().int().min(0).default(30),
        /**
         * Days of analytics events kept (crossed markets, basis, wall lifecycle, S/R clusters, anomaly and
         * shrinkage episodes; 0 = forever; default: `retentionDays`).
         */
        analyticsEventsRetentionDays: z.number().int().min(0).optional(),
      })
      .strict()
      .default({
        url: 'duckdb:./data/depthwatch.duckdb',
        flushIntervalMs: 1000,
        retentionDays: 30,
        bookSnapshotIntervalMs: 10_000,
        bookSnapshotDepth: 50,
        bookSnapshotRetentionDays: 7,
        heatmapRetentionDays: 30,
      }),
    /** Redis URL for latest state (`redis://127.0.0.1:6379`), or omitted. */
    cache: z.string().optional(),
    /** NATS URL for the fleet bus (`nats://127.0.0.1:4222`), or omitted for the in-process bus. */
    bus: z.string().optional(),
    /** Fleet bus credentials and TLS (bus/nats-auth.ts; DEPTHWATCH_BUS_* variables win). */
    busAuth: busAuthSchema.optional(),
    /** Process role in a fleet. */
    role: z.enum(['all', 'collector', 'analyzer', 'api']).default('all'),
    metrics: z
      .object({
        /** Levels per side for top-N metrics. */
        depthLevels: z.number().int().positive().default(10),
        /** Stored sample interval, ms. */
        sampleIntervalMs: z.number().int().positive().default(1000),
      })
      .strict()
      .default({ depthLevels: 10, sampleIntervalMs: 1000 }),
    /**
     * Consolidated market groups by name (analytics/consolidated): one book, BBO, metrics, routing and
     * crossed-market events across the members, e.g. `BTC-USD: [binance:BTCUSDT, okx:BTC-USDT]`.
     */
    consolidated: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), consolidationGroupSchema).default({}),
    /** Watchlist sessions: they reset every day at `sessionStart` in `timeZone`; named lists for breadth. */
    watchlist: z
      .object({
        timeZone: z
          .string()
          .refine((tz) => {
            try {
              new Intl.DateTimeFormat('en-US', { timeZone: tz });
              return true;
            } catch {
              return false;
            }
          }, 'an IANA time zone, e.g. UTC or Asia/Ho_Chi_Minh')
          .default('UTC'),
        sessionStart: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')
          .default('00:00'),
        lists: z.record(z.string(), z.array(instrumentId)).default({}),
      })
      .strict()
      .prefault({}),
    /** Record raw frames to this directory (depthwatch recording format), or omitted. */
    recordDir: z.string().optional(),
    /**
     * Replay sessions of `depthwatch serve`: `dir` is the recordings folder the API and the dashboard's
     * "open recording" may open files from (nothing outside it); `checkpointEverySeconds` is the recorded
     * time between book checkpoints (seek targets); `maxSessions` the most sessions at once.
     */
    replay: z
      .object({
        dir: z.string().optional(),
        checkpointEverySeconds: z.number().positive().default(10),
        maxSessions: z.number().int().min(1).max(64).default(8),
      })
      .strict()
      .prefault({}),
    /**
     * Fetch each venue's instrument list (contract sizes, ticks) at start (`venues.<id>.rest` or the
     * production REST URL); false uses the documented fallbacks only (offline runs).
     */
    reference: z.boolean().default(true),
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
      })
      .strict()
      .default({ level: 'info' }),
    /**
     * Alert rules, webhooks and per-instrument overrides (alerts/schema.ts; see src/alerts/README.md).
     * Default: the built-in rules, no webhooks.
     */
    alerts: alertsConfigSchema.prefault({}),
    /**
     * Analytics settings: defaults, per-instrument overrides, basis pairs and divergence groups
     * (analytics/schema.ts). Default: every module on with its defaults, no pairs/groups.
     */
    analytics: analyticsConfigSchema.prefault({}),
    /**
     * News: RSS/Atom and CryptoPanic sources, alias table, watched assets, detectors (news/config.ts).
     * Default: CoinDesk, Cointelegraph and Bitcoin.com RSS; CryptoPanic when CRYPTOPANIC_TOKEN is set.
     */
    news: newsConfigSchema.prefault({}),
    /** The Vietnamese market feed (SSI FastConnect Data, config/ssi.ts). Default: off. */
    ssi: ssiConfigSchema.prefault({}),
  })
  .strict()
  .refine((c) => c.instruments.length > 0 || c.ssi.enabled, {
    path: ['instruments'],
    message: 'Too small: expected array to have >=1 items (or ssi.enabled)',
  });

/** The validated configuration. */
export type AppConfig = z.infer<typeof configSchema>;
