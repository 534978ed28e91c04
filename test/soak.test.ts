/**
 * Short seeded soak for CI (`npm run soak` runs ≥ 1M frames): real USD-M frames with every fault kind at
 * a high rate; the engine must detect every fault that breaks the book and never stay live on a wrong book.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openRecording } from '../src/recording/index.ts';
import type { RecordedFrame } from '../src/recording/types.ts';
import { emptySoakResult, soakPass, SOAK_FAULTS } from '../src/soak/soak.ts';

const REC = '../shared/data/binance-hftbacktest/usdm/btcusdt_20240808.gz';
const frames: RecordedFrame[] = [];

beforeAll(async () => {
  for await (const f of await openRecording([REC])) {
    frames.push(f);
    if (frames.length >= 30_000) break;
  }
});

describe('fault-injection soak', () => {
  it('ends with zero undetected divergences under every detectable fault kind', () => {
    const r = soakPass(
      'binance-usdm',
      frames,
      {
        seed: 7,
        rates: {
          drop: 0.01,
          duplicate: 0.01,
          reorder: 0.01,
          truncate: 0.01,
          corrupt_field: 0.01,
          corrupt_size: 0.01,
          disconnect: 0.002,
        },
      },
      emptySoakResult(),
    );
    for (const k of SOAK_FAULTS.filter((k) => k !== 'silent_corruption'))
      expect(r.injected[k]).toBeGreaterThan(0);
    expect(r.detected.gaps).toBeGreaterThan(0);
    expect(r.detected.dropped).toBeGreaterThan(0);
    expect(r.resyncs).toBeGreaterThan(0);
    expect(r.recoveryMs.length).toBeGreaterThan(0);
    expect(r.comparisons).toBeGreaterThan(10_000);
    expect(r.undetectedDivergences).toBe(0);
    expect(r.notLiveAtEnd).toBe(0);
  });

  it('catches a silently corrupted level that no sequence check can see (the comparison is real)', () => {
    const r = soakPass(
      'binance-usdm',
      frames,
      {
        seed: 3,
        rates: {
          silent_corruption: 0.01,
          drop: 0,
          duplicate: 0,
          reorder: 0,
          truncate: 0,
          corrupt_field: 0,
          corrupt_size: 0,
          disconnect: 0,
        },
      },
      emptySoakResult(),
    );
    expect(r.injected.silent_corruption).toBeGreaterThan(0);
    expect(r.undetectedDivergences).toBeGreaterThan(0);
  });
});
