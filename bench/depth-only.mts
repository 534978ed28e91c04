/**
 * The depth path alone, fastest of many passes, for A/B runs on a busy machine
 * (`node --import tsx bench/depth-only.mts <checkout dir> [usdm|cm|spot] [passes]`): only the depth and
 * snapshot frames of a recording, a `JSON.parse` pass alternating with the given checkout's
 * bench/depthwatch-adapter.mjs (scan, Binance sync rule, verified book, the harness's reads); prints the
 * fastest pass of each and their ratio (the fastest pass is the one least disturbed by other processes).
 * Run it once per checkout (separate processes: two copies of the book code in one process disturb
 * each other's JIT state).
 */
import { binanceFrameTexts } from './binance-frames.mts';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const checkout = resolve(process.argv[2] ?? '.');
const key = process.argv[3] ?? 'spot';
const passes = Number(process.argv[4] ?? 25);
type Book = {
  parse(t: string): unknown;
  reset(m: unknown): void;
  applyDiff(m: unknown): boolean;
  best(o: Float64Array): void;
  top(n: number, o: Float64Array): void;
};
const { DepthwatchBook } = (await import(
  pathToFileURL(join(checkout, 'bench/depthwatch-adapter.mjs')).href
)) as {
  DepthwatchBook: new (market: unknown, metrics: boolean) => Book;
};
const texts = binanceFrameTexts(key).filter((t) => t.includes('@depth') || t.startsWith('{"lastUpdateId"'));
const market = {
  key,
  symbol: key === 'cm' ? 'BTCUSD_PERP' : 'BTCUSDT',
  rule: key === 'spot' ? 'spot' : 'futures',
};
const hr = process.hrtime.bigint;
let bestParse = Infinity;
let bestBook = Infinity;
let sink = 0;
for (let r = 0; r < passes; r++) {
  let t0 = hr();
  for (const t of texts) sink += JSON.parse(t) === null ? 1 : 0;
  bestParse = Math.min(bestParse, Number(hr() - t0) / 1e6);
  t0 = hr();
  const b = new DepthwatchBook(market, false);
  const out = new Float64Array(80);
  const pending: unknown[] = [];
  let synced = false;
  let n = 0;
  for (const t of texts) {
    const m = b.parse(t);
    if (t.startsWith('{"lastUpdateId"')) {
      b.reset(m);
      synced = true;
      for (const p of pending) b.applyDiff(p);
    } else if (!synced) pending.push(m);
    else if (b.applyDiff(m)) {
      b.best(out);
      if (++n % 10 === 0) b.top(20, out);
    }
  }
  bestBook = Math.min(bestBook, Number(hr() - t0) / 1e6);
}
console.log(
  `${checkout} ${key}: ${texts.length} depth/snapshot frames, fastest of ${passes}: JSON.parse ${bestParse.toFixed(1)} ms, ` +
    `depthwatch ${bestBook.toFixed(1)} ms, × ${(bestBook / bestParse).toFixed(2)}${sink < 0 ? '' : ''}`,
);
