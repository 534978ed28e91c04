/**
 * The `news:` config section (zod): feed sources with URL, poll interval and priority, the CryptoPanic
 * posts API (token read from the environment variable it names, never from the file, never logged), the
 * asset alias table, the watched assets and the detectors' settings, timeouts, back-off and retention.
 *
 * ```yaml
 * news:
 *   enabled: true
 *   sources:                       # default: CoinDesk, Cointelegraph, Bitcoin.com
 *     - { id: coindesk, url: https://www.coindesk.com/arc/outboundfeeds/rss/, intervalMs: 300000, priority: 1 }
 *   cryptopanic: { tokenEnv: CRYPTOPANIC_TOKEN, intervalMs: 300000, priority: 0 }   # runs when the env var is set
 *   assets: { BTC: [Bitcoin, BTC, XBT], WIF: [dogwifhat, WIF] }   # added to / replacing the defaults
 *   watch: [BTC, ETH]               # default: the base assets of the followed instruments
 *   burst: { windowMs: 900000, minItems: 3, factor: 3 }
 *   sentimentMove: { threshold: 0.35, minItems: 3 }
 *   retentionDays: 90
 * ```
 */
import { z } from 'zod';

/** One polled feed. */
export const newsSourceSchema = z
  .object({
    /** Short id shown in the API and stored with each item (`[a-z0-9_-]`). */
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'source ids are lower-case [a-z0-9_-], at most 32'),
    /** `rss` (RSS or Atom, detected) or `cryptopanic` (posts JSON). */
    kind: z.enum(['rss', 'cryptopanic']).default('rss'),
    url: z.string().url(),
    /** Poll interval, ms (at least 10 s). */
    intervalMs: z.number().int().min(10_000).default(300_000),
    /** Lower polls first when several are due (and is listed first). */
    priority: z.number().int().min(0).max(100).default(10),
    /**
     * CryptoPanic: the environment variable holding the API token (sent as `auth_token`). Without it the
     * source is polled without a token (e.g. a local mirror); when it is named but unset the source is
     * disabled and reported so.
     */
    tokenEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
    /** Items of this source are recorded documents re-timed to now (offline demo). */
    replayed: z.boolean().default(false),
  })
  .strict();

/** A configured source (validated). */
export type NewsSourceConfig = z.infer<typeof newsSourceSchema>;

/** The default feeds (public RSS of the three outlets the issue names). */
export const DEFAULT_NEWS_SOURCES: readonly z.input<typeof newsSourceSchema>[] = [
  {
    id: 'coindesk',
    url: 'https://www.coindesk.com/arc/outboundfeeds/rss/',
    intervalMs: 300_000,
    priority: 1,
  },
  { id: 'cointelegraph', url: 'https://cointelegraph.com/rss', intervalMs: 300_000, priority: 2 },
  { id: 'bitcoincom', url: 'https://news.bitcoin.com/feed/', intervalMs: 600_000, priority: 3 },
];

export const newsConfigSchema = z
  .object({
    /** Poll and publish news (roles all and analyzer). */
    enabled: z.boolean().default(true),
    sources: z
      .array(newsSourceSchema)
      .default(() => DEFAULT_NEWS_SOURCES.map((s) => newsSourceSchema.parse(s))),
    /** The CryptoPanic posts API; polled only when the token variable is set (or `enabled: false` to never). */
    cryptopanic: z
      .object({
        enabled: z.boolean().default(true),
        url: z.string().url().default('https://cryptopanic.com/api/v1/posts/?public=true'),
        tokenEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/)
          .default('CRYPTOPANIC_TOKEN'),
        intervalMs: z.number().int().min(10_000).default(300_000),
        priority: z.number().int().min(0).max(100).default(0),
      })
      .strict()
      .prefault({}),
    /** Alias table entries (asset code → names/tickers), merged over the defaults (news/assets.ts). */
    assets: z.record(z.string().regex(/^[A-Za-z0-9]{1,15}$/), z.array(z.string().min(1))).default({}),
    /** Assets whose bursts and sentiment moves raise alerts; default: the followed instruments' base assets. */
    watch: z.array(z.string().regex(/^[A-Za-z0-9]{1,15}$/)).optional(),
    /** HTTP timeout of one poll (connect + body), ms. */
    timeoutMs: z.number().int().min(1000).max(120_000).default(15_000),
    /** Largest feed document accepted, bytes. */
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .default(5 * 1024 * 1024),
    /** Per-host back-off after failures (util/backoff.ts, full jitter). */
    backoff: z
      .object({
        baseMs: z.number().int().positive().default(30_000),
        maxMs: z.number().int().positive().default(3_600_000),
      })
      .strict()
      .prefault({}),
    burst: z
      .object({
        windowMs: z.number().int().min(60_000).default(900_000),
        baselineMs: z.number().int().min(3_600_000).default(86_400_000),
        minItems: z.number().int().min(1).default(3),
        factor: z.number().positive().default(3),
      })
      .strict()
      .prefault({}),
    sentimentMove: z
      .object({
        threshold: z.number().positive().max(2).default(0.35),
        minItems: z.number().int().min(1).default(3),
      })
      .strict()
      .prefault({}),
    /** Least time between two news alerts of one kind for one asset, ms. */
    alertCooldownMs: z.number().int().min(0).default(1_800_000),
    /** Days of news kept in the store, by receive time (0 = forever). */
    retentionDays: z.number().int().min(0).default(90),
    /** User-Agent of the poller. */
    userAgent: z.string().default('depthwatch-news/0.1'),
  })
  .strict();

/** The validated `news` section. */
export type NewsConfig = z.infer<typeof newsConfigSchema>;
/** The `news` section as written (every field optional). */
export type NewsConfigInput = z.input<typeof newsConfigSchema>;
