/**
 * Handlers of the news routes of the contract table (shapes in src/contract/schemas.ts; errors as
 * everywhere: 400 naming the bad parameter, 501 when the store keeps no news):
 * - `GET /api/v1/news?asset=&source=&from=&to=&limit=&cursor=` → `{items, nextCursor}`: stored items
 *   newest first (`publishedAt`, then id), filtered by asset code (e.g. `BTC`), source id and publication
 *   time (ms or ISO 8601; `from` inclusive, `to` exclusive); `limit` 1-1000 (default 50).
 * - `GET /api/v1/news/sentiment?asset=&to=&bucket=`: rolling sentiment (count- and recency-weighted VADER
 *   compound over 1 h and 24 h), volume and burst state as of `to` (default now), computed from the
 *   stored items (news/aggregate.ts). With `asset` (or `*` for every item): that asset, plus its series
 *   over the 24 h before `to` in `bucket` steps (default 15m; 1m-6h). Without: `*` first, then every
 *   asset with news in the last 24 h by volume.
 * - `GET /api/v1/news/sources` → `{items, nextCursor, polling}`: each polled source with its state, last
 *   error, counters (empty on a node that does not poll).
 */
import type { z } from 'zod';
import type { HistoryStore } from '../store/types.ts';
import type { NewsItem, NewsSourceStatus } from '../news/types.ts';
import {
  SENTIMENT_WINDOWS,
  burstState,
  sentimentSeries,
  sentimentWindow,
  type BurstOptions,
  DEFAULT_BURST,
} from '../news/aggregate.ts';
import type {
  NewsResponse as NewsSchema,
  NewsSentimentResponse as NewsSentimentSchema,
  NewsSourcesResponse as NewsSourcesSchema,
} from '../contract/schemas.ts';
import { ApiError, type JsonHandlers } from './contract-routes.ts';

/** `GET /api/v1/news`: newest first; pass `nextCursor` as `cursor` for the next page. */
export type NewsResponse = z.infer<typeof NewsSchema>;

/** `GET /api/v1/news/sources`. */
export type NewsSourcesResponse = z.infer<typeof NewsSourcesSchema>;

/** Sentiment of one asset (`*` = every item) as of `now`. */
export type AssetSentiment = z.infer<typeof NewsSentimentSchema>['assets'][number];

/** `GET /api/v1/news/sentiment`. */
export type NewsSentimentResponse = z.infer<typeof NewsSentimentSchema>;

/** What the news routes need. */
export interface NewsApiDeps {
  store: HistoryStore;
  /** Statuses of this node's news poller; absent when the node does not poll. */
  newsSources?: () => NewsSourceStatus[];
  /** Burst detector settings (the config's `news.burst`). */
  newsBurst?: BurstOptions;
}

/** Most stored items read for the sentiment aggregates. */
const SENTIMENT_ITEMS = 5000;

/** The news routes' handlers. */
export function newsHandlers(
  deps: NewsApiDeps,
): Pick<JsonHandlers, 'news' | 'newsSentiment' | 'newsSources'> {
  const { store } = deps;
  const burst = deps.newsBurst ?? DEFAULT_BURST;
  const noNews = (): ApiError => new ApiError(501, 'this history store keeps no news');
  return {
    news: async ({ query }) => {
      if (!store.queryNews) throw noNews();
      const { asset, from, to } = query;
      if (from !== undefined && to !== undefined && from >= to)
        throw new ApiError(400, 'from must be before to');
      const q = { ...query, ...(asset === '*' ? { asset: undefined } : {}) };
      return store.queryNews(q);
    },

    newsSentiment: async ({ query }) => {
      if (!store.queryNews) throw noNews();
      const now = query.to ?? Date.now();
      const bucketMs = query.bucket;
      const span = Math.max(SENTIMENT_WINDOWS['24h'], burst.windowMs + burst.baselineMs);
      const from = now - span;
      const items: NewsItem[] = [];
      let cursor: string | undefined;
      while (items.length < SENTIMENT_ITEMS) {
        const page = await store.queryNews({
          from,
          to: now + 1,
          limit: 1000,
          ...(query.asset && query.asset !== '*' ? { asset: query.asset } : {}),
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
      if (query.asset) assets = [one(query.asset, true)];
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
      return { now, bucketMs, assets, items: items.length };
    },

    newsSources: async () => ({
      items: deps.newsSources?.() ?? [],
      nextCursor: null,
      polling: deps.newsSources !== undefined,
    }),
  };
}
