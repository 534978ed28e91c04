/**
 * Frame budget of the trader desk in Chromium (`npx tsx bench/desk-frames.mts`): headless Chromium
 * (software rendering, playwright-core, /usr/bin/chromium) on the real offline run with four instruments
 * (the three Binance BTC recordings and Hyperliquid's BTC, each replayed at its recorded pace by a
 * simulator in this process), the desk's Venues preset: a price ladder, a liquidity heatmap and a depth
 * chart of each of the four on screen (12 panels, 1440×900). Frame times are the intervals between
 * animation frames over MEASURE_MS; prints frames/s and the p50/p95/p99 frame time. The target is a p95
 * of at most 20 ms (≥ 50 fps); README "Trader desk" quotes the figures. Needs `npm run build:web`.
 * Also writes screenshots/desk-venues-4.png. `--profile FILE`: also record a CPU profile of the page over
 * the measured interval (.cpuprofile).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHOTS, startBrowserSession } from '../test/e2e/browser.ts';

const profileAt = process.argv.indexOf('--profile');
const profile = profileAt >= 0 ? process.argv[profileAt + 1] : undefined;
/** How long frames are measured, ms. */
const MEASURE_MS = 15_000;

const session = await startBrowserSession({ consolidated: true, extraVenues: ['hyperliquid'] });
try {
  const { page, server, pageErrors } = session;
  await page.goto(`${server.url}#/desk`);
  await page.locator('[data-testid="desk-view"]').waitFor({ state: 'visible' });
  // Four live instruments, then the Venues preset over them.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await fetch(new URL('api/v1/instruments', server.url));
    const items = ((await r.json()) as { items: { state: string }[] }).items;
    if (items.length === 4 && items.every((i) => i.state === 'live')) break;
    if (Date.now() > deadline) throw new Error('four live instruments');
    await page.waitForTimeout(500);
  }
  await page.reload();
  await page.locator('[data-testid="desk-preset-venues"]').click();
  const panels = page.locator('[data-testid="desk-panel"]');
  if ((await panels.count()) !== 12) throw new Error('expected 12 panels');
  // Every ladder drawing rows and every heatmap painted before measuring.
  const ready = async () =>
    (await page
      .locator('[data-testid="ladder"][data-rows]')
      .evaluateAll((els) => els.every((e) => Number(e.getAttribute('data-rows')) > 0))) &&
    (await page
      .locator('[data-testid="heatmap"]')
      .evaluateAll((els) => els.every((e) => Number(e.getAttribute('data-painted')) > 0)));
  const until = Date.now() + 60_000;
  while (!(await ready())) {
    if (Date.now() > until) throw new Error('ladders and heatmaps drawing');
    await page.waitForTimeout(500);
  }
  await page.waitForTimeout(3000);
  const cdp = profile ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  const r = (await page.evaluate(`new Promise((resolve) => {
    const dts = [];
    let last = performance.now();
    const end = last + ${MEASURE_MS};
    const step = (t) => {
      dts.push(t - last);
      last = t;
      if (t < end) requestAnimationFrame(step);
      else {
        const s = dts.slice(1).sort((a, b) => a - b);
        const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
        resolve({ frames: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1],
          fps: 1000 / (${MEASURE_MS} / s.length) });
      }
    };
    requestAnimationFrame((t) => { last = t; requestAnimationFrame(step); });
  })`)) as { frames: number; p50: number; p95: number; p99: number; max: number; fps: number };
  if (cdp && profile) writeFileSync(profile, JSON.stringify((await cdp.send('Profiler.stop')).profile));
  console.log(
    `desk frame budget (4 instruments × ladder + heatmap + depth, 1440×900): ${r.frames} frames in ${MEASURE_MS / 1000} s = ${r.fps.toFixed(1)} fps; frame time p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`,
  );
  await page.mouse.move(5, 5);
  await page.screenshot({ path: join(SHOTS, 'desk-venues-4.png') });
  if (pageErrors.length) console.log('page errors:', pageErrors);
} finally {
  await session.close();
}
