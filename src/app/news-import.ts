/**
 * Import saved feed documents (RSS/Atom XML, CryptoPanic posts JSON) into a history store: the same
 * parse → de-duplicate → tag → score path as the poller, then an idempotent upsert by item id, so
 * importing a file twice stores each item once. Used by `depthwatch news import`.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { HistoryStore } from '../store/types.ts';
import type { NewsItem } from '../news/types.ts';
import { parseFeedDocument, sourceIdOf, type FeedFormat } from '../news/parse.ts';
import { NewsIngest } from '../news/ingest.ts';
import type { AssetTagger } from '../news/assets.ts';

/** Result of one imported file. */
export interface ImportedFile {
  file: string;
  format: FeedFormat;
  /** Source id the items were stored under. */
  source: string;
  /** Items in the document. */
  parsed: number;
  /** Items new in this run (not duplicates of an earlier file, or of a stored item by link/title). */
  fresh: number;
  /** Items dropped as duplicates. */
  duplicates: number;
  /** Rows new to the store (0 on a re-import); null without a store. */
  stored: number | null;
}

/** Options of {@link importNewsFiles}. */
export interface ImportOptions {
  /** Store to write (omitted: parse only). */
  store?: HistoryStore | null;
  tagger: AssetTagger;
  /** Followed instruments, for `NewsItem.instruments`. */
  instruments: readonly string[];
  /** Source id for every file (default: derived per file, see news/parse.ts sourceIdOf). */
  source?: string;
  /** Receive time of the items, ms (default now). */
  now?: number;
}

/** Stored items at most read back to seed de-duplication. */
const SEED_LIMIT = 10_000;

/** Stored items published in `[from, to)`, newest first, at most SEED_LIMIT. */
async function storedBetween(store: HistoryStore, from: number, to: number): Promise<NewsItem[]> {
  const out: NewsItem[] = [];
  let cursor: string | undefined;
  while (store.queryNews && out.length < SEED_LIMIT) {
    const page = await store.queryNews({ from, to, limit: 1000, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/**
 * Parse, de-duplicate and (with a store) upsert the files, in order.
 * @returns per-file results and every item new in this run (with scores, assets, instruments)
 * @throws the read error of a missing file, {MalformedFeedError} for a document that is not a feed,
 *   {Error} when the store keeps no news
 */
export async function importNewsFiles(
  files: readonly string[],
  o: ImportOptions,
): Promise<{ files: ImportedFile[]; items: NewsItem[] }> {
  const store = o.store ?? null;
  if (store && !store.upsertNews) throw new Error('this history store keeps no news');
  const now = o.now ?? Date.now();
  const docs = await Promise.all(
    files.map(async (f) => ({ file: f, feed: parseFeedDocument(await readFile(f, 'utf8'), undefined) })),
  );
  const ingest = new NewsIngest();
  if (store?.queryNews) {
    const times = docs.flatMap((d) => d.feed.items.map((i) => i.publishedAt)).filter(Number.isFinite);
    if (times.length > 0) {
      const day = 86_400_000;
      ingest.remember(await storedBetween(store, Math.min(...times) - day, Math.max(...times) + day));
    }
  }
  const results: ImportedFile[] = [];
  const items: NewsItem[] = [];
  for (const { file, feed } of docs) {
    const source = o.source ?? sourceIdOf(feed);
    const r = ingest.ingest(feed.items, {
      source,
      receivedAt: now,
      tagger: o.tagger,
      instruments: o.instruments,
    });
    const stored = store ? await store.upsertNews!([...r.fresh, ...r.updated]) : null;
    results.push({
      file: basename(file),
      format: feed.format,
      source,
      parsed: feed.items.length,
      fresh: r.fresh.length,
      duplicates: r.duplicates,
      stored,
    });
    items.push(...r.fresh);
  }
  return { files: results, items };
}
