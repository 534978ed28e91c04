/**
 * Frame-budget page of `npm run bench -- heatmap` (bench/heatmap.mts), not part of the dashboard build:
 * the dashboard's own HeatmapChart at `?bins=500&buckets=600` (time bins × price buckets of 1 s × 1 quote
 * unit, every cell holding size on both sides of a moving mid: synthetic sizes, a deterministic PRNG),
 * updated live as the app updates it: every `?updateMs=` (default 100) a heatmap answer replaces the
 * newest bins, a trade bubble and a best bid/ask point are added, and `version` bumps. Every animation
 * frame's duration is recorded for `?seconds=` (default 10) after a 2 s warm-up; the result is left in
 * `window.__heatmapPerf` ({frames, p50, p95, p99, max, fps, redraws, cells}).
 */
import { createApp, h, ref } from 'vue';
import HeatmapChart from '../src/components/HeatmapChart.vue';
import { BboSeries, colorRamp, HeatmapGrid, rasterize, TradeBubbles } from '../src/lib/heatmap.ts';
import type { HeatmapState } from '../src/state/heatmap.ts';
import type { HeatmapResponse, HeatmapRun } from '../src/api/types.ts';
import { registerCharts } from '../src/lib/echarts.ts';
import '../src/styles.css';

registerCharts();

const q = new URLSearchParams(location.search);
const BINS = Number(q.get('bins') ?? 500);
const BUCKETS = Number(q.get('buckets') ?? 600);
const UPDATE_MS = Number(q.get('updateMs') ?? 100);
const SECONDS = Number(q.get('seconds') ?? 10);
const BIN_MS = 1000;
const BASE = 60_000;

let seed = 42;
const rnd = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/**
 * Mid bucket of a bin: a slow swing plus noise, so the best bid/ask range over the window spans about
 * 2/3 of the buckets and the chart's price window (that range plus its padding) shows all ~600 of them.
 */
const mids: number[] = [];
const midAt = (k: number): number => {
  while (mids.length <= k) {
    const i = mids.length;
    mids.push(
      Math.round(BUCKETS / 2 + 0.32 * BUCKETS * Math.sin((2 * Math.PI * i) / BINS) + (rnd() - 0.5) * 6),
    );
  }
  return Math.min(BUCKETS - 2, Math.max(1, mids[k]!));
};

/** One answer covering bins [k0, k1): one run per cell (sizes change every bin: the worst case). */
function answer(k0: number, k1: number, t0: number): HeatmapResponse {
  const runs: HeatmapRun[] = [];
  for (let k = k0; k < k1; k++) {
    const mid = midAt(k);
    const t = t0 + k * BIN_MS;
    for (let b = 0; b < BUCKETS; b++) {
      const size = 0.05 + rnd() * rnd() * 40;
      runs.push({ side: b < mid ? 'bid' : 'ask', price: BASE + b, from: t, to: t, size });
    }
  }
  return {
    instrument: 'binance:BTCUSDT',
    from: t0 + k0 * BIN_MS,
    to: t0 + k1 * BIN_MS,
    bucketSize: 1,
    binMs: BIN_MS,
    runs,
    truncated: false,
    gaps: [],
    coverage: [],
    storedRuns: 0,
  };
}

const t0 = Math.floor(Date.now() / BIN_MS) * BIN_MS - BINS * BIN_MS;
const grid = new HeatmapGrid();
const bubbles = new TradeBubbles();
const bbo = new BboSeries();
grid.apply(answer(0, BINS, t0));
for (let k = 0; k < BINS; k++) bbo.add(t0 + k * BIN_MS, BASE + midAt(k) - 0.5, BASE + midAt(k) + 0.5);
const version = ref(1);
const state: HeatmapState = {
  grid,
  bubbles,
  bbo,
  version,
  status: ref('ready'),
  message: ref(null),
  windowMinutes: ref(Math.ceil(BINS / 60)),
  clockOffsetMs: ref(0),
  serverNow: () => Date.now(),
  dispose: () => {},
};

createApp({
  render: () =>
    h('div', { style: 'height: 100%; padding: 8px; box-sizing: border-box' }, [
      h(HeatmapChart, { state, book: null, units: { base: 'BTC', quote: 'USDT', sizeUnit: 'BTC' } }),
    ]),
}).mount('#app');

// Live updates as the app makes them: the recent bins replaced, trades and best bid/ask added.
let k = BINS;
let updates = 0;
const live = setInterval(() => {
  updates++;
  const now = Date.now();
  const newest = Math.floor((now - t0) / BIN_MS);
  if (newest >= k) k = newest + 1;
  grid.apply(answer(k - 2, k, t0));
  grid.trim(now - BINS * BIN_MS);
  const mid = BASE + midAt(k - 1);
  bubbles.add(now, mid + (rnd() - 0.5) * 4, rnd() * 3, rnd() < 0.5 ? 'buy' : 'sell');
  bbo.add(now, mid - 0.5, mid + 0.5);
  version.value++;
}, UPDATE_MS);

// Frame durations (rAF to rAF) after a warm-up.
const frames: number[] = [];
let last = 0;
const start = performance.now() + 2000;
const end = start + SECONDS * 1000;
const heat = (): HTMLElement | null => document.querySelector('[data-testid="heatmap"]');
let redraws = 0;
let lastGridVersion = '';
function tick(now: number): void {
  const gv = heat()?.getAttribute('data-grid-version') ?? '';
  if (now >= start && last > 0) {
    frames.push(now - last);
    if (gv !== lastGridVersion) redraws++;
  }
  lastGridVersion = gv;
  last = now;
  if (now < end) requestAnimationFrame(tick);
  else {
    const s = Float64Array.from(frames).sort();
    const pct = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
    (window as unknown as { __heatmapPerf: unknown }).__heatmapPerf = {
      frames: frames.length,
      p50: pct(0.5),
      p95: pct(0.95),
      p99: pct(0.99),
      max: s[s.length - 1],
      fps: frames.length / SECONDS,
      redraws,
      cells: Number(heat()?.getAttribute('data-cells') ?? 0),
      painted: Number(heat()?.getAttribute('data-painted') ?? 0),
      plot: heat()?.getAttribute('data-plot') ?? '',
      status: heat()?.getAttribute('data-status') ?? '',
      gridTo: heat()?.getAttribute('data-to') ?? '',
      rasterDraws: heat()?.getAttribute('data-raster-draws') ?? '',
    };
  }
}
requestAnimationFrame(tick);

/**
 * `window.__heatCheck()` (browser test): stop the live updates, wait until the chart has drawn the last
 * one, then compare the kept heat image (the component's raster canvas, updated bin by bin) with a fresh
 * full rasterisation of the same grid over the same layout and colour scale (`rasterize`, put through a
 * canvas the same way). Resolves to the differing pixels, the pixels compared, and the image updates.
 */
(window as unknown as { __heatCheck: () => Promise<unknown> }).__heatCheck = async () => {
  clearInterval(live);
  const drawn = (): boolean => heat()?.getAttribute('data-grid-version') === String(grid.version);
  for (let i = 0; i < 600 && !drawn(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!drawn()) throw new Error('the chart did not draw the last update');
  await new Promise((r) => requestAnimationFrame(r));
  const info = JSON.parse(heat()?.getAttribute('data-raster') ?? 'null') as {
    t0: number;
    nBins: number;
    p0: number;
    p1: number;
    holdMs: number;
    lo: number;
    hi: number;
    version: number;
  } | null;
  const kept = document.querySelector<HTMLCanvasElement>('[data-testid="heatmap-raster"]');
  if (!info || !kept) throw new Error('no heat image');
  const { width: w, height: h } = kept;
  const fresh = new Uint32Array(w * h);
  const view = { t0: info.t0, t1: info.t0 + info.nBins * grid.binMs, p0: info.p0, p1: info.p1 };
  rasterize(grid, view, w, h, fresh, colorRamp(), info.holdMs, { lo: info.lo, hi: info.hi });
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  const ctx = c.getContext('2d')!;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(fresh.buffer), w, h), 0, 0);
  const a = kept.getContext('2d')!.getImageData(0, 0, w, h).data;
  const b = ctx.getImageData(0, 0, w, h).data;
  let diff = 0;
  let painted = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2] || a[i + 3] !== b[i + 3]) diff++;
    if (b[i + 3] === 255) painted++;
  }
  return {
    diff,
    pixels: w * h,
    painted,
    updates,
    gridVersion: grid.version,
    drawnVersion: info.version,
    draws: JSON.parse(heat()?.getAttribute('data-raster-draws') ?? '{}') as unknown,
  };
};
