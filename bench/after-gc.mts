/**
 * The book path on a fresh book right after a full GC, as the shared harness runs every round
 * (`node --expose-gc --import tsx bench/after-gc.mts [usdm|cm|spot] [rounds] [gc|nogc]`): per round, a
 * `JSON.parse` pass and then a depthwatch-adapter pass (new book, harness-like reads) over the first
 * recording file of the dataset, with `gc()` before each pass (`gc`, the harness's way) or not (`nogc`).
 * Prints each round's ms (depthwatch / floor) and the GC time that fell inside the depthwatch passes.
 * Run with `--trace-deopt` to see which functions V8 deoptimizes after each GC ("reason: weak objects":
 * hidden classes collected with the previous round's objects; see the hidden-class anchor in
 * src/book/instrument-book.ts). Wall time on a shared machine: compare rounds of one run.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
// @ts-expect-error plain JS module without types
import { DepthwatchBook } from './depthwatch-adapter.mjs';
import { binanceFrameTexts } from './binance-frames.mts';

const key = process.argv[2] ?? 'spot';
const rounds = Number(process.argv[3] ?? 7);
const useGc = (process.argv[4] ?? 'gc') === 'gc';
const gc = (globalThis as { gc?: () => void }).gc;
if (useGc && gc === undefined) throw new Error('run with node --expose-gc');
/** The frames of the dataset's first recording file (where a harness round starts its fresh book). */
const texts = binanceFrameTexts(key, 1);
const market = {
  key,
  symbol: key === 'cm' ? 'BTCUSD_PERP' : 'BTCUSDT',
  rule: key === 'spot' ? 'spot' : 'futures',
};
const gcs: { start: number; ms: number }[] = [];
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) gcs.push({ start: e.startTime, ms: e.duration });
}).observe({ entryTypes: ['gc'] });

let sink = 0;
const out: string[] = [];
const windows: [number, number][] = [];
for (let r = 0; r < rounds; r++) {
  if (useGc) gc!();
  let t0 = performance.now();
  for (let i = 0; i < texts.length; i++) sink += JSON.parse(texts[i]!) === null ? 1 : 0;
  const floor = performance.now() - t0;
  if (useGc) gc!();
  const b = new DepthwatchBook(market, false);
  const reads = new Float64Array(80);
  const pending: unknown[] = [];
  let synced = false;
  let n = 0;
  t0 = performance.now();
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i]!;
    const m = b.parse(t) as { type?: string } | undefined;
    if (t.charCodeAt(2) === 108 /* {"l: the REST snapshot */) {
      b.reset(m);
      synced = true;
      for (const p of pending) if (b.applyDiff(p)) b.best(reads);
    } else if (m !== undefined && m.type === 'book_delta') {
      if (!synced) pending.push(m);
      else if (b.applyDiff(m)) {
        b.best(reads);
        if (++n % 10 === 0) b.top(20, reads);
      }
    }
  }
  const t1 = performance.now();
  windows.push([t0, t1]);
  out.push(`${(t1 - t0).toFixed(0)}/${floor.toFixed(0)}`);
}
await new Promise((ok) => setTimeout(ok, 50)); // let the GC entries arrive
const inPass = windows.map(([a, b]) =>
  gcs
    .filter((g) => g.start >= a && g.start < b)
    .reduce((s, g) => s + g.ms, 0)
    .toFixed(1),
);
console.log(
  `${key} first file (${texts.length} frames), ${useGc ? 'gc() before each pass' : 'no forced GC'}: ` +
    `depthwatch/floor ms per round ${out.join(' ')}; GC ms inside the depthwatch passes ${inPass.join(' ')}` +
    (sink < 0 ? '!' : ''),
);
