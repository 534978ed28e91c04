/**
 * Client-side mirror of the news shapes (server: src/news/types.ts, src/api/news-routes.ts and the
 * WebSocket `news` channel in src/api/ws-hub.ts), kept apart from api/types.ts, and the REST calls.
 * Times are ms since epoch UTC; sentiment is VADER's compound score in [-1, 1].
 */
import { getJson } from './rest.ts';

/** VADER scores of an item's title and summary. */
export interface NewsSentiment {
  compound: number;
  pos: number;
  neu: number;
  neg: number;
}

/** One news item. */
export interface NewsItem {
  id: string;
  /** Source id (configured feed). */
  source: string;
  /** Publisher name. */
  outlet: string;
  title: string;
  /** Article link ('' when the feed has none). */
  link: string;
  summary: string;
  publishedAt: number;
  receivedAt: number;
  categories: string[];
  /** Asset codes the item is about, e.g. `BTC`. */
  assets: string[];
  /** Followed instruments trading those assets. */
  instruments: string[];
  sentiment: NewsSentiment;
  votes?: Record<string, number>;
  kind?: string;
  /** A recorded item re-timed to now (offline demo). */
  replayed?: boolean;
}

/** `GET /api/v1/news`. */
export interface NewsPage {
  items: NewsItem[];
  nextCursor: string | null;
}

/** Rolling sentiment over one window. */
export interface SentimentWindow {
  count: number;
  mean: number | null;
  recencyMean: number | null;
  positive: number;
  negative: number;
  neutral: number;
}

/** One bucket of a sentiment series. */
export interface SentimentPoint {
  ts: number;
  count: number;
  mean: number | null;
  rolling1h: number | null;
  rolling24h: number | null;
}

/** Sentiment of one asset (`*` = every item). */
export interface AssetSentiment {
  asset: string;
  windows: { '1h': SentimentWindow; '24h': SentimentWindow };
  burst: { count: number; expected: number; ratio: number; active: boolean };
  series?: SentimentPoint[];
}

/** `GET /api/v1/news/sentiment`. */
export interface NewsSentimentResponse {
  now: number;
  bucketMs: number;
  assets: AssetSentiment[];
  items: number;
}

/** One polled source (`GET /api/v1/news/sources`). */
export interface NewsSourceStatus {
  id: string;
  kind: 'rss' | 'cryptopanic';
  url: string;
  intervalMs: number;
  priority: number;
  enabled: boolean;
  state: 'idle' | 'ok' | 'error' | 'backoff' | 'disabled';
  lastPollAt: number | null;
  lastOkAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  nextPollAt: number | null;
  counters: Record<string, number>;
}

/** `GET /api/v1/news/sources`. */
export interface NewsSourcesResponse {
  polling: boolean;
  sources: NewsSourceStatus[];
}

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

/** One page of stored news, newest first. Throws ApiError (501 when the store keeps no news). */
export function fetchNews(f: NewsFilter, signal?: AbortSignal): Promise<NewsPage> {
  const q = new URLSearchParams();
  if (f.asset) q.set('asset', f.asset);
  if (f.source) q.set('source', f.source);
  if (f.from !== undefined) q.set('from', String(Math.floor(f.from)));
  if (f.to !== undefined) q.set('to', String(Math.ceil(f.to)));
  if (f.limit !== undefined) q.set('limit', String(f.limit));
  if (f.cursor) q.set('cursor', f.cursor);
  const qs = q.toString();
  return getJson(`api/v1/news${qs ? `?${qs}` : ''}`, signal);
}

/** Rolling sentiment of one asset (with its 24 h series), or of every asset with news (no series). */
export function fetchNewsSentiment(asset?: string, signal?: AbortSignal): Promise<NewsSentimentResponse> {
  return getJson(`api/v1/news/sentiment${asset ? `?asset=${encodeURIComponent(asset)}` : ''}`, signal);
}

/** The polled sources with their state and last error. */
export function fetchNewsSources(signal?: AbortSignal): Promise<NewsSourcesResponse> {
  return getJson('api/v1/news/sources', signal);
}

/** `positive` (compound ≥ 0.05), `negative` (≤ −0.05) or `neutral`, VADER's convention. */
export function sentimentClass(compound: number | null | undefined): 'positive' | 'negative' | 'neutral' {
  if (typeof compound !== 'number') return 'neutral';
  return compound >= 0.05 ? 'positive' : compound <= -0.05 ? 'negative' : 'neutral';
}
