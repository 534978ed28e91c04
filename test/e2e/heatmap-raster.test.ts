/**
 * The heatmap's kept heat image in Chromium (issue 17): the dashboard's HeatmapChart on the frame-budget
 * page (web/perf/heatmap.html: a 500 bins × 600 buckets grid, every cell holding size, live updates every
 * 100 ms replacing the newest bins while the window scrolls) redraws only the changed bins into its kept
 * image; after those live updates that image must equal, pixel for pixel, a fresh full rasterisation of
 * the same grid over the same layout and colour scale (both read back through a canvas).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM } from './browser.ts';
import { servePerfPage, type PerfPageServer } from './perf-page.ts';

let pages: PerfPageServer | undefined;
let browser: Browser | undefined;

describe('heatmap drawn bin by bin', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    pages = await servePerfPage('heatmap.html');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
  });

  it('equals a full redraw of the same grid after live updates and scrolls', async () => {
    const page = await browser!.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${pages!.url}heatmap.html?bins=500&buckets=600&updateMs=100&seconds=60`);
    const draws = async (): Promise<{ full: number; partial: number }> =>
      JSON.parse(
        (await page.locator('[data-testid="heatmap"]').getAttribute('data-raster-draws')) || '{}',
      ) as { full: number; partial: number };
    // Live updates for a while: at least 20 partial redraws (and a scroll: a new bin every second).
    const deadline = Date.now() + 60_000;
    while ((await draws()).partial < 20) {
      if (Date.now() > deadline) throw new Error(`too few partial redraws: ${JSON.stringify(await draws())}`);
      await page.waitForTimeout(250);
    }
    await page.waitForTimeout(1200);
    const r = (await page.evaluate('window.__heatCheck()')) as {
      diff: number;
      pixels: number;
      painted: number;
      updates: number;
      gridVersion: number;
      drawnVersion: number;
      draws: { full: number; partial: number; partialBins: number };
    };
    expect(r.drawnVersion).toBe(r.gridVersion);
    // The heat covers most of the image (every cell holds size), so the comparison is not of blanks.
    expect(r.painted).toBeGreaterThan(r.pixels * 0.5);
    expect(r.diff).toBe(0);
    // Drawn incrementally: partial updates far outnumber whole ones, each reading a few bins.
    const d = r.draws;
    expect(d.partial).toBeGreaterThan(3 * d.full);
    expect(d.partialBins / d.partial).toBeLessThan(8);
    expect(errors).toEqual([]);
  });
});
