/**
 * Quick single-process timing of the depthwatch adapter against a JSON.parse floor, for profiling
 * (`node --import tsx --cpu-prof bench/quick.mts usdm 5`). Not the official figure: use `npm run bench`.
 * Args: dataset key (usdm|cm|spot, default usdm), rounds (default 5), `metrics` to add computeBookMetrics.
 */
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// @ts-expect-error plain JS module without types
import { DepthwatchBook } from './depthwatch-adapter.mjs';

const FILES: Record<string, string[]> = {
  usdm: ['usdm/btcusdt_20240808.gz'],
  cm: ['cm/btcusd_perp_20240808.gz', 'cm/btcusd_perp_20240809.gz'],
  spot: ['spot/btcusdt_20240808.gz', 'spot/btcusdt_20240809.gz'],
};
const key = process.argv[2] ?? 'usdm';
const rounds = Number(process.argv[3] ?? 5);
const metrics = process.argv.includes('metrics');
const dir = join(process.env.BENCH_DATA_DIR ?? '../shared/data', 'binance-hftbacktest');
const texts: string[] = [];
for (const f of FILES[key]!) {
  for (const line of gunzipSync(readFileSync(join(dir, f)))
    .toString('utf8')
    .split('\n')) {
    if (line.length > 0) texts.push(line.slice(line.indexOf(' ') + 1));
  }
}
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

for (let r = 0; r < rounds; r++) {
  const f = floor();
  const d = run();
  console.log(
    `${key} round ${r}: parse ${f.toFixed(1)} ms, depthwatch${metrics ? '+metrics' : ''} ${d.toFixed(1)} ms, × ${(d / f).toFixed(2)}`,
  );
}
