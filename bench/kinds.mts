/**
 * Where the book path's time goes, by frame kind, for profiling (`node --import tsx bench/kinds.mts usdm
 * 7`): the harness's loop (one `process.hrtime.bigint()` pair per frame) over one recording, alternating
 * a `JSON.parse` pass with a depthwatch-adapter pass, then per kind (depth diff, bookTicker, trade) the
 * total ms and ratio to JSON.parse of the same frames, and the depth-diff p50/p99 of both with the level
 * count of the frames at and above the p99. Rounds after the first (warm-up) are reported; noisy like
 * quick.mts: the harness is the reference.
 * Args: dataset key (usdm|cm|spot, default usdm), rounds (default 7).
 */
// @ts-expect-error plain JS module without types
import { DepthwatchBook } from './depthwatch-adapter.mjs';
import { binanceFrameTexts } from './binance-frames.mts';

const key = process.argv[2] ?? 'usdm';
const rounds = Number(process.argv[3] ?? 7);
const texts = binanceFrameTexts(key);
/** 0 diff, 1 snapshot, 2 bookTicker, 3 trade, 4 other. */
const kinds = new Uint8Array(texts.length);
const levels = new Uint32Array(texts.length);
for (let i = 0; i < texts.length; i++) {
  const t = texts[i]!;
  if (t.startsWith('{"lastUpdateId"')) kinds[i] = 1;
  else if (t.includes('@depth')) {
    kinds[i] = 0;
    // Levels counted in the text, not by a JSON.parse of every depth frame: such a pass up front made
    // both timed passes slower afterwards (depth at 2.0-2.6× the floor instead of ~0.9-1.1×; not so
    // with --max-semi-space-size=16, so apparently through the young generation's sizing; 2026-12-04).
    levels[i] = t.match(/\["/g)?.length ?? 0; // each level opens with `["`
  } else if (t.includes('@bookTicker')) kinds[i] = 2;
  else if (t.includes('@trade')) kinds[i] = 3;
  else kinds[i] = 4;
}
const NAMES = ['depth', 'snapshot', 'bookTicker', 'trade', 'other'];
const market = {
  key,
  symbol: key === 'cm' ? 'BTCUSD_PERP' : 'BTCUSDT',
  rule: key === 'spot' ? 'spot' : 'futures',
};
const hr = process.hrtime.bigint;

function floor(d: Float64Array): number {
  let sink = 0;
  for (let i = 0; i < texts.length; i++) {
    const t0 = hr();
    sink += JSON.parse(texts[i]!) === null ? 1 : 0;
    d[i] = Number(hr() - t0);
  }
  return sink;
}

function run(d: Float64Array): void {
  const b = new DepthwatchBook(market, false);
  const out = new Float64Array(80);
  const pending: unknown[] = [];
  let synced = false;
  let n = 0;
  for (let i = 0; i < texts.length; i++) {
    const t0 = hr();
    const m = b.parse(texts[i]!);
    const k = kinds[i];
    if (k === 1) {
      b.reset(m);
      synced = true;
      for (const p of pending) if (b.applyDiff(p)) b.best(out);
    } else if (k === 0) {
      if (!synced) pending.push(m);
      else if (b.applyDiff(m)) {
        b.best(out);
        if (++n % 10 === 0) b.top(20, out);
      }
    }
    d[i] = Number(hr() - t0);
  }
}

function pct(a: number[], p: number): number {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const fd = new Float64Array(texts.length);
const dd = new Float64Array(texts.length);
for (let r = 0; r < rounds; r++) {
  floor(fd);
  run(dd);
  if (r === 0) continue;
  const row: string[] = [];
  for (let k = 0; k < 4; k++) {
    let f = 0;
    let x = 0;
    for (let i = 0; i < texts.length; i++)
      if (kinds[i] === k) {
        f += fd[i]!;
        x += dd[i]!;
      }
    row.push(`${NAMES[k]} ${(x / 1e6).toFixed(1)}/${(f / 1e6).toFixed(1)} ms ×${(x / f).toFixed(2)}`);
  }
  const di: number[] = [];
  for (let i = 0; i < texts.length; i++) if (kinds[i] === 0 || kinds[i] === 1) di.push(i);
  const fdd = di.map((i) => fd[i]!);
  const ddd = di.map((i) => dd[i]!);
  const p99 = pct(ddd, 99);
  const slow = di.filter((i) => dd[i]! >= p99);
  const slowLevels = slow.map((i) => levels[i]!).sort((a, b) => a - b);
  const slowFloor = slow.map((i) => fd[i]!).sort((a, b) => a - b);
  console.log(
    `${key} r${r}: ${row.join(' | ')}\n  diff p50 ${(pct(ddd, 50) / 1e3).toFixed(1)} p99 ${(p99 / 1e3).toFixed(1)} µs (floor ${(pct(fdd, 50) / 1e3).toFixed(1)} / ${(pct(fdd, 99) / 1e3).toFixed(1)}); ` +
      `${slow.length} frames ≥ p99: levels median ${slowLevels[slowLevels.length >> 1]} min ${slowLevels[0]}, their JSON.parse median ${(slowFloor[slowFloor.length >> 1]! / 1e3).toFixed(1)} µs`,
  );
}
