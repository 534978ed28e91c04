/**
 * Scale harness (`npm run bench -- scale [--n 10,100,500] [--seconds 30] [--warmup 15] [--json]`).
 *
 * The local exchange simulator serves N instruments across several venue protocols at each recording's
 * real pace (speed 1, looping), the instruments being copies of the real recorded ones under distinct
 * symbols (`BTCUSDTC007`: synthetic load built from real frames, see src/app/simulator.ts `clones`).
 * One `depthwatch run` process (a child process, default analytics, DuckDB history, API on) connects to
 * all of them. After a warm-up, its own `/metrics` is scraped at the start and the end of the measured
 * window, and the harness prints per N:
 * - frames/s handled, CPU (% of one core, the process's user+system time), RSS, event-loop lag p99;
 * - frame→metrics latency p50/p99 (receive → metrics sample published, `depthwatch_latency_ms`
 *   step receive_metrics, bucket upper bounds), store rows/s;
 * - books live / stale / other at the end, and whether the process fell behind: the frames the
 *   simulators wrote minus the frames the process handled (backlog) grew over the window by more than
 *   1 s of traffic, or the simulators ran more than 1 s late against the recordings' schedule (they
 *   pause while a client's socket is backed up, so a slow process shows up there too).
 * The simulators run in this process, on the same machine: their CPU is part of the load (noted).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator, type RunningSimulator } from '../src/app/simulator.ts';
import { LATENCY_BUCKETS_MS } from '../src/pipeline/latency.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = process.env.BENCH_DATA_DIR ?? resolve(ROOT, '..', 'shared', 'data');

/** Venue protocols and the real recordings their copies are made from. */
const SOURCES: readonly { venue: string; files: string[] }[] = [
  { venue: 'binance-usdm', files: [`${DATA}/binance-hftbacktest/usdm/btcusdt_20240808.gz`] },
  { venue: 'binance', files: [`${DATA}/binance-hftbacktest/spot/btcusdt_20240808.gz`] },
  { venue: 'binance-coinm', files: [`${DATA}/binance-hftbacktest/cm/btcusd_perp_20240808.gz`] },
  { venue: 'okx', files: [`${DATA}/cryptofeed/okx-2022-05/OKX.ws.1.0`] },
  { venue: 'bybit-linear', files: [`${DATA}/cryptofeed/bybit-2021-04/BYBIT.ws.25.0`] },
  { venue: 'coinbase', files: [`${DATA}/cryptofeed/coinbase-2021-04/COINBASE.ws.28.0`] },
  {
    venue: 'kraken',
    files: [
      `${DATA}/cryptofeed/kraken-2021-04/KRAKEN.ws.50.0`,
      `${DATA}/cryptofeed/kraken-2021-04/KRAKEN.ws.48.0`,
    ],
  },
  { venue: 'bitget', files: [`${DATA}/cryptofeed/bitget/BITGET.ws.1.0`] },
  {
    venue: 'gateio',
    files: [
      `${DATA}/cryptofeed/gateio-2021-04/GATEIO.ws.1.0`,
      `${DATA}/cryptofeed/gateio-2021-04/GATEIO.http.0.0`,
    ],
  },
  {
    venue: 'bitstamp',
    files: [`${DATA}/cryptofeed/bitstamp/BITSTAMP.ws.1.0`, `${DATA}/cryptofeed/bitstamp/BITSTAMP.http.0.0`],
  },
  { venue: 'gemini', files: [`${DATA}/cryptofeed/gemini/GEMINI.ws.1.0`] },
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const SIZES = arg('n', '10,100,500').split(',').map(Number);
const SECONDS = Number(arg('seconds', '30'));
const WARMUP = Number(arg('warmup', '15'));
const JSON_OUT = process.argv.includes('--json');
const log = (s: string): void => void process.stderr.write(s + '\n');

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

/** Prometheus text → samples (name, labels, value). */
function parseProm(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

type Scrape = ReturnType<typeof parseProm>;
const sum = (s: Scrape, name: string, f: (l: Record<string, string>) => boolean = () => true): number =>
  s.filter((x) => x.name === name && f(x.labels)).reduce((t, x) => t + x.value, 0);

/** Quantile from the cumulative latency buckets' difference between two scrapes (bucket upper bound). */
function latencyQuantile(a: Scrape, b: Scrape, step: string, q: number): number {
  const bounds = [...LATENCY_BUCKETS_MS.map(String), '+Inf'];
  const cum = bounds.map(
    (le) =>
      sum(b, 'depthwatch_latency_ms_bucket', (l) => l.step === step && l.le === le) -
      sum(a, 'depthwatch_latency_ms_bucket', (l) => l.step === step && l.le === le),
  );
  const total = cum[cum.length - 1]!;
  if (total <= 0) return NaN;
  const i = cum.findIndex((c) => c >= q * total);
  return i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i]! : Infinity;
}

interface Row {
  n: number;
  venues: number;
  framesPerSec: number;
  cpuPct: number;
  rssMiB: number;
  loopLagP99Ms: number;
  frameToMetricsP50Ms: number;
  frameToMetricsP99Ms: number;
  storeRowsPerSec: number;
  live: number;
  stale: number;
  other: number;
  backlogGrowthFrames: number;
  simBehindMs: number;
  fellBehind: boolean;
}

async function runOne(n: number): Promise<Row> {
  // Copies per source so the sources together carry at least n instruments, then the first n.
  const perSource = Math.ceil(n / SOURCES.length);
  const sims: RunningSimulator[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dw-scale-'));
  let child: ChildProcess | null = null;
  try {
    const venues: Record<string, { ws: string; rest: string }> = {};
    const pools: string[][] = [];
    for (const src of SOURCES) {
      const sim = await startSimulator({ ...src, speed: 1, loop: true, clones: perSource });
      sims.push(sim);
      if (sim.instruments.length === 0)
        throw new Error(`scale: ${src.venue} has no book instrument in ${src.files.join(', ')}`);
      venues[src.venue] = { ws: sim.wsUrl, rest: sim.restUrl };
      pools.push(sim.instruments);
    }
    // Interleave the sources so every protocol is represented at any n.
    const instruments: string[] = [];
    for (let i = 0; instruments.length < n; i++) {
      let added = false;
      for (const p of pools)
        if (i < p.length && instruments.length < n) {
          instruments.push(p[i]!);
          added = true;
        }
      if (!added) break;
    }
    const port = await freePort();
    const config = {
      instruments,
      venues,
      api: { host: '127.0.0.1', port, dashboard: false },
      store: { url: `duckdb:${join(dir, 'scale.duckdb')}` },
      news: { enabled: false },
    };
    const cfgPath = join(dir, 'config.json');
    writeFileSync(cfgPath, JSON.stringify(config));
    log(
      `scale N=${n}: ${instruments.length} instruments over ${new Set(instruments.map((id) => id.slice(0, id.indexOf(':')))).size} venue protocols, warm-up ${WARMUP} s`,
    );
    child = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'depthwatch.mjs'), 'run', '-c', cfgPath, '--log-level', 'warn'],
      {
        cwd: dir,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const url = `http://127.0.0.1:${port}`;
    const scrape = async (): Promise<Scrape> => parseProm(await (await fetch(`${url}/metrics`)).text());
    for (let i = 0; ; i++) {
      try {
        await scrape();
        break;
      } catch {
        if (i > 600 || child.exitCode !== null) throw new Error(`depthwatch run did not start (N=${n})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await new Promise((r) => setTimeout(r, WARMUP * 1000));
    const sent = (): number => sims.reduce((t, s) => t + s.sim.stats.framesSent, 0);
    const a = await scrape();
    const sentA = sent();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const b = await scrape();
    const sentB = sent();
    const secs = (performance.now() - t0) / 1000;
    const handled = sum(b, 'depthwatch_frames_total') - sum(a, 'depthwatch_frames_total');
    const sentDelta = sentB - sentA;
    const backlogGrowth = sentDelta - handled;
    // How late the simulators are against the recordings' schedule (their own back-pressure included).
    const simBehindMs = Math.max(...sims.map((s) => s.sim.stats.behindMs));
    const states = b.filter((x) => x.name === 'depthwatch_book_state' && x.value === 1);
    const live = states.filter((x) => x.labels.state === 'live').length;
    const stale = states.filter((x) => x.labels.state === 'stale').length;
    const notLive = states.filter((x) => x.labels.state !== 'live');
    const reported = new Set(states.map((x) => x.labels.instrument));
    const silent = instruments.filter((id) => !reported.has(id));
    if (silent.length > 0) log(`  no book state reported: ${silent.join(', ')}`);
    if (notLive.length > 0)
      log(
        `  not live at the end: ${notLive
          .slice(0, 12)
          .map((x) => `${x.labels.instrument} ${x.labels.state}`)
          .join(', ')}${notLive.length > 12 ? ` and ${notLive.length - 12} more` : ''}`,
      );
    const cpu =
      sum(b, 'depthwatch_process_cpu_seconds_total') - sum(a, 'depthwatch_process_cpu_seconds_total');
    const rows = sum(b, 'depthwatch_store_rows') - sum(a, 'depthwatch_store_rows');
    const row: Row = {
      n: instruments.length,
      venues: new Set(instruments.map((id) => id.slice(0, id.indexOf(':')))).size,
      framesPerSec: handled / secs,
      cpuPct: (cpu / secs) * 100,
      rssMiB: sum(b, 'depthwatch_process_resident_memory_bytes') / 2 ** 20,
      loopLagP99Ms: sum(b, 'depthwatch_nodejs_eventloop_lag_p99_seconds') * 1000,
      frameToMetricsP50Ms: latencyQuantile(a, b, 'receive_metrics', 0.5),
      frameToMetricsP99Ms: latencyQuantile(a, b, 'receive_metrics', 0.99),
      storeRowsPerSec: rows / secs,
      live,
      stale,
      other: instruments.length - live - stale,
      backlogGrowthFrames: backlogGrowth,
      simBehindMs,
      fellBehind: backlogGrowth > sentDelta / secs || simBehindMs > 1000,
    };
    return row;
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    for (const s of sims) await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const n of SIZES) rows.push(await runOne(n));
const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '', loadavg1mAtEnd: loadavg()[0]! };
if (JSON_OUT) {
  process.stdout.write(JSON.stringify({ machine, seconds: SECONDS, warmup: WARMUP, rows }, null, 2) + '\n');
} else {
  const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : x > 0 ? '>10000' : '-');
  console.log(
    `\nscale: ${SECONDS} s measured after ${WARMUP} s warm-up; ${machine.cpus} cores (${machine.model}), load ${machine.loadavg1mAtEnd.toFixed(2)} at the end; simulators in the harness process\n`,
  );
  console.log(
    '| N | venues | frames/s | CPU % | RSS MiB | loop lag p99 ms | frame→metrics p50 / p99 ms | store rows/s | live / stale / other | backlog growth (frames) | simulators behind ms | fell behind |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.n} | ${r.venues} | ${f(r.framesPerSec, 0)} | ${f(r.cpuPct, 0)} | ${f(r.rssMiB, 0)} | ${f(r.loopLagP99Ms)} | ${f(r.frameToMetricsP50Ms, 2)} / ${f(r.frameToMetricsP99Ms, 2)} | ${f(r.storeRowsPerSec, 0)} | ${r.live} / ${r.stale} / ${r.other} | ${r.backlogGrowthFrames} | ${f(r.simBehindMs, 0)} | ${r.fellBehind ? 'yes' : 'no'} |`,
    );
}
