/**
 * The real feed documents of ../shared/data/news (see its README "news/"): item counts per file, VADER
 * scores equal to vader-sentiment's own on the same text, asset tags of real headlines, HTML stripped,
 * dates as UTC. Fails (does not skip) when the data is missing and CI=true.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import vader from 'vader-sentiment';
import { parseFeedDocument, sourceIdOf } from './parse.ts';
import { AssetTagger } from './assets.ts';
import { NewsIngest } from './ingest.ts';
import type { NewsItem } from './types.ts';

const DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'news');

/** Items per shared file, as listed in ../shared/data/README.md. */
export const SHARED_NEWS_COUNTS: Readonly<Record<string, number>> = {
  'coindesk-2019-01-31.rss': 20,
  'cointelegraph-2019-01-31.rss': 30,
  'cointelegraph-2020-03-11.rss': 30,
  'coindesk-2025-12-12.rss': 25,
  'cointelegraph-2025-12-12.rss': 30,
  'decrypt-2025-12-12.rss': 58,
  'theblock-2025-12-12.rss': 19,
  'coindesk-2026-08-11.xml': 25,
  'cryptopanic-posts-2023-05-20.json': 200,
};

function build(file: string): NewsItem[] {
  const feed = parseFeedDocument(readFileSync(join(DIR, file), 'utf8'));
  const ingest = new NewsIngest();
  return ingest.ingest(feed.items, {
    source: sourceIdOf(feed),
    receivedAt: Date.UTC(2026, 0, 1),
    tagger: new AssetTagger(),
    instruments: ['binance:BTCUSDT', 'okx:ETH-USDT', 'kraken:XBT/USD', 'binance-coinm:SOLUSD_PERP'],
  }).fresh;
}

describe('shared news feeds', () => {
  it.each(Object.entries(SHARED_NEWS_COUNTS))('%s has its listed %i items', (file, n) => {
    const items = build(file);
    expect(items).toHaveLength(n);
    for (const it of items) {
      expect(it.title.length).toBeGreaterThan(0);
      expect(it.link).toMatch(/^https:\/\//);
      expect(Number.isFinite(it.publishedAt)).toBe(true);
      expect(it.summary).not.toMatch(/<[a-z/][^>]*>/i);
      expect(it.id).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(new Set(items.map((i) => i.id)).size).toBe(n);
  });

  it("every item's compound (and pos/neu/neg) equals vader-sentiment's on its title + summary", () => {
    let checked = 0;
    for (const file of Object.keys(SHARED_NEWS_COUNTS)) {
      for (const it of build(file)) {
        // The documented text: title, then summary, as two sentences.
        const text = it.summary
          ? `${it.title}${/[.!?]$/.test(it.title) ? ' ' : '. '}${it.summary}`
          : it.title;
        const ref = vader.SentimentIntensityAnalyzer.polarity_scores(text);
        expect(it.sentiment).toEqual({ compound: ref.compound, pos: ref.pos, neu: ref.neu, neg: ref.neg });
        checked++;
      }
    }
    expect(checked).toBe(437);
  });

  it('tags the assets real headlines name, and the instruments trading them', () => {
    const all = Object.keys(SHARED_NEWS_COUNTS).flatMap(build);
    const byTitle = (t: string): NewsItem => {
      const it = all.find((i) => i.title === t);
      if (!it) throw new Error(`no item titled ${t}`);
      return it;
    };
    const cases: [string, string[]][] = [
      ['Cboe Resubmits the VanEck/SolidX Bitcoin ETF Proposal for SEC Approval', ['BTC']],
      ['Cardano (ADA) Partners With Major Swiss-Based Fundraising Platform', ['ADA']],
      ['Figure Technology files ‘second IPO’ to bring native equity issuance to Solana', ['SOL']],
      ['Crypto giant Tether offers to buy famous Italian football club Juventus', ['USDT']],
      [
        'XRP ETFs near $1 Billion, Sovereign wealth funds buying Bitcoin, CFTC approves U.S spot crypto trading - Daily Crypto Recap',
        ['BTC', 'XRP'],
      ],
      ["Vanguard Exec Calls Bitcoin a 'Digital Labubu', Even as Firm Offers Crypto ETF Trading", ['BTC']],
    ];
    for (const [title, assets] of cases) {
      const it = byTitle(title);
      for (const a of assets) expect(it.assets, title).toContain(a);
    }
    const btc = byTitle('Cboe Resubmits the VanEck/SolidX Bitcoin ETF Proposal for SEC Approval');
    expect(btc.instruments).toEqual(['binance:BTCUSDT', 'kraken:XBT/USD']);
    expect(
      byTitle('Figure Technology files ‘second IPO’ to bring native equity issuance to Solana').instruments,
    ).toEqual(['binance-coinm:SOLUSD_PERP']);
    // Share of items with at least one asset: most crypto headlines name one.
    expect(all.filter((i) => i.assets.length > 0).length).toBeGreaterThan(all.length / 2);
  });

  it('keeps dates in UTC (The Block sends -0500), CryptoPanic votes, currencies and source titles', () => {
    const block = build('theblock-2025-12-12.rss');
    const fogo = block.find((i) => i.title.startsWith('Fogo cancels $20 million pre-sale'))!;
    // Fri, 12 Dec 2025 17:33:11 -0500
    expect(fogo.publishedAt).toBe(Date.UTC(2025, 11, 12, 22, 33, 11));
    expect(fogo.link).toBe(
      'https://theblock.co/post/382435/fogo-solana-svm-airdrop-token-sale-mainnet-launch',
    );
    expect(fogo.source).toBe('theblock');
    const cp = build('cryptopanic-posts-2023-05-20.json');
    const ada = cp.find(
      (i) => i.title === 'Cardano (ADA) Partners With Major Swiss-Based Fundraising Platform',
    )!;
    expect(ada.outlet).toBe('U.Today');
    expect(ada.votes?.positive).toBe(1);
    expect(ada.kind).toBe('news');
    expect(ada.publishedAt).toBe(Date.UTC(2023, 4, 20, 12, 39));
    expect(ada.source).toBe('cryptopanic');
    const ct = build('cointelegraph-2019-01-31.rss');
    expect(ct[0]!.summary).toMatch(/^The CEO of the blockchain unit/);
    const decrypt = build('decrypt-2025-12-12.rss');
    const empty = decrypt.find((i) => i.title.startsWith('XRP ETFs near $1 Billion'))!;
    expect(empty.summary).toBe('');
  });

  it('de-duplicates across feeds and polls: a second pass over every file yields nothing new', () => {
    const ingest = new NewsIngest();
    const tagger = new AssetTagger();
    let fresh = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (const file of Object.keys(SHARED_NEWS_COUNTS)) {
        const feed = parseFeedDocument(readFileSync(join(DIR, file), 'utf8'));
        const r = ingest.ingest(feed.items, {
          source: sourceIdOf(feed),
          receivedAt: 0,
          tagger,
          instruments: [],
        });
        if (pass === 0) fresh += r.fresh.length;
        else {
          expect(r.fresh).toEqual([]);
          expect(r.duplicates).toBe(SHARED_NEWS_COUNTS[file]);
        }
      }
    }
    expect(fresh).toBe(437);
  });
});
