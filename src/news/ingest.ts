/**
 * From parsed feed items to NewsItems (pure, no I/O; the receive time is passed in): id, canonical link,
 * asset tags, followed instruments, VADER scores, and de-duplication across feeds and polls.
 *
 * De-duplication: an item is a duplicate when its canonical link, or else its normalized title, was seen
 * before (in this process, or seeded from the store with `remember`). First seen wins: a later copy from
 * another feed is dropped. A re-polled item with the same id whose CryptoPanic votes changed comes back in
 * `updated` (so the stored votes follow the community's).
 */
import { createHash } from 'node:crypto';
import type { NewsItem, NewsVotes, RawNewsItem } from './types.ts';
import { canonicalLink, normalizeTitle, truncateText } from './text.ts';
import { scoreItem } from './sentiment.ts';
import { instrumentsFor, type AssetTagger } from './assets.ts';

/** Id of an item with this de-duplication key: 16 hex digits of its SHA-256. */
export function itemId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** The key an item's id is made from: its canonical link, else `guid:<guid>`, else `title:<normalized title>`. */
export function identityKey(raw: Pick<RawNewsItem, 'link' | 'guid' | 'title'>): string {
  const link = canonicalLink(raw.link);
  if (link) return link;
  if (raw.guid) return `guid:${raw.guid}`;
  return `title:${normalizeTitle(raw.title)}`;
}

/** What building an item needs besides the raw item. */
export interface BuildContext {
  /** Source id the item came from. */
  source: string;
  /** Local receive time, ms since epoch UTC (also the published time of items without one). */
  receivedAt: number;
  tagger: AssetTagger;
  /** Followed instruments (`<venue>:<symbol>`), for `NewsItem.instruments`. */
  instruments: readonly string[];
  /** Mark items as replayed recordings (offline demo). */
  replayed?: boolean;
}

/**
 * Build one NewsItem: canonical link, summary cut to SUMMARY_MAX_CHARS, assets named by the title or
 * summary (alias table) plus the feed's own tags (CryptoPanic currencies, kept as given), the followed
 * instruments trading them, VADER scores of the title and the (cut) summary.
 */
export function buildItem(raw: RawNewsItem, ctx: BuildContext): NewsItem {
  const summary = truncateText(raw.summary);
  const assets = new Set(ctx.tagger.tag(`${raw.title}\n${summary}`));
  for (const a of raw.feedAssets) assets.add(a.toUpperCase());
  const sortedAssets = [...assets].sort();
  const item: NewsItem = {
    id: itemId(identityKey(raw)),
    source: ctx.source,
    outlet: raw.outlet,
    title: raw.title,
    link: canonicalLink(raw.link),
    summary,
    publishedAt: Number.isFinite(raw.publishedAt) ? raw.publishedAt : ctx.receivedAt,
    receivedAt: ctx.receivedAt,
    categories: raw.categories,
    assets: sortedAssets,
    instruments: instrumentsFor(sortedAssets, ctx.instruments, ctx.tagger),
    sentiment: scoreItem(raw.title, summary),
  };
  if (raw.votes) item.votes = raw.votes;
  if (raw.kind !== undefined) item.kind = raw.kind;
  if (ctx.replayed) item.replayed = true;
  return item;
}

/** Result of one ingest call. */
export interface IngestResult {
  /** Items never seen before, in feed order. */
  fresh: NewsItem[];
  /** Items seen before (same id) whose votes changed: upsert them to keep the votes current. */
  updated: NewsItem[];
  /** Items dropped as duplicates (by link or title) without news. */
  duplicates: number;
}

/** Insertion-ordered set bounded to `max` keys (oldest evicted). */
class BoundedSet {
  private readonly m = new Map<string, string>();
  constructor(private readonly max: number) {}
  has(k: string): boolean {
    return this.m.has(k);
  }
  get(k: string): string | undefined {
    return this.m.get(k);
  }
  set(k: string, v = ''): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value!);
  }
  get size(): number {
    return this.m.size;
  }
}

const votesKey = (v: NewsVotes | undefined): string => (v ? JSON.stringify(v) : '');

/** De-duplicating item builder. One per process (or per import run). */
export class NewsIngest {
  private readonly links: BoundedSet;
  private readonly titles: BoundedSet;
  /** id → votes key of items seen (to spot changed votes). */
  private readonly ids: BoundedSet;

  /** @param maxKeys most links/titles/ids remembered (oldest forgotten first; default 100,000) */
  constructor(maxKeys = 100_000) {
    this.links = new BoundedSet(maxKeys);
    this.titles = new BoundedSet(maxKeys);
    this.ids = new BoundedSet(maxKeys);
  }

  /** Keys remembered (links). */
  get size(): number {
    return this.links.size + this.titles.size;
  }

  /** Remember items already known (e.g. loaded from the store at start), so they are not new again. */
  remember(items: readonly NewsItem[]): void {
    for (const it of items) {
      if (it.link) this.links.set(it.link);
      this.titles.set(normalizeTitle(it.title));
      this.ids.set(it.id, votesKey(it.votes));
    }
  }

  /** Build and de-duplicate a parsed document's items (see the module comment). */
  ingest(raws: readonly RawNewsItem[], ctx: BuildContext): IngestResult {
    const out: IngestResult = { fresh: [], updated: [], duplicates: 0 };
    for (const raw of raws) {
      const link = canonicalLink(raw.link);
      const title = normalizeTitle(raw.title);
      const id = itemId(identityKey(raw));
      const known = this.ids.get(id);
      if (known !== undefined) {
        if (raw.votes && votesKey(raw.votes) !== known) {
          const item = buildItem(raw, ctx);
          this.ids.set(id, votesKey(raw.votes));
          out.updated.push(item);
        } else out.duplicates++;
        continue;
      }
      if ((link && this.links.has(link)) || (title && this.titles.has(title))) {
        out.duplicates++;
        continue;
      }
      const item = buildItem(raw, ctx);
      if (link) this.links.set(link);
      if (title) this.titles.set(title);
      this.ids.set(id, votesKey(raw.votes));
      out.fresh.push(item);
    }
    return out;
  }
}
