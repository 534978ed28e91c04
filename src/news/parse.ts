/**
 * Feed documents → RawNewsItem lists (pure, no I/O).
 *
 * - RSS 0.9x/1.0/2.0 and Atom 1.0: parsed with @rowanmanning/feed-parser (maintained, lenient with
 *   real-world feeds, Node 20; it does not fetch). Per item: guid/id, title, link, description (content
 *   when there is no description) as plain text via html-to-text, publication date (`pubDate`,
 *   `published`, else `updated`; RFC 822 and ISO 8601 with any offset, kept as UTC ms), categories.
 * - CryptoPanic posts JSON (API v1/v2 `GET /posts/`): the whole answer (`{count, next, results: [...]}`) or
 *   the bare `results` array. Per post: `id`, `title`, `url`, `published_at`, `source.title`,
 *   `currencies[].code` (feed-tagged assets), `votes` and `kind` (CryptoPanic API docs, "Posts").
 *
 * A document that is neither is refused with a {@link MalformedFeedError}; an item without a title is
 * skipped and counted in `skipped`.
 */
import { parseFeed } from '@rowanmanning/feed-parser';
import type { NewsVotes, RawNewsItem } from './types.ts';
import { htmlToPlainText } from './text.ts';

/** Why a document was refused. */
export type MalformedFeedCode = 'not_a_feed' | 'malformed_json' | 'bad_shape' | 'empty';

/** A fetched or imported document that is not a usable feed (counted per source as `malformed`). */
export class MalformedFeedError extends Error {
  override readonly name = 'MalformedFeedError';
  constructor(
    readonly code: MalformedFeedCode,
    message: string,
  ) {
    super(message);
  }
}

/** Formats a document can have. */
export type FeedFormat = 'rss' | 'atom' | 'cryptopanic';

/** A parsed document. */
export interface ParsedFeed {
  format: FeedFormat;
  /** The feed's title (RSS/Atom) or `CryptoPanic`. */
  title: string;
  /** The feed's site link (RSS/Atom `link`), or null. */
  siteUrl: string | null;
  items: RawNewsItem[];
  /** Items without a title (skipped). */
  skipped: number;
}

/** Whether a document looks like JSON (first non-blank character `{` or `[`). */
export function looksLikeJson(text: string): boolean {
  return /^\s*[[{]/.test(text);
}

/**
 * Parse a feed document: JSON is read as CryptoPanic posts, anything else as RSS/Atom XML.
 * @param outlet publisher name used when the document has no title of its own
 * @throws {MalformedFeedError} when the document is not a feed of either kind
 */
export function parseFeedDocument(text: string, outlet?: string): ParsedFeed {
  if (!text.trim()) throw new MalformedFeedError('empty', 'empty document');
  return looksLikeJson(text) ? parseCryptoPanic(text) : parseXmlFeed(text, outlet);
}

/** Time of a Date or date text as ms since epoch UTC; NaN when absent or invalid. */
function toMs(d: Date | string | null | undefined): number {
  if (d === null || d === undefined) return NaN;
  const t = d instanceof Date ? d.getTime() : Date.parse(d);
  return Number.isFinite(t) ? t : NaN;
}

/**
 * Parse RSS or Atom XML.
 * @throws {MalformedFeedError} `not_a_feed` when the XML does not parse or holds no feed
 */
export function parseXmlFeed(xml: string, outlet?: string): ParsedFeed {
  let feed: ReturnType<typeof parseFeed>;
  try {
    feed = parseFeed(xml);
  } catch (e) {
    throw new MalformedFeedError('not_a_feed', `not an RSS/Atom feed: ${(e as Error).message}`);
  }
  const format: FeedFormat = feed.meta.type === 'atom' ? 'atom' : 'rss';
  const title = (feed.title ?? '').trim() || outlet || 'unknown';
  const items: RawNewsItem[] = [];
  let skipped = 0;
  for (const it of feed.items) {
    const t = htmlToPlainText(it.title ?? '');
    if (!t) {
      skipped++;
      continue;
    }
    const body = it.description ?? it.content ?? '';
    items.push({
      guid: it.id?.trim() || null,
      title: t,
      link: it.url?.trim() || null,
      summary: htmlToPlainText(body),
      publishedAt: toMs(it.published ?? it.updated),
      categories: [
        ...new Set(
          it.categories.map((c) => htmlToPlainText(c.label ?? c.term ?? '')).filter((c) => c.length > 0),
        ),
      ],
      outlet: outlet ?? title,
      feedAssets: [],
    });
  }
  return { format, title, siteUrl: feed.url ?? null, items, skipped };
}

const VOTE_KEYS: readonly (keyof NewsVotes)[] = [
  'negative',
  'positive',
  'important',
  'liked',
  'disliked',
  'lol',
  'toxic',
  'saved',
  'comments',
];

function votesOf(v: unknown): NewsVotes | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const out = {} as NewsVotes;
  for (const k of VOTE_KEYS) out[k] = typeof o[k] === 'number' && Number.isFinite(o[k]) ? o[k] : 0;
  return out;
}

/**
 * Parse a CryptoPanic posts answer (`{results: [...]}`) or a bare array of posts.
 * @throws {MalformedFeedError} `malformed_json` when not JSON, `bad_shape` when there is no posts array
 */
export function parseCryptoPanic(text: string): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new MalformedFeedError('malformed_json', `not JSON: ${(e as Error).message}`);
  }
  const posts = Array.isArray(doc)
    ? doc
    : typeof doc === 'object' && doc !== null && Array.isArray((doc as { results?: unknown }).results)
      ? (doc as { results: unknown[] }).results
      : null;
  if (!posts) throw new MalformedFeedError('bad_shape', 'JSON without a CryptoPanic posts array (results)');
  const items: RawNewsItem[] = [];
  let skipped = 0;
  for (const p of posts) {
    if (typeof p !== 'object' || p === null) {
      skipped++;
      continue;
    }
    const o = p as Record<string, unknown>;
    const title = typeof o.title === 'string' ? htmlToPlainText(o.title) : '';
    if (!title) {
      skipped++;
      continue;
    }
    const source = (o.source ?? {}) as Record<string, unknown>;
    const currencies = Array.isArray(o.currencies) ? o.currencies : [];
    const votes = votesOf(o.votes);
    items.push({
      guid: o.id === undefined || o.id === null ? null : `cryptopanic:${String(o.id)}`,
      title,
      link: typeof o.url === 'string' ? o.url : null,
      summary: typeof o.description === 'string' ? htmlToPlainText(o.description) : '',
      publishedAt: toMs(typeof o.published_at === 'string' ? o.published_at : null),
      categories: [],
      outlet:
        typeof source.title === 'string' && source.title
          ? source.title
          : typeof o.domain === 'string'
            ? o.domain
            : 'CryptoPanic',
      feedAssets: [
        ...new Set(
          currencies
            .map((c) => (typeof c === 'object' && c !== null ? (c as { code?: unknown }).code : null))
            .filter((c): c is string => typeof c === 'string' && c.length > 0)
            .map((c) => c.toUpperCase()),
        ),
      ].sort(),
      ...(votes ? { votes } : {}),
      ...(typeof o.kind === 'string' ? { kind: o.kind } : {}),
    });
  }
  return { format: 'cryptopanic', title: 'CryptoPanic', siteUrl: 'https://cryptopanic.com', items, skipped };
}

/**
 * A short source id for a feed without a configured one (imports): the site host's first label that is
 * not `www`/`news`/`feeds` (`https://www.coindesk.com` → `coindesk`, `https://decrypt.co/feed` →
 * `decrypt`), `cryptopanic` for CryptoPanic, else the title in lower-case-dashed form.
 */
export function sourceIdOf(feed: ParsedFeed): string {
  if (feed.format === 'cryptopanic') return 'cryptopanic';
  if (feed.siteUrl) {
    try {
      const labels = new URL(feed.siteUrl).hostname.toLowerCase().split('.');
      const label = labels.find(
        (l, i) => i < labels.length - 1 && !['www', 'news', 'feeds', 'rss'].includes(l),
      );
      if (label) return label;
    } catch {
      // fall through to the title
    }
  }
  return (
    feed.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'feed'
  );
}
