/**
 * The History and System views in a real browser (headless Chromium via playwright-core) on the real
 * offline run (real-app.ts: simulators replaying real Binance recordings → connectors → books → in-memory
 * DuckDB store → API → built dashboard), book snapshots stored every second. Only the page is used,
 * through `data-testid` attributes and canvas pixels. Screenshots: screenshots/history.png, system.png.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ALWAYS_FIRING_ALERTS, type OfflineApp } from './real-app.ts';
import { SHOTS, byTestId, startBrowserSession, waitUntil, type BrowserSession } from './browser.ts';

/** The USD-M depth frame (1-based) the simulator drops. */
const USDM_DROPPED_FRAME = 150;

let session: BrowserSession;
let server: OfflineApp;
let page: Page;
let pageErrors: string[];

/** A locator by `data-testid`. */
const byId = (testid: string) => byTestId(page, testid);

/** Numeric value of a `data-*` attribute of a `data-testid` element (NaN when absent). */
async function numAttr(testid: string, attr: string): Promise<number> {
  const v = await byId(testid).getAttribute(attr, { timeout: 5_000 });
  return v === null || v === '' ? NaN : Number(v);
}

/** Repeat `step` until `check` passes (30 s). */
const until = (step: () => Promise<boolean>, what: string, everyMs = 250): Promise<void> =>
  waitUntil(page, step, what, 30_000, everyMs);

/**
 * Pixels of the history chart's price pane (`data-plot`, CSS px scaled to canvas px) in the candle
 * colours (bid green, ask red) and the mid line's blue.
 */
const PRICE_PANE_PIXELS = `(() => {
  const root = document.querySelector('[data-testid="history-chart"]');
  const canvas = root && root.querySelector('canvas');
  const plot = root && root.getAttribute('data-plot');
  if (!canvas || !plot) return null;
  const k = canvas.width / canvas.clientWidth;
  const [x, y, w, h] = plot.split(',').map((v) => Math.round(Number(v) * k));
  const d = canvas.getContext('2d').getImageData(x, y, w, h).data;
  const near = (i, r, g, b) => Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 40;
  let candle = 0, mid = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] < 200) continue;
    if (near(i, 38, 166, 154) || near(i, 239, 83, 80)) candle++;
    else if (near(i, 88, 166, 255)) mid++;
  }
  return { candle, mid };
})()`;

describe('History and System views in a real browser', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    session = await startBrowserSession({
      alerts: ALWAYS_FIRING_ALERTS,
      bookSnapshotIntervalMs: 1_000,
      // One dropped depth frame of the USD-M feed a few seconds in: a sequence gap and a resync.
      usdmFaults: { dropNth: [{ symbol: 'BTCUSDT', n: USDM_DROPPED_FRAME }] },
    });
    ({ server, page, pageErrors } = session);
  });

  afterAll(async () => {
    await session?.close();
  });

  it('draws candles, metrics and alerts of the last 15 min and inspects the stored book at a clicked time', async () => {
    await page.goto(`${server.url}#/history`);
    await byId('history-view').waitFor({ state: 'visible' });
    expect(await byId('history-range-15m').getAttribute('aria-pressed')).toBe('true');
    // The app has run for seconds only: refresh until candles, metrics and alerts are stored.
    await until(async () => {
      await byId('history-refresh').click();
      await page.waitForTimeout(700);
      if ((await page.locator('[data-testid="history-chart"]').count()) === 0) return false;
      const [c, m, a] = await Promise.all([
        numAttr('history-chart', 'data-candles'),
        numAttr('history-chart', 'data-metrics'),
        numAttr('history-chart', 'data-alert-marks'),
      ]);
      return c > 0 && m > 2 && a > 0;
    }, 'stored candles, metrics and alerts');
    expect(await byId('history-summary').textContent()).toMatch(/1s candles .* metrics per 1 s/);
    let px: { candle: number; mid: number } | null = null;
    await until(async () => {
      px = (await page.evaluate(PRICE_PANE_PIXELS)) as { candle: number; mid: number } | null;
      return px !== null && px.candle > 20 && px.mid > 20;
    }, 'candle and mid-line pixels in the price pane');

    // Click the price pane at 80% of its width: the stored snapshot at or before that time shows.
    const [x, y, w, h] = ((await byId('history-chart').getAttribute('data-plot')) ?? '')
      .split(',')
      .map(Number);
    const box = (await byId('history-chart').boundingBox())!;
    await page.mouse.click(box.x + x! + w! * 0.8, box.y + y! + h! * 0.5);
    await page
      .locator('[data-testid="snapshot-inspector"][data-status="loaded"]')
      .waitFor({ state: 'attached' });
    expect(await numAttr('snapshot-inspector', 'data-bids')).toBe(20);
    expect(await numAttr('snapshot-inspector', 'data-asks')).toBe(20);
    expect(await page.locator('[data-testid="snapshot-row"]').count()).toBe(20);
    expect(await byId('snapshot-meta').textContent()).toMatch(/UTC.*seq/);

    // The range's alerts are listed; clicking one shows the book at its time.
    const alertRows = page.locator('[data-testid="range-alert"]');
    expect(await alertRows.count()).toBe(await numAttr('history-chart', 'data-alert-marks'));
    const alertTs = await alertRows.first().getAttribute('data-ts');
    await alertRows.first().click();
    await page
      .locator(`[data-testid="snapshot-inspector"][data-at="${alertTs}"][data-status="loaded"]`)
      .waitFor({ state: 'attached' });
    expect(await numAttr('snapshot-inspector', 'data-bids')).toBe(20);

    await page.mouse.move(box.x + box.width + 200, box.y + 10); // tooltip off the screenshot
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, 'history.png') });
    expect(pageErrors).toEqual([]);
  });

  it('asks for coarser buckets over 24 h and still draws the stored data', async () => {
    await byId('history-range-24h').click();
    await until(
      async () => /1m candles .* metrics per 1 min/.test((await byId('history-summary').textContent()) ?? ''),
      '1m candles and 1-min metrics for 24 h',
    );
    expect(await numAttr('history-chart', 'data-candles')).toBeGreaterThan(0);
    expect(await numAttr('history-chart', 'data-metrics')).toBeGreaterThan(0);
  });

  it('says so when the range holds nothing', async () => {
    // Custom before a range is picked asks for one; then a range a year back, typed into the picker.
    await byId('history-range-custom').click();
    await byId('history-pick').waitFor({ state: 'visible' });
    const inputs = page.locator('[data-testid="history-view"] .el-range-input');
    const year = new Date().getUTCFullYear() - 1;
    await inputs.nth(0).click();
    await inputs.nth(0).fill(`${year}-01-01 00:00:00`);
    await inputs.nth(1).fill(`${year}-01-01 01:00:00`);
    await inputs.nth(1).press('Enter');
    await page.keyboard.press('Escape');
    await byId('history-empty').waitFor({ state: 'visible' });
    expect(await byId('history-range-custom').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('[data-testid="history-chart"]').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'history-empty.png') });
  });

  it('lists every instrument live with frame and delta rates, process figures and latencies', async () => {
    await byId('view-system').click();
    expect(new URL(page.url()).hash).toBe('#/system');
    const rows = page.locator('[data-testid="feed-row"]');
    await until(async () => {
      const states = await rows.evaluateAll((els) =>
        els.map((e) => [
          e.getAttribute('data-state'),
          e.getAttribute('data-frames-rate'),
          e.getAttribute('data-deltas-rate'),
        ]),
      );
      return (
        states.length === server.instruments.length &&
        states.every(([s, f, dl]) => s === 'live' && Number(f) > 0 && Number(dl) > 0)
      );
    }, 'every instrument live with frames/s and deltas/s > 0');
    // The dropped USD-M frame shows as a gap and a resync in the table and on the timeline.
    const usdm = page.locator('[data-testid="feed-row"][data-instrument="binance-usdm:BTCUSDT"]');
    await until(
      async () =>
        Number(await usdm.getAttribute('data-gaps')) >= 1 &&
        Number(await usdm.getAttribute('data-resyncs')) >= 1 &&
        (await numAttr('resync-timeline', 'data-max-resyncs')) >= 1 &&
        (await numAttr('resync-timeline', 'data-resync-marks')) >= 1,
      'the gap and resync of the dropped frame',
    );
    expect(await page.locator('[data-testid="timeline-quiet"]').count()).toBe(0);
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-instrument')));
    expect(ids.sort()).toEqual([...server.instruments].sort());
    expect(Number(await byId('process-ws-clients').locator('b').textContent())).toBeGreaterThanOrEqual(1);
    expect(await byId('process-rss').locator('b').textContent()).toMatch(/MiB/);
    await byId('resync-timeline').locator('canvas').waitFor({ state: 'visible' });
    // Every metrics message counts, as a latency or as replayed data (recorded exchange times).
    await until(
      async () =>
        (await numAttr('latency-histogram', 'data-total')) +
          (await numAttr('latency-histogram', 'data-recorded')) >
        0,
      'latencies observed',
    );
    // The server's own histograms: every venue's receive→applied step, and the simulator's recorded
    // exchange times counted as not applicable instead of as latency.
    const venues = [...new Set(server.instruments.map((id) => id.slice(0, id.indexOf(':'))))];
    await until(async () => {
      const steps = await page
        .locator('[data-testid="pipeline-latency"] tr[data-step="receive_applied"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-venue')));
      return venues.every((v) => steps.includes(v));
    }, 'receive→applied latency of every venue');
    expect(await byId('pipeline-not-applicable').textContent()).toMatch(/not applicable/);
    await page.screenshot({ path: join(SHOTS, 'system.png') });
    expect(pageErrors).toEqual([]);
  });

  it('stays on the chosen view across reloads and keeps the live view the default', async () => {
    await page.reload();
    await byId('system-view').waitFor({ state: 'visible' });
    await byId('view-history').click();
    await page.reload();
    await byId('history-view').waitFor({ state: 'visible' });
    await byId('view-live').click();
    await byId('metric-cards').waitFor({ state: 'visible' });
    await page.goto(server.url);
    await byId('metric-cards').waitFor({ state: 'visible' });
    expect(await byId('view-live').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('[data-testid="history-view"], [data-testid="system-view"]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
