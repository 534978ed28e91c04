/**
 * Quick single-process timing of the depthwatch adapter against a JSON.parse floor, for profiling
 * (`node --import tsx --cpu-prof bench/quick.mts usdm 5`). Not the official figure: use `npm run bench`.
 * Args: dataset key (usdm|cm|spot, default usdm), rounds (default 5), `metrics` to add computeBookMetrics.
 * Each round prints wall times and the process's CPU times (the latter robust to other processes on a
 * shared machine), and the median CPU-time ratio of rounds after the first (warm-up) at the end.
 */
// @ts-expect-error plain JS module without types
import { DepthwatchBook } from './depthwatch-adapter.mjs';
import { binanceFrameTexts } from './binance-frames.mts';

const key = process.argv[2] ?? 'usdm';
const rounds = Number(process.argv[3] ?? 5);
const metrics = process.argv.includes('metrics');
const texts = binanceFrameTexts(key);
const market = {
  key,
  symbol: key === 'cm' ? 'BTCUSD_PERP' : 'BTCUSDT',
  rule: key === 'spot' ? 'spot' : 'futures',
};

function floor(): number {
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < texts.length; i++) sink += JSON.parse(texts[i]!) === null ? 1 : 0;
  return Number(process.hrtime.bigint() - t0) / 1e6 + sink;
}

function run(): number {
  const b = new DepthwatchBook(market, metrics);
  const out = new Float64Array(80);
  const pending: unknown[] = [];
  let synced = false;
  let n = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i]!;
    const m = b.parse(t);
    if (t.startsWith('{"lastUpdateId"')) {
      b.reset(m);
      synced = true;
      for (const p of pending) if (b.applyDiff(p)) b.best(out);
    } else if (m !== undefined && (m as { type: string }).type === 'book_delta') {
      if (!synced) pending.push(m);
      else if (b.applyDiff(m)) {
        b.best(out);
        if (++n % 10 === 0) b.top(20, out);
      }
    }
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** This process's CPU time (user + system) in ms: robust to other processes sharing the cores. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const c0 = cpuMs();
  const f = floor();
  const c1 = cpuMs();
  const d = run();
  const c2 = cpuMs();
  if (r > 0) ratios.push((c2 - c1) / (c1 - c0));
  console.log(
    `${key} round ${r}: parse ${f.toFixed(1)} ms, depthwatch${metrics ? '+metrics' : ''} ${d.toFixed(1)} ms, × ${(d / f).toFixed(2)}` +
      ` (CPU time ${(c1 - c0).toFixed(0)} / ${(c2 - c1).toFixed(0)} ms, × ${((c2 - c1) / (c1 - c0)).toFixed(2)})`,
  );
}
ratios.sort((a, b) => a - b);
if (ratios.length > 0)
  console.log(
    `${key}: CPU-time ratio over rounds 1..: median × ${ratios[ratios.length >> 1]!.toFixed(2)}, best × ${ratios[0]!.toFixed(2)}`,
  );
