/**
 * What the depth-diff p99 is made of (`node --import tsx bench/big-frames.mts [usdm|cm|spot] [rounds]`):
 * the frames at the top of the harness's depth-diff latency are the big depth frames (500+ levels; on
 * USD-M ~660 levels, 1 in 13 diffs). For each such frame, in the harness's order (depthwatch adapter,
 * Binance sync rule, reads), the median of: `JSON.parse` of the frame alone, depthwatch's scan
 * (`BinanceParser.parse`) and its apply (`InstrumentBook.onDelta` + best bid/ask). Rounds after the
 * first (warm-up) are pooled. Wall time per frame: note the machine's load with the figures.
 */
// @ts-expect-error plain JS module without types
import { DepthwatchBook } from './depthwatch-adapter.mjs';
import { binanceFrameTexts } from './binance-frames.mts';

const key = process.argv[2] ?? 'usdm';
const rounds = Number(process.argv[3] ?? 6);
const texts = binanceFrameTexts(key);
/** Levels per depth frame (0 for other frames). */
const levels = texts.map((t) => (t.includes('@depth') ? (t.match(/\],\[/g)?.length ?? 0) + 2 : 0));
const market = {
  key,
  symbol: key === 'cm' ? 'BTCUSD_PERP' : 'BTCUSDT',
  rule: key === 'spot' ? 'spot' : 'futures',
};
const hr = process.hrtime.bigint;
const parseNs: number[] = [];
const scanNs: number[] = [];
const applyNs: number[] = [];
const sizes: number[] = [];
for (let r = 0; r < rounds; r++) {
  const b = new DepthwatchBook(market, false);
  const out = new Float64Array(4);
  const pending: unknown[] = [];
  let synced = false;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i]!;
    const big = levels[i]! > 500 && r > 0;
    let t0 = hr();
    if (big) {
      JSON.parse(t);
      parseNs.push(Number(hr() - t0));
      t0 = hr();
    }
    const m = b.parse(t) as { type?: string } | undefined;
    const t1 = hr();
    if (t.startsWith('{"lastUpdateId"')) {
      b.reset(m);
      synced = true;
      for (const p of pending) b.applyDiff(p);
    } else if (m?.type === 'book_delta') {
      if (!synced) pending.push(m);
      else if (b.applyDiff(m)) b.best(out);
    }
    const t2 = hr();
    if (big) {
      scanNs.push(Number(t1 - t0));
      applyNs.push(Number(t2 - t1));
      sizes.push(levels[i]!);
    }
  }
}
const med = (x: number[]): number => [...x].sort((a, b) => a - b)[x.length >> 1]!;
console.log(
  `${key}: ${sizes.length / Math.max(1, rounds - 1)} frames of 500+ levels (median ${med(sizes)}): ` +
    `JSON.parse ${(med(parseNs) / 1e3).toFixed(1)} µs, depthwatch scan ${(med(scanNs) / 1e3).toFixed(1)} µs + apply ${(med(applyNs) / 1e3).toFixed(1)} µs`,
);
