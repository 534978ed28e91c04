import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { servePerfPage } from '../test/e2e/perf-page.ts';
const pages = await servePerfPage('heatmap.html', { minify: false });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${pages.url}heatmap.html?seconds=6`);
  await page.waitForTimeout(2500);
  await browser.startTracing(page, { path: '/tmp/webperf/trace.json', categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink', 'cc', 'viz'] });
  await page.waitForTimeout(4000);
  await browser.stopTracing();
} finally { await browser.close(); await pages.close(); }
