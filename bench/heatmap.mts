/**
 * `npm run bench -- heatmap [--bins 500] [--buckets 600] [--seconds 10] [--update-ms 100]`: the
 * dashboard's heatmap redraw cost in Chromium (issue 17: 500 time bins × 600 price buckets at ≥ 60 fps,
 * p95 frame time, with live updates).
 *
 * Builds web/perf/heatmap.html (the dashboard's own HeatmapChart component on a synthetic 500 × 600 grid,
 * every cell holding size, updated every 100 ms as the app updates it: recent bins replaced, a trade and
 * a best bid/ask point added) with Vite into a temporary folder, serves it on 127.0.0.1, opens it in
 * Debian's Chromium (headless, playwright-core) at 1440×900, and prints the animation-frame durations
 * p50/p95/p99/max, the frames per second, the redraws of the heat layer seen, the cells drawn, and how
 * the kept heat image was updated (whole redraws vs. partial ones of the changed bins, and the bins those read).
 * A frame is a requestAnimationFrame interval: ≤ 16.7 ms at p95 means the page kept 60 fps while it
 * redrew. Headless Chromium paints in software (no GPU here): figures are an upper bound of a desktop's.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { chromium } from 'playwright-core';
import { servePerfPage } from '../test/e2e/perf-page.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const bins = Number(arg('bins', '500'));
const buckets = Number(arg('buckets', '600'));
const seconds = Number(arg('seconds', '10'));
const updateMs = Number(arg('update-ms', '100'));
/** `--shot FILE`: also save a screenshot of the page at the end (to look at what was measured). */
const shot = arg('shot', '');
/** `--profile FILE`: also record a CPU profile of the page (.cpuprofile; built unminified). */
const profile = arg('profile', '');

process.stderr.write('heatmap bench: building the perf page (vite)...\n');
const pages = await servePerfPage('heatmap.html', {
  minify: !profile,
  keep: Boolean(process.env.KEEP_HEATMAP_BUILD),
});
try {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(
      `${pages.url}heatmap.html?bins=${bins}&buckets=${buckets}&seconds=${seconds}&updateMs=${updateMs}`,
    );
    process.stderr.write(`heatmap bench: measuring ${seconds} s after a 2 s warm-up...\n`);
    const cdp = profile ? await page.context().newCDPSession(page) : null;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    await page.waitForFunction(
      () => (globalThis as unknown as { __heatmapPerf?: unknown }).__heatmapPerf,
      null,
      {
        timeout: (seconds + 30) * 1000,
      },
    );
    const r = (await page.evaluate(
      () => (globalThis as unknown as { __heatmapPerf: unknown }).__heatmapPerf,
    )) as {
      frames: number;
      p50: number;
      p95: number;
      p99: number;
      max: number;
      fps: number;
      redraws: number;
      cells: number;
      painted: number;
      plot: string;
      status: string;
      rasterDraws: string;
    };
    process.stderr.write(`  page: ${JSON.stringify(r)}\n`);
    if (cdp) {
      const { profile: p } = await cdp.send('Profiler.stop');
      writeFileSync(profile, JSON.stringify(p));
    }
    if (shot) await page.screenshot({ path: shot });
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    const ok = r.p95 <= 1000 / 60 + 0.5;
    console.log(
      `heatmap ${bins} bins × ${buckets} buckets, live update every ${updateMs} ms, Chromium headless (software paint), 1440×900; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}`,
    );
    console.log(
      `  frames ${r.frames} in ${seconds} s (${r.fps.toFixed(1)} fps); frame time p50/p95/p99/max ${r.p50.toFixed(1)} / ${r.p95.toFixed(1)} / ${r.p99.toFixed(1)} / ${r.max.toFixed(1)} ms; heat layer redraws ${r.redraws}; cells ${r.cells}, painted px ${r.painted}`,
    );
    const d = JSON.parse(r.rasterDraws || '{}') as { full?: number; partial?: number; partialBins?: number };
    console.log(
      `  heat image updates since load: ${d.full ?? 0} whole, ${d.partial ?? 0} partial (reading ${d.partialBins ?? 0} bins in all)`,
    );
    console.log(`  target p95 ≤ 16.7 ms (60 fps): ${ok ? 'met' : 'NOT met'}`);
  } finally {
    await browser.close();
  }
} finally {
  await pages.close();
  if (process.env.KEEP_HEATMAP_BUILD) process.stderr.write(`heatmap bench: build kept in ${pages.dir}\n`);
}
