/**
 * The `news` table of both stores, fed with the real shared feed documents through the import path:
 * a temporary DuckDB file and the real PostgreSQL (own schema). Importing the 2019-01-31 CoinDesk and
 * Cointelegraph files twice stores 20 + 30 items once; every shared file together 437; asset filter,
 * newest-first cursor pages, votes updated in place, retention by receive time. Fails (does not skip)
 * when the shared data is missing and CI=true.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDbStore } from '../src/store/duckdb.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { TEST_PG_URL, uniqueName } from '../src/store/postgres/testing.ts';
import type { HistoryStore } from '../src/store/types.ts';
import { importNewsFiles } from '../src/app/news-import.ts';
import { AssetTagger } from '../src/news/assets.ts';
import type { NewsItem } from '../src/news/types.ts';

const DIR = join(import.meta.dirname, '..', '..', 'shared', 'data', 'news');
const FILES_2019 = ['coindesk-2019-01-31.rss', 'cointelegraph-2019-01-31.rss'].map((f) => join(DIR, f));
const ALL = [
  'coindesk-2019-01-31.rss',
  'cointelegraph-2019-01-31.rss',
  'cointelegraph-2020-03-11.rss',
  'cryptopanic-posts-2023-05-20.json',
  'coindesk-2025-12-12.rss',
  'cointelegraph-2025-12-12.rss',
  'decrypt-2025-12-12.rss',
  'theblock-2025-12-12.rss',
  'coindesk-2026-08-11.xml',
].map((f) => join(DIR, f));
const NOW = Date.UTC(2026, 7, 12);
const tagger = new AssetTagger();

async function all(store: HistoryStore, q: { asset?: string; source?: string } = {}): Promise<NewsItem[]> {
  const out: NewsItem[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.queryNews!({ ...q, limit: 64, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}

function suite(
  name: string,
  open: () => Promise<HistoryStore>,
  close: (s: HistoryStore) => Promise<void>,
): void {
  describe(`news table: ${name}`, () => {
    it('importing the 2019-01-31 CoinDesk (20) and Cointelegraph (30) files twice stores each item once', async () => {
      const store = await open();
      try {
        const first = await importNewsFiles(FILES_2019, { store, tagger, instruments: [], now: NOW });
        expect(first.files.map((f) => [f.file, f.parsed, f.fresh, f.stored])).toEqual([
          ['coindesk-2019-01-31.rss', 20, 20, 20],
          ['cointelegraph-2019-01-31.rss', 30, 30, 30],
        ]);
        const second = await importNewsFiles(FILES_2019, { store, tagger, instruments: [], now: NOW + 1000 });
        expect(second.files.map((f) => [f.parsed, f.fresh, f.duplicates, f.stored])).toEqual([
          [20, 0, 20, 0],
          [30, 0, 30, 0],
        ]);
        const items = await all(store);
        expect(items).toHaveLength(50);
        expect(new Set(items.map((i) => i.id)).size).toBe(50);
        expect((await all(store, { source: 'coindesk' })).length).toBe(20);
        expect((await all(store, { source: 'cointelegraph' })).length).toBe(30);
        // Newest first, the first receive time kept.
        for (let i = 1; i < items.length; i++)
          expect(items[i - 1]!.publishedAt).toBeGreaterThanOrEqual(items[i]!.publishedAt);
        expect(items.every((i) => i.receivedAt === NOW)).toBe(true);
        // Upserting a stored item again (same id) adds no row.
        expect(await store.upsertNews!(items.slice(0, 5))).toBe(0);
        expect(await all(store)).toHaveLength(50);
      } finally {
        await close(store);
      }
    });

    it('every shared file: 437 items, asset filter, cursor pages, votes updated in place', async () => {
      const store = await open();
      try {
        const r = await importNewsFiles(ALL, { store, tagger, instruments: ['binance:BTCUSDT'], now: NOW });
        expect(r.files.map((f) => f.stored)).toEqual([20, 30, 30, 200, 25, 30, 58, 19, 25]);
        const items = await all(store);
        expect(items).toHaveLength(437);
        const btc = await all(store, { asset: 'BTC' });
        expect(btc.length).toBe(items.filter((i) => i.assets.includes('BTC')).length);
        expect(btc.length).toBeGreaterThan(100);
        expect(btc.every((i) => i.instruments.includes('binance:BTCUSDT'))).toBe(true);
        // Two ADA items on 2023-05-20 (CryptoPanic): one per page, then the end.
        const range = { asset: 'ada', from: Date.UTC(2023, 4, 20), to: Date.UTC(2023, 4, 21) };
        const p1 = await store.queryNews!({ ...range, limit: 1 });
        expect(p1.items).toHaveLength(1);
        const p2 = await store.queryNews!({ ...range, limit: 1, cursor: p1.nextCursor! });
        expect(p2.items).toHaveLength(1);
        expect(p2.nextCursor).toBeNull();
        const ada = [...p1.items, ...p2.items];
        expect(ada[0]!.id).not.toBe(ada[1]!.id);
        expect(ada.every((i) => i.assets.includes('ADA') && i.publishedAt >= range.from)).toBe(true);
        // CryptoPanic votes change between polls: the row follows.
        const cp = items.find((i) => i.source === 'cryptopanic' && i.votes)!;
        const voted = {
          ...cp,
          votes: { ...cp.votes!, positive: cp.votes!.positive + 7 },
          receivedAt: NOW + 5000,
        };
        expect(await store.upsertNews!([voted])).toBe(0);
        const again = (await all(store)).find((i) => i.id === cp.id)!;
        expect(again.votes!.positive).toBe(cp.votes!.positive + 7);
        expect(again.receivedAt).toBe(NOW);
        await expect(store.queryNews!({ limit: 10, cursor: 'nope' })).rejects.toThrow(RangeError);
        await expect(store.upsertNews!([{ ...cp, id: '' }])).rejects.toThrow(RangeError);
      } finally {
        await close(store);
      }
    });
  });
}

const dirs: string[] = [];
suite(
  'DuckDB (temp file)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-news-'));
    dirs.push(dir);
    const s = new DuckDbStore({ path: join(dir, 'news.duckdb'), retentionDays: { news: 30 } });
    await s.init();
    return s;
  },
  (s) => s.close(),
);

const schemas: string[] = [];
suite(
  'PostgreSQL (own schema)',
  async () => {
    const schema = uniqueName('dw_news');
    schemas.push(schema);
    const s = new PostgresStore({ url: TEST_PG_URL, schema, flushIntervalMs: 0 });
    await s.init();
    return s;
  },
  async (s) => {
    await (s as PostgresStore).dropSchema();
    await s.close();
  },
);

describe('news retention by receive time', () => {
  it('DuckDB deletes items received before the retention period, keeps newer ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-news-ret-'));
    dirs.push(dir);
    const s = new DuckDbStore({ path: join(dir, 'r.duckdb'), retentionDays: { news: 30 } });
    await s.init();
    try {
      const item = (id: string, receivedAt: number): NewsItem => ({
        id,
        source: 't',
        outlet: 'T',
        title: `title ${id}`,
        link: '',
        summary: '',
        publishedAt: Date.UTC(2019, 0, 1),
        receivedAt,
        categories: [],
        assets: [],
        instruments: [],
        sentiment: { compound: 0, pos: 0, neu: 1, neg: 0 },
      });
      const now = Date.now();
      expect(
        await s.upsertNews([item('old', now - 31 * 86_400_000), item('new', now - 29 * 86_400_000)]),
      ).toBe(2);
      const deleted = await s.applyRetention(now);
      expect(deleted.news).toBe(1);
      expect((await s.queryNews({ limit: 10 })).items.map((i) => i.id)).toEqual(['new']);
    } finally {
      await s.close();
    }
  });
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
