/**
 * News shapes (from the contract, src/contract) and the news REST calls over the SDK client.
 */
import type { Page } from '../../../src/contract/index.ts';
import type { NewsItem, NewsSentimentResponse, NewsSourceStatus } from '../../../src/contract/index.ts';
import { api } from './client.ts';

export type {
  AssetSentiment,
  NewsItem,
  NewsSentiment,
  NewsSentimentResponse,
  NewsSourceStatus,
  SentimentPoint,
  SentimentWindow,
} from '../../../src/contract/index.ts';

/** `GET /api/v1/news`: newest first. */
export type NewsPage = Page<NewsItem>;

/** `GET /api/v1/news/sources`. */
export type NewsSourcesResponse = Page<NewsSourceStatus> & { polling: boolean };

/** The WebSocket channel carrying news (subscribe with `*` or `asset:<CODE>`). */
export type NewsChannel = 'news';

/** Payload of the `news` channel, keyed like api/types.ts `ChannelPayload`. */
export interface NewsChannelPayload {
  news: NewsItem;
}

/** True for a value with the fields the dashboard reads from a news item (guards WebSocket input). */
export function isNewsItem(v: unknown): v is NewsItem {
  if (typeof v !== 'object' || v === null) return false;
  const n = v as Partial<NewsItem>;
  return (
    typeof n.id === 'string' &&
    typeof n.title === 'string' &&
    typeof n.publishedAt === 'number' &&
    Array.isArray(n.assets) &&
    typeof n.sentiment?.compound === 'number'
  );
}

/** Filters of {@link fetchNews}. */
export interface NewsFilter {
  asset?: string;
  source?: string;
  from?: number;
  to?: number;
  limit?: number;
  cursor?: string;
}

const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

/** One page of stored news, newest first. Throws ApiError (501 when the store keeps no news). */
export function fetchNews(f: NewsFilter, signal?: AbortSignal): Promise<NewsPage> {
  const query = {
    ...f,
    ...(f.from !== undefined ? { from: Math.floor(f.from) } : {}),
    ...(f.to !== undefined ? { to: Math.ceil(f.to) } : {}),
  };
  return api.news({ query }, opt(signal));
}

/** Rolling sentiment of one asset (with its 24 h series), or of every asset with news (no series). */
export function fetchNewsSentiment(asset?: string, signal?: AbortSignal): Promise<NewsSentimentResponse> {
  return api.newsSentiment({ query: asset ? { asset } : {} }, opt(signal));
}

/** The polled sources with their state and last error. */
export function fetchNewsSources(signal?: AbortSignal): Promise<NewsSourcesResponse> {
  return api.newsSources({}, opt(signal));
}

/** `positive` (compound ≥ 0.05), `negative` (≤ −0.05) or `neutral`, VADER's convention. */
export function sentimentClass(compound: number | null | undefined): 'positive' | 'negative' | 'neutral' {
  if (typeof compound !== 'number') return 'neutral';
  return compound >= 0.05 ? 'positive' : compound <= -0.05 ? 'negative' : 'neutral';
}
