/**
 * News in a real browser (headless Chromium via playwright-core) on the real offline run (real-app.ts:
 * simulators replaying real Binance recordings, and the shared feed documents served by the demo's news
 * replay server, re-timed to now, polled over loopback → parse, tag, score → in-memory DuckDB store → API
 * and WebSocket → built dashboard). The News view lists the demo's items, the asset filter narrows them,
 * the sentiment gauge and series draw, and a news pin on the live heatmap shows its headline on hover and
 * opens it on click. Screenshots: screenshots/news.png, news-filtered.png, news-marker.png.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { OfflineApp } from './real-app.ts';
import { SHOTS, byTestId, startBrowserSession, waitUntil, type BrowserSession } from './browser.ts';
import type { NewsItem } from '../../src/news/types.ts';

let session: BrowserSession;
let server: OfflineApp;
let page: Page;
let pageErrors: string[];

/** A locator by `data-testid`. */
const byId = (testid: string) => byTestId(page, testid);

/** Repeat `step` until it passes (45 s). */
const until = (step: () => Promise<boolean>, what: string, ms = 45_000): Promise<void> =>
  waitUntil(page, step, what, ms);

async function apiNews(q = ''): Promise<NewsItem[]> {
  const r = await fetch(`${server.url}api/v1/news?limit=1000${q}`);
  return ((await r.json()) as { items: NewsItem[] }).items;
}

describe('news in a real browser', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    // 20 s of recorded news out at start, the rest of the 437 items over the next 10 min.
    session = await startBrowserSession({ news: { backfillMs: 20_000, playMs: 600_000 } });
    ({ server, page, pageErrors } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  it("the News view lists the demo's items, newest first, marked replayed, with sentiment colours", async () => {
    await page.goto(`${server.url}#/news`);
    await until(async () => Number(await byId('news-panel').getAttribute('data-count')) >= 8, 'news items');
    const stored = await apiNews();
    expect(stored.length).toBeGreaterThanOrEqual(8);
    expect(stored.every((i) => i.replayed === true)).toBe(true);
    // The panel shows what the server stored (the newest first); more may arrive meanwhile.
    const rows = page.locator('[data-testid="news-item"]');
    const n = await rows.count();
    expect(n).toBeGreaterThanOrEqual(8);
    const titles = await page.locator('[data-testid="news-title"]').allTextContents();
    const storedTitles = new Set((await apiNews()).map((i) => i.title));
    for (const t of titles) expect(storedTitles.has(t.trim())).toBe(true);
    expect(await rows.first().locator('.item__replayed').count()).toBe(1);
    // Sentiment colour classes follow VADER's ±0.05 thresholds of each item's compound score.
    const byTitle = new Map(stored.map((i) => [i.title, i]));
    for (let k = 0; k < Math.min(n, 10); k++) {
      const row = rows.nth(k);
      const item = byTitle.get((await row.locator('[data-testid="news-title"]').textContent())!.trim());
      if (!item) continue;
      const c = item.sentiment.compound;
      expect(await row.getAttribute('data-sentiment')).toBe(
        c >= 0.05 ? 'positive' : c <= -0.05 ? 'negative' : 'neutral',
      );
    }
    // Links open the article in a new tab.
    const a = page.locator('a[data-testid="news-title"]').first();
    expect(await a.getAttribute('target')).toBe('_blank');
    expect(await a.getAttribute('href')).toMatch(/^https:\/\//);
    // Gauge and series for all news, and the sources table with the nine replayed feeds.
    await until(
      async () => (await byId('news-gauge').getAttribute('data-value')) !== '',
      'the sentiment gauge',
    );
    await until(
      async () => Number(await byId('news-sentiment-series').getAttribute('data-points')) > 90,
      'series',
    );
    await until(async () => Number(await byId('news-sources').getAttribute('data-count')) === 9, 'sources');
    await page.screenshot({ path: join(SHOTS, 'news.png') });
  });

  it('filtering by asset shows only items tagged with it; All shows every item again', async () => {
    await until(async () => (await byId('news-asset-BTC').count()) === 1, 'a BTC chip');
    const before = Number(await byId('news-panel').getAttribute('data-count'));
    await byId('news-asset-BTC').click();
    await until(async () => (await byId('news-panel').getAttribute('data-asset')) === 'BTC', 'the filter');
    const assets = await page
      .locator('[data-testid="news-item"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-assets') ?? ''));
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.length).toBeLessThan(before + 50);
    for (const a of assets) expect(a.split(',')).toContain('BTC');
    // The server agrees: every stored BTC item up to now is listed.
    const btc = await apiNews('&asset=BTC');
    const shown = new Set(
      await page
        .locator('[data-testid="news-item"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))),
    );
    for (const i of btc.filter((x) => x.receivedAt < Date.now() - 2000)) expect(shown.has(i.id)).toBe(true);
    await until(async () => (await byId('news-gauge').getAttribute('data-asset')) === 'BTC', 'the BTC gauge');
    await page.screenshot({ path: join(SHOTS, 'news-filtered.png') });
    await byId('news-asset-all').click();
    await until(
      async () => Number(await byId('news-panel').getAttribute('data-count')) > assets.length,
      'all items again',
    );
  });

  it('a news pin on the live heatmap shows its headline on hover and opens it on click', async () => {
    await page.goto(`${server.url}#/live`);
    await until(
      async () => Number(await byId('heatmap').getAttribute('data-news-markers')) >= 1,
      'a news pin',
      90_000,
    );
    // Pins move left as the time axis follows the clock: read a pin's position right before each action.
    const pinAt = async (want?: string): Promise<[number, number, string] | undefined> => {
      const pos = JSON.parse((await byId('heatmap').getAttribute('data-news-pos')) || '[]') as [
        number,
        number,
        string,
      ][];
      if (want) return pos.find((p) => p[2] === want);
      // A pin with no other pin within 24 px (several items a second apart draw on top of each other).
      return pos.filter((p) => pos.every((q) => q === p || Math.hypot(q[0] - p[0], q[1] - p[1]) > 24)).pop();
    };
    await until(async () => (await pinAt()) !== undefined, 'a pin apart from the others', 90_000);
    const id = (await pinAt())![2];
    const item = (await apiNews('&asset=BTC')).find((i) => i.id === id)!;
    expect(item).toBeTruthy();
    const box = (await byId('heatmap').boundingBox())!;
    await until(async () => {
      const p = await pinAt(id);
      if (!p) return false;
      await page.mouse.move(box.x + p[0], box.y + p[1]);
      await page.waitForTimeout(100);
      return (await page.locator('[data-testid="heatmap"] div').filter({ hasText: item.title }).count()) > 0;
    }, 'the tooltip with the headline').catch(async (e: unknown) => {
      await page.screenshot({ path: join(SHOTS, 'news-marker-failed.png') });
      console.log(
        'pin',
        id,
        item.title,
        await pinAt(id),
        await byId('heatmap').getAttribute('data-news-pos'),
      );
      throw e;
    });
    await until(async () => {
      const p = await pinAt(id);
      if (!p) return false;
      await page.mouse.click(box.x + p[0], box.y + p[1]);
      return (await byId('heatmap-news-card').count()) === 1;
    }, 'the news card');
    expect((await byId('heatmap-news-title').textContent())!.trim()).toBe(item.title);
    expect(await byId('heatmap-news-card').getAttribute('data-id')).toBe(id);
    if (item.link) expect(await byId('heatmap-news-title').getAttribute('href')).toBe(item.link);
    // The strip shows the latest BTC headline.
    expect(await byId('strip-news').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'news-marker.png') });
    expect(pageErrors).toEqual([]);
  });
});
