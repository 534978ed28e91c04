/**
 * News shapes: what a feed gives us (RawNewsItem), what depthwatch keeps and publishes (NewsItem), and
 * the per-source status the API reports. Plain JSON-safe data. Times are ms since epoch UTC.
 */

/** VADER scores of an item's title and summary (vader-sentiment `polarity_scores`). */
export interface NewsSentiment {
  /** Normalised, weighted composite score in [-1, 1] (≥ 0.05 positive, ≤ -0.05 negative by VADER's convention). */
  compound: number;
  /** Proportions of the text that are positive, neutral and negative (sum ≈ 1). */
  pos: number;
  neu: number;
  neg: number;
}

/** CryptoPanic community votes of a post, as the API sends them (counts). */
export interface NewsVotes {
  negative: number;
  positive: number;
  important: number;
  liked: number;
  disliked: number;
  lol: number;
  toxic: number;
  saved: number;
  comments: number;
}

/**
 * One item as parsed from a feed document, before de-duplication, tagging and scoring (feed order).
 * `summary` is already plain text (HTML stripped).
 */
export interface RawNewsItem {
  /** The feed's own id (RSS guid, Atom id, CryptoPanic post id), or null when it has none. */
  guid: string | null;
  title: string;
  /** Article URL as the feed gives it (absolute), or null. */
  link: string | null;
  /** Plain-text summary (description, or content when there is no description); may be empty. */
  summary: string;
  /** Publication time, ms since epoch UTC; NaN when the feed gives none or an unparseable one. */
  publishedAt: number;
  categories: string[];
  /** Publisher name (the feed's title, or the CryptoPanic post's source title). */
  outlet: string;
  /** Asset codes the feed itself tags (CryptoPanic `currencies[].code`); empty for RSS/Atom. */
  feedAssets: string[];
  /** CryptoPanic votes, when the feed has them. */
  votes?: NewsVotes;
  /** CryptoPanic post kind (`news`, `media`, ...). */
  kind?: string;
}

/** One news item as depthwatch keeps, stores and publishes it. */
export interface NewsItem {
  /** Stable id: 16 hex digits of SHA-256 of the item's de-duplication key (canonical link, else guid, else normalized title). */
  id: string;
  /** Source id (configured source, or the outlet derived from an imported file). */
  source: string;
  /** Publisher name. */
  outlet: string;
  title: string;
  /** Canonical article link (tracking parameters and fragment removed), or '' when the feed has none. */
  link: string;
  /** Plain text, at most SUMMARY_MAX_CHARS characters. */
  summary: string;
  /** Publication time, ms since epoch UTC (the receive time when the feed gives none). */
  publishedAt: number;
  /** When depthwatch first received it, ms since epoch UTC (retention runs on it). */
  receivedAt: number;
  categories: string[];
  /** Asset codes named by the title or summary (alias table) or tagged by the feed, sorted. */
  assets: string[];
  /** Followed instruments (`<venue>:<symbol>`) whose base asset is one of `assets`, sorted. */
  instruments: string[];
  /** VADER scores of `sentimentText(title, summary)`. */
  sentiment: NewsSentiment;
  /** CryptoPanic community votes (updated on every poll), when the source has them. */
  votes?: NewsVotes;
  /** CryptoPanic post kind. */
  kind?: string;
  /** True for recorded items re-timed to now by the offline demo. */
  replayed?: boolean;
}

/** Health of one configured source, as `/api/v1/news/sources` reports it. */
export interface NewsSourceStatus {
  id: string;
  kind: 'rss' | 'cryptopanic';
  /** URL with any token removed. */
  url: string;
  intervalMs: number;
  /** Lower polls first. */
  priority: number;
  /** False when the source cannot run (e.g. CryptoPanic without a token); `lastError` says why. */
  enabled: boolean;
  /** `ok`, `error` (last poll failed), `backoff` (waiting after failures), `idle` (not polled yet), `disabled`. */
  state: 'idle' | 'ok' | 'error' | 'backoff' | 'disabled';
  /** Last poll start and last successful poll (200 or 304), ms; null when none yet. */
  lastPollAt: number | null;
  lastOkAt: number | null;
  /** Last error message (null after a success), and when it happened. */
  lastError: string | null;
  lastErrorAt: number | null;
  /** Earliest next poll, ms. */
  nextPollAt: number | null;
  counters: NewsSourceCounters;
}

/** Monotonic counters of one source. */
export interface NewsSourceCounters {
  polls: number;
  /** 200 answers parsed. */
  fetched: number;
  /** 304 answers (unchanged since the last ETag/Last-Modified). */
  notModified: number;
  /** Network errors, timeouts, HTTP 4xx/5xx. */
  errors: number;
  /** 200 answers whose body was not a feed of the expected kind (dropped, counted here). */
  malformed: number;
  /** Items parsed from fetched documents (before de-duplication). */
  itemsSeen: number;
  /** Items new to depthwatch (after de-duplication). */
  itemsNew: number;
}

/** A query of stored news: newest first (`publishedAt` then `id` descending). */
export interface NewsQuery {
  /** Only items tagged with this asset code. */
  asset?: string;
  /** Only items of this source id. */
  source?: string;
  /** Inclusive start / exclusive end on `publishedAt`, ms. */
  from?: number;
  to?: number;
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** One page of news; `nextCursor` is null on the last page. */
export interface NewsPage {
  items: NewsItem[];
  nextCursor: string | null;
}
