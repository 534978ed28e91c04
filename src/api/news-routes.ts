/**
 * News routes of the HTTP API (registered from api/server.ts; shapes below, errors as everywhere:
 * `{statusCode, error, message}`, 400 naming the bad parameter, 501 when the store keeps no news):
 * - `GET /api/v1/news?asset=&source=&from=&to=&limit=&cursor=` → NewsResponse `{items, nextCursor}`: stored
 *   items newest first (`publishedAt`, then id), filtered by asset code (e.g. `BTC`), source id and
 *   publication time (ms or ISO 8601; `from` inclusive, `to` exclusive); `limit` 1-1000 (default 50).
 * - `GET /api/v1/news/sentiment?asset=&to=&bucket=` → NewsSentimentResponse: rolling sentiment (count- and
 *   recency-weighted VADER compound over 1 h and 24 h), volume and burst state as of `to` (default now),
 *   computed from the stored items (news/aggregate.ts). With `asset` (or `*` for every item): that asset,
 *   plus its series over the 24 h before `to` in `bucket` steps (default 15m; 1m-6h). Without: `*` first,
 *   then every asset with news in the last 24 h by volume.
 * - `GET /api/v1/news/sources` → NewsSourcesResponse: each polled source with its state, last error,
 *   counters (empty on a node that does not poll).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { HistoryStore } from '../store/types.ts';
import type { NewsItem, NewsSourceStatus } from '../news/types.ts';
import {
  SENTIMENT_WINDOWS,
  burstState,
  sentimentSeries,
  sentimentWindow,
  type BurstOptions,
  type BurstState,
  type SentimentPoint,
  type SentimentWindow,
  DEFAULT_BURST,
} from '../news/aggregate.ts';
import { parseDuration, timeParam, zodRouteSchema } from './params.ts';

/** `GET /api/v1/news`: newest first; pass `nextCursor` as `cursor` for the next page. */
export interface NewsResponse {
  items: NewsItem[];
  nextCursor: string | null;
}

/** Sentiment of one asset (`*` = every item) as of `now`. */
export interface AssetSentiment {
  asset: string;
  windows: { '1h': SentimentWindow; '24h': SentimentWindow };
  burst: BurstState;
  /** Over the 24 h before `now` (only when one asset was asked). */
  series?: SentimentPoint[];
}

/** `GET /api/v1/news/sentiment`. */
export interface NewsSentimentResponse {
  /** Reference time, ms since epoch UTC. */
  now: number;
  /** Series bucket, ms. */
  bucketMs: number;
  assets: AssetSentiment[];
  /** Items the aggregates were computed from (the stored items of the last 24 h + burst window, at most 5,000). */
  items: number;
}

/** `GET /api/v1/news/sources`. */
export interface NewsSourcesResponse {
  /** Whether this node polls news (roles all/analyzer with news enabled). */
  polling: boolean;
  sources: NewsSourceStatus[];
}

/** What the news routes need. */
export interface NewsApiDeps {
  store: HistoryStore;
  /** Statuses of this node's news poller; absent when the node does not poll. */
  newsSources?: () => NewsSourceStatus[];
  /** Burst detector settings (the config's `news.burst`). */
  newsBurst?: BurstOptions;
}

const assetParam = z
  .string()
  .regex(/^(\*|[A-Za-z0-9]{1,15})$/, 'an asset code (letters and digits, e.g. BTC) or *')
  .transform((s) => s.toUpperCase());

export const newsQuery = z.object({
  asset: assetParam.optional().describe('asset code, e.g. BTC'),
  source: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a source id (lower-case letters, digits, _ -)')
    .optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50).describe('page size (1-1000, default 50)'),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,512}$/, 'not a cursor returned by this API')
    .optional(),
});

export const sentimentQuery = z.object({
  asset: assetParam.optional(),
  to: timeParam.optional().describe('reference time (default now)'),
  bucket: z
    .string()
    .default('15m')
    .transform((s, ctx) => {
      const ms = parseDuration(s);
      if (ms === null || ms < 60_000 || ms > 21_600_000) {
        ctx.addIssue({ code: 'custom', message: 'bucket must be a duration from 1m to 6h (e.g. 15m, 1h)' });
        return z.NEVER;
      }
      return ms;
    }),
});

/** Most stored items read for the sentiment aggregates. */
const SENTIMENT_ITEMS = 5000;

/** Register the news routes on `api` (inside the API plugin, after swagger). */
export function registerNewsRoutes(api: FastifyInstance, deps: NewsApiDeps): void {
  const { store } = deps;
  const burst = deps.newsBurst ?? DEFAULT_BURST;
  const noNews = { statusCode: 501, error: 'Not Implemented', message: 'this history store keeps no news' };

  api.get<{ Querystring: z.output<typeof newsQuery> }>(
    '/api/v1/news',
    {
      schema: {
        tags: ['news'],
        summary: 'Stored news items, newest first, by asset/source/time, with cursor pagination',
        querystring: zodRouteSchema(newsQuery),
      },
    },
    async (req, reply) => {
      if (!store.queryNews) return reply.code(501).send(noNews);
      const { asset, from, to } = req.query;
      if (from !== undefined && to !== undefined && from >= to)
        return reply
          .code(400)
          .send({ statusCode: 400, error: 'Bad Request', message: 'from must be before to' });
      const q = { ...req.query, ...(asset === '*' ? { asset: undefined } : {}) };
      const body: NewsResponse = await store.queryNews(q);
      return body;
    },
  );

  api.get<{ Querystring: z.output<typeof sentimentQuery> }>(
    '/api/v1/news/sentiment',
    {
      schema: {
        tags: ['news'],
        summary: 'Rolling news sentiment (1 h / 24 h, count- and recency-weighted), volume, bursts per asset',
        querystring: zodRouteSchema(sentimentQuery),
      },
    },
    async (req, reply) => {
      if (!store.queryNews) return reply.code(501).send(noNews);
      const now = req.query.to ?? Date.now();
      const bucketMs = req.query.bucket;
      const span = Math.max(SENTIMENT_WINDOWS['24h'], burst.windowMs + burst.baselineMs);
      const from = now - span;
      const items: NewsItem[] = [];
      let cursor: string | undefined;
      while (items.length < SENTIMENT_ITEMS) {
        const page = await store.queryNews({
          from,
          to: now + 1,
          limit: 1000,
          ...(req.query.asset && req.query.asset !== '*' ? { asset: req.query.asset } : {}),
          ...(cursor ? { cursor } : {}),
        });
        items.push(...page.items);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      const one = (asset: string, withSeries: boolean): AssetSentiment => ({
        asset,
        windows: {
          '1h': sentimentWindow(items, asset, now, SENTIMENT_WINDOWS['1h']),
          '24h': sentimentWindow(items, asset, now, SENTIMENT_WINDOWS['24h']),
        },
        burst: burstState(items, asset, now, burst),
        ...(withSeries
          ? { series: sentimentSeries(items, asset, now - SENTIMENT_WINDOWS['24h'], now + 1, bucketMs) }
          : {}),
      });
      let assets: AssetSentiment[];
      if (req.query.asset) assets = [one(req.query.asset, true)];
      else {
        const volume = new Map<string, number>();
        for (const it of items)
          if (now - it.publishedAt < SENTIMENT_WINDOWS['24h'] && it.publishedAt <= now)
            for (const a of it.assets) volume.set(a, (volume.get(a) ?? 0) + 1);
        const ranked = [...volume.entries()]
          .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
          .map(([a]) => a);
        assets = [one('*', false), ...ranked.map((a) => one(a, false))];
      }
      const body: NewsSentimentResponse = { now, bucketMs, assets, items: items.length };
      return body;
    },
  );

  api.get(
    '/api/v1/news/sources',
    { schema: { tags: ['news'], summary: 'Polled news sources with their state, last error and counters' } },
    async () => {
      const body: NewsSourcesResponse = {
        polling: deps.newsSources !== undefined,
        sources: deps.newsSources?.() ?? [],
      };
      return body;
    },
  );
}
