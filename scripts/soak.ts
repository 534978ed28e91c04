/**
 * `npm run soak [-- --frames 1000000 --seed 1 --rate 0.001]`: fault-injection soak over the real Binance
 * recordings (USD-M, spot, COIN-M), repeated with new seeds until the frame target is reached. Prints
 * faults injected per kind, integrity events detected, resyncs, recovery time p50/p99, frames lost and
 * undetected divergences (must be 0; exit 1 otherwise).
 */
import { Command } from 'commander';
import { openRecording } from '../src/recording/index.ts';
import type { RecordedFrame } from '../src/recording/types.ts';
import { emptySoakResult, soakPass, SOAK_FAULTS, type SoakFault } from '../src/soak/soak.ts';

const DATA = '../shared/data/binance-hftbacktest';
const DATASETS: { venue: string; files: string[] }[] = [
  { venue: 'binance-usdm', files: [`${DATA}/usdm/btcusdt_20240808.gz`] },
  { venue: 'binance', files: [`${DATA}/spot/btcusdt_20240808.gz`, `${DATA}/spot/btcusdt_20240809.gz`] },
  {
    venue: 'binance-coinm',
    files: [`${DATA}/cm/btcusd_perp_20240808.gz`, `${DATA}/cm/btcusd_perp_20240809.gz`],
  },
];

const opts = new Command('soak')
  .option('--frames <n>', 'frames to push through (all datasets, repeated)', '1000000')
  .option('--seed <n>', 'first seed', '1')
  .option('--rate <p>', 'probability of each fault per depth frame', '0.001')
  .parse(process.argv)
  .opts<{ frames: string; seed: string; rate: string }>();

const target = Number(opts.frames);
const rate = Number(opts.rate);
const rates = Object.fromEntries(
  SOAK_FAULTS.map((k) => [k, k === 'disconnect' ? rate / 5 : k === 'silent_corruption' ? 0 : rate]),
) as Record<SoakFault, number>;
const loaded: { venue: string; frames: RecordedFrame[] }[] = [];
for (const d of DATASETS) {
  const frames: RecordedFrame[] = [];
  for await (const f of await openRecording(d.files)) frames.push(f);
  loaded.push({ venue: d.venue, frames });
  console.error(`loaded ${d.venue}: ${frames.length} frames`);
}

const result = emptySoakResult();
const t0 = performance.now();
let seed = Number(opts.seed);
let passes = 0;
while (result.frames < target) {
  for (const d of loaded) {
    soakPass(d.venue, d.frames, { seed: seed++, rates }, result);
    passes++;
    console.error(
      `pass ${passes} ${d.venue} seed ${seed - 1}: ${result.frames} frames, ${result.undetectedDivergences} undetected divergences`,
    );
    if (result.frames >= target) break;
  }
}
const secs = (performance.now() - t0) / 1000;
const pct = (a: number[], p: number): number => {
  if (a.length === 0) return NaN;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
console.log(
  `\nsoak: ${result.frames} frames (${result.bookFrames} depth frames) in ${passes} passes, ${secs.toFixed(1)} s`,
);
console.log(
  'faults injected:',
  Object.entries(result.injected)
    .map(([k, v]) => `${k} ${v}`)
    .join(', '),
);
const injectedTotal = Object.values(result.injected).reduce((a, b) => a + b, 0);
console.log(`faults injected total: ${injectedTotal}`);
console.log(
  `detected: gaps ${result.detected.gaps}, dropped frames ${result.detected.dropped}, checksum failures ${result.detected.checksumFailures}, crossed ${result.detected.crossedBooks}, oracle mismatches ${result.detected.oracleMismatches}`,
);
console.log(`resyncs: ${result.resyncs}`);
console.log(
  `time to recover (recording ms, fault to live again): p50 ${pct(result.recoveryMs, 50).toFixed(0)}, p99 ${pct(result.recoveryMs, 99).toFixed(0)}, max ${pct(result.recoveryMs, 100).toFixed(0)} over ${result.recoveryMs.length} recoveries`,
);
console.log(
  `frames lost to faults: ${result.framesLost} (never reached the engine under test; every book recovered from a fresh snapshot)`,
);
console.log(
  `comparisons: ${result.comparisons} live-step (top 20), ${result.checkpoints} full-book checkpoints`,
);
console.log(`books not live at end: ${result.notLiveAtEnd}`);
console.log(`undetected divergences: ${result.undetectedDivergences}`);
for (const s of result.divergenceSamples) console.log(`  ${s}`);
process.exit(result.undetectedDivergences === 0 ? 0 : 1);
