/**
 * Configuration: one YAML file plus environment variables, validated with zod into `AppConfig`.
 * Every field has a default, so an empty config runs the product (live Binance BTCUSDT + ETHUSDT and OKX BTC-USDT,
 * embedded DuckDB store, API and dashboard on port 8080).
 */
import { z } from 'zod';
import { alertsConfigSchema } from '../alerts/schema.ts';
import { analyticsConfigSchema } from '../analytics/schema.ts';
import { newsConfigSchema } from '../news/config.ts';

const instrumentId = z
  .string()
  .regex(/^[a-z0-9-]+:[A-Za-z0-9_./-]+$/, 'instrument ids look like <venue>:<SYMBOL>, e.g. binance:BTCUSDT');

/** Endpoint overrides for one venue (e.g. the local simulator's URLs). */
export const venueEndpointSchema = z
  .object({
    /** WebSocket base URL, e.g. ws://127.0.0.1:9001 */
    ws: z.string().url().optional(),
    /** REST base URL, e.g. http://127.0.0.1:9001 */
    rest: z.string().url().optional(),
  })
  .strict();

export const configSchema = z
  .object({
    /** Instruments to follow, `<venue>:<SYMBOL>`. */
    instruments: z.array(instrumentId).min(1).default(['binance:BTCUSDT', 'binance:ETHUSDT', 'okx:BTC-USDT']),
    /** Per-venue endpoint overrides. */
    venues: z.record(z.string(), venueEndpointSchema).default({}),
    api: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Serve the built dashboard (web/dist) at `/`. */
        dashboard: z.boolean().default(true),
        /** Max WebSocket connections per client IP. */
        maxConnectionsPerIp: z.number().int().positive().default(20),
      })
      .strict()
      .default({ host: '0.0.0.0', port: 8080, dashboard: true, maxConnectionsPerIp: 20 }),
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
    /** Record raw frames to this directory (depthwatch recording format), or omitted. */
    recordDir: z.string().optional(),
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
  })
  .strict();

/** The validated configuration. */
export type AppConfig = z.infer<typeof configSchema>;
